"""coverage figures for the home page, refreshed by a periodic task

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 07:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "coverage_figure",
        sa.Column("regency_id", sa.Integer(), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.Column("covered", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["regency_id"], ["regency.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("regency_id"),
    )


def downgrade():
    op.drop_table("coverage_figure")
