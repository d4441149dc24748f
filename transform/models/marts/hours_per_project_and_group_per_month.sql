{{ config(enabled=timecamp_streams_loaded(['time_entries', 'tasks', 'users'])) }}

-- Hours per project and per group of the person who tracked them, per month.
select
    coalesce(tasks.project_name, '(no project)') as project,
    coalesce(users.group_name, '(no group)') as group_name,
    date_trunc(entries.entry_date, month) as month,
    sum(entries.duration_seconds) / 3600 as hours
from {{ ref('fct_time_entries') }} as entries
left join {{ ref('stg_timecamp__tasks') }} as tasks on tasks.task_id = entries.task_id
left join {{ ref('stg_timecamp__users') }} as users on users.user_id = entries.user_id
group by 1, 2, 3
