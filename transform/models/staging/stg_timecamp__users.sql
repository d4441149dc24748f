{{ config(enabled=timecamp_streams_loaded(['users'])) }}

select
    user_id,
    email,
    display_name,
    coalesce(display_name, email) as person,
    group_id,
    group_name,
    group_path,
    root_group_id,
    primary_group_id,
    coalesce(is_disabled, false) as is_disabled,
    {{ timecamp_instant('login_time') }} as last_login_at
from {{ source('timecamp', 'users') }}
where {{ timecamp_live_rows() }}
