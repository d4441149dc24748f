{{ config(enabled=timecamp_streams_loaded(['users', 'approvals', 'attendance', 'attendance_day_types'])) }}

-- Per person per month, up to today: the hours each day of a timesheet period should hold,
-- the hours attendance recorded, and the days whose type is a day off.
with days as (
    select user_id, day, expected_minutes, day_type
    from {{ ref('stg_timecamp__approval_days') }}
    where day <= current_date()
)

select
    days.user_id,
    users.person,
    date_trunc(days.day, month) as month,
    sum(days.expected_minutes) / 60 as expected_hours,
    sum(coalesce(worked.worked_seconds, 0)) / 3600 as worked_hours,
    countif(coalesce(day_types.is_day_off, false)) as days_off
from days
inner join {{ ref('stg_timecamp__users') }} as users on users.user_id = days.user_id
left join {{ ref('stg_timecamp__attendance_day_types') }} as day_types
    on day_types.day_type = days.day_type
left join {{ ref('stg_timecamp__attendance') }} as worked
    on worked.user_id = days.user_id and worked.work_date = days.day
group by days.user_id, users.person, month
