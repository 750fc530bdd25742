"""What the red-team pass found, kept found: malformed requests, unknown routes, framing, crashes."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from data.metrics.filters import CODE_FIELDS, VISIT_FIELDS, FilterError, Filters
from data.source.schema import codification, utilisateur
from tests import fixture_data
from tests.callbacks import find
from tests.conftest import PASSWORDS, build_app, csrf, login

V1 = [f"/api/v1/{area}" for area in ("visites", "performance", "partenaires", "evaluations", "investissements",
                                     "utilisateurs", "equipe", "delegue")]  # fmt: skip
LEGACY = ["/data", "/performance", "/partenaire", "/evaluation", "/invest", "/users"]


@pytest.fixture(scope="module")
def hard_app(sqlite_url: str) -> Any:
    return build_app(sqlite_url)


@pytest.fixture
def admin(hard_app: Any) -> Any:
    return login(hard_app.server.test_client(), "admin")


@pytest.mark.parametrize("route", V1 + LEGACY)
def test_a_far_date_is_a_400_not_a_500_nor_a_huge_answer(admin: Any, route: str) -> None:
    """end_date=9999-12-31 crashed (day + 1 overflow); 0001-01-01 gave one row per day: 194 MB."""
    for body in ({"end_date": "9999-12-31"}, {"start_date": "0001-01-01"}):
        answer = admin.post(route, json=body)
        assert answer.status_code == 400, answer.get_data(as_text=True)[:200]
        assert answer.get_json()["field"] in body and "date hors limites" in answer.get_json()["error"]
    if route in V1:
        assert admin.get(f"{route}?end_date=9999-12-31").status_code == 400


def test_a_post_with_filters_outside_its_json_body_is_refused(admin: Any) -> None:
    form = admin.post("/api/v1/visites", data={"id_responsable": "2"})  # form-encoded: was 200, unfiltered
    assert form.status_code == 400 and form.get_json()["field"] == "body"
    query = admin.post("/api/v1/visites?id_responsable=5", json={"id_responsable": 2})
    assert query.status_code == 400 and query.get_json()["field"] == "id_responsable"
    assert "corps JSON" in query.get_json()["error"]
    assert admin.post("/api/v1/visites", json={"id_responsable": 2}).status_code == 200
    multipart = admin.post(  # a JSON body under a multipart type: the form parser ate it (200, unfiltered)
        "/api/v1/visites", data='{"id_responsable": 2}', content_type="multipart/form-data; boundary=x"
    )
    assert multipart.status_code == 400 and multipart.get_json()["field"] == "body"
    get_body = admin.get("/api/v1/visites", data='{"id_responsable": 2}', content_type="application/json")
    assert get_body.status_code == 400 and "dans l'URL" in get_body.get_json()["error"]
    legacy_text = admin.post("/data", data='{"annee": 2025}', content_type="text/plain")  # as before: read
    assert legacy_text.status_code == 200


@pytest.mark.parametrize("body", [{}, [], "x", {"output": "nope.children"}, {"output": 3}])
def test_a_malformed_callback_request_is_a_400(admin: Any, body: Any) -> None:
    answer = admin.post("/_dash-update-component", json=body)
    assert answer.status_code == 400 and answer.get_json() == {"error": "Requête de rappel invalide."}


def test_a_callback_request_as_the_page_sends_it_still_works(admin: Any, hard_app: Any) -> None:
    output = find(hard_app, "visites-kpi-contacts.children")
    callback = hard_app.callback_map[output]
    body: dict[str, Any] = {
        "output": output,
        "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in output[2:-2].split("...")],
        "inputs": [
            {"id": "filters-store", "property": "data", "value": {"filters": {"annee": 2025}}},
            *[{"id": i["id"], "property": i["property"], "value": "visites"} for i in callback["inputs"][1:]],
        ],
        "changedPropIds": ["filters-store.data"],
    }
    assert [i["id"] for i in callback["inputs"]] == [i["id"] for i in body["inputs"]]
    answer = admin.post("/_dash-update-component", json=body)
    assert answer.status_code == 200
    assert answer.get_json()["response"]["visites-kpi-visites"]["children"] == "5"  # 2025: V1, V2, V3, V5, V7


def test_an_unknown_api_route_is_a_json_404_and_asks_for_login_first(admin: Any, hard_app: Any) -> None:
    answer = admin.get("/api/v2/visites")  # Dash answered every path with its page: 200 HTML
    assert answer.status_code == 404 and answer.get_json() == {"error": "Route inconnue."}
    assert hard_app.server.test_client().get("/api/v2/visites").status_code == 401


def test_a_wrong_method_with_a_token_on_the_legacy_performance_route_is_a_405(hard_app: Any) -> None:
    from data.app import accounts, tokens

    with hard_app.server.app_context():
        admin = accounts.find("admin")
        assert admin is not None
        secret, _ = tokens.create(admin, "patch")
    answer = hard_app.server.test_client().patch("/performance", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 405 and answer.get_json() == {"error": "Méthode non autorisée sur cette route."}


def test_a_bad_path_under_the_component_suites_is_a_404(hard_app: Any) -> None:
    answer = hard_app.server.test_client().get("/_dash-component-suites/dash/../../../../wsgi.py")
    assert answer.status_code == 404


@pytest.mark.parametrize("path", ["/login", "/visites", "/api/v1/visites", "/jetons", "/health"])
def test_no_page_can_be_framed_or_sniffed(admin: Any, path: str) -> None:
    headers = admin.get(path).headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/login", "/visites", "/_dash-layout", "/api/v1/visites", "/visites?format=csv", "/jetons", "/health"]
)
def test_no_page_nor_answer_is_kept_by_the_browser(admin: Any, path: str) -> None:
    """After a logout, Back showed the dashboard with its numbers from the browser's cache."""
    answer = admin.get(path)
    assert answer.status_code < 400
    assert answer.headers["Cache-Control"] == "no-store"


