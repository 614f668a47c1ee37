"""``evidens user add`` and what ``evidens serve`` does before serving: find the demo store,
create first accounts for the review's members (passwords shown once)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evidens.cli import app
from evidens.cli.serve_cmd import _store_location
from evidens.errors import NotFoundError
from evidens.services.review import accounts, first_accounts
from evidens.services.review.permissions import memberships
from evidens.services.store import create_review, prepare_engine

PASSWORD = "correct horse battery"


def test_user_add_reads_the_password_from_stdin_and_adds_to_a_review(tmp_path: Path) -> None:
    db = str(tmp_path / "review.db")
    create_review(db, title="CLI review", slug="cli").dispose()
    result = CliRunner().invoke(
        app,
        ["user", "add", "dana", "--db", db, "--password-stdin", "--review", "cli"],
        input=PASSWORD + "\n",
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "created user dana (reviewer of cli)" in result.output
    engine = prepare_engine(db)
    opened = accounts.authenticate(engine, "dana", PASSWORD, "127.0.0.1")
    assert opened.user.username == "dana"
    assert [(m.slug, m.role) for m in memberships(engine, "dana")] == [("cli", "reviewer")]
    engine.dispose()


def test_first_accounts_for_members_then_never_again(tmp_path: Path) -> None:
    store = create_review(str(tmp_path / "review.db"), title="Team review", slug="team")
    accounts.add_member(store, "Dr A. Smith", "owner", actor="evidens")
    accounts.add_member(store, "bo", "reviewer", actor="evidens")
    created = dict(first_accounts.first_accounts(store.engine))
    assert sorted(created) == ["Dr-A.-Smith", "bo"]
    assert len(set(created.values())) == 2
    assert all(len(p) >= accounts.MIN_PASSWORD for p in created.values())
    who = accounts.authenticate(store.engine, "bo", created["bo"], "127.0.0.1").user
    assert who.display_name == "bo"
    assert first_accounts.first_accounts(store.engine) == []
    # "Dr A. Smith" is not a usable username: the account made for them keeps their role
    roles = [(m.slug, m.role) for m in memberships(store.engine, "Dr-A.-Smith")]
    assert roles == [("team", "owner")]
    store.dispose()


def test_a_store_without_members_gets_an_owner_account(tmp_path: Path) -> None:
    store = create_review(str(tmp_path / "review.db"), title="Lonely review", slug="lonely")
    created = first_accounts.first_accounts(store.engine)
    assert [name for name, _ in created] == ["owner"]
    assert [(m.slug, m.role) for m in memberships(store.engine, "owner")] == [("lonely", "owner")]
    store.dispose()


def test_serve_finds_the_demo_review_or_says_how_to_make_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NotFoundError, match="make demo"):
        _store_location(None)
    (tmp_path / "out" / "riss").mkdir(parents=True)
    (tmp_path / "out" / "riss" / "review.db").write_bytes(b"")
    assert _store_location(None) == "out/riss/review.db"
    (tmp_path / "out" / "dinosaur-records").mkdir()
    (tmp_path / "out" / "dinosaur-records" / "review.db").write_bytes(b"")
    assert _store_location(None) == "out/dinosaur-records/review.db"
    with pytest.raises(NotFoundError):
        _store_location("missing.db")


def test_each_worker_process_builds_its_app_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evidens.errors import ReviewStateError
    from evidens.web.app import STORE_VARIABLE, app_from_environment

    monkeypatch.delenv(STORE_VARIABLE, raising=False)
    with pytest.raises(ReviewStateError, match=STORE_VARIABLE):
        app_from_environment()
    db = str(tmp_path / "review.db")
    create_review(db, title="Worker review", slug="worker").dispose()
    monkeypatch.setenv(STORE_VARIABLE, db)
    built = app_from_environment()
    assert built.state.engine.url.database == db
    built.state.engine.dispose()


def test_servers_started_at_once_make_the_first_accounts_once(store_url: str) -> None:
    """Two hosts starting ``evidens serve`` on a new store at the same instant: one makes
    the accounts (and shows their passwords), the others find them made, none fails."""
    store = create_review(store_url, title="Team review", slug="team")
    for name in ("ana", "bo", "cy"):
        accounts.add_member(store, name, "reviewer", actor="evidens")
    starting = 4
    gate = threading.Barrier(starting, timeout=30)
    results: list[list[tuple[str, str]]] = []
    failures: list[BaseException] = []

    def start() -> None:
        gate.wait()
        try:
            results.append(first_accounts.first_accounts(store.engine))
        except BaseException as exc:  # noqa: BLE001 - the test reports every failure
            failures.append(exc)

    threads = [threading.Thread(target=start) for _ in range(starting)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    made = [r for r in results if r]
    assert len(made) == 1
    assert sorted(name for name, _ in made[0]) == ["ana", "bo", "cy"]
    assert accounts.count_users(store.engine) == 3
    store.dispose()
