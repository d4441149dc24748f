"""What the tap asks TimeCamp for, built from crafted config and state, without HTTP."""

from __future__ import annotations

import typing as t
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from singer_sdk.streams.rest import HTTPRequest, PageContext

from tap_timecamp.tap import TapTimeCamp
from tap_timecamp.windows import Filter
from tests.conftest import base_config
from timecamp_simulator import DEFAULT_TOKEN

pytestmark = pytest.mark.usefixtures("fixed_today")


def entries_stream(state: dict[str, t.Any] | None = None, **config: t.Any):
    tap = TapTimeCamp(config=base_config(**config), state=state or {}, setup_mapper=False)
    return tap.streams["time_entries"]


# Where a run reads entry dates up to: the last date there is.
HORIZON = "9999-12-31"


def bookmarked(value: str) -> dict[str, t.Any]:
    """The state a successful run that started at `value` (TimeCamp's clock) leaves."""
    return {
        "bookmarks": {
            "time_entries": {
                "replication_key": "last_modify",
                "replication_key_value": value,
                "changes_read_through": value,
                "entry_dates_read_through": HORIZON,
                "start_date": "2026-01-01",
            }
        }
    }


def requested_windows(stream, records: t.Callable[[t.Any], int] = lambda window: 0) -> list:
    """The windows a sync asks for when each answers with `records(window)` entries."""
    windows = []
    for window in stream.plan():
        windows.append(window)
        stream.observe(window, records(window))
    return windows


def sent(stream, window) -> tuple[str, dict[str, str]]:
    """The endpoint (below `api_url`) and the query of the request that asks for `window`."""
    page = PageContext(stream_context=None, next_page_token=window)
    url = urlsplit(stream.client.prepare(stream.get_http_request(page=page)).url)
    return url.path.removeprefix(urlsplit(base_config()["api_url"]).path), dict(
        parse_qsl(url.query)
    )


def all_params(stream) -> list[dict[str, t.Any]]:
    """Parameters of the /entries requests (deletion windows left out)."""
    return [
        sent(stream, window)[1]
        for window in requested_windows(stream)
        if window.filter is not Filter.DELETED
    ]


def deletion_requests(stream) -> list[tuple[str, dict[str, t.Any]]]:
    return [
        sent(stream, window)
        for window in requested_windows(stream)
        if window.filter is Filter.DELETED
    ]


def test_first_run_asks_each_window_by_entry_date():
    params = [p for p in all_params(entries_stream()) if "from" in p]

    # Quiet history: from a week, windows double up to max_window_days (31).
    assert [(p["from"], p["to"]) for p in params] == [
        ("2026-01-01", "2026-01-07"),
        ("2026-01-08", "2026-01-21"),
        ("2026-01-22", "2026-02-18"),
        ("2026-02-19", "2026-03-21"),
        ("2026-03-22", "2026-03-31"),
        # Entries booked ahead: sparse, so one request up to the horizon.
        ("2026-04-01", HORIZON),
    ]
    assert not any("modify_from" in p for p in params)


def test_first_run_then_reads_the_changes_made_while_it_ran():
    params = all_params(entries_stream())

    # From TODAY minus overlap_days (1); days ahead in one request, as by entry date.
    assert [(p["modify_from"], p["modify_to"]) for p in params if "modify_from" in p] == [
        ("2026-03-30", "2026-03-31"),
        ("2026-04-01", HORIZON),
    ]
    assert "modify_from" in params[-1]


def test_dense_history_is_asked_for_in_windows_of_about_target_window_records():
    stream = entries_stream(target_window_records=10_000)
    per_day = 3_000

    windows = requested_windows(stream, lambda w: per_day * ((w.end - w.start).days + 1))

    entry_windows = [w for w in windows if w.filter is Filter.ENTRY_DATE]
    # The first week holds 21,000 entries; from then on, 3 days (9,000) at a time.
    assert [(w.end - w.start).days + 1 for w in entry_windows[:4]] == [7, 3, 3, 3]
    assert entry_windows[-2].end.isoformat() == "2026-03-31"
    assert (entry_windows[-1].start.isoformat(), entry_windows[-1].end.isoformat()) == (
        "2026-04-01",
        HORIZON,
    )


def test_a_window_is_never_shorter_than_a_day():
    stream = entries_stream(target_window_records=10)

    windows = requested_windows(stream, lambda w: 1_000)

    assert all(w.start <= w.end for w in windows)
    assert [(w.end - w.start).days + 1 for w in windows[1:4]] == [1, 1, 1]


def test_every_request_asks_for_json_in_the_query():
    assert all(p["format"] == "json" for p in all_params(entries_stream()))


def test_later_run_asks_for_changes_since_the_bookmark_minus_overlap():
    params = all_params(entries_stream(state=bookmarked("2026-03-20 17:45:02")))

    assert params[0]["modify_from"] == "2026-03-19"
    assert params[-2]["modify_to"] == "2026-03-31"
    # Stamps ahead of TimeCamp's clock are changes too: one request for all of them.
    assert (params[-1]["modify_from"], params[-1]["modify_to"]) == ("2026-04-01", HORIZON)
    assert not any("from" in p for p in params)


