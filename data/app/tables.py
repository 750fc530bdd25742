"""Mediviz's own tables (``dash_``): created at start if the app database answers, else retried.

A worker must boot whatever its dependencies do (gunicorn stops altogether when a worker fails to boot): if
the tables cannot be created at start, a background thread tries again every few seconds, and requests get
503 (the outage banner) until it succeeds; the first request after the database returns may create them too.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app

from data.app import accounts
from data.errors import UnavailableError
from data.source import db

log = logging.getLogger(__name__)
RETRY_EVERY = 3.0


def init_app(app: Flask) -> None:
    """Create the tables now if possible; else retry in the background and refuse requests until done."""
    state = app.extensions["mediviz"]
    state["app_tables"] = threading.Event()
    state["app_tables_lock"] = threading.Lock()
    state["app_tables_stop"] = threading.Event()
    if not _try_create(app):
        STOPS.append(state["app_tables_stop"])
        threading.Thread(target=_retry, args=(app,), name="mediviz-app-tables", daemon=True).start()


def _try_create(app: Flask) -> bool:
    """One attempt (bounded by the engine's timeouts); True once the tables exist."""
    state = app.extensions["mediviz"]
    if state["app_tables"].is_set():
        return True
    if not state["app_tables_lock"].acquire(blocking=False):  # another thread is trying right now
        return False
    try:
        with app.app_context():
            accounts.create_tables(db.app_engine())
    except Exception as exc:  # noqa: BLE001 - any failure: retried, and requests get 503 meanwhile
        log.warning("app database: cannot create the dash_ tables yet (%s); retrying", str(exc).splitlines()[0])
        return False
    finally:
        state["app_tables_lock"].release()
    state["app_tables"].set()
    return True


def _retry(app: Flask) -> None:
    stopped = app.extensions["mediviz"]["app_tables_stop"]
    while not _try_create(app):
        if stopped.wait(RETRY_EVERY):
            return
    log.warning("app database: dash_ tables ready")


#: The stop signals of every background retry of this process (tests end them after each test).
STOPS: list[threading.Event] = []


def stop_all() -> None:
    """End every background retry (the next request still creates the tables when it can)."""
    for stop in STOPS:
        stop.set()
    STOPS.clear()


def require() -> None:
    """The tables must exist before a request reads accounts or sessions (``UnavailableError``: 503 until then)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.extensions["mediviz"]["app_tables"].is_set() and not _try_create(app):
        raise UnavailableError("comptes", "dash_ tables not created yet")
