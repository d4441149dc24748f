{{ config(enabled=timecamp_streams_loaded(['time_entries'])) }}

-- Time entries TimeCamp holds now: tombstones (deleted entries) left out.
select * except (is_deleted)
from {{ ref('base_timecamp__time_entries') }}
where not is_deleted
