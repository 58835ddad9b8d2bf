"""The ``practica`` command line: serve, demo data, Django's own commands, import and export.

Commands parse their options, then call the same services the pages and the API call.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from practica.simulation.cli import simulate_app

app = typer.Typer(
    help="Practica: run a learning organisation around communities of practice.",
    no_args_is_help=True,
    add_completion=False,
)
import_app = typer.Typer(help="Import data from files.", no_args_is_help=True)
export_app = typer.Typer(help="Export data to files.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(simulate_app, name="simulate")

out = Console()
err = Console(stderr=True)


class SetupFailed(Exception):
    """Start-up could not continue; the message is the one line shown to the person."""


def setup_django() -> None:
    """Load the settings (failing with one line on a bad variable) and start Django."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practica.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:
        raise SetupFailed(f"Configuration error: {error}") from None


def migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def progress_bar(console: Console = err) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _generate_demo(people: int, seed: int) -> None:
    from practica.demo.generator import generate_organisation

    with progress_bar() as bar:
        tasks: dict[str, TaskID] = {}

        def report(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done, total=total)

        generate_organisation(people=people, seed=seed, progress=report)


def print_demo_logins() -> None:
    from django.conf import settings

    from practica.demo.generator import DEMO_ACCOUNTS

    table = Table(title="Demo sign-ins", show_lines=False)
    table.add_column("username")
    table.add_column("password")
    table.add_column("organisation role")
    for username, (_, role, _) in DEMO_ACCOUNTS.items():
        table.add_row(username, settings.PRACTICA_DEMO_PASSWORD, role.label.lower())
    out.print(table)


@app.command()
def demo(
    people: Annotated[int, typer.Option(help="How many people the organisation has (50 to 20,000).")] = 200,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same organisation.")] = 1,
) -> None:
    """Create a synthetic demo organisation in an empty database, with four demo sign-ins."""
    setup_django()
    migrate()
    from practica.core.errors import ApplicationError

    try:
        _generate_demo(people, seed)
    except ApplicationError as error:
        raise SetupFailed(str(error)) from None
    print_demo_logins()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="gunicorn worker processes.")] = 2,
    demo_people: Annotated[
        int, typer.Option(help="Size of the demo organisation created when the database is empty.")
    ] = 200,
    no_demo: Annotated[bool, typer.Option("--no-demo", help="Never create the demo organisation.")] = False,
    no_worker: Annotated[
        bool,
        typer.Option(
            "--no-worker",
            help="Do not start the background worker (run `practica manage db_worker` elsewhere).",
        ),
    ] = False,
) -> None:
    """Migrate, create the demo organisation if the database is empty, and serve with gunicorn.

    A background worker (simulation runs, digests) starts beside the web server and stops with it.
    """
    setup_django()

    from practica.demo.generator import organisation_is_empty

    err.print("Preparing the database…")
    migrate()
    collect_static_when_changed()
    if organisation_is_empty() and not no_demo:
        err.print("The database is empty: creating the demo organisation.")
        _generate_demo(demo_people, seed=1)
    print_demo_logins()
    out.print(f"Practica is serving on [bold]http://{host}:{port}[/bold] (Ctrl+C stops it).")
    sys.stdout.flush()
    web = [
        sys.executable, "-m", "gunicorn", "practica.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", str(workers),
        "--access-logfile", "-", "--forwarded-allow-ips", "127.0.0.1",
        # Import the site once in the master: workers fork ready, instead of each importing it
        # (which took past gunicorn's 30 s worker timeout on a busy two-core machine).
        "--preload",
    ]  # fmt: skip
    worker = [sys.executable, "-m", "practica.cli", "manage", "db_worker", "--interval", "1"]
    sys.exit(_run_together(web, None if no_worker else worker))


STATIC_FINGERPRINT = ".sources-fingerprint"


def static_sources_fingerprint() -> str:
    """A digest of every static source file's path, size and modification time, and the storage used."""
    import hashlib

    from django.conf import settings
    from django.contrib.staticfiles import finders

    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    entries = []
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode())
    return digest.hexdigest()


def collect_static_when_changed() -> bool:
    """Run collectstatic only when the static sources changed since the last run (it compresses every
    file, which takes a minute on a small machine). Returns whether it ran."""
    from django.conf import settings
    from django.core.management import call_command

    marker = Path(settings.STATIC_ROOT) / STATIC_FINGERPRINT
    fingerprint = static_sources_fingerprint()
    if marker.exists() and marker.read_text() == fingerprint:
        return False
    err.print("Collecting static files…")
    call_command("collectstatic", interactive=False, verbosity=0)
    marker.write_text(fingerprint)
    return True


