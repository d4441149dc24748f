{% macro timecamp_run_summary(results) -%}
    {#- One line for a daily log however many models ran (`dbt-bigquery:run` is --quiet): how
        many were built, which failed (each failure has its lines too), the models' time. -#}
    {%- if execute -%}
        {%- set failed = results | selectattr('status', 'in', ['error', 'fail']) | list -%}
        {%- set skipped = results | selectattr('status', 'equalto', 'skipped') | list -%}
        {%- set built = results | length - failed | length - skipped | length -%}
        {%- set names = failed | map(attribute='node.name') | join(', ') -%}
        {{- print(
            'dbt: ' ~ built ~ ' of ' ~ results | length ~ ' models built, '
            ~ failed | length ~ ' failed' ~ (' (' ~ names ~ ')' if names else '')
            ~ ', ' ~ skipped | length ~ ' skipped ('
            ~ '%.1f' | format(results | sum(attribute='execution_time')) ~ ' s of model time)'
        ) -}}
    {%- endif -%}
{%- endmacro %}
