"""Login, logout and the request guard: what a visitor meets before and after logging in."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORDS, csrf, login


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


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "\\\\evil"])
def test_next_must_be_a_local_path(sqlite_app: Any, target: str) -> None:
    client = sqlite_app.server.test_client()
    form = {"username": "admin", "password": PASSWORDS["admin"], "next": target, "csrf_token": csrf(client)}
    response = client.post("/login", data=form)
    assert response.headers["Location"] == "/"


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
    assert client.get("/health").get_json() == {"status": "ok", "database": "ok"}
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

    from data import db

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
