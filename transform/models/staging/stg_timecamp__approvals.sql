{{ config(enabled=timecamp_streams_loaded(['approvals'])) }}

-- Timesheets sent for approval: one per person and period, in its current status.
select
    approval_id,
    user_id,
    status,
    status_name,
    nullif(approver_id, 0) as approver_id,
    {{ timecamp_date('from_date') }} as period_start,
    {{ timecamp_date('to_date') }} as period_end,
    status_name = 'approved' as is_approved,
    coalesce(auto, false) as is_automatic,
    comments
from {{ source('timecamp', 'approvals') }}
where {{ timecamp_live_rows() }}
