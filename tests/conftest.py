"""Shared test fixtures: where the seed and the devset live, and how to skip without them."""
from __future__ import annotations

import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
SEED = SAMPLES / "000_b2868bf1b7a93490.txt"
SHARED = ROOT.parent / "shared"
DEVSET = SHARED / "devset"


def devset_files() -> list[pathlib.Path]:
    return sorted(DEVSET.glob("*.txt")) if DEVSET.is_dir() else []


def gold_for(path: pathlib.Path) -> dict:
    return json.loads(path.with_name(path.stem + ".gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_bytes() -> bytes:
    return SEED.read_bytes()


@pytest.fixture(scope="session")
def devset() -> list[pathlib.Path]:
    files = devset_files()
    if not files:
        pytest.skip(f"the devset is not at {DEVSET} (it ships beside the project, not in it)")
    return files
