"""Issue 20's cases for full-table and paged streams, each as a run of the tap observed it.

Each failed on the tap before the deletion guard: a run exited 0 and its ACTIVATE_VERSION
had the target mark rows deleted that TimeCamp still has, or a broken answer became rows.
"""

from __future__ import annotations

import typing as t

import pytest

from tap_timecamp.streams.expenses import ExpensesStream
from tests.running import TapRun, selecting, sync_here
from tests.simulated import tap_config
from timecamp_simulator import Fault, PageShift

FULL_TABLE = ["users", "groups", "tasks", "tag_lists", "tags"]
RATES_REFUSED = {"message": "You are not allowed to browse rates"}
PAGE = 7


def activated(run: TapRun) -> set[str]:
    return {m["stream"] for m in run.messages if m["type"] == "ACTIVATE_VERSION"}


def sync(
    server: t.Any, streams: list[str], state: dict[str, t.Any] | None = None, **settings: t.Any
) -> TapRun:
    config = tap_config(server.base_url, track_deletions=False, max_retries=1, **settings)
    return sync_here(config, state=state, catalog=selecting(config, streams))


def test_case_1_empty_answers_mark_no_user_group_task_or_tag_deleted(timecamp):
    sim, server = timecamp
    first = sync(server, FULL_TABLE)
    for path in ("/users", "/group", "/tasks", "/tag_list"):
        sim.add_fault(Fault(path=path, kind="status", status=200, body=[]))

    second = sync(server, FULL_TABLE, state=first.last_state)

    assert second.returncode == 0
    assert activated(second) == set()


@pytest.mark.parametrize("path", ["/task/*/rate", "/user/*/rate", "/group/*/rate"])
def test_case_2_an_error_object_on_a_rates_endpoint_fails_the_run_naming_it(timecamp, path):
    sim, server = timecamp
    sim.add_fault(Fault(path=path, kind="status", status=200, body=RATES_REFUSED))

    run = sync(server, ["billing_rates"])

    assert run.returncode == 1
    assert "billing_rates" not in activated(run)
    (line,) = run.error_lines
    assert f"GET {path.split('*')[0]}" in line
    assert "You are not allowed to browse rates" in line


@pytest.mark.parametrize("path", ["/user", "/user/*/setting"])
def test_case_2_an_error_object_on_user_details_is_an_error_not_nulls(timecamp, path):
    sim, server = timecamp
    sim.add_fault(Fault(path=path, kind="status", status=200, body={"message": "Forbidden"}))

    run = sync(server, ["users"])

    assert run.returncode == 1
    assert "users" not in activated(run)
    (line,) = run.error_lines
    assert "Forbidden" in line


def test_case_2_a_tag_list_without_its_tags_is_an_error_not_zero_tags(timecamp):
    sim, server = timecamp
    without_tags = [{"id": "8", "name": "Kind", "archived": "0"}]
    sim.add_fault(Fault(path="/tag_list", kind="status", status=200, body=without_tags))

    run = sync(server, ["tag_lists", "tags"])

    assert run.returncode == 1
    assert run.records("tags") == []
    assert "GET /tag_list" in run.error_lines[0]


def expense_run(server: t.Any, monkeypatch: pytest.MonkeyPatch) -> TapRun:
    monkeypatch.setattr(ExpensesStream, "page_size", PAGE)
    return sync(server, ["expenses"], start_date=None, end_date=None)


def test_case_3_an_expense_deleted_after_page_1_leaves_no_live_expense_marked(
    timecamp, monkeypatch
):
    sim, server = timecamp
    sim.shift_expenses(PageShift(after_page=1, delete_served=1))

    run = expense_run(server, monkeypatch)

    assert run.returncode == 0
    sent = {r["expense_id"] for r in run.records("expenses")}
    live = set(sim.account.expenses.expenses)
    assert "expenses" in activated(run), "a read again after the shift is whole"
    assert sent == live


def test_case_3_a_total_told_too_low_marks_no_live_expense_deleted(timecamp, monkeypatch):
    sim, server = timecamp
    sim.misstate_expense_total(-(PAGE + 2))

    run = expense_run(server, monkeypatch)

    sent = {r["expense_id"] for r in run.records("expenses")}
    live = set(sim.account.expenses.expenses)
    assert "expenses" not in activated(run) or live <= sent
    assert sent == live, "every expense is still sent, as an upsert"


def test_case_4_an_expense_deleted_inside_start_and_end_dates_leaves_as_a_tombstone(timecamp):
    sim, server = timecamp
    first = sync(server, ["expenses"])
    gone = first.records("expenses")[0]["expense_id"]
    sim.delete_expense(gone)

    second = sync(server, ["expenses"], state=first.last_state)

    assert second.returncode == 0
    (tombstone,) = [r for r in second.records("expenses") if r["expense_id"] == gone]
    assert tombstone["_sdc_deleted_at"] is not None
    assert all(
        r.get("_sdc_deleted_at") is None
        for r in second.records("expenses")
        if r["expense_id"] != gone
    )
