"""The ``lotline`` command: a Flask CLI group (run, db, worker, info, jobs, users, demo, audit, packs)."""

from __future__ import annotations

import os
import platform as py_platform
import sys
import time
from importlib import metadata
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from lotline import __version__
from lotline.platform.app import create_app
from lotline.platform.config import redact_url


def _make_app() -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_make_app, add_default_commands=False, add_version_option=False)
@click.version_option(__version__, prog_name="lotline")
def main() -> None:
    """Lotline: production traceability."""


@main.command("run")
@click.option("--host", default=lambda: os.environ.get("LOTLINE_HOST", "127.0.0.1"), show_default="127.0.0.1")
@click.option(
    "--port", type=int, default=lambda: int(os.environ.get("LOTLINE_PORT", "8000")), show_default="8000"
)
@with_appcontext
def run_command(host: str, port: int) -> None:
    """Serve Lotline (threaded; use gunicorn in production)."""
    import logging

    from werkzeug.serving import run_simple

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # we log each request ourselves

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f"Lotline {__version__} on {redact_url(app.config['DATABASE_URL'])}")
    click.echo(f"Open http://{host}:{port}/  (API: http://{host}:{port}/api/openapi.json)")
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


@main.group("db")
def db_group() -> None:
    """Database schema (Alembic)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate the database to REVISION (default: the newest)."""
    from lotline.platform import migrate

    migrate.upgrade(current_app.config, revision)
    click.echo(f"database at {revision} ({redact_url(current_app.config['DATABASE_URL'])})")


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models (for developers)."""
    from alembic import command

    from lotline.platform import migrate

    command.revision(migrate.alembic_config(current_app.config), message, autogenerate=True)


@main.command("worker")
@click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run an RQ worker for Lotline's queue (needs LOTLINE_REDIS_URL)."""
    from rq import Worker

    from lotline.platform.jobs import get_jobs

    jobs = get_jobs()
    if jobs.mode != "rq":
        raise click.ClickException("LOTLINE_REDIS_URL is not set: jobs already run in-process.")
    worker = Worker([jobs.queue()], connection=jobs.redis())
    click.echo(f"worker {worker.name} on queue {jobs.queue_name} ({redact_url(jobs.redis_url)})")
    worker.work(burst=burst)


@main.command("info")
@with_appcontext
def info_command() -> None:
    """Versions, database, Redis and queue status."""
    from lotline.platform import migrate
    from lotline.platform.db import get_db, get_session
    from lotline.platform.jobs import get_jobs
    from lotline.platform.system import service

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    lines = [f"lotline      {__version__}", f"python       {py_platform.python_version()}"]
    for dist in ("flask", "sqlalchemy", "alembic", "rq", "flask-smorest"):
        lines.append(f"{dist:<12} {metadata.version(dist)}")
    lines.append(f"instance     {app.instance_path}")
    lines.append(f"database     {redact_url(app.config['DATABASE_URL'])}")
    db_state = service.database_status(get_session())
    lines.append(f"  status     {db_state['status']}")
    if db_state["status"] == "ok":
        engine = get_db().engine
        assert engine is not None
        with engine.connect() as conn:
            rev = migrate.revision_status(app.config, conn)
        lines.append(
            f"  schema     {rev['current'] or 'empty'} (head {rev['head']})"
            + ("" if rev["up_to_date"] else "  -> run: lotline db upgrade")
        )
    jobs = get_jobs()
    redis_state = jobs.status()
    lines.append(
        f"jobs         {jobs.mode}"
        + (f" (queue {jobs.queue_name})" if jobs.mode == "rq" else " (no Redis; in-process)")
    )
    lines.append(
        f"redis        {redis_state['status']}"
        + (f" {redis_state.get('url')}" if redis_state.get("url") else "")
    )
    if redis_state["status"] == "ok":
        from rq import Worker

        queue = jobs.queue()
        lines.append(f"  queued     {queue.count}")
        lines.append(f"  started    {queue.started_job_registry.count}")
        lines.append(f"  failed     {queue.failed_job_registry.count}")
        lines.append(f"  workers    {Worker.count(queue=queue)}")
    click.echo("\n".join(lines))


@main.group("jobs")
def jobs_group() -> None:
    """Background jobs."""


