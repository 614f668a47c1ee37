"""A store with two reviews and a team on each, served in-process; one signed-in HTTP
client per person. Record 2's title and abstract carry markup and a script."""

from __future__ import annotations

import os
import shutil
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette 1.x would rather use the httpx2 fork; plain httpx (installed) works the same
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from evidens.services.identification import dedup, imports
from evidens.services.review import accounts
from evidens.services.store import ReviewStore, create_review, open_review
from evidens.store.models import RecordRow
from evidens.web.app import create_app

PG_ADMIN_URL = os.environ.get("EVIDENS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")

PASSWORD = "correct horse battery"
XSS_TITLE = "<script>alert('title')</script> Ketogenic <b>diet</b> & spasms"
XSS_ABSTRACT = "<img src=x onerror=alert('abstract')> infants with spasms <i>randomised</i>"
RIS = (
    "TY  - JOUR\nTI  - Ketogenic diet for refractory infantile spasms: a randomised trial\n"
    "AB  - Infants with spasms were randomised to diet or ACTH.\nAU  - Rivera, Ana\n"
    "PY  - 2020\nJO  - Journal of Child Neurology\nDO  - 10.4000/web.1\nER  - \n"
    f"TY  - JOUR\nTI  - {XSS_TITLE}\nAB  - {XSS_ABSTRACT}\nAU  - Osei, Kwame\nPY  - 2019\n"
    "JO  - Epilepsia\nDO  - 10.4000/web.2\nER  - \n"
    "TY  - JOUR\nTI  - Vigabatrin in adults with focal epilepsy\nAU  - Tanaka, Yui\n"
    "PY  - 2021\nJO  - Seizure\nDO  - 10.4000/web.3\nER  - \n"
)
TEAM = {
    "olga": ("owner", ()),
    "alice": ("reviewer", ()),
    "bruno": ("reviewer", ()),
    "rita": ("reviewer", ("resolver",)),
    "ivan": ("viewer", ("can import",)),
    "vera": ("viewer", ()),
}


@dataclass(frozen=True)
class Site:
    store: ReviewStore
    other: ReviewStore
    app_client: Callable[[], TestClient]
    login: Callable[[str], TestClient]
    record_ids: list[int]
    other_record: int
    password: str = PASSWORD

    @staticmethod
    def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
        return sign_in(client, name, password)

    @staticmethod
    def csrf_of(client: TestClient) -> str:
        return csrf_of(client)

    @staticmethod
    def login_token(client: TestClient) -> str:
        """The login form's CSRF token (and its cookie, set on ``client``)."""
        form = client.get("/login")
        assert form.status_code == 200
        return form.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def _review(url: str, slug: str, tmp: Path) -> ReviewStore:
    store = create_review(
        url,
        title=f"Spasms review {slug}",
        slug=slug,
        protocol={
            "question": "Does diet help infantile spasms?",
            "inclusion_criteria": ["Infants with <spasms>"],
            "exclusion_criteria": ["Adults"],
        },
        settings={
            "reviewers_required": {"title_abstract": 2, "full_text": 2},
            "exclusion_reasons": ["Not randomized", "Wrong population"],
            "highlight": {"include": ["spasm*", "diet"], "exclude": ["adult*"]},
        },
    )
    path = tmp / f"{slug}.ris"
    path.write_text(RIS, encoding="utf-8")
    imports.import_file(store, path, source="PubMed", actor="olga")
    dedup.deduplicate(store, actor="olga")
    return store


@pytest.fixture(autouse=True)
def cheap_hashes() -> Iterator[None]:
    """Real argon2id with small parameters: the default 64 MiB costs 0.5 s a hash here."""
    previous = accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    accounts.use_hasher(previous)


def _build(url: str, folder: Path) -> None:
    """The two reviews and their teams, written once per backend and copied per test."""
    store = _review(url, "main", folder)
    other = _review(url, "other", folder)
    for name, (role, permissions) in TEAM.items():
        accounts.create_user(store.engine, name, PASSWORD)
        accounts.add_member(store, name, role, permissions=permissions, actor="olga")
    accounts.create_user(store.engine, "zed", PASSWORD)
    accounts.add_member(other, "zed", "owner", actor="zed")
    store.dispose()
    other.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Built stores by backend: a SQLite file, a PostgreSQL template database."""
    built: dict[str, str] = {}
    yield built
    if "postgres" in built:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{built["postgres"]}" WITH (FORCE)')


def _copy_of_template(url: str, templates: dict[str, str], factory: pytest.TempPathFactory) -> None:
    """Make ``url`` (a fresh store location) a copy of the built template."""
    if "://" not in url:
        if "sqlite" not in templates:
            folder = factory.mktemp("web-template")
            _build(str(folder / "template.db"), folder)
            templates["sqlite"] = str(folder / "template.db")
        shutil.copyfile(templates["sqlite"], url)
        return
    import psycopg

    if "postgres" not in templates:
        name = f"evidens_webtmpl_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        _build(PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, factory.mktemp("web-pg"))
        templates["postgres"] = name
    target = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{target}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{templates["postgres"]}"')


@pytest.fixture
def site(
    store_url: str, templates: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    _copy_of_template(store_url, templates, tmp_path_factory)
    store = open_review(store_url, "main")
    other = ReviewStore(store.engine, store.review_id + 1, "other")
    app = create_app(store.engine)
    clients: list[TestClient] = []

    def app_client() -> TestClient:
        client = TestClient(app, follow_redirects=False)
        clients.append(client)
        return client

    def login(name: str) -> TestClient:
        client = app_client()
        sign_in(client, name)
        return client

    with store.engine.connect() as conn:
        ids = list(
            conn.scalars(
                select(RecordRow.id)
                .where(RecordRow.review_id == store.review_id)
                .order_by(RecordRow.id)
            )
        )
        other_ids = list(
            conn.scalars(select(RecordRow.id).where(RecordRow.review_id == other.review_id))
        )
    yield Site(store, other, app_client, login, ids, other_ids[0])
    for client in clients:
        client.close()
    store.dispose()


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    token = Site.login_token(client)
    response = client.post(
        "/login", data={"username": name, "password": password, "csrf": token, "next": "/"}
    )
    assert response.status_code == 303, response.text
    return client


def csrf_of(client: TestClient) -> str:
    page = client.get("/")
    assert page.status_code == 200
    return page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]


@pytest.fixture
def review_file(
    tmp_path: Path, templates: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A SQLite review file with both reviews and their teams, for a real server."""
    path = tmp_path / "review.db"
    _copy_of_template(str(path), templates, tmp_path_factory)
    return path


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's headless chromium (for the tests marked ``browser``)."""
    from .browser_support import launch

    yield from launch()
