{{ config(enabled=timecamp_streams_loaded(['time_entries', 'users', 'approvals'])) }}

-- Hours tracked per person per month, and those on days of a timesheet approved now.
with approved_days as (
    select distinct days.user_id, days.day
    from {{ ref('stg_timecamp__approval_days') }} as days
    inner join {{ ref('stg_timecamp__approvals') }} as approvals
        on approvals.approval_id = days.approval_id
    where approvals.is_approved
)

select
    entries.user_id,
    users.person,
    date_trunc(entries.entry_date, month) as month,
    sum(entries.duration_seconds) / 3600 as tracked_hours,
    sum(if(approved_days.day is not null, entries.duration_seconds, 0)) / 3600 as approved_hours
from {{ ref('fct_time_entries') }} as entries
inner join {{ ref('stg_timecamp__users') }} as users on users.user_id = entries.user_id
left join approved_days
    on approved_days.user_id = entries.user_id and approved_days.day = entries.entry_date
group by entries.user_id, users.person, month
