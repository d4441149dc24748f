{#- No two rows share the same values of `columns`: the key of a model whose key is several
    columns. Written here rather than taken from a package: the project runs no `dbt deps`. -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_with_this_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
