"""expenses (paginated) and expense_categories, read in process from the simulator."""

from __future__ import annotations

import logging
import math
import typing as t

from tap_timecamp.streams.expenses import ExpensesStream
from tests.running import selecting, sync_here
from tests.simulated import END, START, tap_config
from timecamp_simulator import Fault

SMALL_PAGE = 7


def run(url: str, streams: t.Collection[str], **settings: t.Any) -> t.Any:
    config = tap_config(url, **settings)
    return sync_here(config, catalog=selecting(config, streams))


def pages_asked(sim: t.Any) -> list[dict[str, list[str]]]:
    return [r.params for r in sim.requests if r.path == "/v3/expense/list"]


def test_expenses_are_read_page_by_page_each_once(timecamp, monkeypatch):
    sim, server = timecamp
    monkeypatch.setattr(ExpensesStream, "page_size", SMALL_PAGE)
    total = len(sim.account.expenses.expenses)

    done = run(server.base_url, ["expenses"])

    assert done.returncode == 0, done.stderr[-2000:]
    ids = [r["expense_id"] for r in done.records("expenses")]
    assert sorted(ids) == sorted(sim.account.expenses.expenses)
    pages = pages_asked(sim)
    # One page past the last: the list's end is seen, not taken from totalItemQuantity.
    assert math.ceil(total / SMALL_PAGE) + 1 == len(pages) >= 4
    assert [p["page"] for p in pages] == [[str(n)] for n in range(1, len(pages) + 1)]
    assert {p["limit"][0] for p in pages} == {str(SMALL_PAGE)}


def test_expenses_ask_for_the_time_frame_newest_id_first(timecamp):
    sim, server = timecamp

    run(server.base_url, ["expenses"])

    page, _end = pages_asked(sim)
    assert page["timeFrameStart"] == [START.isoformat()]
    assert page["timeFrameEnd"] == [END.isoformat()]
    # Not made_at: an edit changes it, and moves an expense onto a page already read.
    assert (page["sortBy"], page["sortOrder"]) == (["id"], ["desc"])


def test_expenses_are_typed_with_their_category_by_id(timecamp):
    sim, server = timecamp

    records = run(server.base_url, ["expenses"]).records("expenses")

    categories = {c["id"] for c in sim.account.expenses.categories}
    assert {r["expense_category_id"] for r in records} <= categories
    assert all(isinstance(r["amount"], int) for r in records)
    assert all(isinstance(r["is_billable"], bool) for r in records)
    assert any(r["invoice_id"] is None for r in records)


def test_an_expense_edited_after_a_run_comes_again_with_its_change(timecamp):
    sim, server = timecamp
    first = run(server.base_url, ["expenses"]).records("expenses")[0]
    sim.edit_expense(first["expense_id"], amount=first["amount"] + 100)

    again = run(server.base_url, ["expenses"]).records("expenses")

    edited = next(r for r in again if r["expense_id"] == first["expense_id"])
    assert edited["amount"] == first["amount"] + 100
    assert edited["updated_at"] is not None


def test_a_page_other_than_the_one_asked_for_stops_the_run_with_one_line(timecamp, monkeypatch):
    sim, server = timecamp
    monkeypatch.setattr(ExpensesStream, "page_size", SMALL_PAGE)
    first_page_again = {"data": [], "pagination": {"totalItemQuantity": 99, "page": 1, "limit": 7}}
    sim.add_fault(Fault(path="/v3/expense/list", kind="shape", body=first_page_again, skip=1))

    done = run(server.base_url, ["expenses"])

    assert done.returncode == 1
    assert "with page 1 when page 2 was asked for" in done.stderr


def test_a_list_without_pagination_is_a_broken_answer_not_the_last_page(timecamp):
    sim, server = timecamp
    sim.add_fault(Fault(path="/v3/expense/list", kind="shape", body={"data": []}))

    done = run(server.base_url, ["expenses"], max_retries=0)

    assert done.returncode == 1
    assert "JSON of the wrong shape" in done.stderr


def test_categories_never_updated_have_no_update_time(timecamp):
    sim, server = timecamp

    records = run(server.base_url, ["expense_categories"]).records("expense_categories")

    assert [r["expense_category_id"] for r in records] == [
        c["id"] for c in sim.account.expenses.categories
    ]
    assert None in {r["updated_at"] for r in records}
    assert "null" not in {r["updated_at"] for r in records}


