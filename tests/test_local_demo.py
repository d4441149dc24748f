"""The local demo's run: every stream's table in its summary, and the marts right.

One `meltano run tap-timecamp target-bigquery dbt-bigquery:run` with `scripts/run-local`'s own
selection and models (read from the script), then `scripts/summarize_warehouse.py` as
run-local calls it, and each mart of the dbt project (transform/, the successors of the
README's old reports) against the account's truth, computed here from the simulator's own
objects.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import typing as t
import uuid
from collections import defaultdict

import pytest

from scripts.summarize_warehouse import GRID_WIDTH, display_width
from tests.conftest import account
from tests.every_stream import offered_streams
from tests.pipeline import PROJECT, REPO, Pipeline
from tests.test_warehouse_summary import summarize
from timecamp_simulator import DEFAULT_TOKEN, Simulator
from timecamp_simulator.endpoints.custom_fields import TEMPLATES, CustomFieldEndpoints
from timecamp_simulator.endpoints.rates import RATE_TYPES, RateEndpoints
from timecamp_simulator.endpoints.schedules import ScheduleEndpoints

if t.TYPE_CHECKING:
    from google.cloud import bigquery

    from bigquery_emulator import BigQueryEmulator

RUN_LOCAL = REPO / "scripts" / "run-local"
SUMMARY = REPO / "scripts" / "summarize_warehouse.py"
README = REPO / "README.md"
# Marts do not round: a figure is right but for float sums' last digits.
HOURS = 1e-6
MONEY = 1e-6


@dataclasses.dataclass
class Demo:
    """The account, and the dataset one run with run-local's selection filled."""

    sim: Simulator
    pipeline: Pipeline
    client: bigquery.Client

    @property
    def models(self) -> str:
        """The dataset the models are built in: the raw dataset's name + `_models`."""
        return f"{self.pipeline.dataset}_models"

    def mart(self, name: str) -> list[dict[str, t.Any]]:
        """The rows of the mart `name`, a month as `YYYY-MM` (marts hold its first day)."""
        rows = self.client.query(f"SELECT * FROM `{PROJECT}.{self.models}.{name}`").result()
        return [
            {key: month(value) if key == "month" else value for key, value in row.items()}
            for row in rows
        ]


def run_local_setting(name: str) -> str:
    """A setting `scripts/run-local` gives its runs (a `NAME='value'` line of the script)."""
    found = re.search(rf"^{name}='(.*)'$", RUN_LOCAL.read_text(encoding="utf-8"), re.M)
    assert found, f"scripts/run-local: no {name} line"
    return found.group(1)


@pytest.fixture(scope="module")
def demo(emulator: BigQueryEmulator, tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[Demo]:
    # On UTC's clock, as the reports' CURRENT_DATE().
    sim = account(now=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0))
    dataset = f"demo_{uuid.uuid4().hex[:10]}"
    emulator.create_dataset(dataset)
    with sim.serve() as server:
        pipeline = Pipeline(
            workdir=tmp_path_factory.mktemp("demo"),
            api_url=server.base_url,
            token=DEFAULT_TOKEN,
            dataset=dataset,
            settings={
                "TAP_TIMECAMP_START_DATE": sim.start_date.isoformat(),
                "TAP_TIMECAMP__SELECT": run_local_setting("DEMO_SELECT"),
                "TIMECAMP_MODEL_STREAMS": run_local_setting("DEMO_MODEL_STREAMS"),
            },
        )
        run = pipeline.meltano("run", "tap-timecamp", "target-bigquery", "dbt-bigquery:run")
        assert run.ok, run.output[-3000:]
        yield Demo(sim, pipeline, emulator.client())


def tables_in(summary: str) -> dict[str, int]:
    """The tables and row counts a summary lists."""
    lines = summary.split("Tables in ", 1)[1].splitlines()[1:]
    tables = {}
    for line in lines:
        if not (found := re.fullmatch(r"  (\S+) +([\d,]+)", line)):
            break
        tables[found.group(1)] = int(found.group(2).replace(",", ""))
    return tables


