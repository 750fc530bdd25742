"""Login, logout and the request guard: what a visitor meets before and after logging in."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from data.app.throttle import dash_login_failure, subject
from data.source import db
from tests.conftest import PASSWORDS, another_worker, build_app, csrf, login


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def test_pages_redirect_to_the_login_page_and_back(sqlite_app: Any) -> None:
    client = sqlite_app.server.test_client()
    response = client.get("/visites?annee=2025")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/visites?annee%3D2025"
    page = client.get(response.headers["Location"])
    assert "Connexion" in page.get_data(as_text=True)
    form = {
        "username": "admin",
        "password": PASSWORDS["admin"],
        "next": "/visites?annee=2025",
        "csrf_token": csrf(client),
    }
    back = client.post("/login", data=form)
    assert back.status_code == 302
    assert back.headers["Location"] == "/visites?annee=2025"
    assert client.get("/visites").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "javascript:alert(1)",
        "\\\\evil",
        "/\r\nSet-Cookie:x=y",
        "/visites\tx",
        "/visites\x00",
        "/visites\x7f",
        "/visites\u2028x",
    ],
)
def test_next_must_be_a_local_path(sqlite_app: Any, target: str) -> None:
    client = sqlite_app.server.test_client()
    form = {"username": "admin", "password": PASSWORDS["admin"], "next": target, "csrf_token": csrf(client)}
    response = client.post("/login", data=form)
    assert response.headers["Location"] == "/"


def test_a_newline_in_next_from_the_query_string_is_not_a_500(sqlite_app: Any) -> None:
    client = sqlite_app.server.test_client()
    form = {"username": "admin", "password": PASSWORDS["admin"], "csrf_token": csrf(client)}
    response = client.post("/login?next=/%0d%0aSet-Cookie:x=y", data=form)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "x=y" not in str(response.headers)
    assert client.get("/api/v1/visites").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_french_answer(sqlite_app: Any) -> None:
    client = sqlite_app.server.test_client()
    token = csrf(client)
    wrong = client.post("/login", data={"username": "admin", "password": "nope", "csrf_token": token})
    unknown = client.post("/login", data={"username": "nobody", "password": "nope", "csrf_token": token})
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "Identifiant ou mot de passe incorrect." in response.get_data(as_text=True)


def test_dash_internal_routes_answer_401_when_logged_out(sqlite_app: Any) -> None:
    client = sqlite_app.server.test_client()
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/_dash-dependencies").status_code == 401
    assert client.post("/_dash-update-component", json={}).status_code == 401


def test_public_paths(sqlite_app: Any) -> None:
    client = sqlite_app.server.test_client()
    health = client.get("/health").get_json()  # the two legacy keys, and each dependency's state since
    assert {key: health[key] for key in ("status", "database")} == {"status": "ok", "database": "ok"}
    assert {name: part["etat"] for name, part in health["components"].items()} == {"crm": "ok", "comptes": "ok"}
    with client.get("/assets/02-mediviz.css") as css:
        assert css.status_code == 200
    assert client.get("/login").status_code == 200


def test_home_goes_to_visites_keeping_the_query(sqlite_app: Any) -> None:
    client = login(sqlite_app.server.test_client(), "admin")
    response = client.get("/?annee=2025")
    assert response.headers["Location"] == "/visites?annee=2025"


def test_logout_closes_the_session(sqlite_app: Any) -> None:
    client = login(sqlite_app.server.test_client(), "admin")
    assert client.get("/api/v1/visites").status_code == 200
    assert client.post("/logout").headers["Location"] == "/login"  # no token: a forged logout does nothing
    assert client.get("/api/v1/visites").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf(client)}).headers["Location"] == "/login"
    assert client.get("/api/v1/visites").status_code == 401


def test_passwords_are_stored_hashed(sqlite_app: Any) -> None:
    import sqlalchemy as sa

    from data.source import db

    with sqlite_app.server.app_context(), db.app_engine().connect() as conn:
        hashes = [row.password_hash for row in conn.execute(sa.text("SELECT password_hash FROM dash_user"))]
    assert hashes and all(h.startswith(("scrypt:", "pbkdf2:")) for h in hashes)
    assert not any(p in h for h in hashes for p in PASSWORDS.values())


def test_performance_is_both_a_page_and_a_legacy_post_route(sqlite_app: Any) -> None:
    anonymous = sqlite_app.server.test_client()
    assert anonymous.get("/performance").headers["Location"] == "/login?next=/performance"
    assert anonymous.post("/performance", json={}).status_code == 401
    client = login(sqlite_app.server.test_client(), "admin")
    page = client.get("/performance")
    assert page.status_code == 200 and page.content_type.startswith("text/html")
    assert next(iter(client.post("/performance", json={}).get_json())) == "nombre_compte_visite_par_type_compte"


def test_a_login_without_the_form_token_is_refused(sqlite_app: Any) -> None:
    client = sqlite_app.server.test_client()
    forged = client.post("/login", data={"username": "admin", "password": PASSWORDS["admin"]})
    assert forged.status_code == 400
    assert "Le formulaire a expiré" in forged.get_data(as_text=True)
    other = sqlite_app.server.test_client()  # another browser's token does not fit this session
    stolen = client.post(
        "/login", data={"username": "admin", "password": PASSWORDS["admin"], "csrf_token": csrf(other)}
    )
    assert stolen.status_code == 400
    assert client.get("/api/v1/visites").status_code == 401


def test_repeated_failures_are_slowed_down_per_account_with_a_french_message(sqlite_app: Any) -> None:
    client = sqlite_app.server.test_client()
    token = csrf(client)
    codes = [
        client.post("/login", data={"username": "chef", "password": "wrong", "csrf_token": token}).status_code
        for _ in range(5)
    ]
    assert codes == [401] * 5
    blocked = client.post("/login", data={"username": "chef", "password": PASSWORDS["chef"], "csrf_token": token})
    assert blocked.status_code == 429  # even the right password: not checked any more for now
    assert "Trop de tentatives de connexion" in blocked.get_data(as_text=True)
    login(sqlite_app.server.test_client(), "admin")  # another account from the same address still logs in


def test_repeated_failures_are_slowed_down_per_address(sqlite_app: Any) -> None:
    client = sqlite_app.server.test_client()
    token = csrf(client)
    for i in range(20):  # twenty names, each under its own limit
        client.post("/login", data={"username": f"inconnu{i}", "password": "x", "csrf_token": token})
    blocked = client.post("/login", data={"username": "admin", "password": PASSWORDS["admin"], "csrf_token": token})
    assert blocked.status_code == 429


def test_the_session_is_renewed_at_login_and_its_cookie_is_protected(sqlite_app: Any) -> None:
    client = sqlite_app.server.test_client()
    token_before = csrf(client)
    response = client.post(
        "/login", data={"username": "admin", "password": PASSWORDS["admin"], "csrf_token": token_before}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert csrf(client) != token_before  # nothing of the anonymous session survives the login


def test_outside_the_demo_a_strong_secret_key_is_required(sqlite_url: str) -> None:
    from dashboard import create_app

    for weak in (None, "", "court"):
        with pytest.raises(RuntimeError, match="MEDIVIZ_SECRET_KEY"):
            create_app({"DATABASE_URL": sqlite_url, "SECRET_KEY": weak, "SERVE_FROM": "crm"})


def test_only_the_exact_name_logs_in_whatever_the_collation(mariadb_url: str) -> None:
    """MariaDB's utf8mb4_general_ci finds ``chef`` for all three variants; only ``chef`` itself logs in."""
    app = build_app(mariadb_url)
    client = app.server.test_client()
    token = csrf(client)
    for variant in ("chéf", "ċhef", "CHEF"):
        form = {"username": variant, "password": PASSWORDS["chef"], "csrf_token": token}
        assert client.post("/login", data=form).status_code == 401
    assert client.get("/api/v1/visites").status_code == 401
    form = {"username": " chef ", "password": PASSWORDS["chef"], "csrf_token": token}  # spaces around: stripped
    assert client.post("/login", data=form).status_code == 302
    assert client.get("/api/v1/visites").get_json()["indicateurs"]["visites"] == 4  # chef's team: V1, V2, V3, V7


