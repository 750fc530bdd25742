"""Figure builders: pure ``DataFrame -> go.Figure`` functions sharing one French template."""

from __future__ import annotations

import html
import textwrap

import pandas as pd
import plotly.graph_objects as go

from components import fmt

NO_DATA = "Aucune donnée pour ces filtres"
#: The series colours, each at least 3:1 against the white background (WCAG 1.4.11).
COLORS = ("#1f5f99", "#c77700", "#2a9d8f", "#d4583a", "#6c757d", "#8e6bbf", "#a26d78", "#2f855a")
TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13},
        colorway=COLORS,
        separators=fmt.PLOTLY_SEPARATORS,
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 36, "b": 10},
        hoverlabel={"namelength": -1},
        legend={"orientation": "h", "y": -0.15, "x": 0},
        xaxis={"automargin": True, "gridcolor": "#eceff3"},
        yaxis={"automargin": True, "gridcolor": "#eceff3", "rangemode": "tozero"},
    )
)


def whole_ticks(figure: go.Figure, axis: str, top: float) -> go.Figure:
    """Ticks one unit apart on a count axis whose largest value is small (auto ticks would show 0, 1, 1, 2…)."""
    if 0 < top <= 6:
        figure.update_layout({f"{axis}axis": {"dtick": 1}})
    return figure


def label_room(figure: go.Figure, values: pd.Series) -> go.Figure:
    """Room right of horizontal bars for their value labels: in the margin (about 7 px a character), so that
    the largest is not cut on a narrow chart ("2 763 00" at 1400 px in a visual review), and at full size."""
    widest = max((len(fmt.number(v)) for v in values), default=1)
    figure.update_layout(margin_r=12 + 7 * widest)
    figure.update_traces(constraintext="none", selector={"type": "bar"})
    figure.update_xaxes(range=[0, max(float(values.max()), 1.0) * 1.03])
    return figure


#: Characters per line of a chart's message: a long one (a filter conflict) was clipped at both ends of a
#: half-width chart, and more so on a phone.
MESSAGE_WIDTH = 38


def message(text: str) -> go.Figure:
    """A figure with no axes that shows ``text`` (loading, empty data, invalid filters), wrapped on lines short
    enough for a half-width chart or a phone."""
    figure = go.Figure(layout={"template": TEMPLATE, "height": 260})
    lines = textwrap.wrap(text, MESSAGE_WIDTH, break_long_words=False) or [text]
    figure.add_annotation(
        text="<br>".join(html.escape(line, quote=False) for line in lines), showarrow=False, x=0.5, y=0.5, xref="paper",
        yref="paper", font={"size": 15, "color": "#565e66"},
    )  # fmt: skip
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure


def grouped_bars(table: pd.DataFrame, category: str, series: list[str], unit: str) -> go.Figure:
    """Vertical bars, one group per ``category`` value and one bar per column of ``series``."""
    if table.empty or not table[series].to_numpy().any():
        return message(NO_DATA)
    figure = go.Figure(layout={"template": TEMPLATE, "height": 280, "barmode": "group"})
    for name in series:
        figure.add_bar(
            x=table[category],
            y=table[name],
            name=name,
            text=[fmt.number(v) for v in table[name]],
            textposition="outside",
            cliponaxis=False,
            customdata=table[["code"]] if "code" in table else None,  # what a click filters the page on
            hovertemplate=f"%{{x}} · {name} : %{{y:,}} {unit.lower()}<extra></extra>",
        )
    figure.update_yaxes(title_text=unit, tickformat=",d")
    return whole_ticks(figure, "y", float(table[series].to_numpy().max()))


def corner_note(figure: go.Figure, text: str) -> go.Figure:
    """A short grey note above a chart's top right corner (what a top-N chart leaves out)."""
    figure.add_annotation(
        text=html.escape(text, quote=False), showarrow=False, x=1, y=1, xref="paper", yref="paper", xanchor="right",
        yanchor="bottom", yshift=4, font={"size": 12, "color": "#565e66"},
    )  # fmt: skip
    figure.update_layout(margin_t=44)  # room above the top bar's value label
    return figure


def ranked_bars(table: pd.DataFrame, label: str, value: str, unit: str, decimals: int = 0) -> go.Figure:
    """Horizontal bars sorted from the largest value at the top (``code`` column, if any, in customdata);
    values shown with ``decimals`` (a share in %: 1)."""
    if table.empty or not table[value].any():
        return message(NO_DATA)
    ordered = table.sort_values([value, label], ascending=[True, False])
    figure = go.Figure(layout={"template": TEMPLATE, "height": max(260, 28 * len(ordered) + 60)})
    figure.add_bar(
        x=ordered[value],
        y=ordered[label],
        orientation="h",
        text=[fmt.number(v, decimals) for v in ordered[value]],
        textposition="outside",
        cliponaxis=False,
        marker_color=COLORS[0],
        customdata=ordered[["code"]] if "code" in ordered else None,
        hovertemplate=f"%{{y}} : %{{x:,.{decimals}f}} {unit.lower()}<extra></extra>",
    )
    figure.update_xaxes(title_text=unit, tickformat=",d" if decimals == 0 else ",", nticks=6)
    label_room(figure, ordered[value])
    figure.update_yaxes(gridcolor="rgba(0,0,0,0)")
    return whole_ticks(figure, "x", float(ordered[value].max()))


def timeline(table: pd.DataFrame, granularity: str, unit: str, column: str) -> go.Figure:
    """Counts over time: bars per week or month, a line per day; periods without visits show 0."""
    if table.empty or not table[column].any():
        return message(NO_DATA)
    figure = go.Figure(layout={"template": TEMPLATE, "height": 300})
    if granularity == "mois":
        labels = [fmt.month(p.date()) for p in table["periode"]]
        figure.add_bar(
            x=labels,
            y=table[column],
            marker_color=COLORS[0],
            hovertemplate=f"%{{x}} : %{{y:,}} {unit.lower()}<extra></extra>",
        )
    else:
        prefix = "Semaine du " if granularity == "semaine" else ""
        hover = [prefix + fmt.date(p.date()) for p in table["periode"]]
        trace = go.Bar if granularity == "semaine" else go.Scatter
        figure.add_trace(
            trace(
                x=table["periode"],
                y=table[column],
                customdata=hover,
                marker_color=COLORS[0],
                hovertemplate=f"%{{customdata}} : %{{y:,}} {unit.lower()}<extra></extra>",
            )
        )
        figure.update_xaxes(tickformat="%d/%m/%Y")
        if granularity == "semaine":  # ticks on the bars' Mondays (Plotly's own weekly ticks fall on Sundays)
            step = max(1, -(-len(table) // 12))  # at most about 12 labels
            figure.update_xaxes(tickmode="linear", tick0=table["periode"].iloc[0], dtick=step * 7 * 86_400_000)
    figure.update_yaxes(title_text=unit, tickformat=",d")
    return whole_ticks(figure, "y", float(table[column].max()))
