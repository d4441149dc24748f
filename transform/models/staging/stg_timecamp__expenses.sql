{{ config(enabled=timecamp_streams_loaded(['expenses'])) }}

-- TimeCamp keeps amounts in the currency's minor units (cents): here in its units.
select
    expense_id,
    expense_category_id,
    nullif(task_id, 0) as task_id,
    amount / 100 as amount,
    currency_id,
    description,
    status,
    coalesce(is_billable, false) as is_billable,
    nullif(invoice_id, 0) as invoice_id,
    made_by as user_id,
    {{ timecamp_date('made_at') }} as made_on,
    {{ timecamp_instant('created_at') }} as created_at,
    {{ timecamp_instant('updated_at') }} as updated_at
from {{ source('timecamp', 'expenses') }}
where {{ timecamp_live_rows() }}
