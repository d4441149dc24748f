"""The TimeCamp tap."""

from __future__ import annotations

import typing as t

from singer_sdk import Tap
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.exceptions import FatalAPIError

from tap_timecamp import streams
from tap_timecamp.settings import CONFIG_SCHEMA, Settings

if t.TYPE_CHECKING:
    from singer_sdk.streams import Stream


class TapTimeCamp(Tap):
    """Singer tap for TimeCamp."""

    name = "tap-timecamp"
    package_name = "tap-timecamp"
    config_jsonschema = CONFIG_SCHEMA
    message_writer_class = MsgSpecWriter

    def __init__(self, *args: t.Any, validate_config: bool = True, **kwargs: t.Any) -> None:
        """Check the settings beyond their schema before any request is made."""
        super().__init__(*args, validate_config=validate_config, **kwargs)
        if validate_config:
            Settings.from_config(self.config)

    def discover_streams(self) -> list[Stream]:
        """The streams this tap offers."""
        return streams.all_streams(self)

    @classmethod
    def invoke(cls, *args: t.Any, **kwargs: t.Any) -> None:
        """Run the tap; a failure TimeCamp explains ends in one line, not a traceback."""
        try:
            super().invoke(*args, **kwargs)
        except FatalAPIError as exc:
            cls.logger.error("%s", exc)
            raise SystemExit(1) from None


if __name__ == "__main__":
    TapTimeCamp.cli()
