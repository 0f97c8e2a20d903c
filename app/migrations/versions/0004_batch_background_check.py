"""batch files checked in the background with progress; sponsor statements; money in BIGINT

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:00:00

"""
from alembic import context, op
from alembic.util import CommandError
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

MONEY = [
    ('sponsor_commitment', 'ceiling_amount'),
    ('construction_project', 'contract_value'),
    ('construction_project', 'contribution'),
    ('contribution', 'amount_due'),
    ('contribution', 'amount_paid'),
]


def upgrade():
    with op.batch_alter_table('enrollment_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('check_status', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('check_done', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('check_total', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('check_error', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('check_started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('pending_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('pending_file', sa.LargeBinary(), nullable=True))


    with op.batch_alter_table('report_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sponsor_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_report_job_sponsor_id'), ['sponsor_id'], unique=False)
        batch_op.create_foreign_key('fk_report_job_sponsor_id_sponsor', 'sponsor', ['sponsor_id'], ['id'])

    # Rupiah amounts pass 2^31 (Rp 2,1 billion): a regency's APBD commitment (Kapuas: 9.960
    # workers x 12 months), a construction contract, a large employer's monthly bill.
    for table, column in MONEY:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.Integer(), type_=sa.BigInteger(),
                                  existing_nullable=False)


INTEGER_MAX = 2**31 - 1


def _amounts_beyond_integer():
    """The money columns holding amounts that 0003's INTEGER columns cannot hold."""
    conn = op.get_bind()
    found = []
    for table, column in MONEY:
        count, largest = conn.execute(sa.text(
            f'SELECT count(*), max(abs({column})) FROM {table} '
            f'WHERE {column} > :top OR {column} < -:top'), {'top': INTEGER_MAX}).one()
        if count:
            found.append(f'{table}.{column}: {count} row(s), up to {largest}')
    return found


def downgrade():
    # Refuse before changing anything: PostgreSQL would stop half-way with "integer out of
    # range", SQLite would keep amounts that revision 0003 declares as INTEGER.
    if not context.is_offline_mode():
        too_large = _amounts_beyond_integer()
        if too_large:
            raise CommandError(
                'Cannot downgrade below 0004: revision 0003 stores money as INTEGER (at most '
                f'{INTEGER_MAX}), and these amounts are larger: {"; ".join(too_large)}. '
                'Stay at 0004 or later, or correct these amounts first.')
    with op.batch_alter_table('report_job', schema=None) as batch_op:
        batch_op.drop_constraint('fk_report_job_sponsor_id_sponsor', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_report_job_sponsor_id'))
        batch_op.drop_column('sponsor_id')
    for table, column in MONEY:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.BigInteger(), type_=sa.Integer(),
                                  existing_nullable=False)
    with op.batch_alter_table('enrollment_batch', schema=None) as batch_op:
        batch_op.drop_column('pending_file')
        batch_op.drop_column('pending_name')
        batch_op.drop_column('check_started_at')
        batch_op.drop_column('check_error')
        batch_op.drop_column('check_total')
        batch_op.drop_column('check_done')
        batch_op.drop_column('check_status')
