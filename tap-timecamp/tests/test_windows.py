"""How a sync is split into /entries requests."""

import datetime as dt
import itertools
import typing as t

from tap_timecamp.windows import DateWindow, Filter, SizedWindows, plan, split

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


def test_first_run_reads_by_entry_date_from_start_date_to_today():
    windows = plan(
        bookmark=None,
        start_date=D(2026, 1, 1),
        end_date=None,
        today=D(2026, 3, 31),
        overlap_days=1,
        max_days=31,
    )

    assert {w.filter for w in windows} == {Filter.ENTRY_DATE}
    assert windows[0].start == D(2026, 1, 1)
    assert windows[-1].end == D(2026, 3, 31)
    assert len(windows) == 3


def test_first_run_stops_at_end_date():
    windows = plan(
        bookmark=None,
        start_date=D(2026, 1, 1),
        end_date=D(2026, 1, 10),
        today=D(2026, 3, 31),
        overlap_days=1,
        max_days=31,
    )

    assert windows == [DateWindow(D(2026, 1, 1), D(2026, 1, 10), Filter.ENTRY_DATE)]


def test_later_run_reads_changes_since_the_bookmark_day_minus_the_overlap():
    windows = plan(
        bookmark="2026-03-20 17:45:02",
        start_date=D(2025, 1, 1),
        end_date=None,
        today=D(2026, 3, 31),
        overlap_days=1,
        max_days=31,
    )

    assert windows == [DateWindow(D(2026, 3, 19), D(2026, 3, 31), Filter.MODIFIED)]


def test_later_run_ignores_start_date_so_history_is_not_read_again():
    windows = plan(
        bookmark="2026-03-30 08:00:00",
        start_date=D(2020, 1, 1),
        end_date=None,
        today=D(2026, 3, 31),
        overlap_days=2,
        max_days=31,
    )

    assert windows == [DateWindow(D(2026, 3, 28), D(2026, 3, 31), Filter.MODIFIED)]


def test_an_old_bookmark_is_caught_up_in_bounded_windows():
    windows = plan(
        bookmark="2025-01-01 00:00:00",
        start_date=D(2025, 1, 1),
        end_date=None,
        today=D(2026, 3, 31),
        overlap_days=1,
        max_days=31,
    )

    assert all((w.end - w.start).days < 31 for w in windows)
    assert windows[0].start == D(2024, 12, 31)
    assert windows[-1].end == D(2026, 3, 31)


def test_a_bookmark_ahead_of_today_still_rereads_the_overlap_before_today():
    # An activity's end_time from a desktop clock a week ahead: late uploads of the days
    # before today must still be re-read, not only today.
    windows = plan(
        bookmark="2026-04-05 10:00:00",
        start_date=D(2026, 1, 1),
        end_date=None,
        today=D(2026, 3, 31),
        overlap_days=3,
        max_days=31,
    )

    assert windows == [DateWindow(D(2026, 3, 28), D(2026, 3, 31), Filter.MODIFIED)]


def test_start_date_after_today_plans_nothing():
    assert (
        plan(
            bookmark=None,
            start_date=D(2026, 4, 2),
            end_date=None,
            today=D(2026, 3, 31),
            overlap_days=1,
            max_days=31,
        )
        == []
    )


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