def test_the_local_demo_summary_shows_every_streams_table_with_its_rows(demo):
    config = {"api_url": demo.pipeline.api_url, "api_token": DEFAULT_TOKEN}
    # time_entries lands in the legacy table the `local` environment names.
    expected = {demo.pipeline.table if s == "time_entries" else s for s in offered_streams(config)}

    tables = tables_in(summarize(demo.pipeline))

    assert set(tables) == expected
    for table, count in tables.items():
        (row,) = demo.client.query(
            f"SELECT COUNT(*) AS n FROM `{PROJECT}.{demo.pipeline.dataset}.{table}`"
        ).result()
        assert count == row.n, table
    assert all(tables[s] > 0 for s in ("attendance", "approvals", "expenses")), tables


def test_the_local_demo_summary_fits_100_columns_with_every_bookmark(demo):
    shown = summarize(demo.pipeline).splitlines()

    assert max(display_width(line) for line in shown) <= GRID_WIDTH == 100
    bookmarked = {line.split()[1] for line in shown if line.startswith("Bookmark: ")}
    assert {"time_entries", "attendance", "approvals"} <= bookmarked


def month(day: dt.date | str) -> str:
    return str(day)[:7]


def rounded(rows: list[dict[str, t.Any]], keys: tuple[str, ...]) -> dict[tuple[t.Any, ...], dict]:
    return {tuple(row[k] for k in keys): row for row in rows}


def test_mart_hours_per_person_per_day_match_the_account(demo):
    sim = demo.sim
    hours: dict[tuple[str, dt.date], float] = defaultdict(float)
    for entry in sim.all_entries():
        person = sim.catalog.user_by_id[int(entry["user_id"])].shown_name
        hours[(person, dt.date.fromisoformat(entry["date"]))] += int(entry["duration"]) / 3600

    mart = rounded(demo.mart("hours_per_person_per_day"), ("person", "day"))

    assert set(mart) == set(hours)
    for key, row in mart.items():
        assert row["hours"] == pytest.approx(hours[key], abs=HOURS), key


def test_mart_hours_per_project_and_group_per_month_match_the_account(demo):
    sim, catalog = demo.sim, demo.sim.catalog
    group_name = {group.group_id: group.name for group in catalog.groups}
    hours: dict[tuple[str, str, str], float] = defaultdict(float)
    for entry in sim.all_entries():
        task = catalog.task_by_id.get(int(entry["task_id"]))
        project = catalog.task_by_id[task.project_id].name if task else "(no project)"
        group = group_name[sim.account.user_groups[int(entry["user_id"])]]
        hours[(project, group, month(entry["date"]))] += int(entry["duration"]) / 3600

    rows = demo.mart("hours_per_project_and_group_per_month")
    mart = rounded(rows, ("project", "group_name", "month"))

    assert set(mart) == set(hours)
    for key, row in mart.items():
        assert row["hours"] == pytest.approx(hours[key], abs=HOURS), key


def test_mart_approved_vs_tracked_hours_match_the_account(demo):
    sim = demo.sim
    sheets = sim.account.timesheets
    tracked: dict[tuple[str, str], float] = defaultdict(float)
    approved: dict[tuple[str, str], float] = defaultdict(float)
    for entry in sim.all_entries():
        user_id, day = int(entry["user_id"]), dt.date.fromisoformat(entry["date"])
        key = (sim.catalog.user_by_id[user_id].shown_name, month(day))
        tracked[key] += int(entry["duration"]) / 3600
        if sheets.is_approved(user_id, day):
            approved[key] += int(entry["duration"]) / 3600

    report = rounded(demo.mart("approved_vs_tracked_per_month"), ("person", "month"))

    assert set(report) == set(tracked)
    assert any(approved.values()), "no approved hours: the report is not tested"
    for key, row in report.items():
        assert row["tracked_hours"] == pytest.approx(tracked[key], abs=HOURS), key
        assert row["approved_hours"] == pytest.approx(approved[key], abs=HOURS), key


def test_mart_expected_vs_worked_hours_and_days_off_match_the_account(demo):
    sim = demo.sim
    sheets = sim.account.timesheets
    today = sim.now.date()
    expected: dict[tuple[str, str], float] = defaultdict(float)
    worked: dict[tuple[str, str], float] = defaultdict(float)
    days_off: dict[tuple[str, str], int] = defaultdict(int)
    for approval in sheets.approvals:
        user = sim.catalog.user_by_id[approval.user_id]
        day = approval.first
        while day <= min(approval.last, today):
            key = (user.shown_name, month(day))
            expected[key] += sheets.expected_minutes(user, day) / 60
            days_off[key] += sheets.day_type(user, day).is_day_off
            if (record := sheets.attendance(user, day)) is not None:
                worked[key] += int(record["total_time"]) / 3600
            day += dt.timedelta(days=1)

    report = rounded(demo.mart("expected_vs_worked_per_month"), ("person", "month"))

    assert set(report) == set(expected)
    assert any(days_off.values()), "no days off: the report is not tested"
    for key, row in report.items():
        assert row["expected_hours"] == pytest.approx(expected[key], abs=HOURS), key
        assert row["worked_hours"] == pytest.approx(worked[key], abs=HOURS), key
        assert row["days_off"] == days_off[key], key


