"""A full-table read is activated only when it is plausible: a glitch never marks rows deleted.

Issue 20, case 1: an empty answer (an edge cache, a token that sees less) used to activate a
new version of every full-table stream, and the target marked every row deleted.
"""

from __future__ import annotations

import logging
import typing as t

import pytest
import requests
from singer_sdk.exceptions import ConfigValidationError

from tap_timecamp.full_table import ACTIVATED_ROWS
from tap_timecamp.plausibility import ShrinkBound, refusal
from tap_timecamp.tap import TapTimeCamp
from tests.running import TapRun, selecting, sync_here
from tests.simulated import tap_config
from timecamp_simulator import Fault

SHARED_READS = {"/users": "users", "/group": "groups", "/tasks": "tasks", "/tag_list": "tags"}
FULL_TABLE = ["users", "groups", "tasks", "tag_lists", "tags"]
DEFAULT_BOUND = ShrinkBound(max_rows=10, max_percent=20)


def activated(run: TapRun) -> set[str]:
    return {m["stream"] for m in run.messages if m["type"] == "ACTIVATE_VERSION"}


def sync(server: t.Any, state: dict[str, t.Any] | None = None, **settings: t.Any) -> TapRun:
    config = tap_config(server.base_url, track_deletions=False, **settings)
    return sync_here(config, state=state, catalog=selecting(config, FULL_TABLE))


def counted(state: dict[str, t.Any], stream: str) -> t.Any:
    return state["bookmarks"][stream].get(ACTIVATED_ROWS)


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_empty_answers_after_a_run_with_rows_activate_nothing_and_keep_the_counts(timecamp, caplog):
    sim, server = timecamp
    first = sync(server)
    for path in SHARED_READS:
        sim.add_fault(Fault(path=path, kind="status", status=200, body=[]))
    caplog.set_level(logging.WARNING)

    second = sync(server, state=first.last_state)

    assert second.returncode == 0
    assert activated(first) == set(FULL_TABLE)
    assert activated(second) == set()
    for stream in FULL_TABLE:
        assert counted(second.last_state, stream) == counted(first.last_state, stream) > 0
    said = " ".join(warnings_of(caplog))
    for stream in ["tasks", "tag_lists", "tags"]:
        assert f"{stream}: TimeCamp answered no rows" in said
    assert "groups: TimeCamp's /group answer has no root group" in said
    assert "users: TimeCamp's /users answer lacks the token's own user" in said
    assert "accept_mass_deletion" in said


def test_an_empty_read_with_no_count_in_the_state_activates_nothing(timecamp):
    sim, server = timecamp
    sim.add_fault(Fault(path="/tag_list", kind="status", status=200, body=[]))

    run = sync(server, state={})

    assert run.returncode == 0
    assert {"tag_lists", "tags"}.isdisjoint(activated(run))
    assert counted(run.last_state, "tags") is None


def test_an_empty_read_after_an_activated_empty_read_is_activated(timecamp):
    sim, server = timecamp
    sim.add_fault(Fault(path="/tag_list", kind="status", status=200, body=[]))
    state = {"bookmarks": {"tags": {ACTIVATED_ROWS: 0}, "tag_lists": {ACTIVATED_ROWS: 0}}}

    run = sync(server, state=state)

    assert {"tag_lists", "tags"} <= activated(run)


def test_a_refused_run_never_lowers_the_count_so_the_next_glitch_is_refused_too(timecamp):
    sim, server = timecamp
    first = sync(server)
    sim.add_fault(Fault(path="/tasks", kind="status", status=200, body=[]))
    second = sync(server, state=first.last_state)
    sim.add_fault(Fault(path="/tasks", kind="status", status=200, body=[]))

    third = sync(server, state=second.last_state)

    assert "tasks" not in activated(second)
    assert "tasks" not in activated(third)
    assert counted(third.last_state, "tasks") == counted(first.last_state, "tasks")


def test_a_users_read_without_the_tokens_own_user_is_not_activated(timecamp):
    sim, server = timecamp
    first = sync(server)
    sim.delete_object("user", sim.catalog.admin.user_id)

    run = sync(server, state=first.last_state)

    assert run.records("users"), "the other users are still sent"
    assert "users" not in activated(run)


def test_a_groups_read_without_a_root_group_is_not_activated(timecamp):
    sim, server = timecamp
    first = sync(server)
    groups = sim.catalog.groups
    without_root = [
        {"group_id": str(g.group_id), "name": g.name, "parent_id": str(g.parent_id)}
        for g in groups
        if g.parent_id != 0
    ]
    sim.add_fault(Fault(path="/group", kind="status", status=200, body=without_root))

    run = sync(server, state=first.last_state)

    assert len(run.records("groups")) == len(groups) - 1
    assert "groups" not in activated(run)


def answer(server: t.Any, path: str, **params: t.Any) -> t.Any:
    """What the simulator answers to GET `path` now, to be served back altered."""
    headers = {"Authorization": f"Bearer {tap_config(server.base_url)['api_token']}"}
    response = requests.get(
        f"{server.base_url}{path}", params={**params, "format": "json"}, headers=headers, timeout=5
    )
    return response.json()


def test_a_tags_read_that_skipped_a_tag_without_its_id_is_not_activated(timecamp, caplog):
    sim, server = timecamp
    first = sync(server)
    body = answer(server, "/tag_list", tags=1, archived=1)
    tags = next(tag_list["tags"] for tag_list in body.values() if tag_list.get("tags"))
    next(iter(tags.values()))["id"] = None
    sim.add_fault(Fault(path="/tag_list", kind="status", status=200, body=body))
    caplog.set_level(logging.WARNING)

    run = sync(server, state=first.last_state)

    assert len(run.records("tags")) == counted(first.last_state, "tags") - 1
    assert "tags" not in activated(run)
    assert "tag_lists" in activated(run)
    assert counted(run.last_state, "tags") == counted(first.last_state, "tags")
    assert any(w.startswith("tags: 1 item skipped") for w in warnings_of(caplog))


