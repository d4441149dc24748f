{{ config(enabled=timecamp_streams_loaded(['approvals'])) }}

-- The days of each timesheet (approvals' nested attendance): what each day should hold.
select
    approvals.approval_id,
    approvals.user_id,
    {{ timecamp_date('days.date') }} as day,
    days.should_be as expected_minutes,
    days.should_be / 60 as expected_hours,
    days.day_type
from {{ source('timecamp', 'approvals') }} as approvals,
    unnest(approvals.attendance) as days
where approvals._sdc_deleted_at is null
