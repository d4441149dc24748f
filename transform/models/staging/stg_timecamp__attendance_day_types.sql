{{ config(enabled=timecamp_streams_loaded(['attendance_day_types'])) }}

select
    day_type_id,
    slug as day_type,
    name as day_type_name,
    coalesce(is_day_off, false) as is_day_off,
    coalesce(is_default, false) as is_default,
    coalesce(is_active, false) as is_active
from {{ source('timecamp', 'attendance_day_types') }}
where {{ timecamp_live_rows() }}
