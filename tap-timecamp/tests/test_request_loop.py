"""Streams read their pages through the SDK's request loop (with the next pages requested ahead)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tap_timecamp.base_stream import TimeCampStream
from tests.running import selecting, sync_here
from tests.simulated import tap_config


def test_every_window_and_activity_request_goes_through_the_sdks_request_loop(timecamp):
    sim, server = timecamp
    settings = tap_config(server.base_url)
    costed: list[str] = []

    def cost(stream, request, response, context) -> dict[str, int]:
        costed.append(urlsplit(request.url).path.removeprefix(urlsplit(server.base_url).path))
        return {"requests": 1}

    streams = ["time_entries", "time_entry_deletions", "computer_activities"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TimeCampStream, "calculate_sync_cost", cost)
        run = sync_here(settings, catalog=selecting(settings, streams))

    assert run.returncode == 0
    paged = [
        r.path for r in sim.requests if r.path in {"/entries", "/entries_deletions", "/activity"}
    ]
    assert set(paged) == {"/entries", "/entries_deletions", "/activity"}
    assert sorted(costed) == sorted(paged)
