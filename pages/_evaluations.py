"""Tables and figures of the Évaluations page, shared by its chart callbacks and its CSV downloads."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html

from components import evaluations_figures as ef
from components import figures, fmt, inputs
from data.metrics import codes, evaluations, performance, periods
from data.metrics import evaluations_report as report
from data.metrics import evaluations_tables as tables
from data.metrics.filters import Filters
from data.metrics.scope import Scope
from pages._common import store_filters

KPIS = {
    "evaluations": "Évaluations",
    "note_moyenne": "Note moyenne (/100)",
    "delegues_evalues": "Délégués évalués",
    "evaluateurs": "Évaluateurs",
}
SUMMARY_CHARTS = {
    "distribution": "Distribution des notes",
    "mois": "Évaluations par mois",
    "roles": "Évaluations par rôle de l'évaluateur",
    # One point per evaluated rep: a sum of every evaluation's all-time visits (5.4 times the visits) meant nothing
    "visites": "Note moyenne et visites de chaque délégué évalué, sur la période",
    "delegues": "Note moyenne par délégué évalué",
}
DRILL = "categories"
#: Charts in page order, and the ones that take the full width (many bars).
LAYOUT = ("distribution", "mois", "roles", DRILL, "visites", "delegues")
WIDTHS = {"visites": 12, "delegues": 12}
DRILL_TITLES = ("Note moyenne par catégorie", "Items de la catégorie", "Cliquez sur une catégorie pour voir ses items")
SCORE = "Note (/100)"
EVALUATIONS = "Évaluations"
MEAN_SCORE = "Note moyenne (/100)"
MEAN_ITEM = "Note moyenne des items (/5)"
SCOPE_NOTE = (
    "Année, mois et période portent sur la date de l'évaluation ; « Utilisateur » est le délégué évalué ; "
    "les filtres Gamme et Région ne s'appliquent pas aux évaluations."
)


def known_codes(values: Any) -> list[str]:
    """The category dropdown's value as a list of texts (``BadInputError`` for anything else: a forged value)."""
    return inputs.codes(values, "categories")


def page_filters(store: dict[str, Any] | None, categories: list[str] | None) -> Filters | str:
    """The shell's filters plus the page's categories, without gamme and région (which do not apply here)."""
    filters = store_filters(store, code_categorie=known_codes(categories) or None)
    return filters if isinstance(filters, str) else filters.replace(gamme=(), region=())


def note(store: dict[str, Any] | None) -> Any:
    """The note under the header: how the filters apply, and a warning when gamme or région are ignored."""
    chosen = inputs.mapping(inputs.mapping(store, "filters store").get("filters"), "filters")
    ignored = [name for key, name in (("gamme", "Gamme"), ("region", "Région")) if chosen.get(key)]
    if not ignored:
        return SCOPE_NOTE
    text = f"Filtre {' et '.join(ignored)} ignoré ici : une évaluation ne porte ni sur une gamme ni sur une région."
    return dbc.Alert(text, color="warning", className="py-1 px-2 mb-0 small")


def kpi_texts(filters: Filters, scope: Scope) -> list[str]:
    """Values then detail lines of the KPI cards, in ``KPIS`` order."""
    values = report.kpis(evaluations.summary(filters, scope))
    reps = values["delegues_evalues"]
    texts = [
        fmt.number(values["evaluations"]),
        fmt.number(values["note_moyenne"], 1),
        fmt.number(reps),
        fmt.number(values["evaluateurs"]),
    ]
    per_rep = f"{fmt.number(values['evaluations'] / reps, 1)} évaluation(s) par délégué" if reps else ""
    return [*texts, "fiches d'évaluation (pas les items)", "note globale, sur 100", per_rep, "responsables évaluateurs"]


