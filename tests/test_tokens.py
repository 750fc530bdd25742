"""API tokens: created (shown once) and revoked from the CLI, stored hashed, Bearer with the owner's scope."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import pytest
import sqlalchemy as sa

from data.app.schema import dash_api_token, dash_user
from data.source import db
from tests.conftest import PASSWORDS, build_app, csrf, login


def cli(app: Any, *args: str) -> Any:
    result = app.server.test_cli_runner().invoke(args=list(args))
    return result


def new_token(app: Any, username: str, *options: str) -> str:
    result = cli(app, "token", "create", username, "--name", "outil de test", *options)
    assert result.exit_code == 0, result.output
    found = re.search(r"^(mvz_\S+)$", result.output, re.MULTILINE)
    assert found, result.output
    return found.group(1)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_works_on_every_api_route_with_its_owner_scope(sqlite_app: Any) -> None:
    secret = new_token(sqlite_app, "chef")  # linked to user 2: team 2, 3, 4
    client = sqlite_app.server.test_client()  # no session at all
    mine = client.get("/api/v1/visites", headers=bearer(secret))
    assert mine.status_code == 200 and mine.get_json()["indicateurs"]["visites"] == 4  # V1, V2, V3, V7
    legacy = client.post("/data", json={"annee": 2025}, headers=bearer(secret))
    assert legacy.status_code == 200 and "statistiques" in legacy.get_json()
    assert client.post("/performance", json={}, headers=bearer(secret)).status_code == 200
    outside = client.get("/api/v1/visites?id_responsable=5", headers=bearer(secret))
    assert outside.status_code == 403  # the owner's team, not more


def test_the_token_is_shown_once_and_stored_hashed(sqlite_app: Any) -> None:
    secret = new_token(sqlite_app, "admin", "--days", "30")
    with sqlite_app.server.app_context(), db.app_engine().connect() as conn:
        row = conn.execute(sa.select(dash_api_token)).one()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(tuple(row)) and row.prefix == secret[:12]
    assert row.expires_at is not None
    listing = cli(sqlite_app, "token", "list", "admin")
    assert "actif" in listing.output and secret not in listing.output


def test_last_use_is_written_at_most_once_a_minute(sqlite_app: Any) -> None:
    """It was one write per API request (the red-team pass noticed)."""
    import datetime as dt

    secret = new_token(sqlite_app, "admin")
    client = sqlite_app.server.test_client()

    def last_used() -> Any:
        with sqlite_app.server.app_context(), db.app_engine().connect() as conn:
            return conn.execute(sa.select(dash_api_token.c.last_used_at)).scalar_one()

    assert last_used() is None
    client.get("/api/v1/visites", headers=bearer(secret))
    first = last_used()
    assert first is not None
    old = first - dt.timedelta(seconds=30)
    with sqlite_app.server.app_context(), db.app_engine().begin() as conn:
        conn.execute(dash_api_token.update().values(last_used_at=old))
    client.get("/api/v1/visites", headers=bearer(secret))
    assert last_used() == old  # 30 s ago: not written again
    with sqlite_app.server.app_context(), db.app_engine().begin() as conn:
        conn.execute(dash_api_token.update().values(last_used_at=first - dt.timedelta(seconds=61)))
    client.get("/api/v1/visites", headers=bearer(secret))
    assert last_used() >= first


def test_a_revoked_token_gets_401_at_once(sqlite_app: Any) -> None:
    secret = new_token(sqlite_app, "admin")
    client = sqlite_app.server.test_client()
    assert client.get("/api/v1/visites", headers=bearer(secret)).status_code == 200
    with sqlite_app.server.app_context(), db.app_engine().connect() as conn:
        token_id = conn.execute(sa.select(dash_api_token.c.id)).scalar_one()
    revoked = cli(sqlite_app, "token", "revoke", str(token_id))
    assert revoked.exit_code == 0 and "révoqué" in revoked.output
    refused = client.get("/api/v1/visites", headers=bearer(secret))
    assert refused.status_code == 401 and refused.get_json()["error"] == "Jeton invalide, expiré ou révoqué."
    assert cli(sqlite_app, "token", "revoke", str(token_id)).exit_code != 0  # already revoked


def test_an_expired_or_forged_token_or_a_disabled_account_gets_401(sqlite_app: Any) -> None:
    secret = new_token(sqlite_app, "admin", "--days", "1")
    client = sqlite_app.server.test_client()
    with sqlite_app.server.app_context(), db.app_engine().begin() as conn:
        conn.execute(dash_api_token.update().values(expires_at=dt.datetime(2020, 1, 1)))
    assert client.get("/api/v1/visites", headers=bearer(secret)).status_code == 401
    for forged in ("mvz_" + "A" * 43, "nimportequoi", secret[:-1], "mvz_" + "x" * 500):
        assert client.get("/api/v1/visites", headers=bearer(forged)).status_code == 401
    other = new_token(sqlite_app, "chef")
    with sqlite_app.server.app_context(), db.app_engine().begin() as conn:
        conn.execute(dash_user.update().where(dash_user.c.username == "chef").values(active=False))
    assert client.get("/api/v1/visites", headers=bearer(other)).status_code == 401


def test_a_token_does_not_open_the_pages(sqlite_app: Any) -> None:
    secret = new_token(sqlite_app, "admin")
    page = sqlite_app.server.test_client().get("/visites", headers=bearer(secret))
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")


def test_bad_token_commands_are_refused_clearly(sqlite_app: Any) -> None:
    assert "compte inconnu" in cli(sqlite_app, "token", "create", "personne", "--name", "x").output
    assert "durée de validité" in cli(sqlite_app, "token", "create", "admin", "--name", "x", "--days", "0").output
    assert "aucun jeton actif" in cli(sqlite_app, "token", "revoke", "999").output


def test_the_tokens_page_creates_shows_once_lists_and_revokes(sqlite_app: Any) -> None:
    from tests.conftest import csrf, login

    client = login(sqlite_app.server.test_client(), "chef")
    page = client.get("/jetons")
    assert page.status_code == 200 and "Aucun jeton." in page.get_data(as_text=True)
    token = csrf(client)
    form = {"name": "tableur", "days": "30", "password": PASSWORDS["chef"], "csrf_token": token}
    created = client.post("/jetons", data=form)
    assert created.status_code == 303 and created.headers["Location"].endswith("/jetons")  # post, then redirect
    html = client.get("/jetons").get_data(as_text=True)
    secret = re.search(r'<code id="token-secret">(mvz_[^<]+)</code>', html)
    assert secret, html
    tool = sqlite_app.server.test_client()
    assert tool.get("/api/v1/visites", headers=bearer(secret.group(1))).get_json()["indicateurs"]["visites"] == 4
    listing = client.get("/jetons").get_data(as_text=True)
    assert "tableur" in listing and "actif" in listing and secret.group(1) not in listing  # shown once only
    token_id = re.search(r"/jetons/(\d+)/revoquer", listing)
    assert token_id
    assert client.post(f"/jetons/{token_id.group(1)}/revoquer", data={"csrf_token": token}).status_code == 302
    assert tool.get("/api/v1/visites", headers=bearer(secret.group(1))).status_code == 401
    assert "révoqué" in client.get("/jetons").get_data(as_text=True)


def test_the_tokens_page_refuses_forged_or_bad_forms_and_other_accounts_tokens(sqlite_app: Any) -> None:
    from tests.conftest import csrf, login

    admin_secret = new_token(sqlite_app, "admin")
    client = login(sqlite_app.server.test_client(), "chef")
    password = PASSWORDS["chef"]
    assert client.post("/jetons", data={"name": "x", "password": password}).status_code == 400  # no anti-forgery token
    token = csrf(client)
    assert client.post("/jetons", data={"name": "", "password": password, "csrf_token": token}).status_code == 400
    form = {"name": "x", "days": "-3", "password": password, "csrf_token": token}
    assert client.post("/jetons", data=form).status_code == 400
    with sqlite_app.server.app_context(), db.app_engine().connect() as conn:
        admin_token = conn.execute(sa.select(dash_api_token.c.id)).scalar_one()
    assert client.post(f"/jetons/{admin_token}/revoquer", data={"csrf_token": token}).status_code == 404
    assert sqlite_app.server.test_client().get("/api/v1/visites", headers=bearer(admin_secret)).status_code == 200
    assert sqlite_app.server.test_client().get("/jetons").status_code == 302  # logged out: to the login page


def api_status(app: Any, secret: str) -> int:
    """The status of an API request carrying the token (no session)."""
    return int(app.server.test_client().get("/api/v1/visites", headers=bearer(secret)).status_code)


def states(app: Any, username: str) -> list[str]:
    """The states of the account's tokens as ``token list`` prints them."""
    listing = cli(app, "token", "list", username).output
    return re.findall(r"…\s+(\S+)", listing)


