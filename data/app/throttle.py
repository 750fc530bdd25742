"""Failed-login counters (``dash_login_failure``), kept in the app database beside the passwords they protect.

One row per subject (an account name as typed, or a client address): its count and when its window began. A
count runs from its first attempt for the caller's window, then starts over. Rows live in the accounts database
and not in the result cache: every worker and the CLI see the same counts, nothing evicts them (a flood of junk
names used to push a victim's lock out of the cache), and a Redis outage leaves them standing. If the accounts
database does not answer, no login can happen either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from data.app.schema import app_metadata
from data.errors import UnavailableError
from data.source import db
from data.source.schema import MYSQL_OPTS

log = logging.getLogger(__name__)
#: Expired rows deleted at most per attempt (one attempt adds at most two rows: the purge keeps up).
PURGE_BATCH = 1000

# No foreign key: most subjects are no account at all (unknown names, addresses).
dash_login_failure = sa.Table(
    "dash_login_failure",
    app_metadata,
    # SHA-256 of "account:<name>" or "address:<ip>": fixed length, no collation games, and a password typed
    # into the name field by mistake is not kept in clear.
    sa.Column("subject", sa.String(64), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("since", sa.DateTime, nullable=False, index=True),
    **MYSQL_OPTS,
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def subject(kind: str, value: str) -> str:
    """The row key of an account name (``kind="account"``) or a client address (``kind="address"``)."""
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def _upsert(dialect: str, key: str, delta: int, now: dt.datetime, cutoff: dt.datetime) -> sa.Executable:
    """One statement adding ``delta`` to the row of ``key`` (created if missing, started over if expired).

    A single upsert takes the row's lock, so concurrent attempts queue on it instead of reading the same count.
    """
    table = dash_login_failure
    fresh = max(delta, 0)  # a take-back on an expired or missing count leaves 0, never a credit
    expired = table.c.since <= cutoff
    failures = sa.case((expired, fresh), (table.c.failures + delta < 0, 0), else_=table.c.failures + delta)
    # ``failures`` first: MySQL assigns left to right, and its CASE must see the old ``since``.
    changes = [("failures", failures), ("since", sa.case((expired, now), else_=table.c.since))]
    values = {"subject": key, "failures": fresh, "since": now}
    if dialect in ("mysql", "mariadb"):
        return mysql.insert(table).values(**values).on_duplicate_key_update(changes)
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        return insert(table).values(**values).on_conflict_do_update(index_elements=["subject"], set_=dict(changes))
    raise NotImplementedError(f"login throttle: no upsert for the {dialect} dialect")


def add(key: str, delta: int, window: dt.timedelta) -> int:
    """Add ``delta`` to the count of ``key`` within its ``window`` and return the new count, atomically."""
    now = _now()
    with db.app_engine().begin() as conn:  # the row stays locked until the count is read back
        conn.execute(_upsert(conn.dialect.name, key, delta, now, now - window))
        count = conn.execute(sa.select(dash_login_failure.c.failures).where(dash_login_failure.c.subject == key))
        return int(count.scalar_one())


def forget(key: str) -> None:
    """Drop the count of ``key`` (``accounts unlock``)."""
    with db.app_engine().begin() as conn:
        conn.execute(dash_login_failure.delete().where(dash_login_failure.c.subject == key))


def purge(window: dt.timedelta) -> None:
    """Delete up to ``PURGE_BATCH`` counts older than ``window`` (best effort: a lock conflict only waits for later).

    The expired keys are read first, then deleted by key: a range delete on ``since`` would lock the index gaps
    that concurrent counts write into (MariaDB), and could deadlock with them.
    """
    cutoff = _now() - window
    table = dash_login_failure
    try:
        with db.app_engine().connect() as conn:
            stmt = sa.select(table.c.subject).where(table.c.since <= cutoff).limit(PURGE_BATCH)
            expired = list(conn.execute(stmt).scalars())
        if expired:
            with db.app_engine().begin() as conn:
                conn.execute(table.delete().where(table.c.subject.in_(expired), table.c.since <= cutoff))
    except (sa.exc.OperationalError, UnavailableError) as exc:
        log.warning("login throttle: purge postponed (%s)", str(exc).splitlines()[0][:200])