def bounded(server: t.Any, state: dict[str, t.Any] | None = None) -> t.Any:
    config = tap_config(server.base_url)
    return sync_here(config, state=state, catalog=selecting(config, ["expenses"]))


def test_an_expense_moved_out_of_the_days_read_is_sent_as_it_is_not_as_a_tombstone(timecamp):
    sim, server = timecamp
    first = bounded(server)
    moved = first.records("expenses")[0]["expense_id"]
    sim.edit_expense(moved, madeAt=f"{START.year - 1}-06-01 10:00:00")

    second = bounded(server, first.last_state)

    (record,) = [r for r in second.records("expenses") if r["expense_id"] == moved]
    assert record.get("_sdc_deleted_at") is None
    assert record["made_at"].startswith(f"{START.year - 1}-06-01")
    assert moved not in second.last_state["bookmarks"]["expenses"]["expense_ids_in_bound"]


def test_a_run_of_other_days_sends_no_tombstone(timecamp):
    sim, server = timecamp
    first = bounded(server)
    sim.delete_expense(first.records("expenses")[0]["expense_id"])
    config = tap_config(server.base_url, end_date=None)

    second = sync_here(config, state=first.last_state, catalog=selecting(config, ["expenses"]))

    assert all(r.get("_sdc_deleted_at") is None for r in second.records("expenses"))


def test_a_bounded_read_that_shifted_every_time_sends_no_tombstone_and_keeps_the_ids(
    timecamp, monkeypatch
):
    sim, server = timecamp
    monkeypatch.setattr(ExpensesStream, "page_size", SMALL_PAGE)
    first = bounded(server)
    sim.delete_expense(first.records("expenses")[0]["expense_id"])
    sim.misstate_expense_total(1)

    second = bounded(server, first.last_state)

    assert all(r.get("_sdc_deleted_at") is None for r in second.records("expenses"))
    state = second.last_state["bookmarks"]["expenses"]
    assert (
        state["expense_ids_in_bound"]
        == first.last_state["bookmarks"]["expenses"]["expense_ids_in_bound"]
    )


def test_empty_answers_to_a_bounded_read_send_no_tombstone_and_keep_the_ids(timecamp, caplog):
    # Every page empty, totalItemQuantity 0: the bounded read and the whole list agree, and
    # are consistent, yet an empty answer is no proof every expense of the days was deleted.
    sim, server = timecamp
    first = bounded(server)
    empty = {"data": [], "pagination": {"totalItemQuantity": 0, "page": 1, "limit": 100}}
    sim.add_fault(Fault(path="/v3/expense/list", kind="status", status=200, body=empty))
    caplog.set_level(logging.WARNING)

    second = bounded(server, first.last_state)

    assert second.returncode == 0
    assert [r for r in second.records("expenses") if r.get("_sdc_deleted_at")] == []
    ids = first.last_state["bookmarks"]["expenses"]["expense_ids_in_bound"]
    assert second.last_state["bookmarks"]["expenses"]["expense_ids_in_bound"] == ids
    said = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert "expenses: TimeCamp answered no rows" in said
    assert "accept_mass_deletion" in said


def test_a_bounded_read_that_lost_most_expenses_sends_no_tombstone(timecamp):
    sim, server = timecamp
    first = bounded(server)
    ids = [r["expense_id"] for r in first.records("expenses")]
    for expense_id in ids[1:]:
        sim.delete_expense(expense_id)

    second = bounded(server, first.last_state)

    assert [r for r in second.records("expenses") if r.get("_sdc_deleted_at")] == []


def test_accept_mass_deletion_tombstones_a_bound_emptied_for_real(timecamp):
    sim, server = timecamp
    first = bounded(server)
    ids = sorted(r["expense_id"] for r in first.records("expenses"))
    for expense_id in ids:
        sim.delete_expense(expense_id)
    config = tap_config(server.base_url, accept_mass_deletion=["expenses"])

    second = sync_here(config, state=first.last_state, catalog=selecting(config, ["expenses"]))

    gone = sorted(r["expense_id"] for r in second.records("expenses") if r.get("_sdc_deleted_at"))
    assert gone == ids
