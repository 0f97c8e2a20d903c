"""indexes for the village filter and the unpaid-bill worklists at a million workers

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 09:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UNPAID = sa.text("amount_paid < amount_due")


def upgrade():
    with op.batch_alter_table("worker", schema=None) as batch_op:
        # a village's workers in the list's order, with the regency for the scope (PostgreSQL
        # reads them from the index alone)
        batch_op.create_index(
            "ix_worker_village_name_id",
            ["village_id", "name", "id"],
            unique=False,
            postgresql_include=["regency_id"],
        )
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        # the few unpaid bills: companies in arrears, last month's unpaid bills
        batch_op.create_index(
            "ix_contribution_unpaid_company",
            ["company_id", "period"],
            unique=False,
            sqlite_where=UNPAID,
            postgresql_where=UNPAID,
        )
        batch_op.create_index(
            "ix_contribution_unpaid_period",
            ["period", "regency_id"],
            unique=False,
            sqlite_where=UNPAID,
            postgresql_where=UNPAID,
        )


def downgrade():
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.drop_index("ix_contribution_unpaid_period")
        batch_op.drop_index("ix_contribution_unpaid_company")
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.drop_index("ix_worker_village_name_id")
