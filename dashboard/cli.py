"""Flask CLI commands: ``create-user`` and ``demo`` (``flask --app wsgi <command>``)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from data import accounts, db, demo


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", type=click.Choice(accounts.ROLES), default="viewer", show_default=True)
@click.option("--crm-user", type=int, default=None, help="id_utilisateur du CRM : le compte ne voit que son équipe.")
@click.password_option(prompt="Mot de passe", confirmation_prompt="Confirmez le mot de passe")
def create_user(username: str, role: str, crm_user: int | None, password: str) -> None:
    """Create a Mediviz account (the password is stored hashed)."""
    try:
        account = accounts.create(username, password, role=role, id_utilisateur=crm_user)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    link = f", lié à l'utilisateur CRM {account.id_utilisateur}" if account.id_utilisateur else ""
    click.echo(f"Compte « {account.username} » créé (rôle {account.role}{link}).")


@click.command("demo")
@with_appcontext
@click.option("--visits", type=int, default=60_000, show_default=True, help="Nombre de visites à générer.")
@click.option("--database-url", default=None, help="Base à remplir (par défaut : celle de l'application).")
@click.option("--seed", type=int, default=20261123, show_default=True)
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Dernier jour (défaut : aujourd'hui).")
@click.option("--yes", is_flag=True, help="Ne pas demander confirmation avant de remplacer les tables CRM.")
def demo_command(visits: int, database_url: str | None, seed: int, end: dt.datetime | None, yes: bool) -> None:
    """Fill a database with synthetic CRM data (drops and re-creates the CRM tables, never dash_ tables)."""
    engine = db.make_engine(database_url) if database_url else db.crm_engine()
    if not yes:
        click.confirm(f"Remplacer les tables CRM de {engine.url.render_as_string(hide_password=True)} ?", abort=True)
    started = time.perf_counter()
    counts = demo.generate(engine, visits=visits, seed=seed, end=end.date() if end else None)
    for table, count in counts.items():
        click.echo(f"{table:<28}{count:>12,}".replace(",", " "))
    click.echo(f"Terminé en {time.perf_counter() - started:.1f} s.")


@click.command("refresh")
@click.option("--full", is_flag=True, help="Tout reconstruire (sinon : seulement les visites nouvelles ou récentes).")
@with_appcontext
def refresh_command(full: bool) -> None:
    """Refresh the columnar replica from the CRM database; running apps swap it in at their next request."""
    from data import replica

    path = current_app.config.get("REPLICA_PATH")
    if current_app.config["SERVE_FROM"] != "replica" or not path:
        raise click.ClickException(
            "pas de réplique : l'application lit directement la base CRM (MEDIVIZ_SERVE_FROM=crm)"
        )
    started = time.perf_counter()
    if full:
        counts = replica.build(db.crm_engine(), Path(path))
        done = f"reconstruite : {sum(counts.values()):,} lignes".replace(",", " ")
    else:
        window = int(current_app.config["REFRESH_WINDOW_DAYS"])
        kind = replica.refresh(db.crm_engine(), Path(path), window_days=window)
        done = {"full": "reconstruite en entier", "incremental": "mise à jour", "unchanged": "déjà à jour"}[kind]
    click.echo(f"Réplique {done} en {time.perf_counter() - started:.1f} s.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(create_user)
    app.cli.add_command(demo_command)
    app.cli.add_command(refresh_command)