def test_static_files_stay_cacheable(admin: Any) -> None:
    answer = admin.get("/assets/02-mediviz.css")
    answer.close()  # a file response: its file is closed with it
    assert answer.status_code == 200 and "no-store" not in answer.headers.get("Cache-Control", "")


@pytest.mark.parametrize("days", ["²", "٣", "3.5", "-1", "1e3"])
def test_a_token_validity_must_be_plain_digits(admin: Any, days: str) -> None:
    """ "²".isdigit() is true: int() then failed with its English message; "٣" made a 3-day token."""
    form = {"name": "x", "days": days, "password": PASSWORDS["admin"], "csrf_token": csrf(admin)}
    page = admin.post("/jetons", data=form)
    assert page.status_code == 400
    assert "La validité est un nombre de jours." in page.get_data(as_text=True)
    assert "invalid literal" not in page.get_data(as_text=True)


@pytest.mark.parametrize(("value", "shown"), [("²", None), ("٣", None), ("9" * 20, None), ("-3", None), ("12", 12)])
def test_a_link_with_an_odd_partner_number_opens_the_page_without_it(value: str, shown: int | None) -> None:
    """ "²".isdigit() is true: int() then failed and the page showed the error banner instead of its charts."""
    from pages.investissements import PARTNER, layout

    tree = layout(id_partenaire=value)
    box = next(c for c in tree._traverse() if getattr(c, "id", None) == PARTNER)
    assert box.value == shown


def test_an_unexpected_failure_answers_a_french_500_without_details(sqlite_url: str) -> None:
    app = build_app(sqlite_url)
    app.server.config["PROPAGATE_EXCEPTIONS"] = False  # as in production (TESTING lets errors through)

    def boom() -> str:
        raise RuntimeError("secret detail")

    app.server.add_url_rule("/api/v1/boom", "api.boom", boom)
    app.server.add_url_rule("/boom", "boom", boom)
    client = login(app.server.test_client(), "admin")
    api = client.get("/api/v1/boom")
    assert api.status_code == 500 and api.get_json()["error"].startswith("Une erreur inattendue est survenue")
    page = client.get("/boom")
    assert page.status_code == 500 and "Une erreur inattendue" in page.get_data(as_text=True)
    assert "secret detail" not in api.get_data(as_text=True) + page.get_data(as_text=True)


