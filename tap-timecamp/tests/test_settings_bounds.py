"""Every whole-number setting has bounds, shown by `--about` and enforced before any request."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys

import pytest
from singer_sdk.exceptions import ConfigValidationError

from tap_timecamp.settings import CONFIG_SCHEMA, Settings
from tests.conftest import base_config

TODAY = dt.date(2026, 3, 31)
# The tap's own settings (the SDK adds its built-in ones to the schema of a tap it builds).
WHOLE_NUMBERS = [
    field.name
    for field in dataclasses.fields(Settings)
    if "integer" in CONFIG_SCHEMA["properties"][field.name]["type"]
]


def test_about_shows_a_minimum_and_a_maximum_for_every_whole_number_setting():
    about = json.loads(
        subprocess.run(
            [sys.executable, "-m", "tap_timecamp", "--about", "--format=json"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    properties = about["settings"]["properties"]

    for name in WHOLE_NUMBERS:
        assert properties[name]["minimum"] <= properties[name]["default"], name
        assert properties[name]["default"] <= properties[name]["maximum"], name
        assert f"From {properties[name]['minimum']} to " in properties[name]["description"]


@pytest.mark.parametrize("name", WHOLE_NUMBERS)
def test_a_value_above_the_maximum_is_refused_naming_the_setting(name):
    too_big = CONFIG_SCHEMA["properties"][name]["maximum"] + 1

    with pytest.raises(ConfigValidationError) as caught:
        Settings.from_config(base_config(**{name: too_big}), today=TODAY)

    assert caught.value.errors == [
        f"Setting `{name}`: {too_big} must be a whole number from "
        f"{CONFIG_SCHEMA['properties'][name]['minimum']} to {too_big - 1}"
    ]


def test_the_retry_and_run_bounds_have_sane_defaults():
    settings = Settings.from_config(base_config(), today=TODAY)

    assert settings.max_retry_wait_seconds == 300
    assert settings.max_retry_wait_total_seconds == 900
    assert settings.max_run_seconds == 4 * 3600
