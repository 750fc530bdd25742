"""Exports (issue 12): "Exporter (Excel)" gives one workbook per page (a first sheet with the filters, the scope,
the data's freshness and the export time, then one sheet per chart with French headers, labels and real
numbers); CSV downloads carry French headers and a dated name. Counted by hand on the fixture CRM
(tests/fixture_data.py)."""

from __future__ import annotations

import base64
import datetime as dt
import io
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

from components import export
from tests.callbacks import callback_body
from tests.conftest import build_app, login

PAGES = ("visites", "performance", "partenaires", "evaluations", "investissements", "utilisateurs")


@pytest.fixture(scope="module")
def export_app(sqlite_url: str) -> Any:
    return build_app(sqlite_url)


def workbook(app: Any, page: str, user: str = "admin", forged: dict[str, Any] | None = None) -> tuple[str, Any]:
    """Click the page's "Exporter (Excel)" button: the file's name and the workbook read back."""
    client = login(app.server.test_client(), user)
    body = callback_body(app, f"{page}-excel-download.data", {f"{page}-excel": 1, **(forged or {})})
    answer = client.post("/_dash-update-component", json=body)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    download = answer.get_json()["response"][f"{page}-excel-download"]["data"]
    assert download["base64"] is True
    return download["filename"], load_workbook(io.BytesIO(base64.b64decode(download["content"])))


def rows(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def table(sheet: Any) -> list[list[Any]]:
    """A chart sheet's table: from its header row (after the title, a note, an empty row) to the end."""
    lines = rows(sheet)
    start = next(i for i, line in enumerate(lines) if i > 0 and line and line[0] is None) + 1
    return lines[start:]


def test_the_visites_workbook_states_its_context_then_holds_every_chart(export_app: Any) -> None:
    state = {"visites-unit": "visites", "visites-granularity": "semaine"}  # as the page sends them
    filters = {"filters-store": {"filters": {"annee": 2025, "region": ["RE00001"]}}}
    name, book = workbook(export_app, "visites", forged={**state, **filters})
    assert name == f"mediviz-visites-{dt.date.today().isoformat()}.xlsx"
    assert book.sheetnames[0] == "Filtres"
    context = {line[0]: line[1] for line in rows(book["Filtres"])[2:]}
    assert rows(book["Filtres"])[0][0] == "Mediviz · Visites"
    assert context["Année"] == "2025" and context["Régions"] == "Agadir"  # labels, not codes
    assert context["Périmètre"] == "toute l'entreprise" and context["Exporté par"] == "admin"
    assert context["Données"].startswith("lus dans la base CRM")  # the footer's freshness sentence
    assert dt.datetime.strptime(context["Exporté le"], "%d/%m/%Y à %H:%M")
    assert context["Unité"] == "visites" and context["Pas de temps"] == "semaine"
    assert book.sheetnames[1:] == ["Par type de partenaire", "Médecins, par type d'établissem",
                                   "Simples ou de groupe", "Individuelles ou en double (acc", "Par région",
                                   "Par gamme", "Évolution dans le temps"]  # fmt: skip
    # Agadir in 2025, in visits: médecins planned V1, unplanned V2, V7; no pharmacy there
    assert table(book["Par type de partenaire"]) == [
        ["Catégorie", "Planifiées", "Non planifiées", "Total", "Code"],
        ["Médecins", 1, 2, 3, "MEDE"],
        ["Pharmacies", 0, 0, 0, "PHAR"],
    ]
    assert table(book["Par région"]) == [["Libellé", "Visites", "Code"], ["Agadir", 3, "RE00001"]]
    weeks = table(book["Évolution dans le temps"])
    assert weeks[0] == ["Période", "Visites"] and isinstance(weeks[1][0], dt.datetime)  # real dates
    assert sum(line[1] for line in weeks[1:]) == 3  # V1, V2, V7


def test_a_drilled_chart_says_its_level_and_the_scope_is_the_caller_s(export_app: Any) -> None:
    forged = {"performance-drill-region": "RE00002", "filters-store": {"filters": {}}}
    _, book = workbook(export_app, "performance", "chef", forged)
    context = {line[0]: line[1] for line in rows(book["Filtres"])[2:]}
    assert context["Filtres"].startswith("aucun")
    assert context["Périmètre"] == "votre équipe (3 utilisateurs)"  # the manager's team: 2, 3, 4
    assert context["Exporté par"] == "chef"
    assert context["Détail de « Par région »"] == "Casablanca (RE00002)"
    sheet = book["Par région"]
    assert rows(sheet)[1][0] == "Détail : Casablanca (RE00002)"
    # u4's V3 saw P4 in Azemmour; u3's V2 saw P3 in Casablanca (city)
    assert table(sheet)[0] == ["Libellé", "Visites", "Code", "Code parent"]  # labels first, codes last
    assert sorted(table(sheet)[1:]) == [["Azemmour", 1, "VI00019", "RE00002"], ["Casablanca", 1, "VI00008", "RE00002"]]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_exports_a_workbook(export_app: Any, page: str) -> None:
    name, book = workbook(export_app, page)
    assert name == f"mediviz-{page}-{dt.date.today().isoformat()}.xlsx"
    assert book.sheetnames[0] == "Filtres" and len(book.sheetnames) >= 6
    for sheet in book.worksheets[1:]:
        assert rows(sheet)[0][0]  # its chart's title


def test_a_crm_text_that_looks_like_a_formula_stays_text() -> None:
    frame = pd.DataFrame({"libelle": ['=HYPERLINK("http://evil")', "-2+3"], "visites": [-1, 2]})
    book = load_workbook(io.BytesIO(export.workbook("t", [("Région", "=1+1")], [("=x", frame, "")])))
    assert book.worksheets[0]["B3"].value == "=1+1" and book.worksheets[0]["B3"].data_type == "s"
    sheet = book.worksheets[1]
    cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert all(cell.data_type == "s" for cell in cells)  # none is a formula
    assert [c.value for c in sheet["B"] if isinstance(c.value, int)] == [-1, 2]  # numbers stay numbers
    assert book.sheetnames[1] == "=x"


def test_sheet_names_fit_excel() -> None:
    taken: set[str] = set()
    assert export.sheet_name("Note moyenne et visites de chaque délégué évalué, sur la période", taken) == (
        "Note moyenne et visites de chaq"
    )
    assert export.sheet_name("Note moyenne et visites de chaque autre", taken) == "Note moyenne et visites de (2)"
    assert export.sheet_name("a/b:c*d?[e]", taken) == "a-b-c-d--e-"
