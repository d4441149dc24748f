{{ config(enabled=timecamp_streams_loaded(['custom_field_templates'])) }}

select
    template_id,
    name as field_name,
    resource_type,
    coalesce(required, false) as is_required,
    status,
    field_type,
    default_value
from {{ source('timecamp', 'custom_field_templates') }}
where {{ timecamp_live_rows() }}
