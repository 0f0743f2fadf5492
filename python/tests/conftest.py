"""Shared fixtures: small runs (the extension may be a dev build) and the CLI binary."""
import os
import shutil
from pathlib import Path

import pytest

import tokenmaxx

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def small_run():
    """amazon-2026 at 1,200 employees x 20 weeks, seed 7, with its event log."""
    return tokenmaxx.scenario("amazon-2026").run(seed=7, employees=1200, weeks=20, events=True)


@pytest.fixture(scope="session")
def cli():
    """The CLI binary: $TOKENMAXX_BIN, else target/debug/tokenmaxx (CI fails without it)."""
    path = Path(os.environ.get("TOKENMAXX_BIN", ROOT / "target" / "debug" / "tokenmaxx"))
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: build it first (cargo build)")
        pytest.skip(f"{path} is missing (cargo build makes it)")
    return str(path)


@pytest.fixture
def tmp_out(tmp_path):
    yield tmp_path
    shutil.rmtree(tmp_path, ignore_errors=True)
