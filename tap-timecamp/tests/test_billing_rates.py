"""billing_rates: the rates set on tasks, users and groups, cost rates told apart."""

from __future__ import annotations

import logging
import math

import pytest

from tap_timecamp.streams import rates
from tap_timecamp.streams.rates import rates_in_force
from tap_timecamp.tap import TapTimeCamp
from tests.conftest import base_config
from tests.running import selecting, sync_here
from tests.simulated import tap_config
from timecamp_simulator import Fault
from timecamp_simulator.endpoints.rates import COST_RATE_TYPE, RateEndpoints

RATE_PATHS = ("/task/", "/user/", "/group/")


def read_rates(server):
    settings = tap_config(server.base_url)
    done = sync_here(settings, catalog=selecting(settings, ["billing_rates"]))
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def rate_requests(sim):
    return [r for r in sim.requests if r.path.startswith(RATE_PATHS) and r.path.endswith("/rate")]


def test_billing_rates_is_not_selected_by_default():
    stream = TapTimeCamp(config=base_config(), setup_mapper=False).streams["billing_rates"]

    assert stream.selected_by_default is False
    assert stream.primary_keys == ("object_type", "object_id", "rate_type_id")
    assert stream.replication_method == "FULL_TABLE"


def test_every_rate_of_every_task_user_and_group_is_one_row(timecamp):
    sim, server = timecamp
    truth = RateEndpoints(sim.account).rates

    rows = read_rates(server).records("billing_rates")

    expected = {
        (object_type, object_id, rate.rate_type_id, rate.value)
        for object_type, by_id in truth.items()
        for object_id, object_rates in by_id.items()
        for rate in object_rates
    }
    assert {(r["object_type"], r["object_id"], r["rate_type_id"], r["value"]) for r in rows} == (
        expected
    )
    assert len(rows) == len(expected)
    assert {r["object_type"] for r in rows} == {"task", "user", "group"}


def test_cost_rates_are_told_apart_from_billing_rates(timecamp):
    _sim, server = timecamp

    rows = read_rates(server).records("billing_rates")

    assert {r["is_cost_rate"] for r in rows if r["rate_type_id"] == COST_RATE_TYPE} == {True}
    assert {r["is_cost_rate"] for r in rows if r["rate_type_id"] != COST_RATE_TYPE} == {False}
    assert {r["rate_type_name"] for r in rows} == {"Billing rate", "Cost rate"}


def test_rate_types_refused_leave_the_rates_with_an_unknown_kind_and_one_warning(timecamp, caplog):
    sim, server = timecamp
    sim.add_fault(Fault(path="/internal/api/rate_type", status=404))
    caplog.set_level(logging.WARNING)

    rows = read_rates(server).records("billing_rates")

    assert rows
    assert {(r["is_cost_rate"], r["rate_type_name"]) for r in rows} == {(None, None)}
    (warning,) = [r.getMessage() for r in caplog.records if "rate types" in r.getMessage()]
    assert "is_cost_rate are null" in warning


def test_ids_are_asked_in_batches(timecamp, monkeypatch):
    sim, server = timecamp
    monkeypatch.setattr(rates, "IDS_PER_REQUEST", 4)
    tasks, users, groups = len(sim.catalog.tasks), len(sim.catalog.users), len(sim.catalog.groups)

    rows = read_rates(server).records("billing_rates")

    asked = rate_requests(sim)
    assert len(asked) == sum(math.ceil(n / 4) for n in (tasks, users, groups))
    assert max(len(r.path.split("/")[2].split(",")) for r in asked) == 4
    truth = RateEndpoints(sim.account).rates
    assert len(rows) == sum(len(rates) for by_id in truth.values() for rates in by_id.values())


def test_a_rate_type_listed_twice_for_one_object_is_the_one_added_last():
    body = {
        44: [
            {"rateId": 2, "rateTypeId": 12, "value": "30.00", "addDate": "2025-06-01"},
            {"rateId": 1, "rateTypeId": 12, "value": "20.00", "addDate": "2024-01-01"},
        ]
    }

    (row,) = rates_in_force("task", body, {})

    assert (row["object_id"], row["value"], row["add_date"]) == (44, "30.00", "2025-06-01")


@pytest.mark.parametrize("body", [{}, {44: []}])
def test_an_answer_without_rates_is_no_rows(body):
    assert list(rates_in_force("task", body, {})) == []
