{{ config(enabled=timecamp_streams_loaded(['tags'])) }}

select
    tag_id,
    tag_list_id,
    tag_list_name,
    name as tag_name,
    coalesce(archived, false) as is_archived
from {{ source('timecamp', 'tags') }}
where {{ timecamp_live_rows() }}
