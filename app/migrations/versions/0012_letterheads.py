"""letterheads of the issuing offices, their number series and the letters issued

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "letterhead",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("regency_id", sa.Integer(), nullable=False),
        sa.Column("branch_office_id", sa.Integer(), nullable=True),
        sa.Column("heading", sa.Text(), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=120), nullable=True),
        sa.Column("website", sa.String(length=120), nullable=True),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sa.String(length=20), nullable=True),
        sa.Column("unit_code", sa.String(length=30), nullable=False),
        sa.Column("number_pattern", sa.String(length=80), nullable=False),
        sa.Column("place", sa.String(length=80), nullable=False),
        sa.Column("signer_name", sa.String(length=120), nullable=True),
        sa.Column("signer_position", sa.String(length=200), nullable=True),
        sa.Column("signer_nip", sa.String(length=18), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_by_fk", sa.Integer(), nullable=True),
        sa.Column("changed_by_fk", sa.Integer(), nullable=True),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.Column("changed_on", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('regency_gov', 'dpmptsp', 'bpjs_branch')", name="ck_letterhead_kind"
        ),
        sa.ForeignKeyConstraint(["regency_id"], ["regency.id"]),
        sa.ForeignKeyConstraint(["branch_office_id"], ["branch_office.id"]),
        sa.ForeignKeyConstraint(["created_by_fk"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["changed_by_fk"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "regency_id", name="uq_letterhead_kind_regency"),
        sa.UniqueConstraint("branch_office_id", name="uq_letterhead_branch"),
    )
    op.create_index("ix_letterhead_regency_id", "letterhead", ["regency_id"])
    op.create_table(
        "letter_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_key", sa.String(length=60), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("office_key", "year", name="uq_letter_series"),
    )
    op.create_table(
        "issued_letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_key", sa.String(length=60), nullable=False),
        sa.Column("letterhead_id", sa.Integer(), nullable=True),
        sa.Column("regency_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("place", sa.String(length=80), nullable=True),
        sa.Column("signer_name", sa.String(length=120), nullable=True),
        sa.Column("signer_position", sa.String(length=200), nullable=True),
        sa.Column("signer_nip", sa.String(length=18), nullable=True),
        sa.CheckConstraint(
            "kind IN ('permit_certificate', 'permit_refusal', 'batch_record')",
            name="ck_issued_letter_kind",
        ),
        sa.ForeignKeyConstraint(["letterhead_id"], ["letterhead.id"]),
        sa.ForeignKeyConstraint(["regency_id"], ["regency.id"]),
        sa.ForeignKeyConstraint(["issued_by_id"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("office_key", "year", "seq", name="uq_issued_letter_seq"),
        sa.UniqueConstraint(
            "subject_type", "subject_id", "kind", name="uq_issued_letter_subject"
        ),
    )
    op.create_index("ix_issued_letter_letterhead_id", "issued_letter", ["letterhead_id"])
    op.create_index("ix_issued_letter_regency_id", "issued_letter", ["regency_id"])
    op.create_index("ix_issued_letter_number", "issued_letter", ["number"])
    op.create_index("ix_issued_letter_issued_at", "issued_letter", ["issued_at"])


def downgrade():
    op.drop_table("issued_letter")
    op.drop_table("letter_series")
    op.drop_table("letterhead")
