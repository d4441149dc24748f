"""A stream of the tap built in this process, and a call run with a generous bound."""

from __future__ import annotations

import threading
import typing as t

from tap_timecamp import answers
from tap_timecamp.tap import TapTimeCamp
from tests.conftest import base_config

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from tap_timecamp.base_stream import TimeCampStream

# Bounds a wait that only a broken implementation would reach.
PATIENCE_SECONDS = 30


def entries_stream(api_url: str, **settings: t.Any) -> TimeCampStream:
    """The time_entries stream of a tap reading `api_url` with `settings`."""
    tap = TapTimeCamp(config=base_config(api_url=api_url, **settings))
    return t.cast("TimeCampStream", tap.streams["time_entries"])


def get_entries(stream: TimeCampStream) -> t.Any:
    """`GET /entries` through the run's client, as a stream's own read: its JSON body."""
    return stream.client.get("/entries", answers.decode_body, stream=stream.name)


def error_of(call: Callable[[], t.Any]) -> BaseException:
    """Run `call` in a thread; the error it raised, failing if it runs on or succeeds."""
    outcome: dict[str, BaseException] = {}
    done = threading.Event()

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # handed to the test
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(PATIENCE_SECONDS), "still running: nothing ended the request"
    assert "error" in outcome, "the call succeeded"
    return outcome["error"]
