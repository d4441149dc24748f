{{ config(enabled=timecamp_streams_loaded(['time_entry_deletions'])) }}

select
    entry_id as time_entry_id,
    {{ timecamp_id('user_id') }} as user_id,
    {{ timecamp_id('task_id') }} as task_id,
    date as entry_date,
    safe_cast(duration as int64) as duration_seconds,
    {{ timecamp_instant('edited') }} as deleted_at,
    {{ timecamp_id('deleted_by') }} as deleted_by_user_id
from {{ source('timecamp', 'time_entry_deletions') }}
where {{ timecamp_live_rows() }}
