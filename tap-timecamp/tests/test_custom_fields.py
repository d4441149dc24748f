"""custom_field_templates and custom_field_values: what a daily run reads, and what it costs."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tap_timecamp.streams.custom_fields import FULL_READ_EVERY
from tap_timecamp.tap import TapTimeCamp
from tests.conftest import base_config
from tests.running import selecting, sync_here
from tests.simulated import tap_config
from timecamp_simulator import Fault
from timecamp_simulator.endpoints.custom_fields import TEMPLATES

BOTH = ("custom_field_templates", "custom_field_values")
VALUES_PATH = r"/v3/custom-fields/values/resource/(?P<id>\d+)/type/(?P<type>\w+)"


def sync(server, state=None, streams=BOTH):
    settings = tap_config(server.base_url)
    done = sync_here(settings, catalog=selecting(settings, streams), state=state)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def resources_read(sim):
    """(resource type, id) of every values request of the log."""
    asked = (re.fullmatch(VALUES_PATH, request.path) for request in sim.requests)
    return [(match["type"], int(match["id"])) for match in asked if match]


def values(done):
    """The live values a run sent, by key."""
    return {
        (r["resource_type"], r["resource_id"], r["template_id"]): r["value"]
        for r in done.records("custom_field_values")
        if r.get("_sdc_deleted_at") is None
    }


def a_day_later(sim):
    sim.advance_clock(dt.timedelta(days=1))


def test_a_custom_field_value_is_keyed_by_its_resource_and_template():
    streams = TapTimeCamp(config=base_config(), setup_mapper=False).streams

    assert streams["custom_field_values"].primary_keys == (
        "resource_type",
        "resource_id",
        "template_id",
    )


def test_every_active_template_is_one_row(timecamp):
    _sim, server = timecamp

    rows = sync(server, streams=["custom_field_templates"]).records("custom_field_templates")

    assert {r["template_id"] for r in rows} == {t.template_id for t in TEMPLATES if t.active}
    customer = next(r for r in rows if r["template_id"] == 15)
    assert (customer["resource_type"], customer["required"], customer["default_value"]) == (
        "user",
        True,
        "Medium",
    )


def test_a_first_run_reads_the_values_of_every_user_and_task_but_no_entry(timecamp):
    sim, server = timecamp

    done = sync(server)

    users = {("user", u.user_id) for u in sim.catalog.users}
    tasks = {("task", t.task_id) for t in sim.catalog.tasks}
    assert sorted(resources_read(sim)) == sorted(users | tasks)
    templates_per_type = {"user": 2, "task": 2}
    assert len(done.records("custom_field_values")) == sum(
        templates_per_type[kind] for kind, _ in users | tasks
    )


def test_a_later_run_reads_every_user_and_only_the_tasks_changed_since(timecamp):
    sim, server = timecamp
    first = sync(server)
    task = sim.catalog.tasks[4].task_id
    a_day_later(sim)
    sim.set_custom_field_value("task", task, 21, "CC-999")
    sim.clear_requests()

    done = sync(server, state=first.last_state)

    assert sorted(resources_read(sim)) == sorted(
        [("user", u.user_id) for u in sim.catalog.users] + [("task", task)]
    )
    assert values(done)[("task", task, 21)] == "CC-999"


def test_a_cleared_value_comes_back_as_null(timecamp):
    sim, server = timecamp
    first = sync(server)
    user = sim.catalog.users[0].user_id
    assert values(first)[("user", user, 16)] is not None
    a_day_later(sim)
    sim.set_custom_field_value("user", user, 16, None)

    done = sync(server, state=first.last_state)

    assert values(done)[("user", user, 16)] is None


def test_a_value_changed_without_touching_its_task_is_read_by_the_weekly_full_read(timecamp):
    sim, server = timecamp
    state = sync(server).last_state
    task = sim.catalog.tasks[4].task_id
    sim.set_custom_field_value("task", task, 21, "CC-777", touch_task=False)
    missed = []
    for _ in range(FULL_READ_EVERY.days):
        a_day_later(sim)
        done = sync(server, state=state)
        state = done.last_state
        missed.append(("task", task, 21) in values(done))

    assert missed == [False] * (FULL_READ_EVERY.days - 1) + [True]
    assert values(done)[("task", task, 21)] == "CC-777"


def test_a_resource_type_without_templates_is_not_read(timecamp):
    sim, server = timecamp
    users_only = {"data": [{"id": 15, "name": "Customer Priority", "resourceType": "user"}]}
    sim.add_fault(Fault(path="/v3/custom-fields/template/list", kind="shape", body=users_only))

    sync(server, streams=["custom_field_values"])

    assert {kind for kind, _ in resources_read(sim)} == {"user"}


@pytest.mark.parametrize("stream", BOTH)
def test_a_template_list_of_the_wrong_shape_stops_the_run_with_one_line(timecamp, stream):
    sim, server = timecamp
    sim.add_fault(Fault(path="/v3/custom-fields/template/list", kind="shape"))
    settings = tap_config(server.base_url, max_retries=0)

    done = sync_here(settings, catalog=selecting(settings, [stream]))

    assert done.returncode == 1
    assert "JSON of the wrong shape" in done.error_lines[-1]
    assert done.records(stream) == []


def deleted_values(done):
    return [
        (r["resource_type"], r["resource_id"], r["template_id"])
        for r in done.records("custom_field_values")
        if r.get("_sdc_deleted_at") is not None
    ]


def unassigned_after_a_first_run(sim, server):
    """A first run; then, a day later, the first user's field 16 unassigned: (run, user)."""
    first = sync(server)
    user = sim.catalog.users[0].user_id
    a_day_later(sim)
    sim.unassign_custom_field("user", user, 16)
    return first, user