def test_a_new_password_revokes_the_accounts_tokens(sqlite_app: Any) -> None:
    """accounts.set_password (the CLI's set-password, the demo setup): a token minted before no longer works."""
    from data.app import accounts

    mine, other = new_token(sqlite_app, "chef"), new_token(sqlite_app, "admin")
    assert api_status(sqlite_app, mine) == 200
    with sqlite_app.server.app_context():
        accounts.set_password("chef", "un-autre-mot-de-passe")
    assert api_status(sqlite_app, mine) == 401
    assert states(sqlite_app, "chef") == ["révoqué"]
    assert api_status(sqlite_app, other) == 200  # another account's token is not touched
    assert api_status(sqlite_app, new_token(sqlite_app, "chef")) == 200  # a token minted afterwards works


def test_a_password_changed_from_the_cli_revokes_the_tokens(sqlite_app: Any) -> None:
    secret = new_token(sqlite_app, "chef")
    runner = sqlite_app.server.test_cli_runner()
    done = runner.invoke(args=["accounts", "set-password", "chef"], input="nouveau-secret\nnouveau-secret\n")
    assert done.exit_code == 0 and "jetons d'API révoqués" in done.output
    assert api_status(sqlite_app, secret) == 401
    helped = runner.invoke(args=["accounts", "set-password", "--help"]).output
    assert "its API tokens are revoked" in " ".join(helped.split())  # click wraps the help text


