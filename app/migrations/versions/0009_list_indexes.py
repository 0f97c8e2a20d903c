"""indexes for lists and the home page at a million workers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 06:50:00

"""
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TRIGRAM = "ix_worker_name_trgm"


def upgrade():
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.drop_index("ix_worker_name")
        batch_op.create_index("ix_worker_name_id", ["name", "id"], unique=False)
        batch_op.create_index(
            "ix_worker_regency_name_id", ["regency_id", "name", "id"], unique=False
        )
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.create_index("ix_enrollment_end_date", ["end_date"], unique=False)
        batch_op.create_index(
            "ix_enrollment_worker_status", ["worker_id", "status"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        # "name contains" (ILIKE '%…%') through trigrams instead of a full pass
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE INDEX {TRIGRAM} ON worker USING gin (name gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {TRIGRAM}")
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.drop_index("ix_enrollment_worker_status")
        batch_op.drop_index("ix_enrollment_end_date")
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.drop_index("ix_worker_regency_name_id")
        batch_op.drop_index("ix_worker_name_id")
        batch_op.create_index("ix_worker_name", ["name"], unique=False)
