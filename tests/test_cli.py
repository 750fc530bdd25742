"""The CLI: create an account (hashed, optionally linked to a CRM user) and fill a database with demo data."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from data.app import accounts
from tests.conftest import PASSWORDS, csrf, login


def test_create_user_links_an_account_to_a_crm_user(sqlite_app: Any) -> None:
    runner = sqlite_app.server.test_cli_runner()
    result = runner.invoke(args=["create-user", "dsm5", "--crm-user", "5"], input="un-mot-de-passe\nun-mot-de-passe\n")
    assert result.exit_code == 0, result.output
    assert "Compte « dsm5 » créé (rôle viewer, lié à l'utilisateur CRM 5)." in result.output
    with sqlite_app.server.app_context():
        account = accounts.authenticate("dsm5", "un-mot-de-passe")
    assert account is not None and account.id_utilisateur == 5 and not account.is_admin


def test_create_user_refuses_a_taken_name_and_a_short_password(sqlite_app: Any) -> None:
    runner = sqlite_app.server.test_cli_runner()
    taken = runner.invoke(args=["create-user", "admin"], input="un-mot-de-passe\nun-mot-de-passe\n")
    assert taken.exit_code != 0 and "existe déjà" in taken.output
    short = runner.invoke(args=["create-user", "bob"], input="court\ncourt\n")
    assert short.exit_code != 0 and "au moins 8 caractères" in short.output


def test_demo_fills_another_database(sqlite_app: Any, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    runner = sqlite_app.server.test_cli_runner()
    result = runner.invoke(args=["demo", "--visits", "500", "--database-url", url, "--end", "2026-11-20", "--yes"])
    assert result.exit_code == 0, result.output
    assert "tab_visite" in result.output and "500" in result.output
    with sa.create_engine(url).connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM tab_visite").scalar() == 500
        done = "SELECT MAX(date_visite) FROM tab_visite WHERE code_statut_visite <> 'ENAT'"
        last = conn.exec_driver_sql(done).scalar()
        planned = conn.exec_driver_sql("SELECT MAX(date_visite) FROM tab_visite").scalar()
    assert str(last) <= "2026-11-20 23:59:59" < str(planned) <= "2026-12-04 23:59:59"  # --end, then the plan ahead


def test_demo_creates_a_mariadb_database_that_does_not_exist_yet(sqlite_app: Any, mariadb_url: str) -> None:
    """It ended in a traceback ("Unknown database")."""
    name = f"mediviz_demo_new_{os.getpid()}"
    server = sa.create_engine(mariadb_url)
    with server.begin() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
    url = sa.make_url(mariadb_url).set(database=name).render_as_string(hide_password=False)
    runner = sqlite_app.server.test_cli_runner()
    try:
        result = runner.invoke(args=["demo", "--visits", "300", "--database-url", url, "--yes"])
        assert result.exit_code == 0, result.output
        assert f"Base « {name} » créée." in result.output
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT COUNT(*) FROM tab_visite").scalar() == 300
        engine.dispose()
    finally:
        with server.begin() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        server.dispose()


def test_demo_on_a_server_that_does_not_answer_says_so_in_one_line(sqlite_app: Any) -> None:
    url = "mysql+pymysql://root:@127.0.0.1:1/mediviz?connect_timeout=2"  # port 1: nobody listens
    result = sqlite_app.server.test_cli_runner().invoke(args=["demo", "--database-url", url, "--yes"])
    assert result.exit_code != 0
    assert "Error: base injoignable (OperationalError:" in result.output and "Traceback" not in result.output


def test_accounts_are_listed_changed_disabled_and_enabled_from_the_cli(sqlite_app: Any) -> None:
    from tests.conftest import login

    runner = sqlite_app.server.test_cli_runner()
    listing = runner.invoke(args=["accounts", "list"]).output
    assert "chef" in listing and "utilisateur CRM 2" in listing and "orphelin" in listing
    client = login(sqlite_app.server.test_client(), "chef")
    assert client.get("/api/v1/visites").get_json()["indicateurs"]["visites"] == 4  # team of user 2
    assert runner.invoke(args=["accounts", "set-role", "chef", "admin"]).exit_code == 0
    assert client.get("/api/v1/visites").get_json()["indicateurs"]["visites"] == 6  # admin: everything
    assert runner.invoke(args=["accounts", "disable", "chef"]).exit_code == 0
    assert client.get("/api/v1/visites").status_code == 401  # the open session stops at once
    assert "désactivé" in runner.invoke(args=["accounts", "list"]).output
    assert runner.invoke(args=["accounts", "enable", "chef"]).exit_code == 0
    assert client.get("/api/v1/visites").status_code == 401  # enabling again does not revive the old session
    assert login(client, "chef").get("/api/v1/visites").status_code == 200
    assert "compte inconnu" in runner.invoke(args=["accounts", "disable", "personne"]).output
    assert runner.invoke(args=["accounts", "set-role", "chef", "superuser"]).exit_code != 0


def test_a_password_is_changed_from_the_cli_and_the_old_sessions_end(sqlite_app: Any) -> None:
    browser = login(sqlite_app.server.test_client(), "chef")
    runner = sqlite_app.server.test_cli_runner()
    done = runner.invoke(args=["accounts", "set-password", "chef"], input="nouveau-secret\nnouveau-secret\n")
    assert done.exit_code == 0 and "sessions ouvertes fermées" in done.output
    assert browser.get("/api/v1/visites").status_code == 401  # the session opened with the old password
    client = sqlite_app.server.test_client()
    form = {"username": "chef", "password": "nouveau-secret", "csrf_token": csrf(client)}
    assert client.post("/login", data=form).status_code == 302
    unknown = runner.invoke(args=["accounts", "set-password", "personne"], input="nouveau-secret\nnouveau-secret\n")
    assert unknown.exit_code != 0 and "compte inconnu" in unknown.output


def test_an_account_locked_by_failed_logins_is_unlocked_from_the_cli(sqlite_app: Any) -> None:
    client = sqlite_app.server.test_client()
    for _ in range(5):
        client.post("/login", data={"username": "orphelin", "password": "faux", "csrf_token": csrf(client)})
    right = {"username": "orphelin", "password": PASSWORDS["orphelin"], "csrf_token": csrf(client)}
    assert client.post("/login", data=right).status_code == 429
    done = sqlite_app.server.test_cli_runner().invoke(args=["accounts", "unlock", "orphelin"])
    assert done.exit_code == 0 and "tentatives de connexion oubliées" in done.output and "--adresse" in done.output
    assert client.post("/login", data=right).status_code == 302


def test_an_address_locked_by_failed_logins_is_unlocked_from_the_cli(sqlite_app: Any) -> None:
    client = sqlite_app.server.test_client()
    for name in ("a1", "a2", "a3", "a4") * 5:  # 20 failures from one address, 5 per (unknown) name
        client.post("/login", data={"username": name, "password": "faux", "csrf_token": csrf(client)})
    right = {"username": "chef", "password": PASSWORDS["chef"], "csrf_token": csrf(client)}
    assert client.post("/login", data=right).status_code == 429  # every login from that address
    runner = sqlite_app.server.test_cli_runner()
    assert client.post("/login", data=right).status_code == 429
    done = runner.invoke(args=["accounts", "unlock", "chef", "--adresse", "127.0.0.1"])
    assert done.exit_code == 0 and "adresse 127.0.0.1" in done.output
    assert client.post("/login", data=right).status_code == 302


def test_the_cli_unlocks_what_the_running_server_counted(sqlite_app: Any) -> None:
    """The CLI runs in its own process: the counts it used to clear were its own SimpleCache's, not the server's."""
    from tests.conftest import another_worker

    client = sqlite_app.server.test_client()
    for name in ["orphelin"] * 5 + [f"inconnu{i}" for i in range(15)]:  # the account and the address locked
        client.post("/login", data={"username": name, "password": "faux", "csrf_token": csrf(client)})
    right = {"username": "orphelin", "password": PASSWORDS["orphelin"], "csrf_token": csrf(client)}
    assert client.post("/login", data=right).status_code == 429
    assert sqlite_app.server.config["CACHE_TYPE"] == "SimpleCache"
    runner = another_worker(sqlite_app).server.test_cli_runner()
    done = runner.invoke(args=["accounts", "unlock", "orphelin", "--adresse", "127.0.0.1"])
    assert done.exit_code == 0, done.output
    assert client.post("/login", data=right).status_code == 302
