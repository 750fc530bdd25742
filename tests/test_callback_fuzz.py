"""Forged callback values: whatever a logged-in client posts to ``/_dash-update-component``, never a 5xx, never a trace.

Dash's page sends each input in the shape of its component (a store's dict, a dropdown's list, a drill store's
code). A request posted by hand may hold anything there; the app answers such a request with a French 400 (or,
where a forged value was already ignored, as before), and the log gets no stack trace.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest

from tests.callbacks import CHART, callback_body, find
from tests.conftest import build_app, login

INVALID = {"error": "Requête de rappel invalide."}
DEEP: Any = []
for _ in range(900):
    DEEP = [DEEP]
#: Values of every JSON kind, in place of a store, a dropdown's value, a code, a click…
FORGED: list[Any] = [None, 7, 3.5, "x", [], [1], [{}], [[1]], {}, {"a": 1}, {"filters": "x"}, {"filters": [1]}, DEEP]


@pytest.fixture(scope="module")
def fuzz_app(sqlite_url: str) -> Any:
    return build_app(sqlite_url)


@pytest.fixture
def admin(fuzz_app: Any) -> Any:
    return login(fuzz_app.server.test_client(), "admin")


def _no_trace(caplog: pytest.LogCaptureFixture) -> bool:
    return "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)


@pytest.mark.parametrize("store", ["x", [1], 3, {"filters": "x"}, {"filters": [1]}])
def test_a_filters_store_that_is_no_dict_is_a_400(
    admin: Any, fuzz_app: Any, store: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """It raised in every chart callback: the error banner, and a trace in the log per request."""
    for start in ("visites-kpi-contacts", "evaluations-code_categorie.options", "visites-download"):
        answer = admin.post("/_dash-update-component", json=callback_body(fuzz_app, find(fuzz_app, start), {
            "filters-store": store}))  # fmt: skip
        assert (answer.status_code, answer.get_json()) == (400, INVALID), start
    assert _no_trace(caplog)


@pytest.mark.parametrize("drill", [{"a": 1}, ["RE00001"], 3])
def test_a_forged_drill_state_in_a_csv_download_is_a_400(
    admin: Any, fuzz_app: Any, drill: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A drill store holds a code: anything else raised inside pandas (the banner, a trace)."""
    for page in ("visites", "partenaires", "performance", "utilisateurs", "investissements", "evaluations"):
        body = callback_body(fuzz_app, f"{page}-download.data", {f"{page}-drill-{CHART[page]}": drill})
        answer = admin.post("/_dash-update-component", json=body)
        assert (answer.status_code, answer.get_json()) == (400, INVALID), page
    assert _no_trace(caplog)