def test_a_field_unassigned_from_a_user_is_sent_deleted_by_the_next_run(timecamp):
    # Issue 20, case 4: nothing was sent for it; the warehouse kept the value live.
    sim, server = timecamp
    first, user = unassigned_after_a_first_run(sim, server)

    done = sync(server, state=first.last_state)

    assert deleted_values(done) == [("user", user, 16)]
    assert ("user", user, 15) in values(done)


def test_a_field_unassigned_from_an_unchanged_task_is_sent_deleted_by_the_weekly_read(timecamp):
    sim, server = timecamp
    state = sync(server).last_state
    task = sim.catalog.tasks[0].task_id
    sim.unassign_custom_field("task", task, 22)
    sent = []
    for _ in range(FULL_READ_EVERY.days):
        a_day_later(sim)
        done = sync(server, state=state)
        state = done.last_state
        sent.append(deleted_values(done))

    assert sent == [[]] * (FULL_READ_EVERY.days - 1) + [[("task", task, 22)]]


def test_a_removed_template_has_its_values_sent_deleted_where_other_fields_remain(timecamp):
    sim, server = timecamp
    first = sync(server)
    a_day_later(sim)
    sim.remove_custom_field_template(16)

    done = sync(server, state=first.last_state)

    assert sorted(deleted_values(done)) == [("user", u.user_id, 16) for u in sim.catalog.users]


def test_a_resource_answered_without_any_field_is_a_warning_not_a_deletion(timecamp, caplog):
    sim, server = timecamp
    first = sync(server)
    user = sim.catalog.users[0].user_id
    a_day_later(sim)
    path = f"/v3/custom-fields/values/resource/{user}/type/user"
    sim.add_fault(Fault(path=path, kind="shape", body={"data": []}))

    done = sync(server, state=first.last_state)

    assert deleted_values(done) == []
    assert f"no custom field of user {user}, where the last read had 15, 16" in caplog.text


def test_a_value_sent_deleted_and_assigned_again_is_live(timecamp):
    sim, server = timecamp
    first, user = unassigned_after_a_first_run(sim, server)
    second = sync(server, state=first.last_state)
    sim.account.custom_fields_unassigned.clear()
    a_day_later(sim)

    third = sync(server, state=second.last_state)

    back = [r for r in third.records("custom_field_values") if r["resource_id"] == user]
    assert {(r["template_id"], r["_sdc_deleted_at"]) for r in back} == {(15, None), (16, None)}
