{{ config(enabled=timecamp_streams_loaded(['billing_rates'])) }}

-- One rate per object (task, user, group) and rate type. is_cost_rate is null when
-- TimeCamp's rate types could not be read: such a rate counts as a billing rate.
select
    object_type,
    object_id,
    rate_type_id,
    rate_type_name,
    coalesce(is_cost_rate, false) as is_cost_rate,
    rate_id,
    value as rate,
    add_date as added_on
from {{ source('timecamp', 'billing_rates') }}
where {{ timecamp_live_rows() }}