def _counters_body(app: Any, filters: dict[str, Any]) -> dict[str, Any]:
    """The Visites counters callback request, as the page posts it after a filter change."""
    output = find(app, "visites-kpi-contacts.children")
    extra = app.callback_map[output]["inputs"][1:]
    return {
        "output": output,
        "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in output[2:-2].split("...")],
        "inputs": [
            {"id": "filters-store", "property": "data", "value": {"filters": filters}},
            *[{"id": i["id"], "property": i["property"], "value": "visites"} for i in extra],
        ],
        "changedPropIds": ["filters-store.data"],
    }


def test_a_forged_store_naming_another_team_is_refused_in_the_charts_too(hard_app: Any) -> None:
    """It showed zeros (the scope narrowed the filter); the API says 403: the charts now say the same."""
    chef = login(hard_app.server.test_client(), "chef")  # team of 2: users 2, 3, 4
    response = chef.post("/_dash-update-component", json=_counters_body(hard_app, {"id_responsable": 5}))
    cards = response.get_json()["response"]
    assert cards["visites-kpi-visites"]["children"] == "–"
    figure = cards["visites-graph-type_partenaire"]["figure"]
    assert "pas dans votre équipe" in str(figure["layout"]["annotations"])
    mine = chef.post("/_dash-update-component", json=_counters_body(hard_app, {"id_utilisateur": 3}))
    assert mine.get_json()["response"]["visites-kpi-visites"]["children"] == "3"  # V1, V2, V7


def test_a_link_naming_another_team_says_so_in_the_sidebar(hard_app: Any) -> None:
    from dashboard.shell import filters_from

    with hard_app.server.test_request_context():
        from flask import g

        from data.metrics.scope import Scope

        g.mediviz_scope = Scope((2, 3, 4))
        store, alert, search = filters_from(5, None, None, None, [], [], None, None, None)  # 7 fields, 2 dates
    assert store == {"error": "Accès refusé : cette personne n'est pas dans votre équipe.", "field": "id_responsable"}
    assert "pas dans votre équipe" in str(alert) and search == "?id_responsable=5"


@pytest.mark.parametrize(
    ("query", "field"),
    [("?id_responsable=١٣", "id_responsable"), ("?annee=²", "annee"), ("?mois=¹", "mois"),
     ("?start_date=" + "9" * 100_000, "start_date"), ("?id_utilisateur=" + "1" * 5000, "id_utilisateur")],
)  # fmt: skip
def test_a_link_with_odd_digits_gets_the_inline_message(hard_app: Any, query: str, field: str) -> None:
    """int() read "١٣" as 13 (another team's id) and crashed on "²" or thousands of digits: the sidebar broke."""
    from dashboard.shell import filters_from, sidebar_options, values_from_search

    with hard_app.server.test_request_context():
        from flask import g

        from data.metrics.scope import EVERYONE

        g.mediviz_scope = EVERYONE
        values = values_from_search(query)
        store, alert, _ = filters_from(*values)
        assert sidebar_options(values)  # the options of the sidebar are built too (the crash was there or here)
    assert store["field"] == field and alert is not None


def test_public_paths_that_name_no_file_are_404s_not_the_page_shell(hard_app: Any) -> None:
    """/assets/, /static/ and /favicon.ico answered Dash's page shell (versions of every library) without login."""
    anonymous = hard_app.server.test_client()
    for path in ("/assets/", "/static/", "/assets/nothing.js", "/static/x"):
        assert anonymous.get(path).status_code == 404, path
    icon = anonymous.get("/favicon.ico")
    assert icon.status_code == 301 and icon.headers["Location"] == "/_favicon.ico"
    css = anonymous.get("/assets/02-mediviz.css")
    assert css.status_code == 200
    css.close()


@pytest.mark.parametrize(
    "change",
    [
        {"inputs": []},  # an input missing
        {"inputs": [{"id": "other", "property": "data", "value": {}}, {"id": "x", "property": "value"}]},
        {"inputs": "x"},
        {"outputs": None},
        {"outputs": [{"id": "a", "property": "b"}]},  # fewer outputs than the callback has
        {"changedPropIds": [1]},
    ],
)
def test_a_callback_request_unlike_the_page_s_is_a_400(admin: Any, hard_app: Any, change: dict[str, Any]) -> None:
    """Missing or foreign items crashed inside Dash: 500, and a stack trace in the log per request."""
    body = {**_counters_body(hard_app, {"annee": 2025}), **change}
    answer = admin.post("/_dash-update-component", json=body)
    assert answer.status_code == 400 and answer.get_json() == {"error": "Requête de rappel invalide."}


