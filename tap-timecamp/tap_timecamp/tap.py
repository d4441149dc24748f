"""The TimeCamp tap."""

from __future__ import annotations

import typing as t
from importlib.metadata import version

from singer_sdk import Tap
from singer_sdk.exceptions import ConfigValidationError, FatalAPIError
from singer_sdk.helpers.capabilities import PluginCapabilities, TapCapabilities

from tap_timecamp import streams
from tap_timecamp.activation import ActivateAfterRunWriter
from tap_timecamp.full_table import FullTableStream
from tap_timecamp.http_client import TimeCampClient
from tap_timecamp.progress import UnusableStateError
from tap_timecamp.settings import (
    CONFIG_SCHEMA,
    Settings,
    unknown_settings,
    without_unshown_values,
)
from tap_timecamp.summary import RunSummary
from tap_timecamp.sync_end import SyncEnd

if t.TYPE_CHECKING:
    from singer_sdk.helpers.capabilities import CapabilitiesEnum
    from singer_sdk.streams import Stream

    from tap_timecamp.base_stream import TimeCampStream


class TapTimeCamp(Tap):
    """Singer tap for TimeCamp."""

    name = "tap-timecamp"
    package_name = "tap-timecamp"
    config_jsonschema = CONFIG_SCHEMA
    message_writer_class = ActivateAfterRunWriter
    # What this tap does and a test shows, not the SDK's defaults: it writes no BATCH
    # messages and has no structured-logging output of its own. The Hub definition and
    # meltano.yml take this list (scripts/generate-plugin-definitions).
    capabilities: t.ClassVar[list[CapabilitiesEnum]] = [
        TapCapabilities.CATALOG,
        TapCapabilities.STATE,
        TapCapabilities.DISCOVER,
        TapCapabilities.ACTIVATE_VERSION,
        PluginCapabilities.ABOUT,
        PluginCapabilities.STREAM_MAPS,
        PluginCapabilities.FLATTENING,
    ]

    def __init__(self, *args: t.Any, validate_config: bool = True, **kwargs: t.Any) -> None:
        """Check the settings beyond their schema before any request is made."""
        # Before the SDK discovers the streams, which report into them.
        self.run_summary = RunSummary()
        self.sync_end = SyncEnd(lambda: self.streams, self.finish_sync)
        try:
            super().__init__(*args, validate_config=validate_config, **kwargs)
        except ConfigValidationError as exc:
            raise without_unshown_values(exc) from None
        if validate_config:
            settings = Settings.from_config(self.config)
            for warning in unknown_settings(self.config, self.config_jsonschema["properties"]):
                self.logger.warning("%s", warning)
            self._check_selection()
            self._check_accepted_streams(settings.accept_mass_deletion)

    def _check_selection(self) -> None:
        """Refuse a catalog that selects a stream this tap lacks, or none at all.

        Either would otherwise end in a run that reads nothing and succeeds: a typo in
        `select:` (Meltano then deselects every stream) would stop a daily load silently.
        """
        catalog = self.input_catalog
        if catalog is None:
            return
        known = set(self.streams)
        unknown = sorted(
            entry.tap_stream_id
            for entry in catalog.streams
            if entry.tap_stream_id not in known and entry.metadata.resolve_selection().get((), True)
        )
        names = ", ".join(sorted(known))
        if unknown:
            msg = f"The catalog selects unknown stream(s) {', '.join(unknown)}; streams: {names}"
            raise ConfigValidationError(msg, errors=[msg])
        if not any(stream.selected for stream in self.streams.values()):
            msg = (
                "The catalog selects no stream (check `select` in meltano.yml or the "
                f"`selected` metadata); streams: {names}"
            )
            raise ConfigValidationError(msg, errors=[msg])

    def _check_accepted_streams(self, accepted: t.Iterable[str]) -> None:
        """Refuse a stream in `accept_mass_deletion` that is not an activated full-table stream.

        A typo would otherwise accept nothing, and the run would refuse the deletion again.
        """
        known = sorted(
            name for name, stream in self.streams.items() if isinstance(stream, FullTableStream)
        )
        unknown = sorted(set(accepted) - set(known))
        if unknown:
            msg = (
                f"Setting `accept_mass_deletion`: {', '.join(unknown)} is no full-table stream; "
                f"full-table streams: {', '.join(known)}"
            )
            raise ConfigValidationError(msg, errors=[msg])

    def finish_sync(self) -> None:
        """Every selected stream has been read: activate the trusted reads, log the summary.

        Called by `sync_end` at the end of `sync_all`, however it was called.

        The ACTIVATE_VERSION messages the writer held back go out only now: a target acts on
        one at once (rows of older versions marked deleted), so before the records, as the
        SDK sends them, a run that failed half-way would leave live rows marked. Only the
        streams whose read is plausible are activated; the row counts those activations
        leave in the state follow them in one last STATE.
        """
        writer = t.cast("ActivateAfterRunWriter", self.message_writer)
        writer.activate_versions(self._activated_aliases({m.stream for m in writer.held}))
        self.state_writer.write_state(self.state)
        selected = [name for name, stream in self.streams.items() if stream.selected]
        self.run_summary.log(self.name, writer.records_written, selected)

    def run_discovery(self) -> str:
        """Check the settings first: the catalog depends on them (time_entries' columns).

        The SDK makes a tap for discovery without checking its settings, so a bad one would
        end in a traceback from a stream's schema; it is one line per setting instead.
        """
        try:
            Settings.from_config(self.config)
        except ConfigValidationError as exc:
            for error in exc.errors:
                self.logger.error("%s", error)
            raise SystemExit(1) from None
        return super().run_discovery()

    def _activated_aliases(self, held: set[str]) -> set[str]:
        """The names (as sent, after stream maps) of the streams whose read may be activated.

        `held`: the names the writer holds an ACTIVATE_VERSION of. A stream with none (its
        stream map drops it, `{stream: null}`) is not asked: `may_activate` moves the count
        the next read is compared with, which only a sent activation may do.
        """
        activated: set[str] = set()
        for stream in self.streams.values():
            if not (
                isinstance(stream, FullTableStream)
                and stream.selected
                and stream.emit_activate_version_messages
            ):
                continue
            aliases = {stream_map.stream_alias for stream_map in stream.stream_maps} & held
            if aliases and stream.may_activate():
                activated |= aliases
        return activated

    def discover_streams(self) -> list[Stream]:
        """The streams this tap offers, reading through one client, each reporting its end."""
        client = TimeCampClient(
            self.config,
            # The SDK's own default, as its streams sent it.
            user_agent=self.config.get("user_agent", f"singer-sdk/{version('singer-sdk')}"),
            run_summary=self.run_summary,
            logger=self.logger,
            metrics_logger=self.metrics_logger,
        )
        found = streams.all_streams(self, client)
        for stream in found:
            t.cast("TimeCampStream", stream).sync_end = self.sync_end
        return found

    @classmethod
    def invoke(cls, *args: t.Any, **kwargs: t.Any) -> None:
        """Run the tap and log the run summary; a failure it can explain ends in one line."""
        try:
            super().invoke(*args, **kwargs)
        except (FatalAPIError, UnusableStateError) as exc:
            cls.logger.error("%s", exc)
            raise SystemExit(1) from None


if __name__ == "__main__":
    TapTimeCamp.cli()
