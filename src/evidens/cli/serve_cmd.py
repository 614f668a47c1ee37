"""``evidens serve`` (the web app) and ``evidens user add`` (accounts for a deployment)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from evidens.errors import NotFoundError, ValidationError
from evidens.services.review import accounts
from evidens.services.review.first_accounts import first_accounts
from evidens.services.store import ReviewStore, open_review, prepare_engine
from evidens.web.settings import MIB, ServerSettings, to_environment

console = Console(highlight=False)
DEMO_STORES = (Path("out/dinosaur-records/review.db"), Path("out/riss/review.db"))


def _store_location(store: str | None) -> str:
    """The store named, or the README's demo review (``make demo``) when none is."""
    if store is not None:
        if "://" not in store and not Path(store).is_file():
            raise NotFoundError(f"no review store at {store}", hint="check the path or URL")
        return store
    for candidate in DEMO_STORES:
        if candidate.is_file():
            return str(candidate)
    raise NotFoundError(
        "no STORE given and no demo review in out/",
        hint="run `make demo` first, or name a review file or PostgreSQL URL",
    )


def serve(
    store: Annotated[
        str | None, typer.Argument(help="review file or PostgreSQL URL (default: the demo)")
    ] = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[
        int, typer.Option(help="server processes (more use more cores; PostgreSQL suits them)")
    ] = 1,
    public_url: Annotated[
        str | None,
        typer.Option(help="the address people open, for links (default: http://HOST:PORT)"),
    ] = None,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(help="a reverse proxy's address whose X-Forwarded-For is believed"),
    ] = None,
    max_upload_mb: Annotated[
        int, typer.Option(help="the largest upload accepted, in MiB")
    ] = ServerSettings.max_upload_bytes // MIB,
    max_form_kb: Annotated[
        int, typer.Option(help="the largest body of any other request, in KiB")
    ] = ServerSettings.max_form_bytes // 1024,
    import_job_kb: Annotated[
        int, typer.Option(help="an upload larger than this (KiB) is imported as a job")
    ] = ServerSettings.import_job_bytes // 1024,
    api_url: Annotated[
        list[str] | None,
        typer.Option(help="SOURCE=URL: a database API's address (a mirror) for page searches"),
    ] = None,
) -> None:
    """Serve the web app: accounts, blinded screening, conflicts, dashboard."""
    import uvicorn

    from evidens.web.app import STORE_VARIABLE, create_app

    settings = ServerSettings(
        public_url=public_url or f"http://{host}:{port}",
        trusted_proxies=tuple(trusted_proxy or ()),
        max_upload_bytes=max_upload_mb * MIB,
        max_form_bytes=max_form_kb * 1024,
        import_job_bytes=import_job_kb * 1024,
        api_urls=tuple(
            (name.strip(), url.strip())
            for name, _, url in (u.partition("=") for u in api_url or ())
        ),
    )
    location = _store_location(store)
    engine = prepare_engine(location)
    created = first_accounts(engine)
    if created:
        table = Table(title="Accounts created (passwords are shown only now)")
        table.add_column("username")
        table.add_column("password")
        for username, password in created:
            table.add_row(username, password)
        console.print(table)
    console.print(f"evidens serves {location} at http://{host}:{port}/")
    # uvicorn would otherwise take X-Forwarded-For from 127.0.0.1 as the client's address:
    # evidens reads it itself, and only from the proxies named (settings.trusted_proxies)
    common: dict[str, Any] = {"host": host, "port": port, "log_level": "warning"}
    common["proxy_headers"] = False
    if workers > 1:
        engine.dispose()
        os.environ[STORE_VARIABLE] = location
        os.environ.update(to_environment(settings))
        target = "evidens.web.app:app_from_environment"
        uvicorn.run(target, factory=True, workers=workers, **common)
        return
    uvicorn.run(create_app(engine, settings), **common)


def user_add(
    name: Annotated[str, typer.Argument(help="username")],
    db: Annotated[str | None, typer.Option(help="review file or PostgreSQL URL")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from stdin")
    ] = False,
    review: Annotated[str | None, typer.Option(help="also add to this review (its slug)")] = None,
    role: Annotated[
        str, typer.Option(help="role in --review: owner, reviewer, viewer")
    ] = "reviewer",
    actor: Annotated[
        str, typer.Option("--actor", help="who is adding the account, for the audit log")
    ] = "evidens user add",
) -> None:
    """Create an account (the password is read from a prompt, or stdin)."""
    location = _store_location(db)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise ValidationError("no password given", field="password")
    engine = prepare_engine(location)
    try:
        accounts.create_user(engine, name, password)
        if review is not None:
            found: ReviewStore = open_review(location, review)
            accounts.add_member(found, name, role, actor=actor)
            found.dispose()
    finally:
        engine.dispose()
    console.print(f"created user {name}" + (f" ({role} of {review})" if review else ""))


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    users = typer.Typer(help="Accounts for the web app.", no_args_is_help=True)
    users.command("add")(user_add)
    app.add_typer(users, name="user")
