{{ config(enabled=timecamp_streams_loaded(['tasks', 'expenses', 'expense_categories'])) }}

-- Expenses per category and project, in the currency's units.
select
    categories.category_name as category,
    coalesce(tasks.project_name, '(no project)') as project,
    count(*) as expenses,
    sum(expenses.amount) as total,
    sum(if(expenses.is_billable, expenses.amount, 0)) as billable
from {{ ref('stg_timecamp__expenses') }} as expenses
inner join {{ ref('stg_timecamp__expense_categories') }} as categories
    on categories.expense_category_id = expenses.expense_category_id
left join {{ ref('stg_timecamp__tasks') }} as tasks on tasks.task_id = expenses.task_id
group by category, project