def _run_together(main: list[str], companion: list[str] | None) -> int:
    """Run ``main`` (and ``companion`` beside it) until ``main`` ends or we are told to stop."""
    helper = subprocess.Popen(companion) if companion else None
    server = subprocess.Popen(main)

    def forward(signum: int, frame: object) -> None:
        server.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    try:
        return server.wait()
    except KeyboardInterrupt:  # Ctrl+C reaches the children too; wait for them to finish cleanly
        return server.wait()
    finally:
        if helper is not None:
            helper.terminate()
            try:
                helper.wait(timeout=10)
            except subprocess.TimeoutExpired:
                helper.kill()


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(context: typer.Context) -> None:
    """Run one of Django's own management commands, e.g. `practica manage createsuperuser`."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["practica manage", *context.args])


# --- digest (knowledge/digest.py): unanswered questions to leads ---
@app.command()
def digest(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be sent; send and mark nothing.")
    ] = False,
    base_url: Annotated[
        str,
        typer.Option(
            help="Start of the links in the emails, e.g. https://practica.example.org "
            "(default: the PRACTICA_BASE_URL setting)."
        ),
    ] = "",
) -> None:
    """Email each community's leads the questions unanswered for more than 3 days (once per question).

    Schedule it, e.g. daily with cron. Without EMAIL_HOST the emails are printed (console backend).
    """
    setup_django()
    migrate()
    from django.conf import settings

    from practica.knowledge.digest import unanswered_digest

    if not (base_url or settings.PRACTICA_BASE_URL):
        out.print(
            "Note: the links in the emails are paths (/communities/...), which a mail client cannot open; "
            "set PRACTICA_BASE_URL (or pass --base-url) to make them full addresses.",
            markup=False,
            soft_wrap=True,
        )
    report = unanswered_digest(dry_run=dry_run, base_url=base_url)
    verb = "Would send" if dry_run else "Sent"
    for email in report.emails:
        out.print(
            f"  {email.community.name}: {len(email.questions)} question(s) to {', '.join(email.recipients)}",
            markup=False,
            soft_wrap=True,
        )
    out.print(f"{verb} {len(report.emails)} digest(s) covering {report.question_count} question(s).")


# --- refresh-insights (insights/refresh.py): the steward's dashboard snapshots ---
@app.command("refresh-insights")
def refresh_insights(
    panel: Annotated[
        list[str] | None, typer.Option("--panel", help="Only this panel (repeatable), e.g. portfolio.")
    ] = None,
) -> None:
    """Recompute the steward's dashboard (portfolio, indicators, time, ...) and store the snapshots.

    Schedule it, e.g. hourly with cron: `0 * * * * practica refresh-insights`.
    """
    setup_django()
    migrate()
    from practica.core.errors import ApplicationError
    from practica.insights.refresh import PanelResult
    from practica.insights.refresh import refresh_insights as run_refresh

    def report(result: PanelResult) -> None:
        seconds = result.duration_ms / 1000
        out.print(f"  {result.title}: {result.keys} snapshot(s) in {seconds:.2f} s", markup=False)

    try:
        results = run_refresh(only=panel or None, progress=report)
    except ApplicationError as error:
        raise SetupFailed(str(error)) from None
    out.print(f"Refreshed {len(results)} panel(s).")


@import_app.command("people")
def import_people(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with columns email,name,team,parent_team,manager_email,title,location (see the README)."
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
    ] = False,
) -> None:
    """Import people and teams from CSV: all or nothing; re-importing the same file changes nothing."""
    setup_django()
    migrate()
    from practica.core.errors import ApplicationError
    from practica.core.portability import check_import_size
    from practica.people.transfer import PeopleImportError, people_import_csv

    try:
        check_import_size(_file_size(file))
    except ApplicationError as error:
        raise SetupFailed(f"{file}: {error}") from None
    text = _read_text(file)
    try:
        report = people_import_csv(text=text, dry_run=dry_run)
    except PeopleImportError as error:
        for line in error.errors:
            # The lines quote the file, so they are escaped: a "[/b]" in a cell is text, not markup.
            err.print(f"[red]error[/red] {escape(line)}", soft_wrap=True)
        raise SetupFailed(f"{file}: {len(error.errors)} problem(s); nothing was imported.") from None
    verb = "Would change" if dry_run else "Changed"
    for change in report.changes[:200]:
        out.print(f"  {change}", markup=False, soft_wrap=True)
    if len(report.changes) > 200:
        out.print(f"  … and {len(report.changes) - 200} more")
    out.print(
        f"{verb}: {report.people_created} people created, {report.people_updated} updated, "
        f"{report.teams_created} teams created, {report.teams_moved} moved, "
        f"{report.memberships_added} memberships added, {report.memberships_removed} removed, "
        f"{report.managers_changed} managers changed ({report.rows} rows read)."
    )
    if not report.changed_anything:
        out.print("Nothing to change: the database already matches the file.")
    if not dry_run and report.changed_anything:
        from practica.core.audit import audit_record

        audit_record(actor=None, action="people.imported", target=str(file), details={"rows": report.rows})


@export_app.command("people")
def export_people(
    file: Annotated[Path, typer.Argument(help="Where to write the CSV; '-' writes to standard output.")],
) -> None:
    """Export people and teams as CSV in the same format `practica import people` reads."""
    setup_django()
    migrate()
    from practica.core.audit import audit_record
    from practica.people.transfer import people_export_csv

    text = people_export_csv()
    audit_record(
        actor=None, action="people.exported", target=str(file), details={"rows": text.count("\n") - 1}
    )
    if str(file) == "-":
        sys.stdout.write(text)
        return
    try:
        file.write_text(text, encoding="utf-8")
    except OSError as error:
        raise SetupFailed(f"{file}: cannot write there ({error.strerror}).") from None
    err.print(f"Wrote {text.count(chr(10)) - 1} rows to {escape(str(file))}.")


# --- operations (core/backup.py, core/portability.py): backups, full export and import ---
@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup (replaced if it exists).")],
) -> None:
    """Back up the whole database while Practica keeps serving (SQLite: online copy; PostgreSQL: pg_dump)."""
    setup_django()
    from practica.core.audit import audit_record
    from practica.core.backup import backup_create
    from practica.core.errors import ApplicationError

    try:
        report = backup_create(path=file)
    except ApplicationError as error:
        raise SetupFailed(str(error)) from None
    audit_record(
        actor=None, action="database.backed_up", target=str(report.path), details={"bytes": report.size}
    )
    out.print(
        f"Backed up the {report.engine} database to {escape(str(report.path))} ({report.size:,} bytes)."
    )


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A file written by `practica backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that already holds an organisation.")
    ] = False,
) -> None:
    """Replace the database with a backup; stop the app servers first. Refuses a non-empty database
    unless --force."""
    setup_django()
    from practica.core.audit import audit_record
    from practica.core.backup import restore as restore_backup
    from practica.core.errors import ApplicationError

    try:
        report = restore_backup(path=file, force=force)
    except ApplicationError as error:
        raise SetupFailed(str(error)) from None
    migrate()  # a backup from an older version is brought up to date
    audit_record(actor=None, action="database.restored", target=str(report.path), details={"force": force})
    out.print(f"Restored {escape(str(report.path))} into the {report.engine} database.")


@export_app.callback(invoke_without_command=True)
def export_everything(
    context: typer.Context,
    all_file: Annotated[
        Path | None,
        typer.Option(
            "--all",
            metavar="FILE.json",
            help="Write every object of the organisation as versioned JSON (docs/operations.md).",
        ),
    ] = None,
) -> None:
    """Export data to files: `--all FILE.json` for everything, or a subcommand."""
    if context.invoked_subcommand is not None:
        return
    if all_file is None:
        out.print(context.get_help())
        raise typer.Exit(2)
    setup_django()
    migrate()
    from practica.core.audit import audit_record
    from practica.core.portability import export_all_json

    text = export_all_json()
    try:
        all_file.write_text(text, encoding="utf-8")
    except OSError as error:
        raise SetupFailed(f"{all_file}: cannot write there ({error.strerror}).") from None
    audit_record(actor=None, action="data.exported", target=str(all_file), details={"bytes": len(text)})
    err.print(f"Wrote every object to {escape(str(all_file))} ({len(text):,} bytes).")


@import_app.callback(invoke_without_command=True)
def import_everything(
    context: typer.Context,
    all_file: Annotated[
        Path | None,
        typer.Option(
            "--all",
            metavar="FILE.json",
            help="Load a file written by `practica export --all` into an empty database.",
        ),
    ] = None,
) -> None:
    """Import data from files: `--all FILE.json` for everything, or a subcommand."""
    if context.invoked_subcommand is not None:
        return
    if all_file is None:
        out.print(context.get_help())
        raise typer.Exit(2)
    setup_django()
    migrate()
    from practica.core.audit import audit_record
    from practica.core.errors import ApplicationError
    from practica.core.portability import check_import_size, import_all, read_export_file

    try:
        check_import_size(_file_size(all_file))
        report = import_all(read_export_file(_read_text(all_file)))
    except ApplicationError as error:
        raise SetupFailed(f"{all_file}: {error} Nothing was imported.") from None
    audit_record(actor=None, action="data.imported", target=str(all_file), details={"rows": report.rows})
    out.print(f"Imported {report.rows:,} rows of {report.models} models from {escape(str(all_file))}.")


def _file_size(file: Path) -> int:
    try:
        return file.stat().st_size
    except FileNotFoundError:
        raise SetupFailed(f"{file}: no such file.") from None
    except OSError as error:
        raise SetupFailed(f"{file}: cannot read it ({error.strerror}).") from None


def _read_text(file: Path) -> str:
    try:
        return file.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise SetupFailed(f"{file}: no such file.") from None
    except UnicodeDecodeError:
        raise SetupFailed(f"{file}: not UTF-8 text; save the CSV as UTF-8 and try again.") from None
    except OSError as error:
        raise SetupFailed(f"{file}: cannot read it ({error.strerror}).") from None


def main() -> None:
    """Console-script entry point: one-line messages instead of tracebacks for expected failures."""
    try:
        app()
    except SetupFailed as error:
        err.print(f"[red]{escape(str(error))}[/red]", highlight=False, soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