@jobs_group.command("selfcheck")
@click.option("--timeout", default=30.0, help="Seconds to wait for a worker (RQ mode).")
@with_appcontext
def jobs_selfcheck(timeout: float) -> None:
    """Run a self-check job through the configured job path and print its result."""
    from lotline.platform.db import get_db
    from lotline.platform.system import service

    task = service.request_selfcheck(get_db().session())
    deadline = time.monotonic() + timeout
    while True:
        session = get_db().new_session()
        try:
            current = service.get_task(session, task.id)
            status, result, error = current.status, current.result, current.error
        finally:
            session.close()
        if status in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    click.echo(f"task {task.id}: {status} {result or error or ''}")
    if status != "done":
        sys.exit(1)


@main.group("users")
def users_group() -> None:
    """Users and first start."""


@users_group.command("bootstrap")
@click.option("--username", default="admin", show_default=True)
@click.option("--password", default=None, help="Initial password (default: generated).")
@click.option("--organisation", default="Lotline", show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) when users exist already.")
@with_appcontext
def users_bootstrap(username: str, password: str | None, organisation: str, if_empty: bool) -> None:
    """Create the organisation, a first site, the built-in roles and an administrator."""
    from lotline.platform.auth import service as auth_service
    from lotline.platform.db import get_session

    session = get_session()
    if auth_service.has_users(session):
        if if_empty:
            return
        raise click.ClickException("Lotline already has users.")
    result = auth_service.bootstrap(session, organisation=organisation, username=username, password=password)
    click.echo("")
    click.echo("  First sign-in / 首次登录:")
    click.echo(f"    user name / 用户名: {result.admin.username}")
    click.echo(f"    password  / 密码:   {result.password}   (change it at first sign-in / 首次登录后须修改)")
    click.echo("")


@main.command("demo")
@click.option("--units", default=5, show_default=True, help="Widgets to produce.")
@with_appcontext
def demo_command(units: int) -> None:
    """Set up a small demo plant and a morning's production through the real API, once."""
    from lotline.platform import demo
    from lotline.platform.db import get_session
    from lotline.platform.definitions import service as definitions

    # The token's creation and revocation are audited as this command's; the demo's API calls
    # are attributed through the token like any integration's.
    with _ApiCaller("en", "demo") as client:
        if definitions.has_any(get_session(), client.organisation_id):
            click.echo("The demo plant (or other definitions) exists already; nothing to do.")
            return
        demo.build(client)
        made = demo.produce(client, units)
        lot = client.get(f"/api/items/search?q={made['lots'][0]}").get_json()[0]
    click.echo(
        f"Demo plant ready: lots {', '.join(made['lots'])}, units {made['units'][0]}…{made['units'][-1]}."
    )
    click.echo(
        f"Trace it: GET /api/items/{lot['id']}/trace?direction=forward (signed in), or search {lot['code']}."
    )


@main.group("audit")
def audit_group() -> None:
    """The audit trail (it has no off switch)."""


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Recompute every hash chain; exit 1 and name the first broken entry if any."""
    from lotline.platform.audit import service as audit_service
    from lotline.platform.db import get_session

    result = audit_service.verify(get_session())
    if result.ok:
        click.echo(f"audit trail intact: {result.entries} entries in {result.streams} streams")
        click.echo(f"seal {result.seal}  (record it: a later rewrite of these entries will not match)")
        return
    broken = result.first_broken
    assert broken is not None
    where = f"entry {broken.entry_id}" if broken.entry_id is not None else "after the last entry"
    click.echo(
        f"audit trail BROKEN: {where} (stream {broken.stream}, seq {broken.seq}): {broken.reason}: "
        f"{audit_service.BREAK_REASONS.get(broken.reason, '')}; {broken.detail}"
    )
    click.echo(f"{result.broken_streams} of {result.streams} streams broken; {result.entries} entries read")
    sys.exit(1)


# --- template packs ---------------------------------------------------------------------------


@main.group("packs")
def packs_group() -> None:
    """Industry template packs: list, preview, install, upgrade, uninstall, demo data."""


class _ApiCaller:
    """The CLI acts through the REST API like any integration: a short-lived token of the first
    administrator (created and revoked by this command, both audited), the app's test client."""

    def __init__(self, locale: str, name: str = "packs") -> None:
        self.locale, self.name = locale, name

    def __enter__(self) -> Any:
        import logging

        from lotline.platform import demo
        from lotline.platform.audit import service as audit_service
        from lotline.platform.auth import service as auth_service
        from lotline.platform.auth.permissions import PERMISSIONS
        from lotline.platform.db import get_session

        logging.getLogger("lotline.request").setLevel(logging.WARNING)  # the calls are this command's
        session = get_session()
        admin = auth_service.first_admin(session)
        if admin is None:
            raise click.ClickException("No administrator yet: run `lotline users bootstrap` first.")
        audit_service.set_actor(session, audit_service.system_actor(self.name, admin.organisation_id))
        self.organisation_id = admin.organisation_id
        self.token, secret = auth_service.create_token(
            session,
            organisation_id=admin.organisation_id,
            created_by_id=admin.id,
            creator_permissions=PERMISSIONS,
            name=f"lotline {self.name}",
            permissions=sorted(PERMISSIONS),
        )
        client = demo.TokenClient(current_app.test_client(), secret)
        client.headers["Accept-Language"] = self.locale
        client.organisation_id = self.organisation_id  # type: ignore[attr-defined]
        return client

    def __exit__(self, *exc: object) -> None:
        from lotline.platform.auth import service as auth_service
        from lotline.platform.db import get_session

        auth_service.revoke_token(get_session(), self.organisation_id, self.token.id)


