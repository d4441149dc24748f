"""What each Meltano plugin's installation depends on, as one digest per plugin.

    python scripts/plugin_stamps.py [PROJECT_ROOT]

prints one line per plugin of meltano.yml, `<type> <name> <digest>`. `scripts/bootstrap`
keeps the digest a plugin was installed with next to its venv and installs again only the
plugins whose digest changed. A digest covers:

- the plugin's definition in meltano.yml (pip_url, python, ...; not its settings' values
  in environments, which Meltano reads at run time);
- its files under plugins/ (a Hub definition, a lock file);
- for a pip_url naming a directory of this project: with `-e` (editable) its pyproject.toml,
  as code changes need no reinstall; without `-e` every file a build reads from it (all but
  its tests), as pip copies the code into the venv;
- the Python the plugin's venv is made with, and Meltano's version.

Meltano's own check (`.meltano_plugin_fingerprint`) compares only the pip_url and the
Python: it would keep a venv built from older code of a local, non-editable package.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import typing as t
from pathlib import Path

import yaml

# Keys of a plugin definition that change nothing in its venv.
RUN_TIME_KEYS = frozenset(
    {"config", "settings", "settings_group_validation", "select", "metadata", "schema", "env"}
    | {"description", "label", "capabilities", "docs", "repo", "logo_url", "keywords"}
)
SKIPPED_DIRS = frozenset({"tests", "__pycache__", "build", "dist", ".git"})


def project_files(directory: Path) -> list[Path]:
    """The files of `directory` a package build reads: what git tracks or would, but tests."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "."],
            cwd=directory,
            capture_output=True,
            check=True,
        ).stdout.decode()
        files = [directory / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout
        files = [path for path in directory.rglob("*") if path.is_file()]
    return sorted(
        path
        for path in files
        if path.is_file()
        and not any(
            part in SKIPPED_DIRS or part.endswith(".egg-info")
            for part in path.relative_to(directory).parts
        )
    )


def local_requirements(pip_url: str, root: Path) -> list[Path]:
    """The project files a pip_url installs from (none for a package from an index)."""
    files: list[Path] = []
    editable = False
    for word in pip_url.split():
        if word in ("-e", "--editable"):
            editable = True
            continue
        if word.startswith(("./", "../", "/")) and (root / word).is_dir():
            directory = (root / word).resolve()
            files += [directory / "pyproject.toml"] if editable else project_files(directory)
        editable = False
    return files


@functools.cache
def python_identity(python: str | None) -> str:
    """The interpreter a plugin venv is made with: its real path and version.

    Asked of the interpreter itself: `python3.11` is often a pyenv shim, the same file
    whichever 3.11 it runs.
    """
    if python is None:  # Meltano's own, which runs this script
        return f"{os.path.realpath(sys.executable)} {sys.version}"
    if shutil.which(python) is None:
        return f"missing: {python}"
    asked = subprocess.run(
        [python, "-c", "import os, sys; print(os.path.realpath(sys.executable), sys.version)"],
        capture_output=True,
        text=True,
        check=False,
    )
    # One that does not run makes `meltano install` say so.
    return asked.stdout.strip() if asked.returncode == 0 else f"not running: {python}"


def plugin_digest(plugin_type: str, plugin: dict[str, t.Any], root: Path) -> str:
    """The digest of everything `plugin`'s venv is built from."""
    digest = hashlib.sha256()
    definition = {key: value for key, value in plugin.items() if key not in RUN_TIME_KEYS}
    digest.update(json.dumps(definition, sort_keys=True).encode())
    digest.update(python_identity(plugin.get("python")).encode())
    digest.update(importlib.metadata.version("meltano").encode())
    definitions = sorted((root / "plugins" / plugin_type).glob(f"{plugin['name']}--*"))
    for path in [*definitions, *local_requirements(plugin.get("pip_url", ""), root)]:
        digest.update(os.path.relpath(path, root).encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"missing")
    return digest.hexdigest()


def main() -> int:
    """Print `<type> <name> <digest>` for every plugin of the project."""
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    project = yaml.safe_load((root / "meltano.yml").read_text())
    for plugin_type, plugins in (project.get("plugins") or {}).items():
        for plugin in plugins:
            print(plugin_type, plugin["name"], plugin_digest(plugin_type, plugin, root))
    return 0


if __name__ == "__main__":
    sys.exit(main())
