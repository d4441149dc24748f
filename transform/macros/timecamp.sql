{#- The rules of TimeCamp's raw tables, written once for every model. -#}

{% macro timecamp_live_rows() -%}
    {#- A tombstone (a deleted entry) or a row ACTIVATE_VERSION marked (an object TimeCamp no
        longer lists) carries _sdc_deleted_at; every other row is live. -#}
    _sdc_deleted_at is null
{%- endmacro %}

{% macro timecamp_instant(column) -%}
    {#- TimeCamp stamps ("YYYY-MM-DD HH:MM:SS") are wall time on the account's clock, not UTC. -#}
    timestamp(safe_cast({{ column }} as datetime), '{{ var("timecamp_timezone") }}')
{%- endmacro %}

{% macro timecamp_date(column) -%}
    {#- A date TimeCamp sends as text, alone or at the start of a stamp. -#}
    safe_cast(substr(cast({{ column }} as string), 1, 10) as date)
{%- endmacro %}

{% macro timecamp_id(column) -%}
    {#- Ids TimeCamp sends as strings (time entries' user_id, task_id); 0 means none. -#}
    nullif(safe_cast({{ column }} as int64), 0)
{%- endmacro %}

{% macro timecamp_streams_loaded(streams) -%}
    {#- Whether every stream in `streams` is loaded, so that the models reading it can run:
        TIMECAMP_MODEL_STREAMS (comma-separated stream names, or `all`) when set, else the
        dbt variable timecamp_streams (meltano.yml's default selection). -#}
    {%- set listed = env_var('TIMECAMP_MODEL_STREAMS', '') | trim -%}
    {%- if listed == 'all' -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set loaded = listed.split(',') | map('trim') | list if listed else var('timecamp_streams') -%}
    {%- for stream in streams if stream not in loaded -%}
        {{ return(false) }}
    {%- endfor -%}
    {{ return(true) }}
{%- endmacro %}