def _answer(response: Any) -> Any:
    """The JSON of a successful answer, or a ClickException listing every problem with its path."""
    body = response.get_json()
    if response.status_code in (200, 201):
        return body
    lines = [f"{body.get('message')} ({body.get('code')})"]
    lines += [f"  {e.get('field') or '-'}: {e.get('message')}" for e in body.get("errors") or []]
    raise click.ClickException("\n".join(lines))


def _text(value: Any, locale: str) -> str:
    if isinstance(value, dict):
        return str(value.get(locale) or value.get("en") or "")
    return str(value or "")


def _print_plan(plan: dict[str, Any]) -> None:
    counts = ", ".join(f"{n} {action}" for action, n in sorted(plan["counts"].items())) or "nothing to do"
    click.echo(f"{plan['pack']} {plan['version']}: {plan['action']} ({counts})")
    for change in plan["changes"]:
        if change["action"] in ("create", "publish"):
            version = f" v{change['version']}" if change.get("version") else ""
            click.echo(f"  {change['action']:<8} {change['kind']:<9} {change['key']}{version}")


_LOCALE = click.option(
    "--lang", "locale", default="en", type=click.Choice(["en", "zh-CN"]), show_default=True
)
_VERSION = click.option("--version", "version", default=None, help="Default: the newest available.")


@packs_group.command("list")
@_LOCALE
@with_appcontext
def packs_list(locale: str) -> None:
    """Available packs and what is installed."""
    with _ApiCaller(locale) as client:
        packs = _answer(client.get("/api/packs"))
    for pack in packs:
        installed = pack["installed"]
        state = f"{installed['status']} {installed['version']}" if installed else "not installed"
        click.echo(
            f"{pack['id']:<12} {pack['latest_version'] or '-':<8} {state:<22} {_text(pack['name'], locale)}"
        )


@packs_group.command("preview")
@click.argument("pack_id")
@_VERSION
@_LOCALE
@with_appcontext
def packs_preview(pack_id: str, version: str | None, locale: str) -> None:
    """What installing (or upgrading to) a pack would do; writes nothing."""
    query = f"?version={version}" if version else ""
    with _ApiCaller(locale) as client:
        _print_plan(_answer(client.get(f"/api/packs/{pack_id}/preview{query}")))


@packs_group.command("check")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@_LOCALE
def packs_check(folder: str, locale: str) -> None:
    """Validate a pack folder with the engines (no database needed); exit 1 on problems."""
    from lotline import templates_library
    from lotline.platform.auth.permissions import BUILTIN_ROLES, PERMISSIONS

    pack = templates_library.load_pack(folder)
    problems = templates_library.check_pack(
        pack, known_permissions=PERMISSIONS, known_roles=tuple(BUILTIN_ROLES)
    )
    for problem in problems:
        field, message = problem.to_dict(locale)["field"], problem.message(locale)
        click.echo(message if field and message.startswith(field) else f"{field or '-'}: {message}")
    if problems:
        sys.exit(1)
    click.echo(f"{pack.id} {pack.version}: no problems")


