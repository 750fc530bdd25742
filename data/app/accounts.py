"""Mediviz accounts (``dash_user``): create, find and check passwords (hashed, never stored plain)."""

from __future__ import annotations

import dataclasses
import functools
import time

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from data.app import sessions, settings, tokens, views  # noqa: F401  (views, settings: tables created with the others)
from data.app.schema import app_metadata, dash_user
from data.source import db

ROLES = ("admin", "viewer")


@dataclasses.dataclass(frozen=True)
class Account:
    """A Mediviz account; ``id_utilisateur`` links it to a CRM user (its team is then its scope)."""

    id: int
    username: str
    role: str
    id_utilisateur: int | None
    active: bool

    @property
    def is_admin(self) -> bool:
        """Whether the account sees everything."""
        return self.role == "admin"


def create_tables(engine: sa.Engine) -> None:
    """Create the ``dash_`` tables if they are missing (never touches CRM tables).

    Workers starting together may race (each sees a table missing, one creates it first and the other's
    CREATE fails): on such a failure, look again, once the others are done.
    """
    for attempt in range(5):
        try:
            app_metadata.create_all(engine)
            return
        except sa.exc.DBAPIError:
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))


def _account(row: sa.Row[tuple[object, ...]] | None) -> Account | None:
    """An Account from a ``dash_user`` row."""
    if row is None:
        return None
    return Account(row.id, row.username, row.role, row.id_utilisateur, bool(row.active))


def create(username: str, password: str, role: str = "viewer", id_utilisateur: int | None = None) -> Account:
    """Create an account; raises ValueError if the name is taken or the input is invalid."""
    username = username.strip()
    if not username or len(username) > 80:
        raise ValueError("identifiant vide ou trop long")
    if len(password) < 8:
        raise ValueError("le mot de passe doit compter au moins 8 caractères")
    if role not in ROLES:
        raise ValueError(f"rôle inconnu : {role} (attendu : {', '.join(ROLES)})")
    if find(username) is not None:
        raise ValueError(f"l'identifiant « {username} » existe déjà")
    values = {
        "username": username,
        "password_hash": _hash(password),
        "role": role,
        "id_utilisateur": id_utilisateur,
    }
    with db.app_engine().begin() as conn:
        conn.execute(dash_user.insert().values(**values))
    account = find(username)
    assert account is not None
    return account


def find(username: str) -> Account | None:
    """The account with exactly this name, if any.

    Compared in Python too: MariaDB's collation would match "BOSS" or "bòss" to "boss", and an administrator
    then changed their own account through another spelling of it, past the page's self-protection.
    """
    with db.app_engine().connect() as conn:
        row = conn.execute(sa.select(dash_user).where(dash_user.c.username == username)).first()
    return _account(row) if row is not None and row.username == username else None


def of_session(account_id: int, secret: str) -> Account | None:
    """The active account of a live server-side session (see ``data.app.sessions``), else ``None``."""
    account = _account(sessions.live(account_id, secret))
    return account if account is not None and account.active else None


def get(account_id: int) -> Account | None:
    """The account with this id, if any."""
    with db.app_engine().connect() as conn:
        row = conn.execute(sa.select(dash_user).where(dash_user.c.id == account_id)).first()
    return _account(row)


def authenticate(username: str, password: str) -> Account | None:
    """The active account whose name is exactly ``username`` (stripped) and whose password matches, else ``None``.

    The database compares names through its collation (MariaDB: ``chéf``, ``ċhef`` and ``CHEF`` all find
    ``chef``), so the name found must also be the one typed, character for character.
    """
    username = username.strip()
    with db.app_engine().connect() as conn:
        row = conn.execute(sa.select(dash_user).where(dash_user.c.username == username)).first()
    if row is None or row.username != username:
        check_password_hash(_dummy_hash(_method()), password)  # same work as a real check: no timing oracle
        return None
    if not check_password_hash(row.password_hash, password) or not row.active:
        return None
    return _account(row)


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash to check unknown names against, so that they take as long as wrong passwords."""
    return generate_password_hash("mediviz-dummy-password", method=method)


def _method() -> str:
    """The password hashing method (``scrypt``; the tests set a cheap one to stay fast)."""
    return str(current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt")


def _hash(password: str) -> str:
    """A salted hash of ``password`` with the configured method."""
    return generate_password_hash(password, method=_method())


def set_password(username: str, password: str) -> None:
    """Replace an account's password (hashed), end its open sessions and revoke its API tokens."""
    if len(password) < 8:
        raise ValueError("le mot de passe doit compter au moins 8 caractères")
    account = find(username)
    if account is None:
        raise ValueError(f"compte inconnu : {username}")
    with db.app_engine().begin() as conn:  # what the old password opened or minted ends with it
        conn.execute(dash_user.update().where(dash_user.c.id == account.id).values(password_hash=_hash(password)))
        sessions.close_all(conn, username)
        tokens.revoke_all(conn, account.id)


def every() -> list[Account]:
    """Every account, by name."""
    with db.app_engine().connect() as conn:
        rows = conn.execute(sa.select(dash_user).order_by(dash_user.c.username)).all()
    return [account for row in rows if (account := _account(row)) is not None]


def update(username: str, **values: object) -> Account:
    """Change an account's ``role``, ``id_utilisateur`` or ``active``; raises ValueError if unknown or invalid.

    Disabling ends every open session of the account and revokes its API tokens, so that enabling it again
    revives neither.
    """
    if "role" in values and values["role"] not in ROLES:
        raise ValueError(f"rôle inconnu : {values['role']} (attendu : {', '.join(ROLES)})")
    target = find(username)
    if target is None:
        raise ValueError(f"compte inconnu : {username}")
    with db.app_engine().begin() as conn:
        conn.execute(dash_user.update().where(dash_user.c.id == target.id).values(**values))
        if "active" in values and not values["active"]:
            sessions.close_all(conn, username)
            tokens.revoke_all(conn, target.id)
    account = find(username)
    assert account is not None
    return account