def test_a_task_without_its_id_is_left_out_with_a_warning_and_the_read_not_activated(
    timecamp, caplog
):
    sim, server = timecamp
    first = sync(server)
    body = answer(server, "/tasks", status="all")
    next(task for task in body.values() if str(task.get("parent_id")) != "0")["task_id"] = None
    sim.add_fault(Fault(path="/tasks", kind="status", status=200, body=body))
    caplog.set_level(logging.WARNING)

    run = sync(server, state=first.last_state)

    assert len(run.records("tasks")) < counted(first.last_state, "tasks")
    assert "tasks" not in activated(run)
    assert any(
        w.startswith("tasks: left out 1 item of GET /tasks without an integer task_id")
        for w in warnings_of(caplog)
    )


def test_a_user_without_its_id_is_left_out_with_a_warning_and_the_read_not_activated(
    timecamp, caplog
):
    sim, server = timecamp
    first = sync(server)
    body = answer(server, "/users")
    next(u for u in body if u["user_id"] != str(sim.catalog.admin.user_id))["user_id"] = None
    sim.add_fault(Fault(path="/users", kind="status", status=200, body=body))
    caplog.set_level(logging.WARNING)

    run = sync(server, state=first.last_state)

    assert len(run.records("users")) == counted(first.last_state, "users") - 1
    assert "users" not in activated(run)
    assert any(
        w.startswith("users: left out 1 item of GET /users without an integer user_id")
        for w in warnings_of(caplog)
    )


def test_a_stream_mapped_away_keeps_its_count(timecamp):
    # `stream_maps: {tags: null}` sends no ACTIVATE_VERSION for tags: the count of the last
    # activated read must stay the one the target last acted on.
    sim, server = timecamp
    first = sync(server)
    sim.delete_object("tag", next(iter(sim.catalog.tag_by_id)))

    run = sync(server, state=first.last_state, stream_maps={"tags": None})

    assert "tags" not in activated(run)
    assert counted(run.last_state, "tags") == counted(first.last_state, "tags")


def test_deleting_one_tag_is_activated(timecamp):
    sim, server = timecamp
    first = sync(server)
    sim.delete_object("tag", next(iter(sim.catalog.tag_by_id)))

    run = sync(server, state=first.last_state)

    assert "tags" in activated(run)
    assert counted(run.last_state, "tags") == counted(first.last_state, "tags") - 1


def test_a_read_that_shrank_past_both_bounds_is_not_activated(timecamp, caplog):
    sim, server = timecamp
    first = sync(server)
    tasks = sim.catalog.tasks
    for task in [task for task in tasks if task.parent_id == 0][:2]:
        sim.delete_object("task", task.task_id)
    caplog.set_level(logging.WARNING)

    run = sync(server, state=first.last_state, max_shrink_rows=1, max_shrink_percent=5)

    assert len(run.records("tasks")) < len(tasks) - 1
    assert "tasks" not in activated(run)
    (warning,) = [w for w in warnings_of(caplog) if w.startswith("tasks:")]
    assert f"from {len(tasks)} to {len(run.records('tasks'))} rows" in warning


def test_accept_mass_deletion_activates_the_named_stream_for_that_run(timecamp):
    sim, server = timecamp
    first = sync(server)
    sim.add_fault(Fault(path="/tag_list", kind="status", status=200, body=[]))

    run = sync(server, state=first.last_state, accept_mass_deletion=["tags"])

    assert "tags" in activated(run)
    assert "tag_lists" not in activated(run)
    assert counted(run.last_state, "tags") == 0


@pytest.mark.parametrize("last", [1, 2, 3])
def test_deleting_some_rows_of_a_small_set_goes_through_and_all_of_them_does_not(last):
    for new in range(last + 1):
        why = refusal("tags", last=last, new=new, bound=DEFAULT_BOUND, accepted=False)
        assert (why is None) == (new > 0), (last, new)


def test_only_a_shrink_past_the_row_bound_and_the_percent_bound_is_refused():
    bound = ShrinkBound(max_rows=10, max_percent=20)

    assert refusal("t", last=100, new=89, bound=bound, accepted=False) is None  # 11 rows, 11 %
    assert refusal("t", last=40, new=29, bound=bound, accepted=False) is not None  # 11, 27 %
    assert refusal("t", last=20, new=11, bound=bound, accepted=False) is None  # 9 rows, 45 %


def test_the_refusal_names_the_stream_the_counts_and_how_to_accept(timecamp):
    why = refusal("groups", last=40, new=3, bound=DEFAULT_BOUND, accepted=False)

    assert why is not None
    assert why.startswith("groups: ")
    assert "from 40 to 3 rows" in why
    assert "TAP_TIMECAMP_ACCEPT_MASS_DELETION" in why


def test_accept_mass_deletion_naming_no_full_table_stream_is_refused_in_one_line(timecamp):
    _sim, server = timecamp
    config = tap_config(server.base_url, accept_mass_deletion=["tag"])

    with pytest.raises(ConfigValidationError, match="`accept_mass_deletion`: tag is no full-table"):
        TapTimeCamp(config=config)


def test_an_empty_read_with_no_count_says_the_state_holds_none():
    why = refusal("tags", last=None, new=0, bound=DEFAULT_BOUND, accepted=False)

    assert why is not None
    assert "the state holds no count" in why
