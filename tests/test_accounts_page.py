"""The administrators' accounts page: list, change role and CRM link, disable; nobody else gets in."""

from __future__ import annotations

from typing import Any

from tests.conftest import csrf, login


def test_an_admin_changes_roles_and_links_and_disables_accounts(sqlite_app: Any) -> None:
    admin = login(sqlite_app.server.test_client(), "admin")
    page = admin.get("/comptes").get_data(as_text=True)
    assert "chef" in page and "orphelin" in page and 'value="BENANI SARA · DSM (n° 2)"' in page  # chef: CRM user 2
    token = csrf(admin)
    orphelin = login(sqlite_app.server.test_client(), "orphelin")
    assert orphelin.get("/api/v1/visites").get_json()["indicateurs"]["visites"] == 0  # unlinked: nothing
    linked = admin.post("/comptes/orphelin", data={"role": "viewer", "id_utilisateur": "5", "csrf_token": token})
    assert linked.status_code == 200 and "enregistré" in linked.get_data(as_text=True)
    assert orphelin.get("/api/v1/visites").get_json()["indicateurs"]["visites"] == 2  # team of 5: V5, V6
    disabled = admin.post("/comptes/orphelin/etat", data={"csrf_token": token})
    assert "désactivé" in disabled.get_data(as_text=True)
    assert orphelin.get("/api/v1/visites").status_code == 401  # its open session stops at once
    assert "réactivé" in admin.post("/comptes/orphelin/etat", data={"csrf_token": token}).get_data(as_text=True)
    assert orphelin.get("/api/v1/visites").status_code == 401  # enabling again does not revive the old session
    assert login(orphelin, "orphelin").get("/api/v1/visites").status_code == 200  # a new login works


def test_only_admins_get_in_and_bad_forms_are_refused(sqlite_app: Any) -> None:
    chef = login(sqlite_app.server.test_client(), "chef")
    assert chef.get("/comptes").status_code == 403
    assert chef.post("/comptes/chef", data={"role": "admin", "csrf_token": csrf(chef)}).status_code == 403
    assert sqlite_app.server.test_client().get("/comptes").status_code == 302  # logged out: to the login page
    admin = login(sqlite_app.server.test_client(), "admin")
    token = csrf(admin)
    assert admin.post("/comptes/chef", data={"role": "admin"}).status_code == 400  # no anti-forgery token
    assert admin.post("/comptes/chef", data={"role": "root", "csrf_token": token}).status_code == 400
    bad_link = admin.post("/comptes/chef", data={"role": "viewer", "id_utilisateur": "x1", "csrf_token": token})
    assert bad_link.status_code == 400
    assert admin.post("/comptes/admin", data={"role": "viewer", "csrf_token": token}).status_code == 400
    assert admin.post("/comptes/admin/etat", data={"csrf_token": token}).status_code == 400
    assert admin.post("/comptes/personne/etat", data={"csrf_token": token}).status_code == 404
    assert chef.get("/api/v1/visites").get_json()["indicateurs"]["visites"] == 4  # unchanged: still team of 2


def test_the_crm_link_is_chosen_by_name(sqlite_app: Any) -> None:
    """The CRM-user field took a bare number: it offers every CRM user by name, and takes a name or a number."""
    admin = login(sqlite_app.server.test_client(), "admin")
    page = admin.get("/comptes").get_data(as_text=True)
    assert 'list="crm-users"' in page and '<option value="EL FASSI YASSINE · DSM (n° 5)">' in page
    token = csrf(admin)
    orphelin = login(sqlite_app.server.test_client(), "orphelin")
    chosen = admin.post(
        "/comptes/orphelin",
        data={"role": "viewer", "id_utilisateur": "EL FASSI YASSINE · DSM (n° 5)", "csrf_token": token},
    )
    assert chosen.status_code == 200 and "enregistré" in chosen.get_data(as_text=True)
    assert orphelin.get("/api/v1/visites").get_json()["indicateurs"]["visites"] == 2  # team of 5: V5, V6
    typed = admin.post(
        "/comptes/orphelin", data={"role": "viewer", "id_utilisateur": "filali hind", "csrf_token": token}
    )
    assert typed.status_code == 200 and 'value="FILALI HIND · DEL (n° 6)"' in typed.get_data(as_text=True)
    nobody = admin.post("/comptes/orphelin", data={"role": "viewer", "id_utilisateur": "Dupont", "csrf_token": token})
    assert nobody.status_code == 400 and "« Dupont » ne désigne personne" in nobody.get_data(as_text=True)
