{{ config(enabled=timecamp_streams_loaded(['computer_activities'])) }}

select
    user_id,
    {{ timecamp_instant('start_time') }} as started_at,
    {{ timecamp_instant('end_time') }} as ended_at,
    end_time as end_time_text,
    window_title_id,
    nullif(application_id, 0) as application_id,
    window_title,
    time_span as duration_seconds,
    time_span / 3600 as duration_hours
from {{ source('timecamp', 'computer_activities') }}
where {{ timecamp_live_rows() }}
