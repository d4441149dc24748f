{{ config(enabled=timecamp_streams_loaded(['attendance'])) }}

select
    user_id,
    {{ timecamp_date('date') }} as work_date,
    safe_cast(start_time as time) as start_time,
    safe_cast(end_time as time) as end_time,
    total_time as worked_seconds,
    total_time / 3600 as worked_hours,
    coalesce(approved, false) as is_approved
from {{ source('timecamp', 'attendance') }}
where {{ timecamp_live_rows() }}
