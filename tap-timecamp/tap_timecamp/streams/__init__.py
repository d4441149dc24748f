"""TimeCamp objects as Singer streams."""

from __future__ import annotations

import typing as t

from tap_timecamp.streams.activities import ComputerActivitiesStream, ComputerApplicationsStream
from tap_timecamp.streams.approvals import ApprovalsStream
from tap_timecamp.streams.attendance import AttendanceDayTypesStream, AttendanceStream
from tap_timecamp.streams.custom_fields import CustomFieldTemplatesStream, CustomFieldValuesStream
from tap_timecamp.streams.expenses import ExpenseCategoriesStream, ExpensesStream
from tap_timecamp.streams.people import GroupsStream, UsersStream
from tap_timecamp.streams.rates import BillingRatesStream
from tap_timecamp.streams.schedules import GroupSchedulesStream
from tap_timecamp.streams.shared import SharedReads
from tap_timecamp.streams.tags import TagListsStream, TagsStream
from tap_timecamp.streams.tasks import TasksStream
from tap_timecamp.streams.time_entries import TimeEntriesStream, TimeEntryDeletionsStream

if t.TYPE_CHECKING:
    from singer_sdk import Stream, Tap

    from tap_timecamp.base_stream import TimeCampStream
    from tap_timecamp.http_client import TimeCampClient

__all__ = [
    "ApprovalsStream",
    "AttendanceDayTypesStream",
    "AttendanceStream",
    "BillingRatesStream",
    "ComputerActivitiesStream",
    "ComputerApplicationsStream",
    "CustomFieldTemplatesStream",
    "CustomFieldValuesStream",
    "ExpenseCategoriesStream",
    "ExpensesStream",
    "GroupSchedulesStream",
    "GroupsStream",
    "TagListsStream",
    "TagsStream",
    "TasksStream",
    "TimeEntriesStream",
    "TimeEntryDeletionsStream",
    "UsersStream",
    "all_streams",
]


def all_streams(tap: Tap, client: TimeCampClient) -> list[Stream]:
    """Every stream the tap offers, each reading TimeCamp through the run's `client`.

    The streams share one `SharedReads`: TimeCamp's clock, and what several of them read,
    is requested once.
    """
    reads = SharedReads(client)
    activities = ComputerActivitiesStream(tap)
    # Reads the activities for computer_applications when `activities` has not.
    activities_reader = ComputerActivitiesStream(tap)
    found: list[TimeCampStream] = [
        # Both read the deletion windows: the second reuses what the first read.
        TimeEntriesStream(tap),
        TimeEntryDeletionsStream(tap),
        UsersStream(tap),
        GroupsStream(tap),
        TasksStream(tap),
        TagListsStream(tap),
        TagsStream(tap),
        activities,
        ComputerApplicationsStream(tap, activities=activities, reader=activities_reader),
        AttendanceStream(tap),
        AttendanceDayTypesStream(tap),
        ApprovalsStream(tap),
        ExpensesStream(tap),
        ExpenseCategoriesStream(tap),
        BillingRatesStream(tap),
        GroupSchedulesStream(tap),
        CustomFieldTemplatesStream(tap),
        CustomFieldValuesStream(tap),
    ]
    for stream in [*found, activities_reader]:
        stream.client = client
        stream.run_summary = client.run_summary
        stream.reads = reads
    return list(found)