def chart_table(name: str, filters: Filters, scope: Scope, drill: str | None = None) -> pd.DataFrame:
    """The table a chart shows (and its CSV download holds), with French column names."""
    if name == DRILL:
        parents, children = evaluations.category_tables(filters, scope)
        table = parents if drill is None else children[children["code_parent"] == drill].drop(columns="code_parent")
        return table.rename(columns={"moyenne": MEAN_ITEM, "items": "Items notés", "evaluations": EVALUATIONS})
    frame = evaluations.summary(filters, scope)
    if name == "distribution":
        return tables.bands(frame).rename(columns={"tranche": SCORE, "evaluations": EVALUATIONS})
    if name == "mois":
        return tables.months(frame, filters)[["periode", "evaluations"]].rename(columns={"evaluations": EVALUATIONS})
    if name == "roles":
        columns = {
            "role_createur": "Code rôle",
            "libelle": "Rôle",
            "evaluations": EVALUATIONS,
            "pourcentage": "Part (%)",
        }
        table = tables.roles(frame)  # roles without an evaluation are not drawn ("Key account manager 0 (0,0 %)")
        return table[table["evaluations"] > 0].reset_index(drop=True).rename(columns=columns)
    if name == "visites":
        return rep_scores_and_visits(filters, scope, frame)
    table = tables.reps(frame)
    twins = table["nom"].duplicated(keep=False)  # homonyms get their id, so that their bars stay apart
    table.loc[twins, "nom"] = [f"{n} (n° {i})" for n, i in table.loc[twins, ["nom", "id_utilisateur"]].to_numpy()]
    return table.rename(columns={"nom": "Délégué", "evaluations": EVALUATIONS, "note_moyenne": MEAN_SCORE})


VISITS_IN_PERIOD = "Visites sur la période"


def rep_scores_and_visits(filters: Filters, scope: Scope, frame: Any) -> pd.DataFrame:
    """Each evaluated rep of the slice: mean score, evaluations, and visits over the same period (dates on the
    visit; gamme and région do not apply here): ``id_utilisateur, Délégué, Visites sur la période, …``."""
    period = Filters(annee=filters.annee, mois=filters.mois, start_date=filters.start_date, end_date=filters.end_date)
    visits = dict(performance.per_user_rows(period.replace(id_utilisateur=filters.id_utilisateur,
                                                           id_responsable=filters.id_responsable), scope))  # fmt: skip
    table = tables.reps(frame)
    table.insert(2, VISITS_IN_PERIOD, [visits.get(int(uid), 0) for uid in table["id_utilisateur"]])
    return table.rename(columns={"nom": "Délégué", "evaluations": EVALUATIONS, "note_moyenne": MEAN_SCORE})


#: The per-rep chart shows this many reps, the lowest averages (those a manager looks at first), unless "Voir tout"
#: is on: 70 bars made the page 4 000 px tall on the demo.
LOWEST = 15


def chart_figure(name: str, table: pd.DataFrame, every: bool = True) -> go.Figure:
    """The figure of a chart from its table (``every``: the per-rep chart draws every rep, else the ``LOWEST``)."""
    if name == "delegues" and not every and len(table) > LOWEST:
        rated = table.sort_values([MEAN_SCORE, "Délégué"], na_position="last", kind="stable").head(LOWEST)
        figure = ef.average_bars(rated, "Délégué", MEAN_SCORE, 100, MEAN_SCORE, EVALUATIONS, "évaluations")
        return figures.corner_note(figure, f"les {LOWEST} plus basses sur {len(table)}")
    if name == DRILL:
        return ef.average_bars(table, "libelle", MEAN_ITEM, 5, MEAN_ITEM, "Items notés", "items notés")
    if name == "distribution":
        return ef.column_bars(table, SCORE, EVALUATIONS, SCORE, EVALUATIONS)
    if name == "mois":
        return figures.timeline(table, "mois", EVALUATIONS, EVALUATIONS)
    if name == "roles":
        return ef.share_bars(table, "Rôle", EVALUATIONS, "Part (%)", EVALUATIONS)
    if name == "visites":
        return ef.score_scatter(table, "Délégué", VISITS_IN_PERIOD, MEAN_SCORE, 100)
    return ef.average_bars(table, "Délégué", MEAN_SCORE, 100, MEAN_SCORE, EVALUATIONS, "évaluations")


def drill_title(drill: str | None) -> list[Any]:
    """The drill chart's title: categories with a hint, or the items of the chosen category."""
    top, child, hint = DRILL_TITLES
    if drill is None:
        return [top, html.Small(hint, className="chart-hint")]
    return [f"{child} : {codes.labels('CAEV').get(drill, drill)}", html.Small(MEAN_ITEM, className="chart-hint")]


#: Comparisons (issue 13): a higher average score is better; how many evaluations is neither.
UP_GOOD = {"note_moyenne": True}
DECIMALS = {"note_moyenne": 1}


def kpi_values(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The numbers of the KPI cards."""
    return report.kpis(evaluations.summary(filters, scope))


def kpi_values_over(filters: Filters, scope: Scope, spans: tuple[periods.Period, ...]) -> list[dict[str, Any]]:
    """``kpi_values`` over each span of days (the comparisons), in one statement."""
    return [report.kpis(totals) for totals in evaluations.totals_over(filters, scope, spans)]
