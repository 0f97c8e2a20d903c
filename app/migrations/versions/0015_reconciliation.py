"""reconciliation with a BPJS branch extract: imports and discrepancies

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 15:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

JOB = "status IN ('queued', 'running', 'done', 'failed')"
KINDS = "kind IN ('unknown', 'ended_here', 'unpaid', 'unrecorded', 'name')"


def upgrade():
    op.create_table(
        "reconciliation_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("regency_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("pending_file", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("not_found", sa.Integer(), nullable=False),
        sa.Column("outside", sa.Integer(), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("kpj_filled", sa.Integer(), nullable=False),
        sa.CheckConstraint(JOB, name="ck_reconciliation_run_status"),
        sa.ForeignKeyConstraint(["regency_id"], ["regency.id"]),
        sa.ForeignKeyConstraint(["requested_by_id"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reconciliation_run_regency_id", "reconciliation_run", ["regency_id"])
    op.create_index("ix_reconciliation_run_file_sha256", "reconciliation_run", ["file_sha256"])
    op.create_index("ix_reconciliation_run_status", "reconciliation_run", ["status"])
    op.create_table(
        "discrepancy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("regency_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("period", sa.Date(), nullable=True),
        sa.Column("name_here", sa.String(length=150), nullable=True),
        sa.Column("name_bpjs", sa.String(length=150), nullable=True),
        sa.Column("billed", sa.BigInteger(), nullable=True),
        sa.Column("paid", sa.BigInteger(), nullable=True),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(KINDS, name="ck_discrepancy_kind"),
        sa.CheckConstraint("status IN ('open', 'resolved')", name="ck_discrepancy_status"),
        sa.ForeignKeyConstraint(["run_id"], ["reconciliation_run.id"]),
        sa.ForeignKeyConstraint(["regency_id"], ["regency.id"]),
        sa.ForeignKeyConstraint(["worker_id"], ["worker.id"]),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"]),
        sa.ForeignKeyConstraint(["resolved_by_id"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    for column in ("kind", "status", "run_id", "regency_id", "worker_id", "company_id"):
        op.create_index(f"ix_discrepancy_{column}", "discrepancy", [column])


def downgrade():
    op.drop_table("discrepancy")
    op.drop_table("reconciliation_run")
