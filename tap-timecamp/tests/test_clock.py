"""TimeCamp stamps are read exactly as the stamp format reads them, however they are parsed."""

from __future__ import annotations

import datetime as dt

from hypothesis import example, given
from hypothesis import strategies as st

from tap_timecamp import clock


def by_the_format(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(value, clock.STAMP_FORMAT)
    except ValueError:
        return None


# Strings shaped like a stamp, with any characters (Unicode digits, signs, letters) where
# the digits go: the shapes the fast path takes.
STAMP_LIKE = st.builds(
    lambda date, time: f"{date} {time}",
    st.from_regex("\\A[0-9\u0660-\u0669+ Z-]{4}-[0-9\u0661W]{2}-[0-9 ]{2}\\Z"),
    st.from_regex(r"\A[0-9+:]{2}:[0-9]{2}:[0-9Z]{2}\Z"),
)


@given(st.one_of(STAMP_LIKE, st.text(max_size=30)))
@example("2026-11-30 23:59:59")
@example("2026-02-29 10:00:00")
@example("0000-00-00 00:00:00")
@example("2026-01-01 10:00+01")
@example("2026-W01-1 10:00:00")
@example("2026-1-1 1:2:3")
@example("2026-01-01T10:00:00")
@example("2026-01-01 24:00:00")
@example("\u0662\u0660\u0662\u0666-01-01 10:00:00")  # Arabic-Indic digits
def test_a_stamp_is_read_as_the_stamp_format_reads_it(value: str) -> None:
    assert clock.parse_stamp(value) == by_the_format(value)


def test_a_stamp_is_a_naive_wall_time() -> None:
    assert clock.parse_stamp("2026-03-29 02:30:00") == dt.datetime(2026, 3, 29, 2, 30)


def test_anything_but_a_string_is_no_stamp() -> None:
    assert clock.parse_stamp(None) is None
    assert clock.parse_stamp(20261130) is None
