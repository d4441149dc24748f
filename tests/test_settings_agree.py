"""One set of settings, told the same way everywhere a user reads them.

The tap's config schema (`tap_timecamp.settings`, as `tap-timecamp --about` prints it) is
the one declaration of each setting's name, kind, default and description; meltano.yml, the
Meltano Hub definition, `.env.sample` and the README's settings table must agree with it.
`scripts/generate-plugin-definitions` writes the Hub definition, meltano.yml's tap settings and
the README's table from it; the tests below check what it wrote, and that it is current.
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
import typing as t

import pytest
import yaml

from tap_timecamp.settings import CONFIG_SCHEMA
from tests.pipeline import REPO

HUB_FILE = REPO / "plugins" / "extractors" / "tap-timecamp--timecamp-singer.yml"
TAP = REPO / ".venv" / "bin" / "tap-timecamp"
# Set by Meltano itself, not by the user.
MELTANO_PROVIDED = {"MELTANO_PROJECT_ROOT", "MELTANO_ENVIRONMENT"}


@pytest.fixture(scope="module")
def about() -> dict[str, t.Any]:
    done = subprocess.run(
        [str(TAP), "--about", "--format=json"], capture_output=True, text=True, check=True
    )
    return t.cast("dict[str, t.Any]", json.loads(done.stdout))


def meltano_yml() -> dict[str, t.Any]:
    return t.cast("dict[str, t.Any]", yaml.safe_load((REPO / "meltano.yml").read_text()))


def tap_in_meltano_yml() -> dict[str, t.Any]:
    extractors = meltano_yml()["plugins"]["extractors"]
    return next(p for p in extractors if p["name"] == "tap-timecamp")


def hub_definition() -> dict[str, t.Any]:
    return t.cast("dict[str, t.Any]", yaml.safe_load(HUB_FILE.read_text(encoding="utf-8")))


def meltano_kind(prop: dict[str, t.Any]) -> str:
    if prop.get("format") in {"date", "date-time"}:
        return "date_iso8601"
    return next(kind for kind in prop["type"] if kind != "null")


def described(setting: dict[str, t.Any], prop: dict[str, t.Any]) -> dict[str, t.Any]:
    """What a Meltano setting says about a property, and what the property says."""
    said = {
        "label": setting.get("label"),
        "kind": setting.get("kind"),
        "value": setting.get("value"),
        "sensitive": setting.get("sensitive", False),
        "description": setting.get("description"),
    }
    truth = {
        "label": prop.get("title"),
        "kind": meltano_kind(prop),
        "value": prop.get("default"),
        "sensitive": prop.get("secret", False),
        "description": prop.get("description"),
    }
    return {"meltano": said, "tap": truth}


def test_hub_definition_describes_every_setting_of_the_tap_as_about_does(about):
    hub = hub_definition()
    properties = about["settings"]["properties"]

    assert [s["name"] for s in hub["settings"]] == list(properties)
    for setting in hub["settings"]:
        prop = properties[setting["name"]]
        pair = described(setting, prop)
        assert pair["meltano"] == pair["tap"], setting["name"]
    assert hub["capabilities"] == about["capabilities"]
    assert hub["settings_group_validation"] == [about["settings"]["required"]]


def test_hub_definition_names_the_published_package_and_its_executable():
    hub = hub_definition()
    pyproject = tomllib.loads((REPO / "tap-timecamp" / "pyproject.toml").read_text())
    project = pyproject["project"]

    assert hub["pip_url"] == project["name"] == hub["name"]
    assert hub["executable"] in project["scripts"]
    assert hub["namespace"] == tap_in_meltano_yml()["namespace"] == "tap_timecamp"
    assert HUB_FILE.name == f"{hub['name']}--{hub['variant']}.yml"
    assert {"name", "label", "description", "keywords", "domain_url"} <= hub.keys()


def test_hub_definition_names_the_projects_public_home_and_a_logo_it_ships():
    hub = hub_definition()
    urls = tomllib.loads((REPO / "tap-timecamp" / "pyproject.toml").read_text())["project"]["urls"]
    raw_main = "https://raw.githubusercontent.com/timecamp-singer/tap-timecamp/main/"

    assert hub["variant"] == "timecamp-singer"
    assert hub["repo"] == urls["Source"] == "https://github.com/timecamp-singer/tap-timecamp"
    assert hub["docs"].startswith(hub["repo"])
    assert hub["logo_url"].startswith(raw_main)
    logo = REPO / hub["logo_url"].removeprefix(raw_main)
    assert logo.suffix == ".svg"
    assert logo.read_text(encoding="utf-8").lstrip().startswith("<svg")


def test_meltano_yml_declares_every_tap_setting_as_the_tap_describes_it(about):
    tap = tap_in_meltano_yml()
    properties = about["settings"]["properties"]
    declared = {s["name"]: s for s in tap["settings"]}

    assert set(CONFIG_SCHEMA["properties"]) <= declared.keys()
    assert sorted(declared) == sorted(properties)
    for name, setting in declared.items():
        pair = described(setting, properties[name])
        assert pair["meltano"] == pair["tap"], name
    assert tap["settings_group_validation"] == [CONFIG_SCHEMA["required"]]
    assert tap["capabilities"] == about["capabilities"]


def test_the_hub_definition_meltano_yml_and_readme_are_what_the_generator_writes_today():
    done = subprocess.run(
        [str(REPO / "scripts" / "generate-plugin-definitions"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, (
        f"{done.stderr}A setting or capability of the tap changed since they were written: run "
        "scripts/generate-plugin-definitions and commit what it writes"
    )


def test_every_variable_meltano_yml_reads_from_the_environment_is_in_env_sample():
    text = (REPO / "meltano.yml").read_text(encoding="utf-8")
    # What every environment sets itself is never read from the user's environment.
    environments = [set(env.get("env") or {}) for env in meltano_yml()["environments"]]
    project_provided = set.intersection(*environments)
    read = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", text)) - MELTANO_PROVIDED - project_provided
    offered = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", env_sample(), re.M))

    assert read, "meltano.yml reads no variable: the pattern is wrong"
    assert read <= offered, f"missing from .env.sample: {sorted(read - offered)}"


def env_sample() -> str:
    return (REPO / ".env.sample").read_text(encoding="utf-8")


def test_every_tap_setting_env_sample_offers_is_a_setting_of_the_tap_with_its_default(about):
    properties = about["settings"]["properties"]
    offered = dict(re.findall(r"^#?\s*TAP_TIMECAMP_([A-Z0-9_]+)=(.*)$", env_sample(), re.M))

    assert offered, ".env.sample offers no tap setting: the pattern is wrong"
    for variable, example in offered.items():
        name = variable.lower()
        assert name in properties, f"TAP_TIMECAMP_{variable} is no setting of the tap"
        default = properties[name].get("default")
        if isinstance(default, str) and properties[name].get("format") is None:
            assert example == default, f"TAP_TIMECAMP_{variable}: not the default {default}"


def test_every_required_setting_comes_from_a_variable_env_sample_offers(about):
    prod = next(env for env in meltano_yml()["environments"] if env["name"] == "prod")
    extractor = next(
        p for p in prod["config"]["plugins"]["extractors"] if p["name"] == "tap-timecamp"
    )
    offered = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", env_sample(), re.M))

    for name in about["settings"]["required"]:
        variable = str(extractor["config"].get(name, "")).removeprefix("$")
        assert variable in offered, f"{name}: prod reads it from no variable of .env.sample"
