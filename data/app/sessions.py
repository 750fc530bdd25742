"""Server-side login sessions (``dash_session``): what makes a signed session cookie worth anything.

At login a random secret goes into the (signed) Flask session and only its SHA-256 into this table. A request
is logged in only while its record lives: logout deletes it, disabling the account deletes all of the account's
records, and a record dies after ``SESSION_IDLE_MINUTES`` without a request or ``SESSION_HOURS`` after login.
A copied cookie is therefore worth nothing once its session is closed, whatever its signature.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from flask import current_app

from data.app.schema import app_metadata, dash_user
from data.source import db
from data.source.schema import MYSQL_OPTS

#: ``last_seen`` is written at most this often per session (not at every request).
TOUCH_EVERY = dt.timedelta(minutes=1)

# No foreign key to dash_user: the record is only ever read joined to its account, and a table that test
# fixtures or operators may not know of must never stop dash_user from being dropped or rebuilt.
dash_session = sa.Table(
    "dash_session",
    app_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, nullable=False, index=True),
    sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),  # SHA-256 of the secret, never the secret
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen", sa.DateTime, nullable=False, index=True),
    **MYSQL_OPTS,
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _alive(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Records neither idle for too long nor too old (the limits are read from the app's configuration)."""
    idle = dt.timedelta(minutes=float(current_app.config["SESSION_IDLE_MINUTES"]))
    lifetime = dt.timedelta(hours=float(current_app.config["SESSION_HOURS"]))
    return sa.and_(dash_session.c.last_seen > now - idle, dash_session.c.created_at > now - lifetime)


def open_for(account_id: int) -> str:
    """A new session for the account: its secret (for the Flask session). Expired records are purged here."""
    secret = secrets.token_urlsafe(32)
    now = _now()
    with db.app_engine().begin() as conn:
        conn.execute(dash_session.delete().where(sa.not_(_alive(now))))
        conn.execute(
            dash_session.insert().values(user_id=account_id, secret_hash=_digest(secret), created_at=now, last_seen=now)
        )
    return secret


def live(account_id: int, secret: str) -> sa.Row[tuple[object, ...]] | None:
    """The ``dash_user`` row of a live session of this account, else ``None`` (one query).

    ``last_seen`` is moved forward when it is more than ``TOUCH_EVERY`` old, so that most requests only read.
    Database errors propagate (the app answers 503): an unreachable database is not a logged-out user.
    """
    now = _now()
    stmt = (
        sa.select(dash_user, dash_session.c.id.label("session_id"), dash_session.c.last_seen.label("session_seen"))
        .join(dash_session, dash_session.c.user_id == dash_user.c.id)
        .where(dash_user.c.id == account_id, dash_session.c.secret_hash == _digest(secret), _alive(now))
    )
    with db.app_engine().connect() as conn:
        row = conn.execute(stmt).first()
    if row is not None and row.session_seen <= now - TOUCH_EVERY:
        with db.app_engine().begin() as conn:
            conn.execute(dash_session.update().where(dash_session.c.id == row.session_id).values(last_seen=now))
    return row


def close(secret: str) -> None:
    """End the session holding this secret (logout)."""
    with db.app_engine().begin() as conn:
        conn.execute(dash_session.delete().where(dash_session.c.secret_hash == _digest(secret)))


def close_all(conn: sa.Connection, username: str) -> None:
    """End every session of the account named ``username``, in the caller's transaction."""
    accounts = sa.select(dash_user.c.id).where(dash_user.c.username == username)
    conn.execute(dash_session.delete().where(dash_session.c.user_id.in_(accounts)))