def test_a_daily_run_asks_for_its_changes_in_one_request_and_for_stamps_ahead_in_another():
    params = all_params(entries_stream(state=bookmarked("2026-03-30 23:10:00")))

    assert [(p["modify_from"], p["modify_to"]) for p in params] == [
        ("2026-03-29", "2026-03-31"),
        ("2026-04-01", HORIZON),
    ]


def test_a_state_read_through_the_old_ten_year_horizon_reads_the_dates_after_it_once():
    state = bookmarked("2026-03-20 17:45:02")
    state["bookmarks"]["time_entries"]["entry_dates_read_through"] = "2036-12-31"

    params = all_params(entries_stream(state=state))

    assert [(p["from"], p["to"]) for p in params if "from" in p] == [("2037-01-01", HORIZON)]


def test_overlap_setting_widens_the_change_window():
    stream = entries_stream(state=bookmarked("2026-03-20 17:45:02"), overlap_days=5)

    assert all_params(stream)[0]["modify_from"] == "2026-03-15"


def test_max_window_days_bounds_each_request():
    stream = entries_stream(start_date="2026-03-01", max_window_days=7)

    windows = requested_windows(stream)
    assert [(w.start.day, w.end.day) for w in windows if w.filter is Filter.ENTRY_DATE] == [
        (1, 7),
        (8, 14),
        (15, 21),
        (22, 28),
        (29, 31),
        (1, 31),  # 2026-04-01 to the horizon, 9999-12-31
    ]


def test_enrichments_ask_for_project_tags_and_breadcrumbs_by_default():
    params = all_params(entries_stream())[0]

    assert params["include_project"] == "1"
    assert params["opt_fields"] == "tags,breadcrumps"
    assert "include_rates" not in params


def test_enrichments_switched_off_are_not_asked_for():
    stream = entries_stream(include_project=False, include_tags=False, include_breadcrumbs=False)
    params = all_params(stream)[0]

    assert "include_project" not in params
    assert "opt_fields" not in params


def test_rates_are_asked_for_when_switched_on():
    params = all_params(entries_stream(include_rates=True))[0]

    assert params["include_rates"] == "1"


def test_user_ids_are_sent_comma_separated():
    params = all_params(entries_stream(user_ids=[12, 7]))[0]

    assert params["user_ids"] == "12,7"


def test_round_duration_is_never_asked_for():
    assert not any("round_duration" in p for p in all_params(entries_stream(include_rates=True)))


def test_the_token_is_not_in_any_query_parameter():
    params = all_params(entries_stream(user_ids=[1]))

    assert not any(DEFAULT_TOKEN in str(v) for p in params for v in p.values())


def prepared_users_request(stream) -> t.Any:
    return stream.client.prepare(HTTPRequest(url=f"{stream.url_base}/users"))


def test_the_token_is_sent_as_a_bearer_header():
    prepared = prepared_users_request(entries_stream())

    assert prepared.headers["Authorization"] == f"Bearer {DEFAULT_TOKEN}"
    assert prepared.headers["Accept"] == "application/json"


def test_redirects_are_not_followed(monkeypatch):
    stream = entries_stream()
    sent_with: dict[str, t.Any] = {}

    def send(prepared: t.Any, **kwargs: t.Any) -> requests.Response:
        sent_with.update(kwargs)
        response = requests.Response()
        response.status_code = 200
        response.request = prepared
        response._content = b"[]"
        return response

    monkeypatch.setattr(stream.client.session, "send", send)
    stream.client.send_within_deadline(prepared_users_request(stream))

    assert sent_with["allow_redirects"] is False


def test_disabled_enrichments_leave_their_columns_out_of_the_schema():
    schema = entries_stream(include_project=False, include_rates=False).schema["properties"]

    assert "project_id" not in schema
    assert "total_cost" not in schema
    assert "tags" in schema


def test_deletions_are_read_from_entries_deletions_over_the_same_days():
    stream = entries_stream(state=bookmarked("2026-03-20 17:45:02"))

    requests = deletion_requests(stream)

    assert {path for path, _ in requests} == {"/entries_deletions"}
    assert requests[0][1]["from"] == "2026-03-19"
    assert requests[-1][1]["to"] == "2026-03-31"
    assert all(set(params) == {"format", "from", "to"} for _, params in requests)


def test_deletions_come_before_every_entry_window():
    filters = [w.filter for w in requested_windows(entries_stream())]

    assert filters == [Filter.DELETED] * 5 + [Filter.ENTRY_DATE] * 6 + [Filter.MODIFIED] * 2


def test_track_deletions_off_reads_no_deletions_and_has_no_deletion_column():
    stream = entries_stream(track_deletions=False)

    assert deletion_requests(stream) == []
    assert "_sdc_deleted_at" not in stream.schema["properties"]


def test_a_state_of_tap_0_2_reads_entry_dates_again_once_and_changes_since_its_bookmark():
    old = {
        "bookmarks": {
            "time_entries": {
                "replication_key": "last_modify",
                "replication_key_value": "2026-03-20 17:45:02",
            }
        }
    }

    windows = requested_windows(entries_stream(state=old))

    by_date = [w for w in windows if w.filter is Filter.ENTRY_DATE]
    changed = [w for w in windows if w.filter is Filter.MODIFIED]
    assert (by_date[0].start.isoformat(), by_date[-1].end.isoformat()) == ("2026-01-01", HORIZON)
    assert changed[0].start.isoformat() == "2026-03-19"
