"""Figure builders of the Partenaires page (pure ``DataFrame -> go.Figure``, the shared French template)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components import fmt
from components.figures import COLORS, NO_DATA, TEMPLATE, message


def _accounts(n: int) -> str:
    """``1 compte``, ``12 comptes`` (French plural)."""
    return f"{fmt.number(n)} compte{'s' if n > 1 else ''}"


def coverage_bars(table: pd.DataFrame, category: str, title: str) -> go.Figure:
    """Share of the base visited per ``category`` (named ``title``): ``comptes_visites`` / ``comptes``, in %.

    A category with no account in the base shows ``–`` at 0.
    """
    if table.empty or not table["comptes"].any():
        return message(NO_DATA)
    shares = [
        None if base == 0 else 100 * seen / base
        for seen, base in zip(table["comptes_visites"], table["comptes"], strict=True)
    ]
    hover = [
        f"{_accounts(int(seen))} visité{'s' if seen > 1 else ''} sur {_accounts(int(base))}"
        if base
        else "aucun compte dans le portefeuille"
        for seen, base in zip(table["comptes_visites"], table["comptes"], strict=True)
    ]
    figure = go.Figure(layout={"template": TEMPLATE, "height": 280})
    figure.add_bar(
        x=table[category],
        y=[share or 0 for share in shares],
        text=["–" if share is None else f"{fmt.number(share, 1)} %" for share in shares],
        textposition="outside",
        cliponaxis=False,
        marker_color=COLORS[2],
        customdata=list(zip(table[category], hover, strict=True)),  # the code (what a click filters on), the text
        hovertemplate=f"{title} %{{x}} : %{{customdata[1]}}<extra></extra>",
    )
    figure.update_xaxes(type="category", title_text=title)
    figure.update_yaxes(title_text="Portefeuille visité", range=[0, 115], dtick=25, ticksuffix=" %")
    return figure
