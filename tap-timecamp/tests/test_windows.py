"""How a sync is split into /entries requests."""

import datetime as dt
import itertools
import typing as t

from tap_timecamp.windows import DateWindow, Filter, SizedWindows, split

D = dt.date


def test_split_covers_the_range_in_consecutive_windows_of_at_most_max_days():
    windows = split(D(2026, 1, 1), D(2026, 3, 15), 31, Filter.ENTRY_DATE)

    assert [(w.start, w.end) for w in windows] == [
        (D(2026, 1, 1), D(2026, 1, 31)),
        (D(2026, 2, 1), D(2026, 3, 3)),
        (D(2026, 3, 4), D(2026, 3, 15)),
    ]


def test_split_of_a_single_day_is_one_window():
    assert split(D(2026, 1, 1), D(2026, 1, 1), 31, Filter.MODIFIED) == [
        DateWindow(D(2026, 1, 1), D(2026, 1, 1), Filter.MODIFIED)
    ]


def test_split_of_an_inverted_range_is_empty():
    assert split(D(2026, 1, 2), D(2026, 1, 1), 31, Filter.MODIFIED) == []


def test_window_params_filter_on_entry_date_with_from_and_to():
    window = DateWindow(D(2026, 1, 1), D(2026, 1, 31), Filter.ENTRY_DATE)

    assert window.params() == {"from": "2026-01-01", "to": "2026-01-31"}


def test_window_params_filter_on_modification_with_modify_from_and_modify_to():
    window = DateWindow(D(2026, 1, 1), D(2026, 1, 31), Filter.MODIFIED)

    assert window.params() == {"modify_from": "2026-01-01", "modify_to": "2026-01-31"}


def _sized(days: int = 90, **options: int) -> SizedWindows:
    span = DateWindow(D(2026, 1, 1), D(2026, 1, 1) + dt.timedelta(days=days - 1), Filter.ENTRY_DATE)
    return SizedWindows(span, **{"max_days": 31, "target_records": 1000, **options})


def _lengths(sized: SizedWindows, records: t.Callable[[int], int]) -> list[int]:
    lengths = []
    for window in sized:
        length = (window.end - window.start).days + 1
        lengths.append(length)
        sized.observe(window, records(length))
    return lengths


def test_sized_windows_cover_the_span_without_gap_or_overlap():
    sized = _sized(days=90)
    windows = list(sized)

    assert windows[0].start == D(2026, 1, 1)
    assert windows[-1].end == D(2026, 3, 31)
    assert all(b.start == a.end + dt.timedelta(days=1) for a, b in itertools.pairwise(windows))


def test_sized_windows_shrink_to_hold_about_the_target():
    # 500 entries a day: a week holds 3,500, then two days at a time hold 1,000.
    assert _lengths(_sized(days=13), lambda days: 500 * days) == [7, 2, 2, 2]


def test_sized_windows_grow_at_most_double_up_to_max_days():
    assert _lengths(_sized(days=120), lambda days: 0) == [7, 14, 28, 31, 31, 9]


def test_sized_windows_never_shrink_below_one_day():
    assert _lengths(_sized(days=9), lambda days: 10**6) == [7, 1, 1]