def test_forged_page_values_fall_back_to_the_default_instead_of_failing(admin: Any, hard_app: Any) -> None:
    body = _counters_body(hard_app, {"annee": 2025})
    body["inputs"][1]["value"] = "x"  # the unit: contacts or visites
    answer = admin.post("/_dash-update-component", json=body)
    assert answer.status_code == 200
    assert answer.get_json()["response"]["visites-kpi-visites"]["children"] == "5"


def test_a_wrong_method_on_an_api_route_is_a_405_not_a_404(admin: Any) -> None:
    answer = admin.put("/api/v1/visites", json={})
    assert answer.status_code == 405 and answer.get_json() == {"error": "Méthode non autorisée sur cette route."}


@pytest.mark.parametrize("click", [{}, {"points": []}, {"points": "x"}, {"points": [3]}, {"points": [{}]}, "x"])
def test_a_forged_chart_click_changes_nothing_and_fails_nothing(admin: Any, hard_app: Any, click: Any) -> None:
    output = next(key for key in hard_app.callback_map if key == "visites-drill-region.data")
    declared = hard_app.callback_map[output]
    values = {"clickData": click, "n_clicks": None, "data": None}
    body = {
        "output": output,
        "outputs": {"id": "visites-drill-region", "property": "data"},
        "inputs": [{**dep, "value": values[dep["property"]]} for dep in declared["inputs"]],
        "state": [{**dep, "value": values[dep["property"]]} for dep in declared["state"]],
        "changedPropIds": ["visites-graph-region.clickData"],
    }
    answer = admin.post("/_dash-update-component", json=body)
    assert answer.status_code in (200, 204), answer.get_data(as_text=True)[:200]
    assert "shell-flash" not in answer.get_data(as_text=True)  # no error banner (it was a KeyError, and a trace)


@pytest.mark.parametrize(
    "query",
    ["code_type_investissement=TI00001&code_type_investissement=TI00002", "id_partenaire=1&id_partenaire=2"],
)
def test_repeated_page_parameters_open_the_investments_page(query: str) -> None:
    """A repeated parameter arrives as a list: the layout failed (a blank page, the banner, a trace)."""
    from urllib.parse import parse_qs

    from pages.investissements import PARTNER, TYPES, layout

    params = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(query).items()}
    tree = layout(**params)
    found = {c.id: c for c in tree._traverse() if getattr(c, "id", None) in (PARTNER, TYPES)}
    if "code_type" in query:
        assert found[TYPES].value == ["TI00001", "TI00002"]
    else:
        assert found[PARTNER].value is None


@pytest.mark.parametrize("drill", [{"a": 1}, [1], 3])
def test_a_forged_drill_value_draws_the_top_level(admin: Any, hard_app: Any, drill: Any) -> None:
    output = next(key for key in hard_app.callback_map if key.startswith("..visites-graph-region.figure"))
    declared = hard_app.callback_map[output]
    values = {"filters-store": {"filters": {}}, "visites-unit": "visites", "visites-drill-region": drill}
    body = {
        "output": output,
        "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in output[2:-2].split("...")],
        "inputs": [{**dep, "value": values[dep["id"]]} for dep in declared["inputs"]],
        "changedPropIds": ["visites-drill-region.data"],
    }
    answer = admin.post("/_dash-update-component", json=body)
    assert answer.status_code == 200 and "shell-flash" not in answer.get_data(as_text=True)


