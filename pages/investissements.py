"""The Investissements page (not built yet)."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from pages._common import coming_soon

dash.register_page(
    __name__, path="/investissements", name="Investissements", order=5, title="Investissements · Mediviz"
)


def layout(**_query: Any) -> html.Div:
    """A placeholder until this area is built."""
    return coming_soon("Investissements")
