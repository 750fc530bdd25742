"""API tokens (``dash_api_token``): random, shown once, stored as a SHA-256 hash, optionally expiring, revocable.

A token acts for its account: ``Authorization: Bearer <token>`` on an API route gets that account's scope.
Tokens carry 256 random bits, so a fast hash is enough to store them (nothing to guess from the hash).
A token follows its credential: a new password or a disabled account revokes all of the account's tokens.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa

from data.app import accounts
from data.app.schema import dash_api_token
from data.source import db

PREFIX = "mvz_"
#: ``last_used_at`` is written at most this often (not at every API request).
TOUCH_EVERY = dt.timedelta(minutes=1)


@dataclasses.dataclass(frozen=True)
class Token:
    """A token as listed (never its secret)."""

    id: int
    user_id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    def state(self, now: dt.datetime | None = None) -> str:
        """``active``, ``expired`` or ``revoked`` (French labels are the page's business)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or _now()):
            return "expired"
        return "active"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(account: accounts.Account, name: str, days: int | None = None) -> tuple[str, Token]:
    """A new token for ``account``: the secret (to show once) and its listing."""
    name = name.strip()
    if not name or len(name) > 80:
        raise ValueError("nom du jeton vide ou trop long")
    if days is not None and not 1 <= days <= 3650:
        raise ValueError("durée de validité entre 1 et 3650 jours")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = _now()
    values = {
        "user_id": account.id,
        "name": name,
        "token_hash": _digest(secret),
        "prefix": secret[:12],
        "created_at": now,
        "expires_at": now + dt.timedelta(days=days) if days else None,
    }
    with db.app_engine().begin() as conn:
        key = conn.execute(dash_api_token.insert().values(**values)).inserted_primary_key
    assert key is not None
    token = find(int(key[0]))
    assert token is not None
    return secret, token


def _token(row: sa.Row[tuple[object, ...]] | None) -> Token | None:
    if row is None:
        return None
    return Token(
        row.id, row.user_id, row.name, row.prefix, row.created_at, row.expires_at, row.revoked_at, row.last_used_at
    )


def find(token_id: int) -> Token | None:
    with db.app_engine().connect() as conn:
        return _token(conn.execute(sa.select(dash_api_token).where(dash_api_token.c.id == token_id)).first())


def of(account: accounts.Account) -> list[Token]:
    """The account's tokens, newest first."""
    stmt = sa.select(dash_api_token).where(dash_api_token.c.user_id == account.id).order_by(dash_api_token.c.id.desc())
    with db.app_engine().connect() as conn:
        return [token for row in conn.execute(stmt) if (token := _token(row)) is not None]


def revoke(account: accounts.Account, token_id: int) -> bool:
    """Revoke one of the account's tokens (an admin may revoke anyone's); whether one was revoked."""
    condition = dash_api_token.c.id == token_id
    if not account.is_admin:
        condition &= dash_api_token.c.user_id == account.id
    stmt = dash_api_token.update().where(condition, dash_api_token.c.revoked_at.is_(None)).values(revoked_at=_now())
    with db.app_engine().begin() as conn:
        return bool(conn.execute(stmt).rowcount)


def revoke_all(conn: sa.Connection, account_id: int) -> None:
    """Revoke every live token of the account, in the caller's transaction (new password, account disabled)."""
    live = sa.and_(dash_api_token.c.user_id == account_id, dash_api_token.c.revoked_at.is_(None))
    conn.execute(dash_api_token.update().where(live).values(revoked_at=_now()))


def authenticate(secret: str) -> accounts.Account | None:
    """The active account behind a valid (known, unrevoked, unexpired) token, else ``None``."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    with db.app_engine().connect() as conn:
        row = conn.execute(sa.select(dash_api_token).where(dash_api_token.c.token_hash == _digest(secret))).first()
    token = _token(row)
    if token is None or token.state() != "active":
        return None
    account = accounts.get(token.user_id)
    if account is None or not account.active:
        return None
    now = _now()
    if token.last_used_at is None or token.last_used_at <= now - TOUCH_EVERY:  # for the list; not a write a request
        with db.app_engine().begin() as conn:
            conn.execute(dash_api_token.update().where(dash_api_token.c.id == token.id).values(last_used_at=now))
    return account