def test_another_spelling_of_an_account_name_is_not_that_account(mariadb_url: str) -> None:
    """On MariaDB "ADMIN" matched "admin": an admin demoted themselves through it, past the self-protection."""
    from data.app import accounts

    app = build_app(mariadb_url)
    client = login(app.server.test_client(), "admin")
    page = client.post("/comptes/ADMIN", data={"role": "viewer", "id_utilisateur": "", "csrf_token": csrf(client)})
    assert page.status_code == 400 and "compte inconnu" in page.get_data(as_text=True)
    with app.server.app_context():
        assert accounts.find("ADMIN") is None and accounts.find("admin") is not None
        with pytest.raises(ValueError, match="compte inconnu"):
            accounts.update("ADMIN", role="viewer")
        assert accounts.find("admin").is_admin  # type: ignore[union-attr]


@pytest.mark.parametrize("link", ["١٣", "²", "1" * 30])
def test_the_accounts_page_takes_ascii_digits_only_for_the_crm_link(admin: Any, link: str) -> None:
    """ "١٣".isdigit() is true: it was saved as CRM user 13; "²" gave a 500."""
    page = admin.post("/comptes/chef", data={"role": "viewer", "id_utilisateur": link, "csrf_token": csrf(admin)})
    assert page.status_code == 400 and "est un numéro" in page.get_data(as_text=True)


def test_csv_cells_that_a_spreadsheet_would_run_are_text() -> None:
    """A text starting with = + - @, a tab or a carriage return is a formula to Excel (OWASP: CSV injection)."""
    from components.tables import csv_text

    names = ['=HYPERLINK("http://evil")', "+33 6", "-x", "@SUM(A1)", "\tx", "\rx", "A\r=1+1", None]
    table = pd.DataFrame({"nom": names, "visites": [-3, 0, 1, 2, 3, 4, 5, 6], "part": [-2.5] + [0.5] * 7})
    text = csv_text(table.rename(columns={"part": "=part"}))
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with its BOM
    rows = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
    assert rows[0] == ["nom", "visites", "'=part"]
    assert [row[0] for row in rows[1:]] == [f"'{n}" for n in names[:6]] + ["A\r=1+1", ""]  # one cell, one row
    assert rows[1][1:] == ["-3", "-2,5"]  # numbers stay numbers, negative ones too
    assert table["nom"][0] == names[0]  # the table itself is left as it was


def test_a_crm_name_that_is_a_formula_downloads_as_text(tmp_path: Path) -> None:
    """A user named =HYPERLINK(…) in the CRM went into the CSV as a formula; a label -2+3 as a sum."""
    from tests.callbacks import callback_body

    url = f"sqlite:///{tmp_path / 'crm.sqlite'}"
    engine = sa.create_engine(url)
    fixture_data.load(engine)
    with engine.begin() as conn:
        user, code = utilisateur.c, codification.c
        conn.execute(utilisateur.update().where(user.id_utilisateur == 3).values(
            nom_utilisateur='=HYPERLINK("http://evil")', prenom_utilisateur=None))  # fmt: skip
        conn.execute(codification.update().where(code.code_codification == "RE00002").values(
            libelle_codification="-2+3"))  # fmt: skip
    engine.dispose()
    app = build_app(url)
    admin = login(app.server.test_client(), "admin")
    cells = {}
    for chart in ("top", "region"):
        body = callback_body(app, "performance-download.data", chart=chart)
        answer = admin.post("/_dash-update-component", json=body)
        content = answer.get_json()["response"]["performance-download"]["data"]["content"]
        cells[chart] = list(csv.reader(io.StringIO(content.lstrip("\ufeff"), newline=""), delimiter=";"))
    assert cells["top"][1] == ["3", '\'=HYPERLINK("http://evil")', "3"]  # 2025: V1, V2, V7
    assert ["RE00002", "'-2+3", "3"] in [row[:3] for row in cells["region"]]  # V2, V3, V5


@pytest.mark.parametrize(
    "query",
    ["&".join(["a=1"] * 10_000), "&".join(f"p{i}=1" for i in range(10_000)), "&".join(["region=RE00001"] * 10_000)],
    ids=["repeated", "distinct", "repeated-code"],
)
def test_a_query_of_10_000_parameters_is_a_400(admin: Any, query: str) -> None:
    """The answer depended on the first name: 'une seule valeur', 'filtre inconnu', or 200 for a repeated code."""
    # 21 fields once, 12 multi-valued ones (4 codes, 8 cross-filters) up to 49 times more
    too_many = {"error": "trop de paramètres dans l'URL (10000, au plus 609)", "field": "query"}
    for route in V1:
        answer = admin.get(f"{route}?{query}")
        assert (answer.status_code, answer.get_json()) == (400, too_many), route
    for route in LEGACY:
        answer = admin.post(f"{route}?{query}", json={})
        assert (answer.status_code, answer.get_json()) == (400, too_many), route


