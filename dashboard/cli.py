"""Flask CLI commands: ``create-user`` and ``demo`` (``flask --app wsgi <command>``)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from data import demo
from data.app import accounts, tokens
from data.source import db
from data.source.health import describe


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
    ensure_database(engine)
    started = time.perf_counter()
    try:
        counts = demo.generate(engine, visits=visits, seed=seed, end=end.date() if end else None)
    except sa.exc.SQLAlchemyError as exc:  # rights missing, disk full, server gone: one French line, no trace
        raise click.ClickException(f"la base n'a pas pu être remplie ({describe(exc)})") from exc
    for table, count in counts.items():
        click.echo(f"{table:<28}{count:>12,}".replace(",", " "))
    click.echo(f"Terminé en {time.perf_counter() - started:.1f} s.")


#: What a server says when the database named in the URL does not exist (MariaDB/MySQL, PostgreSQL).
UNKNOWN_DATABASE = ("Unknown database", "does not exist")


def ensure_database(engine: sa.Engine) -> None:
    """Create the database named in the URL when its server does not have it yet (an SQLite file: its folder).

    Anything else that keeps the server from answering ends the command with one French line.
    """
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        return
    try:
        with engine.connect():
            return
    except sa.exc.DBAPIError as exc:
        if not any(text in str(exc) for text in UNKNOWN_DATABASE) or not url.database:
            raise click.ClickException(f"base injoignable ({describe(exc)})") from exc
    postgres = url.get_backend_name() == "postgresql"
    server = sa.create_engine(  # the same server, no database named (url.set(database=None) keeps the name)
        sa.URL.create(
            url.drivername, url.username, url.password, url.host, url.port, "postgres" if postgres else None, url.query
        )
    )
    quoted = server.dialect.identifier_preparer.quote(url.database)
    try:
        with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {quoted}" + ("" if postgres else " CHARACTER SET utf8mb4"))
    except sa.exc.DBAPIError as exc:
        raise click.ClickException(
            f"la base « {url.database} » n'existe pas et n'a pas pu être créée ({describe(exc)})"
        ) from exc
    finally:
        server.dispose()
    engine.dispose()
    click.echo(f"Base « {url.database} » créée.")


@click.command("refresh")
@click.option("--full", is_flag=True, help="Tout reconstruire (sinon : seulement les visites nouvelles ou récentes).")
@with_appcontext
def refresh_command(full: bool) -> None:
    """Refresh the columnar replica from the CRM database; running apps swap it in at their next request."""
    from data.source import replica

    path = current_app.config.get("REPLICA_PATH")
    if current_app.config["SERVE_FROM"] != "replica" or not path:
        raise click.ClickException(
            "pas de réplique : l'application lit directement la base CRM (MEDIVIZ_SERVE_FROM=crm)"
        )
    started = time.perf_counter()
    try:
        if full:
            counts = replica.build(db.crm_engine(), Path(path))
            done = f"reconstruite : {sum(counts.values()):,} lignes".replace(",", " ")
        else:
            window = int(current_app.config["REFRESH_WINDOW_DAYS"])
            kind = replica.refresh(db.crm_engine(), Path(path), window_days=window)
            done = {"full": "reconstruite en entier", "incremental": "mise à jour", "unchanged": "déjà à jour"}[kind]
    except Exception as exc:  # a CRM that does not answer, a full disk, a lock held: one French line, no trace
        raise click.ClickException(
            f"la réplique n'a pas pu être actualisée ({replica.describe(exc)}) ; celle en service reste servie"
        ) from exc
    click.echo(f"Réplique {done} en {time.perf_counter() - started:.1f} s.")


@click.group("accounts")
def accounts_group() -> None:
    """Mediviz accounts: list, change role or CRM link, disable, enable."""


@accounts_group.command("list")
@with_appcontext
def accounts_list() -> None:
    """Every account with its role, CRM link and state."""
    for account in accounts.every():
        link = f"utilisateur CRM {account.id_utilisateur}" if account.id_utilisateur else "non lié"
        state = "actif" if account.active else "désactivé"
        click.echo(f"{account.username:<24} {account.role:<7} {link:<24} {state}")


@accounts_group.command("set-role")
@with_appcontext
@click.argument("username")
@click.argument("role", type=click.Choice(accounts.ROLES))
@click.option("--crm-user", type=int, default=None, help="Lier le compte à cet id_utilisateur (son équipe).")
def accounts_set_role(username: str, role: str, crm_user: int | None) -> None:
    """Change an account's role (and its CRM link)."""
    values: dict[str, object] = {"role": role}
    if crm_user is not None:
        values["id_utilisateur"] = crm_user
    _update_account(username, values, f"rôle {role}")


