"""Tables as a manager takes them away (issue 12): French headers and labels, dated file names, an Excel workbook
with its context, and the one-line summary of the filters that a printed page carries.

``presentable`` turns a chart's table into what a spreadsheet should show: French column names, dates as dates,
the internal ids and codes after the labels. ``workbook`` writes the ``.xlsx`` of a page with openpyxl: a first
sheet stating the filters, the caller's scope, the data's freshness and the export time, then one sheet per
chart. Text cells from the CRM never become formulas (as in the CSV: ``components.tables``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from components import fmt
from components.tables import FORMULA_STARTS

#: Column name -> French header (columns a page already names in French keep their name).
HEADERS = {
    "code": "Code",
    "code_parent": "Code parent",
    "libelle": "Libellé",
    "categorie": "Catégorie",
    "periode": "Période",
    "mois": "Mois",
    "delegue": "Délégué",
    "responsable": "Responsable",
    "id_utilisateur": "N° utilisateur",
    "id_responsable": "N° responsable",
    "visites": "Visites",
    "contacts": "Contacts",
    "utilisateurs": "Utilisateurs actifs",
    "comptes": "Comptes du portefeuille",
    "comptes_visites": "Comptes visités",
    "couverture_pct": "Couverture (%)",
    "potentiel": "Potentiel",
    "type": "Type",
    "pourcentage": "Part (%)",
}
#: Columns that identify rather than describe: after the labels.
ID_COLUMNS = ("code", "code_parent", "id_utilisateur", "id_responsable")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def dated(area: str, extension: str, name: str | None = None, today: dt.date | None = None) -> str:
    """``mediviz-visites-2026-11-29.xlsx``, ``mediviz-visites-region-2026-11-29.csv``."""
    parts = ["mediviz", area, *([name] if name else []), (today or dt.date.today()).isoformat()]
    return "-".join(parts) + f".{extension}"


def presentable(table: pd.DataFrame, reorder: bool = True) -> pd.DataFrame:
    """The table with French headers, periods as days; ``reorder``: labels first, ids and codes last (a CSV keeps
    its columns' order, which scripts may read by position)."""
    ordered = [c for c in table.columns if c not in ID_COLUMNS] + [c for c in ID_COLUMNS if c in table.columns]
    out = table[ordered if reorder else list(table.columns)].copy()
    if "periode" in out:
        out["periode"] = pd.to_datetime(out["periode"]).dt.date
    return out.rename(columns={c: HEADERS.get(c, c) for c in out.columns})


def sheet_name(title: str, taken: set[str]) -> str:
    """An Excel sheet name for ``title``: at most 31 characters, none of ``[]:*?/\\``, unique in ``taken``."""
    base = _SHEET_FORBIDDEN.sub("-", title).strip().strip("'")[:31].rstrip() or "Feuille"
    name, number = base, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)].rstrip() + suffix, number + 1
    taken.add(name)
    return name


def workbook(title: str, context: Iterable[tuple[str, str]], sheets: Iterable[tuple[str, pd.DataFrame, str]]) -> bytes:
    """The ``.xlsx`` bytes: a "Filtres" sheet (``title``, then ``context`` as label/value rows), then one sheet per
    ``(title, table, note)`` (the note, if any, above the table: a drill level)."""
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Filtres"
    _row(first, [title])
    first["A1"].font = Font(bold=True, size=14)
    first.append([])
    for label, value in context:
        _row(first, [label, value])
        first.cell(row=first.max_row, column=1).font = Font(bold=True)
    _widths(first)
    taken = {"Filtres"}
    for chart_title, table, note in sheets:
        sheet = book.create_sheet(sheet_name(chart_title, taken))
        _row(sheet, [chart_title])
        sheet["A1"].font = Font(bold=True, size=12)
        if note:
            _row(sheet, [note])
        sheet.append([])
        shown = presentable(table)
        _row(sheet, list(shown.columns))
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
        for values in shown.itertuples(index=False):
            _row(sheet, [_cell(value) for value in values])
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
        _widths(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A value as a spreadsheet cell: numbers stay numbers, NaN and None are empty, dates stay dates."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        return value.item()
    return value


def _row(sheet: Any, values: list[Any]) -> None:
    """Append a row; a text that starts like a formula stays text (openpyxl would write it as a formula)."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.data_type = "s"


def _widths(sheet: Any) -> None:
    """Columns as wide as their longest text (at most 60 characters)."""
    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None and cell.row > 1:  # the title may run over
                widths[cell.column] = max(widths.get(cell.column, 8), min(60, len(str(cell.value)) + 2))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width


def now_text(now: dt.datetime | None = None) -> str:
    """The export time in French (``29/11/2026 à 08:15``)."""
    return fmt.datetime(now or dt.datetime.now())
