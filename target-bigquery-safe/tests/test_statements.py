"""The SQL the target runs: nested fields paired by name, deletions by version inequality."""

from __future__ import annotations

from google.cloud.bigquery import SchemaField

from target_bigquery_safe.statements import mark_other_versions_deleted, merge, value_of

# A RECORD whose field `b` was added to the table after `c` existed: the table's order is
# (a, c, b), which a whole-STRUCT assignment would pair by position.
NESTED = SchemaField(
    "obj",
    "RECORD",
    "NULLABLE",
    fields=[
        SchemaField("a", "INTEGER"),
        SchemaField("c", "STRING"),
        SchemaField("b", "STRING"),
    ],
)


def test_a_record_column_is_rebuilt_field_by_field_by_name() -> None:
    assert value_of(NESTED, "source.`obj`") == (
        "IF(source.`obj` IS NULL, NULL, STRUCT(source.`obj`.`a` AS `a`, "
        "source.`obj`.`c` AS `c`, source.`obj`.`b` AS `b`))"
    )


def test_a_repeated_record_is_taken_whole_from_a_copy_of_the_tables_schema() -> None:
    tags = SchemaField("tags", "RECORD", "REPEATED", fields=[SchemaField("x", "STRING")])

    assert value_of(tags, "source.`tags`") == "source.`tags`"


def test_the_merge_never_assigns_a_whole_struct() -> None:
    sql = merge("p.d.t", "p.d.tmp", ["id"], [SchemaField("id", "INTEGER"), NESTED], dedupe=False)

    assert "target.`obj` = source.`obj`" not in sql
    assert "target.`obj` = IF(source.`obj` IS NULL, NULL, STRUCT(" in sql
    assert sql.startswith(
        "MERGE `p.d.t` AS target USING `p.d.tmp` AS source ON target.`id` = source.`id`"
    )


def test_the_dedupe_keeps_the_latest_row_per_key() -> None:
    sql = merge("p.d.t", "p.d.tmp", ["a", "b"], [SchemaField("a", "INTEGER")], dedupe=True)

    assert (
        "USING (SELECT * FROM `p.d.tmp` QUALIFY ROW_NUMBER() OVER (PARTITION BY `a`, `b` "
        "ORDER BY `_sdc_sequence` DESC, "
        "COALESCE(`_sdc_extracted_at`, `_sdc_received_at`) DESC) = 1)"
    ) in sql


def test_deletion_marks_every_live_row_of_another_version() -> None:
    assert mark_other_versions_deleted("p.d.users", 7) == (
        "UPDATE `p.d.users` SET `_sdc_deleted_at` = CURRENT_TIMESTAMP() "
        "WHERE `_sdc_deleted_at` IS NULL "
        "AND (`_sdc_table_version` IS NULL OR `_sdc_table_version` != 7)"
    )
