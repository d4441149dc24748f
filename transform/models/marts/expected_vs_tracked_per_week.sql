{{ config(enabled=timecamp_streams_loaded(['time_entries', 'users', 'group_schedules'])) }}

-- Per person per week (from Monday) in which anyone tracked time: the weekly hours of the
-- schedule set on the person's own group (a group without one expects none: TimeCamp does
-- not say whether it takes its parent's) beside the hours tracked. Every active person, and
-- a disabled one in the weeks they tracked.
with weekly as (
    select group_id, sum(hours) as hours
    from {{ ref('stg_timecamp__group_schedules') }}
    group by group_id
),

tracked as (
    select user_id, date_trunc(entry_date, isoweek) as week, sum(duration_seconds) as seconds
    from {{ ref('fct_time_entries') }}
    group by user_id, week
),

weeks as (select distinct week from tracked)

select
    users.user_id,
    users.person,
    weeks.week,
    coalesce(weekly.hours, 0) as expected_hours,
    coalesce(tracked.seconds, 0) / 3600 as tracked_hours
from {{ ref('stg_timecamp__users') }} as users
cross join weeks
left join weekly on weekly.group_id = users.group_id
left join tracked on tracked.user_id = users.user_id and tracked.week = weeks.week
where not users.is_disabled or tracked.seconds is not null
