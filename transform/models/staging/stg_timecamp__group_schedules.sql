{{ config(enabled=timecamp_streams_loaded(['group_schedules'])) }}

select
    event_id,
    group_id,
    day_of_week,
    safe_cast(start_time as time) as start_time,
    safe_cast(end_time as time) as end_time,
    hours,
    coalesce(recurring, false) as is_recurring,
    type as schedule_type,
    variant
from {{ source('timecamp', 'group_schedules') }}
where {{ timecamp_live_rows() }}