def test_disabling_on_the_accounts_page_revokes_the_tokens_for_good(sqlite_app: Any) -> None:
    """Disabled, then enabled again: the account's users log in again, its old tokens stay revoked."""
    secret = new_token(sqlite_app, "chef")
    admin = login(sqlite_app.server.test_client(), "admin")
    token = csrf(admin)
    assert "désactivé" in admin.post("/comptes/chef/etat", data={"csrf_token": token}).get_data(as_text=True)
    assert api_status(sqlite_app, secret) == 401
    assert "réactivé" in admin.post("/comptes/chef/etat", data={"csrf_token": token}).get_data(as_text=True)
    assert api_status(sqlite_app, secret) == 401
    chef = login(sqlite_app.server.test_client(), "chef")
    assert "révoqué" in chef.get("/jetons").get_data(as_text=True)


@pytest.fixture(params=["sqlite_url", "mariadb_url"])
def both_app(request: pytest.FixtureRequest) -> Any:
    return build_app(request.getfixturevalue(request.param))


def test_disabling_with_accounts_update_revokes_the_tokens(both_app: Any) -> None:
    """accounts.update(active=False) (the CLI's disable too), on SQLite and MariaDB; enabling revives nothing."""
    from data.app import accounts

    secret = new_token(both_app, "chef")
    with both_app.server.app_context():
        accounts.update("chef", active=False)
        accounts.update("chef", active=True)
    assert api_status(both_app, secret) == 401
    assert states(both_app, "chef") == ["révoqué"]
    revived = new_token(both_app, "chef")
    assert cli(both_app, "accounts", "disable", "chef").exit_code == 0
    assert cli(both_app, "accounts", "enable", "chef").exit_code == 0
    assert api_status(both_app, revived) == 401
    assert states(both_app, "chef") == ["révoqué", "révoqué"]


def created(app: Any) -> int:
    with app.server.app_context(), db.app_engine().connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(dash_api_token)).scalar_one())


def test_creating_a_token_on_the_page_asks_for_the_password(sqlite_app: Any) -> None:
    """A session alone (a stolen cookie) cannot mint a lasting credential."""
    client = login(sqlite_app.server.test_client(), "chef")
    form = {"name": "tableur", "csrf_token": csrf(client)}
    missing = client.post("/jetons", data=form)
    assert missing.status_code == 400 and "Saisissez votre mot de passe" in missing.get_data(as_text=True)
    wrong = client.post("/jetons", data={**form, "password": PASSWORDS["admin"]})
    assert wrong.status_code == 403 and "Mot de passe incorrect" in wrong.get_data(as_text=True)
    assert created(sqlite_app) == 0
    right = client.post("/jetons", data={**form, "password": PASSWORDS["chef"]}, follow_redirects=True)
    assert right.status_code == 200 and created(sqlite_app) == 1
    secret = re.search(r'<code id="token-secret">(mvz_[^<]+)</code>', right.get_data(as_text=True))
    assert secret and api_status(sqlite_app, secret.group(1)) == 200


def test_wrong_passwords_on_the_tokens_page_count_with_the_logins(sqlite_app: Any) -> None:
    """5 wrong passwords here lock the account as 5 wrong logins would: the form cannot be used to guess."""
    client = login(sqlite_app.server.test_client(), "chef")
    form = {"name": "x", "password": "faux-mot-de-passe", "csrf_token": csrf(client)}
    assert [client.post("/jetons", data=form).status_code for _ in range(5)] == [403] * 5
    blocked = client.post("/jetons", data={**form, "password": PASSWORDS["chef"]})
    assert blocked.status_code == 429 and "Trop de tentatives" in blocked.get_data(as_text=True)
    assert created(sqlite_app) == 0
    other = sqlite_app.server.test_client()
    login_form = {"username": "chef", "password": PASSWORDS["chef"], "csrf_token": csrf(other)}
    assert other.post("/login", data=login_form).status_code == 429


def test_reloading_the_page_after_creating_a_token_creates_no_second_one(sqlite_app: Any) -> None:
    """The browser's reload after "Créer un jeton" repeats the last request: a GET, after the redirect."""
    client = login(sqlite_app.server.test_client(), "chef")
    form = {"name": "tableur", "password": PASSWORDS["chef"], "csrf_token": csrf(client)}
    shown = client.post("/jetons", data=form, follow_redirects=True)
    assert shown.request.method == "GET" and len(shown.history) == 1 and shown.history[0].status_code == 303
    assert '<code id="token-secret">mvz_' in shown.get_data(as_text=True)
    reloaded = client.get("/jetons").get_data(as_text=True)
    assert created(sqlite_app) == 1 and 'id="token-secret"' not in reloaded and "tableur" in reloaded
    other = login(sqlite_app.server.test_client(), "admin").get("/jetons").get_data(as_text=True)
    assert 'id="token-secret"' not in other
