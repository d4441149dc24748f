{{ config(enabled=timecamp_streams_loaded(['custom_field_values'])) }}

select
    resource_type,
    resource_id,
    template_id,
    name as field_name,
    field_type,
    value,
    {{ timecamp_instant('read_at') }} as read_at
from {{ source('timecamp', 'custom_field_values') }}
where {{ timecamp_live_rows() }}
