"""Fixtures for the end-to-end tests (helpers live in wp_e2e.py)."""
import pytest

from wp_e2e import WIREPROOF, run_wireproof


@pytest.fixture(scope="session")
def wireproof():
    if not WIREPROOF.exists():
        pytest.fail(f"{WIREPROOF} is missing: build first (ci/build), or set WIREPROOF_BUILD")
    return run_wireproof
