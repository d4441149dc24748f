{{ config(enabled=timecamp_streams_loaded(['tasks'])) }}

select
    task_id,
    nullif(parent_id, 0) as parent_task_id,
    name as task_name,
    level,
    project_id,
    project_name,
    breadcrumb,
    coalesce(archived, false) as is_archived,
    coalesce(billable, false) as is_billable,
    budgeted,
    budget_unit,
    root_group_id,
    external_task_id,
    {{ timecamp_instant('add_date') }} as added_at,
    {{ timecamp_instant('modify_time') }} as modified_at
from {{ source('timecamp', 'tasks') }}
where {{ timecamp_live_rows() }}
