"""the scale of a recorded workforce figure (the demo's are 1:50 of the source's)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("regency_workforce") as batch:
        batch.add_column(sa.Column("scale", sa.Integer(), server_default=sa.text("1"), nullable=False))


def downgrade():
    with op.batch_alter_table("regency_workforce") as batch:
        batch.drop_column("scale")
