"""API tokens: created (shown once) and revoked from the CLI, stored hashed, Bearer with the owner's scope."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import sqlalchemy as sa

from data import db
from data.schema import dash_api_token, dash_user


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
    created = client.post("/jetons", data={"name": "tableur", "days": "30", "csrf_token": token})
    html = created.get_data(as_text=True)
    assert created.status_code == 201
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
    assert client.post("/jetons", data={"name": "x"}).status_code == 400  # no anti-forgery token
    token = csrf(client)
    assert client.post("/jetons", data={"name": "", "csrf_token": token}).status_code == 400
    assert client.post("/jetons", data={"name": "x", "days": "-3", "csrf_token": token}).status_code == 400
    with sqlite_app.server.app_context(), db.app_engine().connect() as conn:
        admin_token = conn.execute(sa.select(dash_api_token.c.id)).scalar_one()
    assert client.post(f"/jetons/{admin_token}/revoquer", data={"csrf_token": token}).status_code == 404
    assert sqlite_app.server.test_client().get("/api/v1/visites", headers=bearer(admin_secret)).status_code == 200
    assert sqlite_app.server.test_client().get("/jetons").status_code == 302  # logged out: to the login page
