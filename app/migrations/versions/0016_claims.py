"""claims after a worker's death, the heirs, scholarship years and the benefit table (seeded)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 14:07:40

"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('benefit_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_type', sa.String(length=12), nullable=True),
    sa.Column('item', sa.String(length=15), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('multiplier', sa.Integer(), nullable=False),
    sa.Column('years', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('legal_basis', sa.String(length=200), nullable=True),
    sa.Column('created_by_fk', sa.Integer(), nullable=True),
    sa.Column('changed_by_fk', sa.Integer(), nullable=True),
    sa.Column('created_on', sa.DateTime(), nullable=False),
    sa.Column('changed_on', sa.DateTime(), nullable=False),
    sa.CheckConstraint("event_type IS NULL OR event_type IN ('death', 'work_death')", name='ck_benefit_rule_event'),
    sa.CheckConstraint("item IN ('lump_sum', 'periodic', 'funeral', 'wage_multiple', 'scholarship')", name='ck_benefit_rule_item'),
    sa.CheckConstraint("level IS NULL OR level IN ('tk', 'sd', 'smp', 'sma', 'higher')", name='ck_benefit_rule_level'),
    sa.CheckConstraint('amount >= 0 AND multiplier >= 0 AND years >= 0', name='ck_benefit_rule_n'),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name='ck_benefit_rule_period'),
    sa.ForeignKeyConstraint(['changed_by_fk'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['created_by_fk'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('regency_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=True),
    sa.Column('payer_type', sa.String(length=10), nullable=True),
    sa.Column('event_type', sa.String(length=12), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=15), nullable=True),
    sa.Column('reason_month', sa.Date(), nullable=True),
    sa.Column('wage', sa.BigInteger(), nullable=True),
    sa.Column('paid_months', sa.Integer(), nullable=False),
    sa.Column('scholarship_allowed', sa.Boolean(), nullable=False),
    sa.Column('amount_due', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('amount_paid', sa.BigInteger(), nullable=True),
    sa.Column('rejection_reason', sa.String(length=500), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_by_fk', sa.Integer(), nullable=True),
    sa.Column('changed_by_fk', sa.Integer(), nullable=True),
    sa.Column('created_on', sa.DateTime(), nullable=False),
    sa.Column('changed_on', sa.DateTime(), nullable=False),
    sa.CheckConstraint("event_type IN ('death', 'work_death')", name='ck_claim_event_type'),
    sa.CheckConstraint("reason IS NULL OR reason IN ('no_enrollment', 'no_program', 'unpaid')", name='ck_claim_reason'),
    sa.CheckConstraint("status IN ('not_covered', 'reported', 'documents', 'submitted', 'paid', 'rejected')", name='ck_claim_status'),
    sa.CheckConstraint('amount_due >= 0 AND paid_months >= 0', name='ck_claim_amounts'),
    sa.CheckConstraint('amount_paid IS NULL OR amount_paid > 0', name='ck_claim_paid'),
    sa.ForeignKeyConstraint(['changed_by_fk'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['created_by_fk'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], ),
    sa.ForeignKeyConstraint(['regency_id'], ['regency.id'], ),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_enrollment_id'), ['enrollment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_event_date'), ['event_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_payer_type'), ['payer_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_regency_id'), ['regency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_worker_id'), ['worker_id'], unique=False)

    op.create_table('claim_benefit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=15), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('legal_basis', sa.String(length=200), nullable=True),
    sa.CheckConstraint("item IN ('lump_sum', 'periodic', 'funeral', 'wage_multiple', 'scholarship')", name='ck_claim_benefit_item'),
    sa.CheckConstraint('amount >= 0', name='ck_claim_benefit_amount'),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('claim_benefit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_benefit_claim_id'), ['claim_id'], unique=False)

    op.create_table('claim_heir',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=150), nullable=False),
    sa.Column('relation', sa.String(length=10), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('school_level', sa.String(length=10), nullable=True),
    sa.Column('level_year', sa.Integer(), nullable=False),
    sa.Column('married', sa.Boolean(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('scholarship', sa.Boolean(), nullable=False),
    sa.Column('end_reason', sa.String(length=15), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('created_by_fk', sa.Integer(), nullable=True),
    sa.Column('changed_by_fk', sa.Integer(), nullable=True),
    sa.Column('created_on', sa.DateTime(), nullable=False),
    sa.Column('changed_on', sa.DateTime(), nullable=False),
    sa.CheckConstraint("end_reason IS NULL OR end_reason IN ('age', 'married', 'working', 'dropped_out', 'levels_done', 'claim_rejected')", name='ck_claim_heir_end_reason'),
    sa.CheckConstraint("relation IN ('spouse', 'child', 'parent', 'other')", name='ck_claim_heir_relation'),
    sa.CheckConstraint("school_level IN ('none', 'tk', 'sd', 'smp', 'sma', 'higher')", name='ck_claim_heir_level'),
    sa.CheckConstraint('level_year >= 1', name='ck_claim_heir_level_year'),
    sa.ForeignKeyConstraint(['changed_by_fk'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_fk'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('claim_heir', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_heir_claim_id'), ['claim_id'], unique=False)

    op.create_table('scholarship_year',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('heir_id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('level_year', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('created_by_fk', sa.Integer(), nullable=True),
    sa.Column('changed_by_fk', sa.Integer(), nullable=True),
    sa.Column('created_on', sa.DateTime(), nullable=False),
    sa.Column('changed_on', sa.DateTime(), nullable=False),
    sa.CheckConstraint("level IN ('tk', 'sd', 'smp', 'sma', 'higher')", name='ck_scholarship_year_level'),
    sa.CheckConstraint("status IN ('open', 'paid', 'stopped')", name='ck_scholarship_year_status'),
    sa.CheckConstraint('amount > 0', name='ck_scholarship_year_amount'),
    sa.ForeignKeyConstraint(['changed_by_fk'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_fk'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['heir_id'], ['claim_heir.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('scholarship_year', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scholarship_year_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scholarship_year_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_scholarship_year_heir_id'), ['heir_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scholarship_year_status'), ['status'], unique=False)

    _seed_benefit_rules()


PP_82_2019 = "PP 82/2019 (perubahan PP 44/2015), Lampiran"
PERMENAKER_5_2021 = "PP 82/2019; Permenaker 5/2021 (beasiswa per anak per tahun, maks. 2 anak)"
SEED = [
    # (event type, item, level, amount, multiplier, years, legal basis)
    ("death", "lump_sum", None, 20_000_000, 0, 0, PP_82_2019),
    ("death", "periodic", None, 12_000_000, 0, 0, PP_82_2019),
    ("death", "funeral", None, 10_000_000, 0, 0, PP_82_2019),
    ("work_death", "wage_multiple", None, 0, 48, 0, PP_82_2019),
    ("work_death", "funeral", None, 10_000_000, 0, 0, PP_82_2019),
    ("work_death", "periodic", None, 12_000_000, 0, 0, PP_82_2019),
    (None, "scholarship", "tk", 1_500_000, 0, 2, PERMENAKER_5_2021),
    (None, "scholarship", "sd", 1_500_000, 0, 6, PERMENAKER_5_2021),
    (None, "scholarship", "smp", 2_000_000, 0, 3, PERMENAKER_5_2021),
    (None, "scholarship", "sma", 3_000_000, 0, 3, PERMENAKER_5_2021),
    (None, "scholarship", "higher", 12_000_000, 0, 5, PERMENAKER_5_2021),
]


def _seed_benefit_rules():
    """The benefits in force since PP 82/2019 (2 December 2019) and Permenaker 5/2021."""
    table = sa.table(
        "benefit_rule",
        *(
            sa.column(name)
            for name in (
                "event_type", "item", "level", "amount", "multiplier", "years", "valid_from",
                "legal_basis", "created_on", "changed_on",
            )
        ),
    )
    now = dt.datetime(2026, 12, 4)
    rows = []
    for event_type, item, level, amount, multiplier, years, basis in SEED:
        start = dt.date(2019, 12, 2)  # PP 82/2019 in force
        rows.append(
            dict(
                event_type=event_type, item=item, level=level, amount=amount,
                multiplier=multiplier, years=years, valid_from=start, legal_basis=basis,
                created_on=now, changed_on=now,
            )
        )
    op.bulk_insert(table, rows)


def downgrade():
    with op.batch_alter_table('scholarship_year', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scholarship_year_status'))
        batch_op.drop_index(batch_op.f('ix_scholarship_year_heir_id'))
        batch_op.drop_index(batch_op.f('ix_scholarship_year_due_on'))
        batch_op.drop_index(batch_op.f('ix_scholarship_year_claim_id'))

    op.drop_table('scholarship_year')
    with op.batch_alter_table('claim_heir', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_heir_claim_id'))

    op.drop_table('claim_heir')
    with op.batch_alter_table('claim_benefit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_benefit_claim_id'))

    op.drop_table('claim_benefit')
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_worker_id'))
        batch_op.drop_index(batch_op.f('ix_claim_status'))
        batch_op.drop_index(batch_op.f('ix_claim_regency_id'))
        batch_op.drop_index(batch_op.f('ix_claim_payer_type'))
        batch_op.drop_index(batch_op.f('ix_claim_event_date'))
        batch_op.drop_index(batch_op.f('ix_claim_enrollment_id'))

    op.drop_table('claim')
    op.drop_table('benefit_rule')