@pytest.fixture(params=["sqlite_url", "mariadb_url"])
def throttle_url(request: pytest.FixtureRequest) -> str:
    """The database holding the login throttle's counts (the accounts database): SQLite, then MariaDB."""
    url: str = request.getfixturevalue(request.param)
    return url


def test_concurrent_wrong_passwords_get_exactly_five_checks(throttle_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """40 attempts at once from 40 addresses, each check slowed down: 5 are checked (401), 35 refused (429)."""
    from data.app import accounts

    app = build_app(throttle_url)
    checked = []
    authenticate = accounts.authenticate

    def slow_check(username: str, password: str) -> Any:
        checked.append(username)
        threading.Event().wait(0.3)  # every attempt is in flight before any check ends
        return authenticate(username, password)

    monkeypatch.setattr(accounts, "authenticate", slow_check)
    clients = [app.server.test_client() for _ in range(40)]
    for i, client in enumerate(clients):  # 40 addresses: only the account's limit (5) applies, not the address's
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{i + 1}"
    forms = [{"username": "chef", "password": "wrong", "csrf_token": csrf(client)} for client in clients]
    start, codes = threading.Barrier(40), [0] * 40

    def attempt(i: int) -> None:
        start.wait()
        codes[i] = clients[i].post("/login", data=forms[i]).status_code

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [401] * 5 + [429] * 35
    assert len(checked) == 5
    with app.server.app_context(), db.app_engine().connect() as conn:  # what stays counted: the 5 failures
        row = conn.execute(
            sa.select(dash_login_failure).where(dash_login_failure.c.subject == subject("account", "chef"))
        ).one()
    assert row.failures == 5 and 0 <= (now() - row.since).total_seconds() <= 15 * 60  # the count has an expiry


def test_successful_logins_do_not_count_towards_the_limits(throttle_url: str) -> None:
    """Thirty logins from one address (an office behind one router), then four failures: still under both limits."""
    app = build_app(throttle_url)
    for _ in range(30):
        login(app.server.test_client(), "chef")
    client = app.server.test_client()
    token = csrf(client)
    for _ in range(4):
        assert client.post("/login", data={"username": "chef", "password": "x", "csrf_token": token}).status_code == 401
    login(client, "chef")  # the 5th attempt of the window: checked, and right


def fail_from(app: Any, address: str, times: int) -> None:
    """``times`` wrong logins (each for another unknown name) as seen behind a proxy from ``address``."""
    client = app.server.test_client()
    token = csrf(client)
    for i in range(times):
        form = {"username": f"inconnu{i}", "password": "x", "csrf_token": token}
        assert client.post("/login", data=form, headers={"X-Forwarded-For": address}).status_code == 401


def login_from(app: Any, address: str) -> int:
    client = app.server.test_client()
    form = {"username": "admin", "password": PASSWORDS["admin"], "csrf_token": csrf(client)}
    return int(client.post("/login", data=form, headers={"X-Forwarded-For": address}).status_code)


def test_behind_one_proxy_the_forwarded_address_is_the_one_throttled(sqlite_url: str) -> None:
    app = build_app(sqlite_url, PROXY_FIX=1)
    fail_from(app, "203.0.113.7", 20)
    assert login_from(app, "203.0.113.7") == 429
    assert login_from(app, "203.0.113.8") == 302  # another client behind the same proxy


def test_without_proxy_fix_the_forwarded_address_is_ignored(sqlite_url: str) -> None:
    app = build_app(sqlite_url)  # PROXY_FIX=0: the header could be set by anyone
    fail_from(app, "203.0.113.7", 20)
    assert login_from(app, "203.0.113.8") == 429  # same peer address (the test client's): same counter


def test_refused_attempts_do_not_count_against_the_address(sqlite_app: Any) -> None:
    """5 failures for chef, then 20 refused tries: the address has 5 failures, not 25, and admin logs in."""
    client = sqlite_app.server.test_client()
    token = csrf(client)
    codes = [
        client.post("/login", data={"username": "chef", "password": "x", "csrf_token": token}).status_code
        for _ in range(25)
    ]
    assert codes == [401] * 5 + [429] * 20
    login(sqlite_app.server.test_client(), "admin")


def test_logins_while_the_accounts_database_is_down_are_no_failures(sqlite_url: str, tmp_path: Path) -> None:
    """Six attempts get 503 while the accounts database is unreachable; once it is back, chef logs in at once."""
    from data.source import db

    app = build_app(sqlite_url, APP_DATABASE_URL=f"sqlite:///{tmp_path / 'app.sqlite'}")
    state = app.server.extensions["mediviz"]
    working = state["app_engine"]
    state["app_engine"] = db.make_engine(f"sqlite:///{tmp_path / 'absent' / 'app.sqlite'}")  # cannot be opened
    client = app.server.test_client()
    token = csrf(client)
    for _ in range(6):
        form = {"username": "chef", "password": PASSWORDS["chef"], "csrf_token": token}
        assert client.post("/login", data=form).status_code == 503
    state["app_engine"] = working
    login(client, "chef")


def wrong(client: Any, username: str, token: str, address: str = "127.0.0.1") -> int:
    """A wrong password for ``username`` from ``address``: the answer's status."""
    form = {"username": username, "password": "faux", "csrf_token": token}
    return int(client.post("/login", data=form, environ_base={"REMOTE_ADDR": address}).status_code)


def right(client: Any, username: str, address: str = "127.0.0.1") -> int:
    """The right password for ``username`` from ``address``: the answer's status."""
    form = {"username": username, "password": PASSWORDS[username], "csrf_token": csrf(client)}
    return int(client.post("/login", data=form, environ_base={"REMOTE_ADDR": address}).status_code)


def test_a_flood_of_junk_names_does_not_lift_a_lock(sqlite_app: Any) -> None:
    """Default configuration (SimpleCache, 500 entries): 600 junk names used to evict chef's lock from the cache."""
    assert sqlite_app.server.config["CACHE_TYPE"] == "SimpleCache"
    client = sqlite_app.server.test_client()
    token = csrf(client)
    assert [wrong(client, "chef", token) for _ in range(5)] == [401] * 5
    for i in range(600):  # each from its own address: every one a checked failure
        assert wrong(client, f"inconnu{i}", token, address=f"10.0.{i // 200}.{i % 200 + 1}") == 401
    assert right(client, "chef", address="192.0.2.1") == 429


def test_two_workers_share_the_counts(throttle_url: str) -> None:
    """3 failures on one worker and 2 on another (each with its own SimpleCache) lock the account on both."""
    first = build_app(throttle_url)
    second = another_worker(first)
    for app, times in ((first, 3), (second, 2)):
        client = app.server.test_client()
        token = csrf(client)
        assert [wrong(client, "chef", token) for _ in range(times)] == [401] * times
    assert right(first.server.test_client(), "chef") == 429
    assert right(second.server.test_client(), "chef") == 429


def test_with_redis_down_the_throttle_still_holds(sqlite_url: str) -> None:
    """A cache that does not answer used to throttle nothing: the counts are not in the cache any more."""
    app = build_app(sqlite_url, CACHE_TYPE="RedisCache", CACHE_REDIS_URL="redis://127.0.0.1:1/0")
    client = app.server.test_client()
    token = csrf(client)
    assert [wrong(client, "chef", token) for _ in range(5)] == [401] * 5
    assert right(client, "chef") == 429


def test_counts_start_over_after_15_minutes_and_old_ones_are_purged(sqlite_app: Any) -> None:
    """A lock lasts 15 minutes from the first failure; expired counts (junk names too) are deleted at the next try."""
    client = sqlite_app.server.test_client()
    token = csrf(client)
    assert [wrong(client, "chef", token) for _ in range(5)] == [401] * 5
    assert [wrong(client, f"inconnu{i}", token) for i in range(3)] == [401] * 3
    assert right(client, "chef") == 429
    with sqlite_app.server.app_context(), db.app_engine().begin() as conn:
        conn.execute(dash_login_failure.update().values(since=now() - dt.timedelta(minutes=15, seconds=1)))
    assert right(client, "chef") == 302
    with sqlite_app.server.app_context(), db.app_engine().connect() as conn:
        left = set(conn.execute(sa.select(dash_login_failure.c.subject)).scalars())
    assert left == {subject("account", "chef"), subject("address", "127.0.0.1")}  # the new attempt's, taken back