def _run_demo(client: Any, pack_id: str, scale: float, seed: int) -> None:
    from lotline.platform.packs import service as packs_service

    pack = packs_service.recipe_of(pack_id, packs_service.pack_roots(current_app.config.get("PACK_DIRS")))
    if pack.demo is None:
        raise click.ClickException(f"{pack_id} has no demo recipe.")
    done = any(
        _answer(client.get(f"/api/flow-instances?flow={pack.flow_key(flow)}&limit=1"))["total"]
        for flow in pack.flows
    )
    if done:
        click.echo(f"{pack_id}: production data exists already; no demo run.")
        return
    run = _load_recipe(pack.demo)
    started = time.monotonic()
    summary = run(client, scale=scale, seed=seed)
    took = time.monotonic() - started
    click.echo(
        f"Demo production of {pack_id}: {summary['records']} records, {summary['items']} items"
        f" in {took:.0f} s ({summary['days']} days;"
        f" {summary['refused_on_purpose']} refused on purpose by error-proofing)."
    )
    trace = summary.get("trace")
    if trace:
        found = _answer(client.get(f"/api/items/search?q={trace}"))
        if found:
            click.echo(f"Trace a finished item: search {trace}, or GET /api/items/{found[0]['id']}/trace")


def _load_recipe(path: Any) -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"lotline_pack_recipe_{path.parent.name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.run


@packs_group.command("install")
@click.argument("pack_id")
@_VERSION
@click.option("--demo", is_flag=True, help="Then produce the pack's demo history.")
@click.option("--scale", default=1.0, show_default=True, help="Demo size factor.")
@click.option("--seed", default=7, show_default=True, help="Demo random seed.")
@click.option("--first-start", is_flag=True, help="Do nothing when anything has been designed already.")
@_LOCALE
@with_appcontext
def packs_install(
    pack_id: str, version: str | None, demo: bool, scale: float, seed: int, first_start: bool, locale: str
) -> None:
    """Install a pack (installing the installed version again changes nothing)."""
    from lotline.platform.auth import service as auth_service
    from lotline.platform.db import get_session
    from lotline.platform.definitions import service as definitions

    if first_start:
        admin = auth_service.first_admin(get_session())
        if admin is not None and definitions.has_any(get_session(), admin.organisation_id):
            click.echo("Definitions exist already (not a first start); no pack installed.")
            return
    body = {"version": version} if version else {}
    with _ApiCaller(locale) as client:
        result = _answer(client.post(f"/api/packs/{pack_id}/install", json=body))
        _print_plan(result["plan"])
        if demo:
            _run_demo(client, pack_id, scale, seed)
    if first_start:
        click.echo("Sign in with the user name and password printed above (first start).")


@packs_group.command("upgrade")
@click.argument("pack_id")
@_VERSION
@_LOCALE
@with_appcontext
def packs_upgrade(pack_id: str, version: str | None, locale: str) -> None:
    """Publish a newer version's changes beside the old versions (instances keep theirs)."""
    body = {"version": version} if version else {}
    with _ApiCaller(locale) as client:
        _print_plan(_answer(client.post(f"/api/packs/{pack_id}/upgrade", json=body))["plan"])


@packs_group.command("uninstall")
@click.argument("pack_id")
@_LOCALE
@with_appcontext
def packs_uninstall(pack_id: str, locale: str) -> None:
    """Uninstall a pack (refused while its flows have records)."""
    with _ApiCaller(locale) as client:
        row = _answer(client.post(f"/api/packs/{pack_id}/uninstall", json={}))
    click.echo(f"{pack_id} {row['version']}: {row['status']}")


@packs_group.command("demo")
@click.argument("pack_id")
@click.option("--scale", default=1.0, show_default=True, help="Demo size factor.")
@click.option("--seed", default=7, show_default=True, help="Random seed (same seed, same history).")
@_LOCALE
@with_appcontext
def packs_demo(pack_id: str, scale: float, seed: int, locale: str) -> None:
    """Produce an installed pack's demo history through the real API (once)."""
    with _ApiCaller(locale) as client:
        _run_demo(client, pack_id, scale, seed)
