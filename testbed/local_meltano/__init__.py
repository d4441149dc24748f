"""The project's Meltano, run against the local stand-ins and nothing of the developer's.

Tests and benchmarks run `meltano` in the `local` environment with a system database of
their own. A developer's own Google, Meltano or plugin settings in the environment would
otherwise reach the run (Meltano reads `TAP_TIMECAMP_*`, `TARGET_*`, ...) and make it
talk to something else, or measure something else.
"""

from __future__ import annotations

import os
import typing as t

if t.TYPE_CHECKING:
    from pathlib import Path

# What Meltano, the plugins or meltano.yml would read from a developer's environment.
FOREIGN_PREFIXES = ("TAP_TIMECAMP_", "TARGET_", "MELTANO_", "GOOGLE_")
FOREIGN_NAMES = frozenset({"BIGQUERY_DATASET", "BIGQUERY_TABLE", "TIMECAMP_API_KEY"})


def meltano_env(workdir: Path, settings: t.Mapping[str, str]) -> dict[str, str]:
    """The environment of a `meltano` run: `local`, its database in `workdir`, `settings`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(FOREIGN_PREFIXES) and key not in FOREIGN_NAMES
    }
    env.update(
        {
            "MELTANO_ENVIRONMENT": "local",
            "MELTANO_DATABASE_URI": f"sqlite:///{workdir / 'meltano.db'}",
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    env.update(settings)
    return env
