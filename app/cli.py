"""Flask commands: areas import, demo data, rates, translations, backup and restore."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from app import backup
from app.extensions import db

areas_cli = AppGroup("areas", help="Kemendagri area codes.")
translations_cli = AppGroup("translations", help="Indonesian and English catalogs.")
rates_cli = AppGroup("rates", help="Contribution rate tables.")
jobs_cli = AppGroup("jobs", help="Periodic clean-ups.")


@jobs_cli.command("clean-up")
@with_appcontext
def clean_up_command():
    """Record stopped checks and reports as failed and withdraw lapsed certificates (the
    worker does this every minute; this runs it once, for instance without a worker)."""
    from app.housekeeping import clean_up_now

    counts = clean_up_now(db.session, dt.datetime.now(dt.UTC))
    click.echo(
        f"{counts['checks']} check(s) and {counts['reports']} report(s) failed, "
        f"{counts['certificates']} certificate(s) withdrawn"
    )


@areas_cli.command("import")
@click.argument("provinces", nargs=-1)
def import_areas_command(provinces):
    """Load the vendored area data: all of Indonesia, or the province codes given (e.g. 61 62)."""
    from app.services import ServiceError
    from app.services.areas import import_areas

    try:
        counts = import_areas(db.session, provinces=list(provinces) or None)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))


@rates_cli.command("seed")
def seed_rates_command():
    """Insert the reference contribution rates that are missing."""
    from app.services.compliance import seed_rules
    from app.services.rates_seed import seed_rates

    created = seed_rates(db.session) + seed_rules(db.session)
    db.session.commit()
    click.echo(f"{created} rate rows added")


@click.command("demo")
@click.option(
    "--scale",
    type=click.IntRange(min=0),
    default=0,
    help="Also generate this many extra workers (for benchmarks).",
)
@click.option("--users/--no-users", default=True, help="Create the demo users.")
@with_appcontext
def demo_command(scale, users):
    """Load the demo data set (when the database is empty) and the demo users."""
    from app.demo.loader import load_demo
    from app.demo.users import generate_workers

    summary = load_demo(db.session)
    db.session.commit()
    click.echo(", ".join(f"{k}: {v}" for k, v in summary.items()) or "demo data already present")
    if scale:
        created = generate_workers(db.session, scale)
        db.session.commit()
        click.echo(f"{created} extra workers generated")
    if users:
        password = ensure_demo_users()
        click.echo(f"demo users: admin staf supervisor ptsp operator auditor / {password}")


def ensure_demo_users() -> str:
    """Create the demo users with LINDUNGI_DEMO_PASSWORD or a random password; return it."""
    import secrets

    from app.demo.users import create_demo_users

    password = current_app.config.get("DEMO_PASSWORD") or secrets.token_urlsafe(12)
    create_demo_users(current_app.appbuilder.sm, db.session, password)
    db.session.commit()
    return password


@translations_cli.command("update")
def translations_update():
    """Extract the strings of FAB and the app and update the catalogs."""
    from app import i18n

    i18n.update(Path(current_app.root_path).parent)


@translations_cli.command("compile")
def translations_compile():
    """Compile the catalogs; fails on any pybabel error."""
    from app import i18n

    i18n.compile(Path(current_app.root_path).parent)


@click.command("backup")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None)
@with_appcontext
def backup_command(out):
    """Write a consistent copy of the database (SQLite VACUUM INTO, or pg_dump)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    suffix = "db" if db.engine.dialect.name == "sqlite" else "dump"
    target = Path(out or Path(current_app.instance_path) / f"backup-{stamp}.{suffix}")
    try:
        backup.backup(db.engine, target)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(str(target))


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Replace the database without asking.")
@with_appcontext
def restore_command(file, yes):
    """Replace the database with a backup made by `backup` (stop the app servers first)."""
    engine = db.engine
    source = Path(file)
    try:
        revision = backup.check_backup(engine, source)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    where = engine.url.render_as_string(hide_password=True)
    click.echo(f"{source}: a backup at migration {revision}")
    if not yes:
        click.confirm(f"Replace every table of {where} with this backup?", abort=True)
    db.session.remove()
    try:
        backup.restore(engine, source)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    for name, count in backup.table_counts(engine).items():
        click.echo(f"{name}: {count}")
    if revision != backup.code_head():
        click.echo(f"restored at migration {revision}; run `flask --app run db upgrade`")


def register(app) -> None:
    """Attach the commands to the app."""
    for command in (
        areas_cli,
        translations_cli,
        rates_cli,
        jobs_cli,
        demo_command,
        backup_command,
        restore_command,
    ):
        app.cli.add_command(command)