@pytest.mark.parametrize("chart", ["nope", 3, {}, [], "x" * 300])
def test_an_unknown_chart_in_a_csv_download_is_a_400(
    admin: Any, fuzz_app: Any, chart: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """An unknown name raised on one page (a trace) and downloaded another chart's table on the others."""
    for page in CHART:
        answer = admin.post("/_dash-update-component", json=callback_body(fuzz_app, f"{page}-download.data",
                                                                           chart=chart))  # fmt: skip
        assert (answer.status_code, answer.get_json()) == (400, INVALID), page
    assert _no_trace(caplog)


#: Every chart with a CSV button, per page.
CHARTS = {
    "visites": ["type_partenaire", "etablissement", "forme", "accompagnement", "region", "gamme", "timeline"],
    "partenaires": ["couverture", "potentiel", "etablissement", "region", "gamme"],
    "performance": ["type", "statut", "potentiel", "region", "top", "bottom", "timeline"],
    "evaluations": ["distribution", "mois", "roles", "categories", "visites", "delegues"],
    "investissements": ["statut", "type", "categorie", "potentiel", "specialite", "visites", "gamme", "region"],
    "utilisateurs": ["mois", "responsables", "role", "statut", "region", "gamme"],
}


@pytest.mark.parametrize("page", CHARTS)
def test_every_chart_still_downloads(admin: Any, fuzz_app: Any, page: str) -> None:
    contents = {}
    for chart in CHARTS[page]:
        answer = admin.post("/_dash-update-component", json=callback_body(fuzz_app, f"{page}-download.data",
                                                                           chart=chart))  # fmt: skip
        assert answer.status_code == 200, chart
        download = answer.get_json()["response"][f"{page}-download"]["data"]
        # a dated name (issue 12)
        assert download["filename"] == f"mediviz-{page}-{chart}-{dt.date.today().isoformat()}.csv"
        assert download["content"].count("\r\n") >= 2
        contents[chart] = download["content"]
    if page == "visites":
        assert "RE00002;Casablanca;3\r\n" in contents["region"]  # 2025, contacts: V2×P3, V3×P4, V5×P3


@pytest.mark.parametrize("value", [{"a": 1}, {}, "CE00001", 3, [{}], [["CE00001"]]])
def test_a_dropdown_list_that_is_no_list_of_codes_is_a_400(
    admin: Any, fuzz_app: Any, value: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A dict in the investment types raised (a trace); in the categories it was silently dropped."""
    for start, component in [
        ("investissements-types.options", "investissements-types"),
        ("investissements-kpi-budget_total", "investissements-types"),
        ("evaluations-kpi-evaluations", "evaluations-code_categorie"),
        ("evaluations-code_categorie.options", "evaluations-code_categorie"),
        ("filters-store.data", "f-gamme"),
    ]:
        answer = admin.post("/_dash-update-component", json=callback_body(fuzz_app, find(fuzz_app, start), {
            component: value}))  # fmt: skip
        assert (answer.status_code, answer.get_json()) == (400, INVALID), start
    assert _no_trace(caplog)


def test_a_post_to_a_client_side_callback_is_a_400(admin: Any, fuzz_app: Any, caplog: pytest.LogCaptureFixture) -> None:
    """Client-side callbacks have no server function: Dash raised a KeyError (500, a trace)."""
    clientside = [key for key, declared in fuzz_app.callback_map.items() if "callback" not in declared]
    assert len(clientside) >= 3
    for key in clientside:
        answer = admin.post("/_dash-update-component", json=callback_body(fuzz_app, key))
        assert (answer.status_code, answer.get_json()) == (400, INVALID), key
    assert _no_trace(caplog)


@pytest.mark.parametrize(
    ("start", "component", "value"),
    [
        ("_pages_content", "_pages_location", {"a": 1}),  # Dash's own router: pathname.startswith
        ("_pages_content", "_pages_location", 3),
        ("f-id_responsable.value", "url-in", ["?annee=2025"]),  # the sidebar: search.lstrip
        ("f-id_utilisateur.options", "f-id_utilisateur", {"a": 1}),  # the rep list: a dict is no option value
    ],
)
def test_a_forged_shell_value_is_a_400(
    admin: Any, fuzz_app: Any, start: str, component: str, value: Any, caplog: pytest.LogCaptureFixture
) -> None:
    body = callback_body(fuzz_app, find(fuzz_app, start), {component: value})
    answer = admin.post("/_dash-update-component", json=body)
    assert (answer.status_code, answer.get_json()) == (400, INVALID)
    assert _no_trace(caplog)


@pytest.mark.parametrize(
    "changed", [['{"a":}.n_clicks'], ["{}.n_clicks"], ["nope.data"], ['{"chart":"nope","page":"visites"}.n_clicks']]
)
def test_a_trigger_that_names_no_input_is_a_400(
    admin: Any, fuzz_app: Any, changed: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    """Dash parsed the trigger's id as JSON (a trace), and the CSV download took its chart name from it."""
    for start in ("visites-download", "visites-drill-region.data"):
        body = {**callback_body(fuzz_app, find(fuzz_app, start)), "changedPropIds": changed}
        answer = admin.post("/_dash-update-component", json=body)
        assert (answer.status_code, answer.get_json()) == (400, INVALID), start
    assert _no_trace(caplog)


def test_a_callback_request_nested_too_deep_is_a_400(admin: Any, caplog: pytest.LogCaptureFixture) -> None:
    """The JSON decoder's RecursionError was a 500 with a trace."""
    answer = admin.post("/_dash-update-component", data="[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert (answer.status_code, answer.get_json()) == (400, INVALID)
    assert _no_trace(caplog)


def test_every_callback_with_forged_values_never_fails(
    admin: Any, fuzz_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Every server callback, each of its inputs and states replaced in turn by values of every JSON kind."""
    caplog.set_level(logging.INFO)
    failures = []
    for key, declared in fuzz_app.callback_map.items():
        if "callback" not in declared:
            continue
        for dep in declared["inputs"] + declared.get("state", []):
            for value in FORGED:
                caplog.clear()
                forged = {f"{dep['id']}.{dep['property']}": value}
                answer = admin.post("/_dash-update-component", json=callback_body(fuzz_app, key, forged))
                side = json.dumps((answer.get_json(silent=True) or {}).get("sideUpdate", {}))
                if answer.status_code >= 500 or not _no_trace(caplog) or "shell-flash" in side:
                    failures.append((key[:60], dep["id"], json.dumps(value)[:30], answer.status_code))
                elif answer.status_code == 400:
                    assert answer.get_json() == INVALID
    assert failures == []
