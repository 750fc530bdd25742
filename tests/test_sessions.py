"""Server-side sessions: logout, disabling, idleness and age end a session, even for a copy of its cookie."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from data.app import accounts
from data.app.schema import dash_user
from data.app.sessions import dash_session
from data.source import db
from tests.conftest import build_app, csrf, login


@pytest.fixture(params=["sqlite_url", "mariadb_url"])
def both_app(request: pytest.FixtureRequest) -> Any:
    """A fresh app (its own accounts and sessions) on SQLite, then on MariaDB."""
    return build_app(request.getfixturevalue(request.param))


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def copy_of(client: FlaskClient, app: Any) -> FlaskClient:
    """Another browser holding a copy of ``client``'s session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.server.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def set_sessions(app: Any, username: str, **values: dt.datetime) -> None:
    """Set ``created_at`` / ``last_seen`` of every session record of ``username``."""
    with app.server.app_context(), db.app_engine().begin() as conn:
        owner = sa.select(dash_user.c.id).where(dash_user.c.username == username)
        conn.execute(dash_session.update().where(dash_session.c.user_id.in_(owner)).values(**values))


def records(app: Any) -> list[Any]:
    with app.server.app_context(), db.app_engine().connect() as conn:
        stmt = sa.select(dash_session, dash_user.c.username).join(dash_user, dash_user.c.id == dash_session.c.user_id)
        return list(conn.execute(stmt).all())


def assert_logged_out(client: FlaskClient) -> None:
    """The API and Dash answer 401, a page sends to the login form."""
    assert client.get("/api/v1/visites").status_code == 401
    assert client.post("/_dash-update-component", json={}).status_code == 401
    assert client.get("/visites").headers["Location"] == "/login?next=/visites"


def test_a_copied_cookie_stops_working_at_logout(both_app: Any) -> None:
    client = login(both_app.server.test_client(), "chef")
    thief = copy_of(client, both_app)
    assert thief.get("/api/v1/visites").get_json()["indicateurs"]["visites"] == 4  # the copy works: team of 2
    assert client.post("/logout", data={"csrf_token": csrf(client)}).status_code == 302
    assert_logged_out(thief)
    assert records(both_app) == []
    login(client, "chef")  # logging in again opens a new session
    assert client.get("/api/v1/visites").status_code == 200


def test_only_the_hash_of_the_session_secret_is_stored(both_app: Any) -> None:
    client = login(both_app.server.test_client(), "admin")
    cookie = client.get_cookie("session")
    assert cookie is not None
    content = both_app.server.session_interface.get_signing_serializer(both_app.server).loads(cookie.value)
    secret = content["mediviz_session"]
    [record] = records(both_app)
    assert record.username == "admin"
    assert record.secret_hash == hashlib.sha256(secret.encode()).hexdigest() != secret


def test_disabling_ends_the_sessions_and_enabling_does_not_revive_them(both_app: Any) -> None:
    first = login(both_app.server.test_client(), "chef")
    second = login(both_app.server.test_client(), "chef")
    login(both_app.server.test_client(), "admin")
    assert len(records(both_app)) == 3
    with both_app.server.app_context():
        accounts.update("chef", active=False)
        accounts.update("chef", active=True)
    assert_logged_out(first)
    assert_logged_out(second)
    assert [r.username for r in records(both_app)] == ["admin"]  # other accounts' sessions live on
    assert login(first, "chef").get("/api/v1/visites").status_code == 200


def test_a_new_password_ends_the_open_sessions(both_app: Any) -> None:
    client = login(both_app.server.test_client(), "chef")
    with both_app.server.app_context():
        accounts.set_password("chef", "un-autre-mot-de-passe")
    assert_logged_out(client)


def test_a_session_ends_after_two_hours_without_a_request(both_app: Any) -> None:
    client = login(both_app.server.test_client(), "chef")
    set_sessions(both_app, "chef", last_seen=now() - dt.timedelta(minutes=119))
    assert client.get("/api/v1/visites").status_code == 200  # 119 minutes idle: still open, and seen again now
    assert records(both_app)[0].last_seen >= now() - dt.timedelta(seconds=30)
    set_sessions(both_app, "chef", last_seen=now() - dt.timedelta(minutes=121))
    assert_logged_out(client)


def test_a_session_ends_twelve_hours_after_login_however_busy(both_app: Any) -> None:
    client = login(both_app.server.test_client(), "chef")
    set_sessions(both_app, "chef", created_at=now() - dt.timedelta(hours=11, minutes=59))
    assert client.get("/api/v1/visites").status_code == 200
    set_sessions(both_app, "chef", created_at=now() - dt.timedelta(hours=12, minutes=1))
    assert_logged_out(client)


def test_the_limits_are_settings(sqlite_url: str) -> None:
    app = build_app(sqlite_url, SESSION_IDLE_MINUTES=5, SESSION_HOURS=1)
    idle = login(app.server.test_client(), "chef")
    busy = login(app.server.test_client(), "admin")
    set_sessions(app, "chef", last_seen=now() - dt.timedelta(minutes=4))
    set_sessions(app, "admin", created_at=now() - dt.timedelta(minutes=59))
    assert idle.get("/api/v1/visites").status_code == busy.get("/api/v1/visites").status_code == 200
    set_sessions(app, "chef", last_seen=now() - dt.timedelta(minutes=6))
    set_sessions(app, "admin", created_at=now() - dt.timedelta(minutes=61))
    assert_logged_out(idle)
    assert_logged_out(busy)


def test_last_seen_is_written_at_most_once_a_minute(sqlite_app: Any) -> None:
    client = login(sqlite_app.server.test_client(), "chef")
    half_a_minute_ago = now() - dt.timedelta(seconds=30)
    set_sessions(sqlite_app, "chef", last_seen=half_a_minute_ago)
    for _ in range(3):
        assert client.get("/api/v1/visites").status_code == 200
    assert records(sqlite_app)[0].last_seen == half_a_minute_ago  # three requests, no write
    set_sessions(sqlite_app, "chef", last_seen=now() - dt.timedelta(seconds=90))
    assert client.get("/api/v1/visites").status_code == 200
    assert records(sqlite_app)[0].last_seen >= now() - dt.timedelta(seconds=30)


def test_expired_records_are_purged_at_login(sqlite_app: Any) -> None:
    login(sqlite_app.server.test_client(), "admin")
    login(sqlite_app.server.test_client(), "orphelin")
    set_sessions(sqlite_app, "admin", last_seen=now() - dt.timedelta(hours=3))  # idle too long
    set_sessions(sqlite_app, "orphelin", created_at=now() - dt.timedelta(hours=13))  # too old
    assert len(records(sqlite_app)) == 2
    login(sqlite_app.server.test_client(), "chef")
    assert [r.username for r in records(sqlite_app)] == ["chef"]


def test_an_unreachable_accounts_database_is_a_503_not_a_logout(sqlite_url: str, tmp_path: Path) -> None:
    app = build_app(sqlite_url, APP_DATABASE_URL=f"sqlite:///{tmp_path / 'app.sqlite'}")
    client = login(app.server.test_client(), "chef")
    state = app.server.extensions["mediviz"]
    working = state["app_engine"]
    state["app_engine"] = db.make_engine(f"sqlite:///{tmp_path / 'absent' / 'app.sqlite'}")  # cannot be opened
    api, page = client.get("/api/v1/visites"), client.get("/visites")
    assert api.status_code == page.status_code == 503
    assert api.get_json()["error"].startswith("Base de données indisponible")
    state["app_engine"] = working
    assert client.get("/api/v1/visites").get_json()["indicateurs"]["visites"] == 4  # the session survived