def test_mart_expenses_per_category_and_project_match_the_account(demo):
    catalog = demo.sim.catalog
    count: dict[tuple[str, str], int] = defaultdict(int)
    total: dict[tuple[str, str], float] = defaultdict(float)
    billable: dict[tuple[str, str], float] = defaultdict(float)
    for expense in demo.sim.account.expenses.expenses.values():
        task = catalog.task_by_id[expense["taskId"]]
        key = (expense["expenseCategory"]["name"], catalog.task_by_id[task.project_id].name)
        count[key] += 1
        total[key] += expense["amount"] / 100
        billable[key] += expense["amount"] / 100 if expense["isBillable"] else 0

    report = rounded(demo.mart("expenses_per_category_and_project"), ("category", "project"))

    assert set(report) == set(count)
    for key, row in report.items():
        assert row["expenses"] == count[key], key
        assert row["total"] == pytest.approx(total[key], abs=MONEY), key
        assert row["billable"] == pytest.approx(billable[key], abs=MONEY), key


def rate_in_force(
    rates: dict[str, dict[int, dict[bool, float]]], steps: list[tuple[str, int | None]], cost: bool
) -> tuple[float, str | None]:
    """The first rate of this kind along `steps` (object type, id), and the step it came from."""
    for step, (object_type, object_id) in enumerate(steps):
        found = rates[object_type].get(object_id, {}) if object_id is not None else {}
        if cost in found:
            return found[cost], ("task", "project", "user", "group")[step]
    return 0.0, None


def test_mart_billable_value_and_cost_per_project_match_the_account(demo):
    sim, catalog = demo.sim, demo.sim.catalog
    is_cost = {kind["rateTypeId"]: kind["isCost"] for kind in RATE_TYPES}
    rates: dict[str, dict[int, dict[bool, float]]] = {
        object_type: {
            object_id: {is_cost[rate.rate_type_id]: rate.value for rate in object_rates}
            for object_id, object_rates in by_id.items()
        }
        for object_type, by_id in RateEndpoints(sim.account).rates.items()
    }
    hours: dict[tuple[str, str], float] = defaultdict(float)
    billable_hours: dict[tuple[str, str], float] = defaultdict(float)
    value: dict[tuple[str, str], float] = defaultdict(float)
    cost: dict[tuple[str, str], float] = defaultdict(float)
    steps_used = set()
    for entry in sim.all_entries():
        user_id, task = int(entry["user_id"]), catalog.task_by_id.get(int(entry["task_id"]))
        steps = [
            ("task", task.task_id if task else None),
            ("task", task.project_id if task else None),
            ("user", user_id),
            ("group", sim.account.user_groups[user_id]),
        ]
        project = catalog.task_by_id[task.project_id].name if task else "(no project)"
        key, spent = (project, month(entry["date"])), int(entry["duration"]) / 3600
        billing_rate, billing_step = rate_in_force(rates, steps, cost=False)
        cost_rate, _ = rate_in_force(rates, steps, cost=True)
        hours[key] += spent
        cost[key] += spent * cost_rate
        if entry["billable"] == 1:
            billable_hours[key] += spent
            value[key] += spent * billing_rate
            steps_used.add(billing_step)

    report = rounded(demo.mart("project_value_per_month"), ("project", "month"))

    assert set(report) == set(hours)
    assert {"task", "project", "user", "group"} <= steps_used, "a precedence step is not tested"
    for key, row in report.items():
        assert row["hours"] == pytest.approx(hours[key], abs=HOURS), key
        assert row["billable_hours"] == pytest.approx(billable_hours[key], abs=HOURS), key
        assert row["billable_value"] == pytest.approx(value[key], abs=MONEY), key
        assert row["cost"] == pytest.approx(cost[key], abs=MONEY), key


