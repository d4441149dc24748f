"""Settings are checked before any request, each error naming its setting."""

from __future__ import annotations

import datetime as dt

import pytest
from singer_sdk.exceptions import ConfigValidationError

from tap_timecamp.settings import DEFAULT_API_URL, Settings
from tap_timecamp.tap import TapTimeCamp
from tests.conftest import base_config
from timecamp_simulator import DEFAULT_TOKEN

TODAY = dt.date(2026, 3, 31)


def error_for(**overrides) -> str:
    with pytest.raises(ConfigValidationError) as caught:
        Settings.from_config(base_config(**overrides), today=TODAY)
    assert len(caught.value.errors) == 1
    return caught.value.errors[0]


def test_defaults_read_yesterday_from_timecamp():
    settings = Settings.from_config({"api_token": DEFAULT_TOKEN}, today=TODAY)

    assert settings.start_date is None
    assert settings.first_date(TODAY) == dt.date(2026, 3, 30)
    assert settings.api_url == DEFAULT_API_URL
    assert settings.overlap_days >= 1


def test_a_trailing_slash_on_api_url_is_dropped():
    assert (
        Settings.from_config(base_config(api_url="https://h/api/"), today=TODAY).api_url
        == "https://h/api"
    )


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("start_date", "2026-02-30"),
        ("start_date", "01/02/2026"),
        ("end_date", "yesterday"),
        ("overlap_days", 0),
        ("max_window_days", 0),
        ("target_window_records", 0),
        ("request_timeout", 0),
        ("max_retries", -3),
        ("user_ids", ["x"]),
        ("user_ids", [0]),
        ("api_url", "app.timecamp.com/third_party/api"),
        ("api_url", "ftp://app.timecamp.com"),
        ("api_token", ""),
        ("api_token", "   "),
    ],
)
def test_an_invalid_value_is_refused_naming_the_setting(setting, value):
    assert f"`{setting}`" in error_for(**{setting: value})


def test_end_date_before_start_date_is_refused():
    message = error_for(start_date="2026-03-01", end_date="2026-02-01")

    assert "`end_date`" in message
    assert "`start_date`" in message


def test_a_missing_token_is_refused():
    with pytest.raises(ConfigValidationError, match="`api_token`"):
        Settings.from_config({"start_date": "2026-01-01"}, today=TODAY)


def test_a_malformed_token_is_not_echoed():
    message = error_for(api_token="secret part\twith-tab")

    assert "secret" not in message


def test_a_token_a_header_cannot_carry_is_refused_without_echo():
    message = error_for(api_token="sécret-tøken")

    assert "`api_token`" in message
    assert "sécret" not in message


@pytest.mark.parametrize("token", [918273645546372819, ["918273645546372819"]])
def test_a_token_of_another_type_than_text_is_refused_without_its_value(token):
    with pytest.raises(ConfigValidationError) as caught:
        TapTimeCamp(config={"api_token": token, "api_url": "http://127.0.0.1:9/api"})

    errors = " | ".join(caught.value.errors)
    assert "`api_token`" in errors
    assert "918273645546372819" not in errors + str(caught.value)


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        (
            "start_date",
            "2026-02-30",
            "'2026-02-30' is not a real calendar date in the form YYYY-MM-DD",
        ),
        ("user_ids", [3, 0], "0 must be a whole number of at least 1"),
        ("include_tags", "maybe", "'maybe' must be true or false"),
    ],
)
def test_what_the_config_schema_refuses_is_told_from_the_schema(setting, value, message):
    assert error_for(**{setting: value}) == f"Setting `{setting}`: {message}"


def test_an_explicit_null_takes_the_schemas_default():
    settings = Settings.from_config(base_config(overlap_days=None, include_tags=None), today=TODAY)

    assert (settings.overlap_days, settings.include_tags) == (1, True)


def test_the_repr_of_the_settings_shows_neither_the_token_nor_the_url():
    settings = Settings.from_config(
        base_config(api_token="tc-secret-repr-1a2b", api_url="https://h/secret-path/api"),
        today=TODAY,
    )

    assert "tc-secret-repr-1a2b" not in repr(settings)
    assert "secret-path" not in repr(settings)
    assert "overlap_days=" in repr(settings)


@pytest.mark.parametrize("raw", ["", "  ", "maybe", "flase"])
def test_a_boolean_from_an_environment_variable_that_says_neither_true_nor_false_is_refused(
    monkeypatch, raw
):
    monkeypatch.setenv("TAP_TIMECAMP_INCLUDE_RATES", raw)

    with pytest.raises(ConfigValidationError) as caught:
        TapTimeCamp(config=base_config(), parse_env_config=True)

    assert "`include_rates`" in str(caught.value.errors)
    assert "TAP_TIMECAMP_INCLUDE_RATES" in str(caught.value.errors)


@pytest.mark.parametrize(("raw", "value"), [("false", False), ("0", False), ("TRUE", True)])
def test_a_boolean_from_an_environment_variable_saying_true_or_false_is_read(
    monkeypatch, raw, value
):
    monkeypatch.setenv("TAP_TIMECAMP_INCLUDE_RATES", raw)

    tap = TapTimeCamp(config=base_config(), parse_env_config=True)

    assert Settings.from_config(tap.config, today=TODAY).include_rates is value


@pytest.mark.parametrize(
    ("key", "hint"),
    [("user_id", "did you mean `user_ids`?"), ("userids", "did you mean `user_ids`?")],
)
def test_an_unknown_setting_is_one_warning_naming_the_closest_setting(caplog, key, hint):
    TapTimeCamp(config=base_config(**{key: [1]}))

    [warning] = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert f"Setting `{key}` is not a setting of tap-timecamp and is ignored: {hint}" == warning


def test_an_unknown_setting_like_no_other_is_a_warning_without_a_guess(caplog):
    TapTimeCamp(config=base_config(colour="blue"))

    [warning] = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warning == "Setting `colour` is not a setting of tap-timecamp and is ignored"


def test_known_settings_and_the_sdks_own_raise_no_warning(caplog):
    TapTimeCamp(config=base_config(flattening_enabled=False, stream_maps={}, user_ids=[1]))

    assert [r for r in caplog.records if r.levelname == "WARNING"] == []
