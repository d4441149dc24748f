{{ config(enabled=timecamp_streams_loaded(['time_entries', 'users'])) }}

-- The hours each person tracked each day (run-local's grid): one row per person and day
-- with time tracked.
select
    entries.user_id,
    coalesce(users.person, any_value(entries.user_name)) as person,
    entries.entry_date as day,
    count(*) as entries,
    sum(entries.duration_seconds) as seconds,
    sum(entries.duration_seconds) / 3600 as hours
from {{ ref('fct_time_entries') }} as entries
left join {{ ref('stg_timecamp__users') }} as users on users.user_id = entries.user_id
group by entries.user_id, users.person, entries.entry_date
