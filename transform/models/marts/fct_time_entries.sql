{#- Time entries, built incrementally: each build merges on time_entry_id the rows the loader
    wrote since the last build, chosen by the loader's UTC load time (loaded_at, i.e.
    _sdc_batched_at, the raw table's partitioning column), never by last_modify, which a
    re-read does not move. The newest load time the model holds is read first and written
    into the SQL as a literal, so that BigQuery reads only the partitions loaded since.
    dbt's BigQuery merge only updates and inserts: a tombstone is merged like any row (its
    is_deleted set) and the post-hook then deletes it, so a deleted entry leaves the model. -#}
{{ config(
    enabled=timecamp_streams_loaded(['time_entries']),
    materialized='incremental',
    incremental_strategy='merge',
    unique_key='time_entry_id',
    on_schema_change='append_new_columns',
    post_hook="delete from {{ this }} where is_deleted",
) }}

{%- set since = none -%}
{%- if is_incremental() and execute -%}
    {%- set newest = run_query("select max(loaded_at) from " ~ this).columns[0].values()[0] -%}
    {%- if newest is not none -%}
        {%- set since = newest.isoformat() -%}
    {%- endif -%}
{%- endif %}

select *
from {{ ref('base_timecamp__time_entries') }}
{%- if since is not none %}
where loaded_at > timestamp '{{ since }}'
{%- endif %}
