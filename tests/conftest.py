"""Fixtures shared by every test package.

``shared_dir`` is ../shared beside the clone (the project's read-only data: real exports,
labelled benchmarks, metafor reference values). Tests that need it skip with a clear message
where it is absent; CI has it.

Under CI (the ``CI`` environment variable set, as ``.ci/run`` runs) a skip fails the run:
PostgreSQL, Debian's chromium, LibreOffice and ../shared are all there, so a test that skips
has lost what it needs, and a green CI must mean every test ran.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs property tests derandomized (the same examples every run, so a red CI is
# reproducible) and without per-example deadlines (CI shares 2 cores); local runs explore.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EVIDENS_SHARED", REPO_ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}: it holds the real data this test reads")
    return SHARED


PG_ADMIN_URL = os.environ.get("EVIDENS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    """None when the server answers, else why not (for the skip message)."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    reason = _pg_available()
    if reason:
        pytest.skip(reason)
    import uuid

    import psycopg

    name = f"evidens_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store location on each backend: a SQLite file, and a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "review.db")
    return str(request.getfixturevalue("pg_url"))


_SKIPPED: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _SKIPPED.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI") and _SKIPPED and exitstatus == 0:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(
                f"CI: {len(_SKIPPED)} tests skipped (first: {_SKIPPED[0]}); under CI every "
                "test must run - install what scripts/setup-system.sh installs, put ../shared "
                "beside the clone",
                red=True,
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
