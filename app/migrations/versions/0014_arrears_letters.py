"""arrears enforcement: late-payment penalty rules (seeded) and warning letters per company

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 14:45:00

"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('permit_certificate', 'permit_refusal', 'batch_record')"
NEW_KINDS = (
    "kind IN ('permit_certificate', 'permit_refusal', 'batch_record', 'arrears_warning_1', "
    "'arrears_warning_2', 'sanction_recommendation')"
)
# Well-known figures, not in domain.md: labelled "to be verified" (editable in Reference).
SEED = [
    ("jkk", "2", "PP 44/2015 (JKK): denda 2% per bulan keterlambatan — perlu diverifikasi"),
    ("jkm", "2", "PP 44/2015 (JKM): denda 2% per bulan keterlambatan — perlu diverifikasi"),
    ("jht", "2", "PP 46/2015 (JHT): denda 2% per bulan keterlambatan — perlu diverifikasi"),
    ("jp", "0.5", "PP 45/2015 (JP): denda 0,5% per bulan keterlambatan — perlu diverifikasi"),
]


def _stamps():
    return [
        sa.Column("created_by_fk", sa.Integer(), nullable=True),
        sa.Column("changed_by_fk", sa.Integer(), nullable=True),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.Column("changed_on", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_fk"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["changed_by_fk"], ["ab_user.id"]),
    ]


def upgrade():
    rules = op.create_table(
        "penalty_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(length=3), nullable=True),
        sa.Column("percent_per_month", sa.Numeric(precision=6, scale=3), nullable=False),
        sa.Column("cap_percent", sa.Numeric(precision=6, scale=3), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("legal_basis", sa.String(length=200), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            "program IS NULL OR program IN ('jkk', 'jkm', 'jht', 'jp', 'jkp')",
            name="ck_penalty_rule_program",
        ),
        sa.CheckConstraint("percent_per_month >= 0", name="ck_penalty_rule_percent"),
        sa.CheckConstraint("cap_percent IS NULL OR cap_percent >= 0", name="ck_penalty_rule_cap"),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name="ck_penalty_rule_period"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("program", "valid_from", name="uq_penalty_rule_start"),
    )
    now = dt.datetime(2026, 12, 4, 7, 45)
    op.bulk_insert(
        rules,
        [
            {
                "program": program,
                "percent_per_month": pct,
                "cap_percent": None,
                "valid_from": dt.date(2015, 7, 1),
                "valid_to": None,
                "legal_basis": basis,
                "created_on": now,
                "changed_on": now,
            }
            for program, pct, basis in SEED
        ],
    )
    op.create_table(
        "arrears_letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("regency_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("penalty", sa.BigInteger(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("issued_letter_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            "kind IN ('arrears_warning_1', 'arrears_warning_2', 'sanction_recommendation')",
            name="ck_arrears_letter_kind",
        ),
        sa.CheckConstraint("status IN ('open', 'settled')", name="ck_arrears_letter_status"),
        sa.CheckConstraint(
            "amount > 0 AND months > 0 AND penalty >= 0", name="ck_arrears_letter_sums"
        ),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"]),
        sa.ForeignKeyConstraint(["regency_id"], ["regency.id"]),
        sa.ForeignKeyConstraint(["issued_letter_id"], ["issued_letter.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("company_id", "kind", "issued_on", name="uq_arrears_letter_day"),
    )
    with op.batch_alter_table("arrears_letter", schema=None) as batch_op:
        batch_op.create_index("ix_arrears_letter_company_id", ["company_id"], unique=False)
        batch_op.create_index("ix_arrears_letter_regency_id", ["regency_id"], unique=False)
        batch_op.create_index("ix_arrears_letter_status", ["status"], unique=False)
    with op.batch_alter_table("issued_letter", schema=None) as batch_op:
        batch_op.drop_constraint("ck_issued_letter_kind", type_="check")
        batch_op.create_check_constraint("ck_issued_letter_kind", NEW_KINDS)


def downgrade():
    with op.batch_alter_table("arrears_letter", schema=None) as batch_op:
        batch_op.drop_index("ix_arrears_letter_status")
        batch_op.drop_index("ix_arrears_letter_regency_id")
        batch_op.drop_index("ix_arrears_letter_company_id")
    op.drop_table("arrears_letter")
    op.execute(
        "DELETE FROM issued_letter WHERE kind IN "
        "('arrears_warning_1', 'arrears_warning_2', 'sanction_recommendation')"
    )
    with op.batch_alter_table("issued_letter", schema=None) as batch_op:
        batch_op.drop_constraint("ck_issued_letter_kind", type_="check")
        batch_op.create_check_constraint("ck_issued_letter_kind", OLD_KINDS)
    op.drop_table("penalty_rule")
