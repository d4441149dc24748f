"""Determinism, flat memory at a million entries, and serving speed."""

from __future__ import annotations

import time
from datetime import date

import requests

from tests.conftest import END, NOW, START, running_cli
from timecamp_simulator import DEFAULT_TOKEN, Simulator
from timecamp_simulator.data import index_to_id
from timecamp_simulator.store import EntryFilter

YEAR = (
    "--start-date",
    "2025-01-01",
    "--end-date",
    "2025-12-31",
    "--token",
    DEFAULT_TOKEN,
    "--seed",
    "1",
)


def make(seed: int) -> Simulator:
    return Simulator(seed=seed, entries=3000, start_date=START, end_date=END, now=NOW)


def test_same_seed_gives_identical_entries_and_reference_data() -> None:
    first, second = make(11), make(11)
    assert list(first.all_entries()) == list(second.all_entries())
    assert first.catalog == second.catalog


def test_different_seeds_give_different_entries() -> None:
    assert list(make(11).all_entries()) != list(make(12).all_entries())


def test_a_million_entries_are_addressable_without_materialising_them() -> None:
    sim = Simulator(seed=5, entries=1_000_000, start_date=START, end_date=END, now=NOW)
    last = sim.layout.count - 1
    entry = sim.get_entry(index_to_id(last))
    assert entry is not None
    assert entry["date"] == END.isoformat()
    assert sim.get_entry(index_to_id(0))["date"] == START.isoformat()  # type: ignore[index]


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _fetch_january(base_url: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = requests.get(
        f"{base_url}/entries",
        params={"from": "2025-01-01", "to": "2025-01-31", "format": "json"},
        headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"},
        timeout=120,
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    return response.content.count(b'{"id":'), elapsed


def test_memory_is_flat_from_ten_thousand_to_a_million_entries() -> None:
    rss = {}
    rate = {}
    for entries in (10_000, 1_000_000):
        with running_cli("--entries", str(entries), *YEAR) as (proc, base_url):
            count, elapsed = _fetch_january(base_url)
            assert count > entries * 31 // 365 * 0.95
            rss[entries] = _rss_kib(proc.pid)
            rate[entries] = count / elapsed
    print(f"RSS KiB {rss}; entries/s {rate}")
    assert rss[1_000_000] - rss[10_000] < 30 * 1024
    # Generous floor (the target is well over 50,000/s) so a busy CI box does not flake.
    assert rate[1_000_000] > 20_000


def test_query_cost_follows_entries_returned_not_dataset_size() -> None:
    sim = Simulator(
        seed=5, entries=1_000_000, start_date=date(2025, 1, 1), end_date=date(2025, 12, 31), now=NOW
    )
    started = time.perf_counter()
    one_day = list(
        sim.store.query(EntryFilter(date_from=date(2025, 6, 1), date_to=date(2025, 6, 1)))
    )
    assert time.perf_counter() - started < 1.0
    assert 2000 < len(one_day) < 4000
