{{ config(enabled=timecamp_streams_loaded(['expense_categories'])) }}

select
    expense_category_id,
    name as category_name,
    root_group_id,
    unit_price / 100 as unit_price,
    unit_name,
    currency_id
from {{ source('timecamp', 'expense_categories') }}
where {{ timecamp_live_rows() }}
