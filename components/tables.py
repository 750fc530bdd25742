"""Tables as users take them away: CSV that a spreadsheet opens as data, never as formulas."""

from __future__ import annotations

from typing import Any

import pandas as pd

#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV injection"): its first character.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(table: pd.DataFrame) -> str:
    """``table`` as CSV for a French Excel: ``;`` between cells, decimal commas, UTF-8 with its BOM, CRLF.

    Names and labels come from the CRM: a text cell (or a header) that starts like a formula gets a leading
    ``'``, which spreadsheets show as text, as OWASP advises; numbers, negative ones included, stay numbers.
    Lines end in CRLF (RFC 4180), so that a cell holding a carriage return is quoted: unquoted, it started a new
    row in Excel, whose first cell could be a formula.
    """
    safe = table.rename(columns=_inert)
    for column in safe.columns[[not pd.api.types.is_numeric_dtype(kind) for kind in safe.dtypes]]:
        safe[column] = safe[column].map(_inert)
    return "\ufeff" + safe.to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")


def _inert(value: Any) -> Any:
    """``value``, with a leading ``'`` if it is a text that starts like a formula."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value
