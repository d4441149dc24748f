{#- Every time entry row the loader holds, tombstones included, typed once: what both the
    live entries (stg_timecamp__time_entries) and the incremental fct_time_entries read. -#}
{{ config(materialized='ephemeral', enabled=timecamp_streams_loaded(['time_entries'])) }}

select
    id as time_entry_id,
    {{ timecamp_id('user_id') }} as user_id,
    {{ timecamp_id('task_id') }} as task_id,
    project_id,
    date as entry_date,
    safe_cast(duration as int64) as duration_seconds,
    safe_cast(duration as int64) / 3600 as duration_hours,
    safe_cast(start_time as time) as start_time,
    safe_cast(end_time as time) as end_time,
    billable = 1 as is_billable,
    locked = '1' as is_locked,
    description,
    user_name,
    {{ timecamp_instant('last_modify') }} as modified_at,
    _sdc_deleted_at is not null as is_deleted,
    -- When the loader wrote the row (UTC, set at load): what the incremental build follows.
    _sdc_batched_at as loaded_at
from {{ source('timecamp', 'time_entries') }}
