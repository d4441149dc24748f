{{ config(enabled=timecamp_streams_loaded(['groups'])) }}

select
    group_id,
    name as group_name,
    nullif(parent_id, 0) as parent_group_id,
    level,
    path as group_path
from {{ source('timecamp', 'groups') }}
where {{ timecamp_live_rows() }}
