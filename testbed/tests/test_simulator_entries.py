"""GET /entries: filters, types, quirks, and how changes show up."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests

from tests.conftest import NOW
from timecamp_simulator import Simulator, SimulatorServer


def get_entries(api: requests.Session, server: SimulatorServer, **params: str) -> requests.Response:
    return api.get(f"{server.base_url}/entries", params={"format": "json", **params}, timeout=30)


def test_entries_without_any_date_pair_is_400_with_message(
    api: requests.Session, server: SimulatorServer
) -> None:
    response = get_entries(api, server)
    assert response.status_code == 400
    assert "message" in response.json()


def test_half_a_date_pair_is_400(api: requests.Session, server: SimulatorServer) -> None:
    assert get_entries(api, server, **{"from": "2026-01-01"}).status_code == 400


def test_from_and_to_are_inclusive_on_entry_date(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    entries = get_entries(api, server, **{"from": "2026-02-10", "to": "2026-02-12"}).json()
    dates = {e["date"] for e in entries}
    assert dates == {"2026-02-10", "2026-02-11", "2026-02-12"}
    truth = [e for e in sim.all_entries() if "2026-02-10" <= e["date"] <= "2026-02-12"]
    assert sorted(e["id"] for e in entries) == sorted(e["id"] for e in truth)


def test_modify_range_alone_is_enough_and_inclusive(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    entries = get_entries(api, server, modify_from="2026-02-10", modify_to="2026-02-12").json()
    assert entries
    assert all("2026-02-10" <= e["last_modify"][:10] <= "2026-02-12" for e in entries)
    truth = [e for e in sim.all_entries() if "2026-02-10" <= e["last_modify"][:10] <= "2026-02-12"]
    assert sorted(e["id"] for e in entries) == sorted(e["id"] for e in truth)


def test_some_entries_are_modified_days_after_their_date(sim: Simulator) -> None:
    late = [e for e in sim.all_entries() if e["last_modify"][:10] > e["date"]]
    assert len(late) > 50


def test_modify_filter_sees_an_edit_to_an_old_entry(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    old = next(sim.all_entries())
    assert old["date"] == "2026-01-01"
    sim.edit_entry(old["id"], description="rewritten")
    today = NOW.date().isoformat()
    entries = get_entries(api, server, modify_from=today, modify_to=today).json()
    edited = [e for e in entries if e["id"] == old["id"]]
    assert edited
    assert edited[0]["description"] == "rewritten"
    assert edited[0]["last_modify"] == NOW.strftime("%Y-%m-%d %H:%M:%S")
    assert edited[0]["date"] == "2026-01-01"


def test_task_reassignment_updates_name_and_last_modify(sim: Simulator) -> None:
    entry = next(e for e in sim.all_entries() if e["task_id"] != "0")
    other = next(t for t in sim.catalog.tasks if str(t.task_id) != entry["task_id"])
    changed = sim.edit_entry(entry["id"], task_id=other.task_id)
    assert changed["task_id"] == str(other.task_id)
    assert changed["name"] == other.name
    assert changed["last_modify"] == NOW.strftime("%Y-%m-%d %H:%M:%S")


def test_deleted_entry_disappears_and_is_listed_in_deletions(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    victim = next(e for e in sim.all_entries() if e["date"] == "2026-02-15")
    sim.advance_clock(timedelta(days=1))
    sim.delete_entry(victim["id"])
    assert sim.get_entry(victim["id"]) is None
    entries = get_entries(api, server, **{"from": "2026-02-15", "to": "2026-02-15"}).json()
    assert victim["id"] not in {e["id"] for e in entries}
    deleted_on = (NOW + timedelta(days=1)).date().isoformat()
    deletions = api.get(
        f"{server.base_url}/entries_deletions",
        params={"from": deleted_on, "to": deleted_on},
        timeout=10,
    ).json()
    assert [d["entry_id"] for d in deletions] == [str(victim["id"])]
    assert deletions[0]["user_id"] == victim["user_id"]
    assert deletions[0]["date"] == "2026-02-15"
    assert deletions[0]["edited"].startswith(deleted_on)


def test_deletions_filter_by_deletion_date_not_entry_date(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    victim = next(sim.all_entries())
    sim.delete_entry(victim["id"])
    by_entry_date = api.get(
        f"{server.base_url}/entries_deletions",
        params={"from": victim["date"], "to": victim["date"]},
        timeout=10,
    ).json()
    assert by_entry_date == []


def test_added_entry_is_listed_with_last_modify_now(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    added = sim.add_entry(entry_date=date(2026, 2, 3), duration=900, description="late 'addition'")
    entries = get_entries(api, server, **{"from": "2026-02-03", "to": "2026-02-03"}).json()
    assert added in entries
    assert added["last_modify"] == NOW.strftime("%Y-%m-%d %H:%M:%S")


def test_running_timer_grows_with_the_clock_without_touching_last_modify(sim: Simulator) -> None:
    timer = sim.running_timers()[0]
    sim.advance_clock(timedelta(minutes=10))
    later = sim.get_entry(timer["id"])
    assert later is not None
    assert int(later["duration"]) == int(timer["duration"]) + 600
    assert later["last_modify"] == timer["last_modify"]


def test_stopping_a_timer_freezes_duration_and_bumps_last_modify(sim: Simulator) -> None:
    timer = sim.running_timers()[0]
    sim.advance_clock(timedelta(minutes=5))
    stopped = sim.stop_timer(timer["id"])
    assert stopped["last_modify"] == (NOW + timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    sim.advance_clock(timedelta(hours=1))
    assert sim.get_entry(timer["id"]) == stopped
    assert timer["id"] not in {t["id"] for t in sim.running_timers()}


def test_running_timers_are_on_the_last_day(sim: Simulator) -> None:
    timers = sim.running_timers()
    assert 1 <= len(timers) <= 3
    assert {t["date"] for t in timers} == {"2026-03-31"}


def test_entry_json_types_match_the_official_example(
    api: requests.Session, server: SimulatorServer
) -> None:
    entries = get_entries(api, server, **{"from": "2026-01-01", "to": "2026-03-31"}).json()
    for entry in entries:
        assert isinstance(entry["id"], int)
        for key in ("duration", "user_id", "task_id", "invoiceId"):
            assert isinstance(entry[key], str)
            assert entry[key].isdigit()
        assert entry["locked"] in {"0", "1"}
        assert entry["billable"] in {0, 1}
        assert isinstance(entry["hasEntryLocationHistory"], bool)
        assert isinstance(entry["task_note"], str)
        assert len(entry["last_modify"]) == 19
    assert any(e["start_time"] is None and e["end_time"] is None for e in entries)
    assert any(e["task_id"] == "0" for e in entries)
    assert any(e["locked"] == "1" for e in entries)


def test_every_last_modify_is_not_after_now(sim: Simulator) -> None:
    assert max(e["last_modify"] for e in sim.all_entries()) <= NOW.strftime("%Y-%m-%d %H:%M:%S")


def test_entries_are_not_sorted_by_id(api: requests.Session, server: SimulatorServer) -> None:
    ids = [
        e["id"]
        for e in get_entries(api, server, **{"from": "2026-01-01", "to": "2026-01-31"}).json()
    ]
    assert ids != sorted(ids)


def test_descriptions_carry_unicode_quotes_and_newlines(sim: Simulator) -> None:
    descriptions = {e["description"] for e in sim.all_entries()}
    assert any('"' in d for d in descriptions)
    assert any("'" in d for d in descriptions)
    assert any("\n" in d for d in descriptions)
    assert any(not d.isascii() for d in descriptions)


def test_user_ids_me_means_the_token_owner(api: requests.Session, server: SimulatorServer) -> None:
    entries = get_entries(
        api, server, **{"from": "2026-01-01", "to": "2026-01-31", "user_ids": "me"}
    ).json()
    assert entries
    assert {e["user_id"] for e in entries} >= {"1201001"}


def test_user_ids_the_token_cannot_see_is_403_with_empty_list(
    api: requests.Session, server: SimulatorServer
) -> None:
    response = get_entries(
        api, server, **{"from": "2026-01-01", "to": "2026-01-31", "user_ids": "999"}
    )
    assert response.status_code == 403
    assert response.json() == []


def test_user_filter_leaks_entries_of_other_users_deterministically(
    api: requests.Session, server: SimulatorServer
) -> None:
    params = {"from": "2026-01-01", "to": "2026-03-31", "user_ids": "1201002"}
    first = get_entries(api, server, **params).json()
    second = get_entries(api, server, **params).json()
    strangers = [e for e in first if e["user_id"] != "1201002"]
    assert strangers
    assert first == second
    assert sum(e["user_id"] == "1201002" for e in first) > len(strangers)


def test_opt_fields_tags_gives_string_valued_tag_objects_and_both_untagged_shapes(
    api: requests.Session, server: SimulatorServer
) -> None:
    entries = get_entries(
        api, server, **{"from": "2026-01-01", "to": "2026-03-31", "opt_fields": "tags"}
    ).json()
    tagged = [e for e in entries if e.get("tags")]
    assert tagged
    for tag in tagged[0]["tags"]:
        assert set(tag) == {"tagListName", "tagListId", "tagId", "name", "mandatory"}
        assert all(isinstance(v, str) for v in tag.values())
    assert any(e.get("tags") == [] for e in entries)
    assert any("tags" not in e for e in entries)


def test_tags_are_absent_without_opt_fields(api: requests.Session, server: SimulatorServer) -> None:
    entries = get_entries(api, server, **{"from": "2026-01-01", "to": "2026-03-31"}).json()
    assert not any("tags" in e for e in entries)


def test_breadcrumps_is_the_path_of_parent_tasks(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    entries = get_entries(
        api, server, **{"from": "2026-01-01", "to": "2026-03-31", "opt_fields": "breadcrumps"}
    ).json()
    deep = next(e for e in entries if sim.catalog.task_by_id.get(int(e["task_id"])) and
                sim.catalog.task_by_id[int(e["task_id"])].level >= 3)  # fmt: skip
    task = sim.catalog.task_by_id[int(deep["task_id"])]
    assert deep["breadcrumps"] == " / ".join(task.path[:-1])
    assert deep["breadcrumps"].count(" / ") >= 1


def test_include_project_adds_integer_project_id_and_name(
    api: requests.Session, server: SimulatorServer
) -> None:
    entries = get_entries(
        api, server, **{"from": "2026-01-01", "to": "2026-01-31", "include_project": "1"}
    ).json()
    with_task = next(e for e in entries if e["task_id"] != "0")
    assert isinstance(with_task["project_id"], int)
    assert with_task["project_name"]


def test_include_rates_mixes_numbers_and_strings(
    api: requests.Session, server: SimulatorServer
) -> None:
    entries = get_entries(
        api, server, **{"from": "2026-01-01", "to": "2026-03-31", "include_rates": "1"}
    ).json()
    kinds = {type(e["total_income"]) for e in entries}
    assert kinds == {str, float}
    assert all({"total_cost", "total_income", "rate_income"} <= set(e) for e in entries)


def test_task_ids_with_subtasks_includes_descendants(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    project = sim.catalog.tasks[0]
    entries = get_entries(
        api,
        server,
        **{
            "from": "2026-01-01",
            "to": "2026-03-31",
            "task_ids": str(project.task_id),
            "with_subtasks": "1",
        },
    ).json()
    assert entries
    assert {sim.catalog.task_by_id[int(e["task_id"])].project_id for e in entries} == {
        project.task_id
    }


def test_all_entries_equals_the_full_range_response(
    api: requests.Session, server: SimulatorServer, sim: Simulator
) -> None:
    served = get_entries(api, server, **{"from": "2026-01-01", "to": "2026-03-31"}).json()
    truth = list(sim.all_entries())
    assert len(truth) == 2000
    assert served == truth


def test_edit_of_unknown_field_is_rejected(sim: Simulator) -> None:
    with pytest.raises(ValueError, match="cannot edit"):
        sim.edit_entry(next(sim.all_entries())["id"], id=1)