def test_mart_hours_per_custom_field_value_match_the_account(demo):
    sim, catalog = demo.sim, demo.sim.catalog
    seeded = CustomFieldEndpoints(sim.account).seeded
    changed = sim.account.custom_field_values
    fields = [f for f in TEMPLATES if f.active and f.resource_type in ("task", "user")]
    hours: dict[tuple[str, str, str, str], float] = defaultdict(float)
    for entry in sim.all_entries():
        task_id, user_id = int(entry["task_id"]), int(entry["user_id"])
        for field in fields:
            holder = task_id if field.resource_type == "task" else user_id
            key = (field.resource_type, holder, field.template_id)
            value = changed[key] if key in changed else seeded.get(key)
            known = catalog.task_by_id if field.resource_type == "task" else catalog.user_by_id
            if value is None and field.required and holder in known:
                value = field.default_value
            shown = "(not set)" if value is None else value
            row = (field.resource_type, field.name, shown, month(entry["date"]))
            hours[row] += int(entry["duration"]) / 3600

    rows = demo.mart("hours_per_custom_field_value")
    report = rounded(rows, ("resource_type", "field", "value", "month"))

    assert set(report) == set(hours)
    assert {key[0] for key in report if key[2] != "(not set)"} == {"task", "user"}
    for key, row in report.items():
        assert row["hours"] == pytest.approx(hours[key], abs=HOURS), key


def test_mart_expected_vs_tracked_hours_per_week_match_the_account(demo):
    sim, catalog = demo.sim, demo.sim.catalog
    schedules = ScheduleEndpoints(sim.account).schedules
    weekly = {
        group_id: sum(period_hours(start, end) for _day, start, end in periods)
        for group_id, periods in schedules.items()
    }
    tracked: dict[tuple[str, dt.date], float] = defaultdict(float)
    for entry in sim.all_entries():
        day = dt.date.fromisoformat(entry["date"])
        person = catalog.user_by_id[int(entry["user_id"])].shown_name
        tracked[(person, day - dt.timedelta(days=day.weekday()))] += int(entry["duration"]) / 3600
    weeks = {week for _person, week in tracked}
    expected = {
        (user.shown_name, week): weekly.get(sim.account.user_groups[user.user_id], 0.0)
        for week in weeks
        for user in catalog.users
        if not user.disabled or (user.shown_name, week) in tracked
    }

    report = rounded(demo.mart("expected_vs_tracked_per_week"), ("person", "week"))

    assert set(report) == set(expected)
    assert set(expected.values()) == {*weekly.values(), 0.0}, "a schedule is nobody's: untested"
    for key, row in report.items():
        assert row["expected_hours"] == pytest.approx(expected[key], abs=HOURS), key
        assert row["tracked_hours"] == pytest.approx(tracked.get(key, 0.0), abs=HOURS), key


def period_hours(start: str, end: str) -> float:
    """A schedule period's hours; one ending at or before its start ends the next day."""
    first, last = (dt.datetime.strptime(moment, "%H:%M:%S") for moment in (start, end))
    return ((last - first) % dt.timedelta(days=1)).total_seconds() / 3600 or 24.0


def test_the_readme_example_query_answers_from_the_marts(demo):
    text = README.read_text(encoding="utf-8")
    query = text.split("**An example query**")[1].split("```sql")[1].split("```")[0]
    query = query.replace("local-project.timecamp_models.", f"{PROJECT}.{demo.models}.")
    last_month = month(demo.sim.now.date().replace(day=1) - dt.timedelta(days=1))

    answer = {row.project: row.billable_value for row in demo.client.query(query).result()}

    expected = {
        row["project"]: round(row["billable_value"], 2)
        for row in demo.mart("project_value_per_month")
        if row["month"] == last_month
    }
    assert answer == pytest.approx(expected)
    assert answer, "no billable value last month: the query is not tested"


def test_every_models_dbt_tests_pass_on_the_demo(demo):
    streams = run_local_setting("DEMO_MODEL_STREAMS")

    tested = demo.pipeline.meltano("invoke", "dbt-bigquery:test", TIMECAMP_MODEL_STREAMS=streams)

    assert tested.ok, tested.output[-3000:]
    done = re.search(r"Done\. PASS=(\d+) WARN=0 ERROR=0", tested.output)
    assert done, tested.output[-3000:]
    assert int(done.group(1)) >= 70, "fewer tests than the models have: some did not run"
