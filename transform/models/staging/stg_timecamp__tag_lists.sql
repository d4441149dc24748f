{{ config(enabled=timecamp_streams_loaded(['tag_lists'])) }}

select
    tag_list_id,
    name as tag_list_name,
    coalesce(archived, false) as is_archived
from {{ source('timecamp', 'tag_lists') }}
where {{ timecamp_live_rows() }}
