"""Full-table streams: objects TimeCamp cannot filter by change, read whole each run."""

from __future__ import annotations

from tap_timecamp.client import TimeCampStream


class SnapshotStream(TimeCampStream):
    """A stream read whole on every run, from one or more endpoints.

    These objects are small (people, groups, the task tree, tags) and carry no reliable
    change date, so every run reads them again and the target upserts them on their key.
    """
