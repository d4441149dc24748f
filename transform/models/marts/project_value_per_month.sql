{{ config(enabled=timecamp_streams_loaded(['time_entries', 'tasks', 'users', 'billing_rates'])) }}

{#- Hours, billable value and cost per project per month. Each entry is priced at the rate in
    force for it, for billing and cost rates apart: the entry's task's own rate, else its
    project's, else the person's, else the rate of the person's own group (not of the groups
    above it). TimeCamp does not document which rate wins; an entry with no rate adds
    nothing. Billable value counts billable entries only, cost every entry. -#}
with rates as (
    select
        object_type,
        object_id,
        max(if(is_cost_rate, null, rate)) as billing_rate,
        max(if(is_cost_rate, rate, null)) as cost_rate
    from {{ ref('stg_timecamp__billing_rates') }}
    group by object_type, object_id
),

priced as (
    select
        coalesce(tasks.project_name, '(no project)') as project,
        date_trunc(entries.entry_date, month) as month,
        entries.duration_hours as hours,
        entries.is_billable,
        coalesce(
            task_rates.billing_rate, project_rates.billing_rate,
            user_rates.billing_rate, group_rates.billing_rate
        ) as billing_rate,
        coalesce(
            task_rates.cost_rate, project_rates.cost_rate,
            user_rates.cost_rate, group_rates.cost_rate
        ) as cost_rate
    from {{ ref('fct_time_entries') }} as entries
    left join {{ ref('stg_timecamp__tasks') }} as tasks on tasks.task_id = entries.task_id
    left join {{ ref('stg_timecamp__users') }} as users on users.user_id = entries.user_id
    left join rates as task_rates
        on task_rates.object_type = 'task' and task_rates.object_id = entries.task_id
    left join rates as project_rates
        on project_rates.object_type = 'task' and project_rates.object_id = tasks.project_id
    left join rates as user_rates
        on user_rates.object_type = 'user' and user_rates.object_id = entries.user_id
    left join rates as group_rates
        on group_rates.object_type = 'group' and group_rates.object_id = users.group_id
)

select
    project,
    month,
    sum(hours) as hours,
    sum(if(is_billable, hours, 0)) as billable_hours,
    sum(if(is_billable, hours * coalesce(billing_rate, 0), 0)) as billable_value,
    sum(hours * coalesce(cost_rate, 0)) as cost
from priced
group by project, month
