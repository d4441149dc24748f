{{ config(enabled=timecamp_streams_loaded(['time_entries', 'custom_field_templates', 'custom_field_values'])) }}

-- For every active task and user custom field, the hours tracked per month on tasks (or by
-- people) holding each value, `(not set)` where none is: each field's rows add up to all
-- the hours tracked.
with fields as (
    select template_id, field_name, resource_type
    from {{ ref('stg_timecamp__custom_field_templates') }}
    where resource_type in ('task', 'user')
)

select
    fields.resource_type,
    fields.field_name as field,
    coalesce(field_values.value, '(not set)') as value,
    date_trunc(entries.entry_date, month) as month,
    sum(entries.duration_seconds) / 3600 as hours
from {{ ref('fct_time_entries') }} as entries
cross join fields
left join {{ ref('stg_timecamp__custom_field_values') }} as field_values
    on field_values.template_id = fields.template_id
    and field_values.resource_type = fields.resource_type
    and field_values.resource_id
        = if(fields.resource_type = 'task', entries.task_id, entries.user_id)
group by 1, 2, 3, 4
