"""jobs on a queue: heartbeats and report files in the database

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 06:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("report_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("enrollment_batch", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("check_heartbeat_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "report_output",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("fmt", sa.String(length=5), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["report_job.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("job_id", "fmt"),
    )


def downgrade():
    op.drop_table("report_output")
    with op.batch_alter_table("enrollment_batch", schema=None) as batch_op:
        batch_op.drop_column("check_heartbeat_at")
    with op.batch_alter_table("report_job", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