@accounts_group.command("disable")
@with_appcontext
@click.argument("username")
def accounts_disable(username: str) -> None:
    """Disable an account: its sessions end and its API tokens are revoked (enabling it again revives neither)."""
    _update_account(username, {"active": False}, "désactivé, sessions fermées, jetons d'API révoqués")


@accounts_group.command("enable")
@with_appcontext
@click.argument("username")
def accounts_enable(username: str) -> None:
    """Enable a disabled account again (its users log in again; its revoked tokens stay revoked)."""
    _update_account(username, {"active": True}, "réactivé")


@accounts_group.command("set-password")
@with_appcontext
@click.argument("username")
@click.password_option(prompt="Nouveau mot de passe", confirmation_prompt="Confirmez le mot de passe")
def accounts_set_password(username: str, password: str) -> None:
    """Give an account a new password: its open sessions end and its API tokens are revoked."""
    try:
        accounts.set_password(username, password)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Compte « {username} » : mot de passe changé, sessions ouvertes fermées, jetons d'API révoqués.")


@accounts_group.command("unlock")
@with_appcontext
@click.argument("username")
@click.option("--adresse", "address", default=None, help="Oublier aussi les échecs de cette adresse IP.")
def accounts_unlock(username: str, address: str | None) -> None:
    """Let an account log in again at once after too many failed attempts (and an address, if given)."""
    from dashboard.auth import unlock

    if accounts.find(username) is None:
        raise click.ClickException(f"compte inconnu : {username}")
    unlock(username, address)
    where = f" et de l'adresse {address}" if address else " (une adresse bloquée le reste : --adresse)"
    click.echo(f"Compte « {username} » : tentatives de connexion oubliées{where}.")


def _update_account(username: str, values: dict[str, object], done: str) -> None:
    try:
        accounts.update(username, **values)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Compte « {username} » : {done}.")


@click.group("token")
def token_group() -> None:
    """API tokens: create (shown once), list, revoke."""


@token_group.command("create")
@with_appcontext
@click.argument("username")
@click.option("--name", required=True, help="À quoi sert le jeton (ex. : export mensuel).")
@click.option("--days", type=int, default=None, help="Durée de validité en jours (défaut : sans expiration).")
def token_create(username: str, name: str, days: int | None) -> None:
    """Create a token for an account (no password asked: operators only); it is printed once and stored hashed."""
    account = accounts.find(username)
    if account is None:
        raise click.ClickException(f"compte inconnu : {username}")
    try:
        secret, token = tokens.create(account, name, days)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    until = f", valable jusqu'au {token.expires_at:%d/%m/%Y}" if token.expires_at else ""
    click.echo(
        f"Jeton n° {token.id} « {token.name} » pour {account.username}{until}. Copiez-le, il ne sera plus affiché :"
    )
    click.echo(secret)


@token_group.command("list")
@with_appcontext
@click.argument("username")
def token_list(username: str) -> None:
    """List an account's tokens (never their secret)."""
    account = accounts.find(username)
    if account is None:
        raise click.ClickException(f"compte inconnu : {username}")
    states = {"active": "actif", "expired": "expiré", "revoked": "révoqué"}
    for token in tokens.of(account):
        expires = f"{token.expires_at:%d/%m/%Y}" if token.expires_at else "jamais"
        click.echo(f"{token.id:>5}  {token.prefix}…  {states[token.state()]:<8}  expire : {expires:<10}  {token.name}")


@token_group.command("revoke")
@with_appcontext
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke a token: it gets 401 at once."""
    token = tokens.find(token_id)
    owner = accounts.get(token.user_id) if token else None
    if token is None or owner is None or not tokens.revoke(owner, token_id):
        raise click.ClickException(f"aucun jeton actif n° {token_id}")
    click.echo(f"Jeton n° {token_id} révoqué.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(create_user)
    app.cli.add_command(demo_command)
    app.cli.add_command(refresh_command)
    app.cli.add_command(token_group)
    app.cli.add_command(accounts_group)
