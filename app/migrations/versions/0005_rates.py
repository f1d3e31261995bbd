"""Rates in the database (issue 6): control tables, register and SQ rules, rate schedules
with their rule links, bill messages and meter configurations, rate versions, rate components
with cross references, GL codes, characteristics and eligibility, bill factors with their
characteristics, values, TOU values and interval value sets, and a service agreement's pricing
terms (contract values, riders, tax exemptions, contract quantities).

Decimals a rate defines are stored as text (``ExactDecimal``), exact on SQLite and PostgreSQL.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('bill_factor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=254), nullable=False),
    sa.Column('char_type', sa.String(length=30), nullable=False),
    sa.Column('char_source', sa.String(length=20), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('value_type', sa.String(length=20), nullable=False),
    sa.Column('error_if_no_value', sa.Boolean(), nullable=False),
    sa.Column('tax_exemption', sa.Boolean(), nullable=False),
    sa.Column('value_in_contract_term', sa.Boolean(), nullable=False),
    sa.Column('contract_rider_applicability', sa.Boolean(), nullable=False),
    sa.Column('allow_proration', sa.Boolean(), nullable=False),
    sa.Column('rate_selection_date', sa.String(length=30), nullable=False),
    sa.Column('use_sub_sa_contract_terms', sa.Boolean(), nullable=False),
    sa.Column('tos_usage', sa.String(length=20), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bill_factor')),
    sa.UniqueConstraint('code', name=op.f('uq_bill_factor_code'))
    )
    op.create_table('rate_currency',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('decimals', sa.Integer(), nullable=False),
    sa.Column('symbol', sa.String(length=8), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_rate_currency'))
    )
    op.create_table('rate_frequency',
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=254), nullable=False),
    sa.Column('periods_per_year', sa.Integer(), nullable=False),
    sa.Column('min_days_offset', sa.Integer(), nullable=False),
    sa.Column('max_days_offset', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_rate_frequency'))
    )
    op.create_table('rate_library_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_library_revision'))
    )
    op.create_table('rate_register_rule',
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=254), nullable=False),
    sa.Column('algorithm', sa.String(length=30), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_rate_register_rule'))
    )
    op.create_table('rate_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=254), nullable=False),
    sa.Column('type', sa.String(length=12), nullable=False),
    sa.Column('service_type', sa.String(length=30), nullable=True),
    sa.Column('frequency', sa.String(length=30), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('allow_estimates', sa.Boolean(), nullable=False),
    sa.Column('allow_rv_proration', sa.Boolean(), nullable=False),
    sa.Column('rv_selection_date', sa.String(length=20), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_schedule')),
    sa.UniqueConstraint('code', name=op.f('uq_rate_schedule_code'))
    )
    op.create_table('rate_sq_rule',
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=254), nullable=False),
    sa.Column('algorithm', sa.String(length=30), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('output_uom', sa.String(length=30), nullable=True),
    sa.Column('output_tou', sa.String(length=30), nullable=True),
    sa.Column('output_sqi', sa.String(length=30), nullable=True),
    sa.Column('qty_to_use', sa.String(length=20), nullable=False),
    sa.Column('create_billing_error', sa.Boolean(), nullable=False),
    sa.Column('processing', sa.String(length=20), nullable=False),
    sa.Column('long_description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_rate_sq_rule'))
    )
    op.create_table('rate_sqi',
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=254), nullable=False),
    sa.Column('decimal_positions', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_rate_sqi'))
    )
    op.create_table('rate_tou',
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=254), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_rate_tou'))
    )
    op.create_table('rate_tou_group',
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=254), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_rate_tou_group'))
    )
    op.create_table('rate_tou_map',
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=254), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_rate_tou_map'))
    )
    op.create_table('rate_uom',
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=254), nullable=False),
    sa.Column('decimal_positions', sa.Integer(), nullable=False),
    sa.Column('measures_peak', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_rate_uom'))
    )
    op.create_table('bill_factor_characteristic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bill_factor_id', sa.Integer(), nullable=False),
    sa.Column('char_value', sa.String(length=254), nullable=False),
    sa.Column('minutes_per_interval', sa.Integer(), nullable=True),
    sa.Column('external_id', sa.String(length=60), nullable=True),
    sa.ForeignKeyConstraint(['bill_factor_id'], ['bill_factor.id'], name=op.f('fk_bill_factor_characteristic_bill_factor_id_bill_factor'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bill_factor_characteristic')),
    sa.UniqueConstraint('bill_factor_id', 'char_value', name=op.f('uq_bill_factor_characteristic_bill_factor_id'))
    )
    op.create_index(op.f('ix_bill_factor_characteristic_bill_factor_id'), 'bill_factor_characteristic', ['bill_factor_id'], unique=False)
    op.create_table('rate_schedule_bill_message',
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=30), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['schedule_id'], ['rate_schedule.id'], name=op.f('fk_rate_schedule_bill_message_schedule_id_rate_schedule'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('schedule_id', 'position', name=op.f('pk_rate_schedule_bill_message'))
    )
    op.create_table('rate_schedule_link',
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=14), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['schedule_id'], ['rate_schedule.id'], name=op.f('fk_rate_schedule_link_schedule_id_rate_schedule'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('schedule_id', 'kind', 'sequence', name=op.f('pk_rate_schedule_link'))
    )
    op.create_table('rate_schedule_meter_config',
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('meter_config_type', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['schedule_id'], ['rate_schedule.id'], name=op.f('fk_rate_schedule_meter_config_schedule_id_rate_schedule'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('schedule_id', 'position', name=op.f('pk_rate_schedule_meter_config'))
    )
    op.create_table('rate_tou_group_member',
    sa.Column('group_code', sa.String(length=30), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('tou', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['group_code'], ['rate_tou_group.code'], name=op.f('fk_rate_tou_group_member_group_code_rate_tou_group')),
    sa.PrimaryKeyConstraint('group_code', 'position', name=op.f('pk_rate_tou_group_member'))
    )
    op.create_table('rate_tou_map_period',
    sa.Column('map_code', sa.String(length=30), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('start', sa.Time(), nullable=False),
    sa.Column('end', sa.Time(), nullable=False),
    sa.Column('tou', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['map_code'], ['rate_tou_map.code'], name=op.f('fk_rate_tou_map_period_map_code_rate_tou_map')),
    sa.PrimaryKeyConstraint('map_code', 'position', name=op.f('pk_rate_tou_map_period'))
    )
    op.create_table('rate_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('effective', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('description_on_bill', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['schedule_id'], ['rate_schedule.id'], name=op.f('fk_rate_version_schedule_id_rate_schedule'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_version')),
    sa.UniqueConstraint('schedule_id', 'effective', name=op.f('uq_rate_version_schedule_id'))
    )
    op.create_index(op.f('ix_rate_version_schedule_id'), 'rate_version', ['schedule_id'], unique=False)
    op.create_table('bill_factor_gl',
    sa.Column('characteristic_id', sa.Integer(), nullable=False),
    sa.Column('revenue_class', sa.String(length=30), nullable=False),
    sa.Column('distribution_code', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['characteristic_id'], ['bill_factor_characteristic.id'], name=op.f('fk_bill_factor_gl_characteristic_id_bill_factor_characteristic'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('characteristic_id', 'revenue_class', name=op.f('pk_bill_factor_gl'))
    )
    op.create_table('bill_factor_interval_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('characteristic_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('set_id', sa.String(length=60), nullable=False),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['characteristic_id'], ['bill_factor_characteristic.id'], name=op.f('fk_bill_factor_interval_set_characteristic_id_bill_factor_characteristic'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bill_factor_interval_set'))
    )
    op.create_index(op.f('ix_bill_factor_interval_set_characteristic_id'), 'bill_factor_interval_set', ['characteristic_id'], unique=False)
    op.create_table('bill_factor_tou_value',
    sa.Column('characteristic_id', sa.Integer(), nullable=False),
    sa.Column('tou_group', sa.String(length=30), nullable=False),
    sa.Column('effective', sa.Date(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('tou', sa.String(length=30), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['characteristic_id'], ['bill_factor_characteristic.id'], name=op.f('fk_bill_factor_tou_value_characteristic_id_bill_factor_characteristic'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('characteristic_id', 'tou_group', 'effective', 'position', name=op.f('pk_bill_factor_tou_value'))
    )
    op.create_table('bill_factor_value',
    sa.Column('characteristic_id', sa.Integer(), nullable=False),
    sa.Column('effective', sa.Date(), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['characteristic_id'], ['bill_factor_characteristic.id'], name=op.f('fk_bill_factor_value_characteristic_id_bill_factor_characteristic'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('characteristic_id', 'effective', name=op.f('pk_bill_factor_value'))
    )
    op.create_table('rate_component',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('description', sa.String(length=254), nullable=False),
    sa.Column('description_on_bill', sa.Text(), nullable=False),
    sa.Column('print', sa.Boolean(), nullable=False),
    sa.Column('print_if_zero', sa.Boolean(), nullable=False),
    sa.Column('rounding', sa.String(length=12), nullable=False),
    sa.Column('precision', sa.String(length=40), nullable=True),
    sa.Column('fcpo', sa.Boolean(), nullable=False),
    sa.Column('result_type', sa.String(length=20), nullable=True),
    sa.Column('create_bill_line', sa.Boolean(), nullable=False),
    sa.Column('fcpo_retention', sa.String(length=20), nullable=True),
    sa.Column('value_type', sa.String(length=20), nullable=True),
    sa.Column('value_source', sa.String(length=20), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=True),
    sa.Column('bill_factor', sa.String(length=30), nullable=True),
    sa.Column('value_rc', sa.Integer(), nullable=True),
    sa.Column('value_algorithm', sa.String(length=30), nullable=True),
    sa.Column('value_algorithm_params', sa.JSON(), nullable=True),
    sa.Column('season_start', sa.String(length=5), nullable=True),
    sa.Column('season_end', sa.String(length=5), nullable=True),
    sa.Column('season_method', sa.String(length=20), nullable=True),
    sa.Column('uom', sa.String(length=30), nullable=True),
    sa.Column('tou', sa.String(length=30), nullable=True),
    sa.Column('sqi', sa.String(length=30), nullable=True),
    sa.Column('error_if_no_value', sa.Boolean(), nullable=False),
    sa.Column('stepped', sa.Boolean(), nullable=False),
    sa.Column('step_low', sa.String(length=40), nullable=True),
    sa.Column('step_high', sa.String(length=40), nullable=True),
    sa.Column('step_rc', sa.Integer(), nullable=True),
    sa.Column('step_algorithm', sa.String(length=30), nullable=True),
    sa.Column('step_algorithm_params', sa.JSON(), nullable=True),
    sa.Column('gl_statistical_qty', sa.Boolean(), nullable=False),
    sa.Column('measures_peak', sa.Boolean(), nullable=True),
    sa.Column('item_type', sa.String(length=30), nullable=True),
    sa.Column('tou_map', sa.String(length=30), nullable=True),
    sa.Column('calc_algorithm', sa.String(length=30), nullable=True),
    sa.Column('calc_algorithm_params', sa.JSON(), nullable=True),
    sa.Column('audit_algorithm', sa.String(length=30), nullable=True),
    sa.Column('audit_algorithm_params', sa.JSON(), nullable=True),
    sa.Column('derive_sq', sa.Boolean(), nullable=False),
    sa.Column('has_gl', sa.Boolean(), nullable=False),
    sa.Column('gl_code', sa.String(length=30), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['rate_version.id'], name=op.f('fk_rate_component_version_id_rate_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_component')),
    sa.UniqueConstraint('version_id', 'sequence', name=op.f('uq_rate_component_version_id'))
    )
    op.create_index(op.f('ix_rate_component_version_id'), 'rate_component', ['version_id'], unique=False)
    op.create_table('bill_factor_interval_value',
    sa.Column('set_row_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['set_row_id'], ['bill_factor_interval_set.id'], name=op.f('fk_bill_factor_interval_value_set_row_id_bill_factor_interval_set'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('set_row_id', 'position', name=op.f('pk_bill_factor_interval_value'))
    )
    op.create_table('rate_component_characteristic',
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('char_type', sa.String(length=30), nullable=False),
    sa.Column('char_value', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['rate_component.id'], name=op.f('fk_rate_component_characteristic_component_id_rate_component'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('component_id', 'position', name=op.f('pk_rate_component_characteristic'))
    )
    op.create_table('rate_component_gl',
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.Column('revenue_class', sa.String(length=30), nullable=False),
    sa.Column('distribution_code', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['rate_component.id'], name=op.f('fk_rate_component_gl_component_id_rate_component'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('component_id', 'revenue_class', name=op.f('pk_rate_component_gl'))
    )
    op.create_table('rate_component_xref',
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('ref_sequence', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['rate_component.id'], name=op.f('fk_rate_component_xref_component_id_rate_component'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('component_id', 'position', name=op.f('pk_rate_component_xref'))
    )
    op.create_table('rate_eligibility_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('if_true', sa.String(length=20), nullable=False),
    sa.Column('if_false', sa.String(length=20), nullable=False),
    sa.Column('description', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['rate_component.id'], name=op.f('fk_rate_eligibility_group_component_id_rate_component'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_eligibility_group'))
    )
    op.create_index(op.f('ix_rate_eligibility_group_component_id'), 'rate_eligibility_group', ['component_id'], unique=False)
    op.create_table('rate_eligibility_criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=20), nullable=False),
    sa.Column('comparison', sa.String(length=20), nullable=False),
    sa.Column('value', sa.String(length=254), nullable=False),
    sa.Column('if_true', sa.String(length=20), nullable=False),
    sa.Column('if_false', sa.String(length=20), nullable=False),
    sa.Column('if_insufficient', sa.String(length=20), nullable=False),
    sa.Column('char_entity', sa.String(length=20), nullable=True),
    sa.Column('char_type', sa.String(length=30), nullable=True),
    sa.Column('rc', sa.Integer(), nullable=True),
    sa.Column('has_sq', sa.Boolean(), nullable=False),
    sa.Column('sq_uom', sa.String(length=30), nullable=True),
    sa.Column('sq_tou', sa.String(length=30), nullable=True),
    sa.Column('sq_sqi', sa.String(length=30), nullable=True),
    sa.Column('field_algorithm', sa.String(length=30), nullable=True),
    sa.Column('field_algorithm_params', sa.JSON(), nullable=True),
    sa.Column('comparison_algorithm', sa.String(length=30), nullable=True),
    sa.Column('comparison_algorithm_params', sa.JSON(), nullable=True),
    sa.Column('description', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['rate_eligibility_group.id'], name=op.f('fk_rate_eligibility_criterion_group_id_rate_eligibility_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_eligibility_criterion'))
    )
    op.create_index(op.f('ix_rate_eligibility_criterion_group_id'), 'rate_eligibility_criterion', ['group_id'], unique=False)
    op.create_table('sa_contract_quantity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_agreement_id', sa.Integer(), nullable=False),
    sa.Column('contract_quantity_type', sa.String(length=30), nullable=False),
    sa.Column('effective', sa.Date(), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['service_agreement_id'], ['service_agreement.id'], name=op.f('fk_sa_contract_quantity_service_agreement_id_service_agreement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sa_contract_quantity'))
    )
    op.create_index(op.f('ix_sa_contract_quantity_service_agreement_id'), 'sa_contract_quantity', ['service_agreement_id'], unique=False)
    op.create_table('sa_contract_rider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_agreement_id', sa.Integer(), nullable=False),
    sa.Column('bill_factor', sa.String(length=30), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['service_agreement_id'], ['service_agreement.id'], name=op.f('fk_sa_contract_rider_service_agreement_id_service_agreement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sa_contract_rider'))
    )
    op.create_index(op.f('ix_sa_contract_rider_service_agreement_id'), 'sa_contract_rider', ['service_agreement_id'], unique=False)
    op.create_table('sa_contract_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_agreement_id', sa.Integer(), nullable=False),
    sa.Column('bill_factor', sa.String(length=30), nullable=False),
    sa.Column('effective', sa.Date(), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=False),
    sa.Column('tou', sa.String(length=30), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['service_agreement_id'], ['service_agreement.id'], name=op.f('fk_sa_contract_value_service_agreement_id_service_agreement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sa_contract_value'))
    )
    op.create_index(op.f('ix_sa_contract_value_service_agreement_id'), 'sa_contract_value', ['service_agreement_id'], unique=False)
    op.create_table('sa_tax_exemption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_agreement_id', sa.Integer(), nullable=False),
    sa.Column('bill_factor', sa.String(length=30), nullable=False),
    sa.Column('effective', sa.Date(), nullable=False),
    sa.Column('exempt_percent', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['service_agreement_id'], ['service_agreement.id'], name=op.f('fk_sa_tax_exemption_service_agreement_id_service_agreement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sa_tax_exemption'))
    )
    op.create_index(op.f('ix_sa_tax_exemption_service_agreement_id'), 'sa_tax_exemption', ['service_agreement_id'], unique=False)
    op.execute("INSERT INTO rate_library_revision (id, revision) VALUES (1, 0)")


def downgrade() -> None:
    op.drop_table('sa_tax_exemption')
    op.drop_table('sa_contract_value')
    op.drop_table('sa_contract_rider')
    op.drop_table('sa_contract_quantity')
    op.drop_table('rate_eligibility_criterion')
    op.drop_table('rate_eligibility_group')
    op.drop_table('rate_component_xref')
    op.drop_table('rate_component_gl')
    op.drop_table('rate_component_characteristic')
    op.drop_table('bill_factor_interval_value')
    op.drop_table('rate_component')
    op.drop_table('bill_factor_value')
    op.drop_table('bill_factor_tou_value')
    op.drop_table('bill_factor_interval_set')
    op.drop_table('bill_factor_gl')
    op.drop_table('rate_version')
    op.drop_table('rate_tou_map_period')
    op.drop_table('rate_tou_group_member')
    op.drop_table('rate_schedule_meter_config')
    op.drop_table('rate_schedule_link')
    op.drop_table('rate_schedule_bill_message')
    op.drop_table('bill_factor_characteristic')
    op.drop_table('rate_uom')
    op.drop_table('rate_tou_map')
    op.drop_table('rate_tou_group')
    op.drop_table('rate_tou')
    op.drop_table('rate_sqi')
    op.drop_table('rate_sq_rule')
    op.drop_table('rate_schedule')
    op.drop_table('rate_register_rule')
    op.drop_table('rate_library_revision')
    op.drop_table('rate_frequency')
    op.drop_table('rate_currency')
    op.drop_table('bill_factor')
