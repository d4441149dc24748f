{{ config(enabled=timecamp_streams_loaded(['computer_applications'])) }}

select
    application_id,
    app_name,
    full_name,
    name as application_name,
    nullif(category_id, 0) as category_id,
    category_name
from {{ source('timecamp', 'computer_applications') }}
where {{ timecamp_live_rows() }}