def test_every_filter_once_and_the_codes_50_times_each_is_not_too_many(admin: Any) -> None:
    """208 parameters: the most a request can carry that the filters accept (the 12 fields, 50 codes of each kind)."""
    codes = [f"{field}={prefix}{i:05d}" for field, prefix in CODE_FIELDS.items() for i in range(1, 51)]
    query = "&".join(["annee=2025", "mois=1", "id_responsable=2", "id_utilisateur=3", "id_partenaire=1",
                      "id_business_case=1", "start_date=2025-01-01", "end_date=2025-12-31", *codes])  # fmt: skip
    assert len(query.split("&")) == 208
    answer = admin.get(f"/api/v1/visites?{query}")  # refused for its fields (one limit at a time), not its size
    assert answer.status_code == 400 and answer.get_json()["field"] == "code_categorie"
    visits = "&".join(p for p in query.split("&") if p.split("=")[0] in VISIT_FIELDS)
    assert admin.get(f"/api/v1/visites?{visits}").status_code == 200


def test_a_repeated_unknown_parameter_is_called_unknown() -> None:
    """ "a=1&a=1" was refused as "une seule valeur est permise", "a=1" as an unknown filter."""
    from werkzeug.datastructures import MultiDict

    with pytest.raises(FilterError, match="filtre inconnu « a »"):
        Filters.from_query(MultiDict([("a", "1"), ("a", "1")]), VISIT_FIELDS)


#: The methods each API route answers: what OPTIONS and every 405 name in ``Allow``.
ALLOWED = {**dict.fromkeys(V1, "GET, HEAD, OPTIONS, POST"), **dict.fromkeys(LEGACY, "OPTIONS, POST"),
           "/performance": "GET, HEAD, OPTIONS, POST", "/api/openapi.json": "GET, HEAD, OPTIONS"}  # fmt: skip


@pytest.mark.parametrize("route", ALLOWED)
def test_options_on_an_api_route_names_the_methods_it_answers(hard_app: Any, admin: Any, route: str) -> None:
    """OPTIONS answered 200 with an empty HTML body, and GET among the methods of the POST-only legacy routes."""
    from data.app import accounts, tokens

    with hard_app.server.app_context():
        secret, _ = tokens.create(accounts.find("admin"), "options")  # type: ignore[arg-type]
    with_token = hard_app.server.test_client()
    with_token.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    for client in (admin, with_token):
        answer = client.options(route)
        assert (answer.status_code, answer.headers["Allow"], answer.data) == (204, ALLOWED[route], b"")
        wrong = client.put(route)  # a wrong method names the same methods
        assert (wrong.status_code, wrong.headers["Allow"]) == (405, ALLOWED[route])
        assert wrong.get_json()["error"].startswith("Méthode non autorisée")
    if route in LEGACY and route != "/performance":
        assert admin.get(route).headers["Allow"] == ALLOWED[route]
    anonymous = hard_app.server.test_client().options(route)  # like every API answer: a login first
    assert anonymous.status_code == 401 and "Authentification requise" in anonymous.get_json()["error"]


def test_a_long_chart_message_is_wrapped_not_clipped() -> None:
    """/visites?annee=2025&start_date=2026-09-01&end_date=2026-09-30: the conflict, one 90-character line in
    the middle of each chart, was cut at both ends of a half-width chart."""
    from components.figures import MESSAGE_WIDTH, message

    long = "Filtres invalides : l'année 2025 est en dehors de la période choisie (01/09/2026 – 30/09/2026)"
    lines = message(long).layout.annotations[0].text.split("<br>")
    assert len(lines) == 3 and all(len(line) <= MESSAGE_WIDTH for line in lines)
    assert " ".join(lines) == long  # every word kept, in order
    assert message("Aucune donnée pour ces filtres").layout.annotations[0].text == "Aucune donnée pour ces filtres"
