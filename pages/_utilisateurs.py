"""Tables and figures of the Utilisateurs page, shared by its chart callbacks and its CSV downloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from components import figures, fmt
from data.metrics import periods, utilisateurs_report, utilisateurs_tables
from data.metrics.filters import Filters
from data.metrics.scope import Scope
from pages import _common

USERS = "Utilisateurs actifs"
VISITS = "Visites"
KPIS = {
    "utilisateurs_actifs": "Utilisateurs actifs",
    "visites": "Visites",
    "visites_par_utilisateur": "Visites par utilisateur actif",
    "managers": "Managers",
    "delegues_actifs": "Délégués actifs (DEL, KAM)",  # the same word and number as on Performance
}
#: Charts of one table each: name -> title.
CHARTS = {
    "statut": "Utilisateurs ayant visité des partenaires, par statut du partenaire",
    "role": "Utilisateurs actifs par rôle",
}
DRILL_CHARTS = {
    "region": (
        "Utilisateurs actifs par région",
        "Utilisateurs actifs par ville de la région",
        "Cliquez sur une région pour voir ses villes",
    ),
    "gamme": (
        "Utilisateurs actifs par gamme",
        "Utilisateurs actifs par spécialité de la gamme",
        "Cliquez sur une gamme pour voir ses spécialités",
    ),
}
#: Chart -> the cross-filter a click on one of its bars sets.
CROSS = {"statut": "statut_partenaire", "role": "role"}
MONTHS = "mois"
MONTHS_TITLE = "Utilisateurs actifs par mois"
TEAMS_TITLE = "Visites par équipe (hiérarchie actuelle)"
MANAGERS = "responsables"
VIEWS = {"nombre": "Nombre", "part": "Part (%)"}  # bars: teams nest, their shares do not add up to 100
SHARE = "Part des visites (%)"
#: The team chart shows the teams with the most visits, unless "Voir tout" is on (18 managers on the demo).
TOP_TEAMS = 15
TEAMS_NOTE = (
    "Équipe = le responsable et tous ceux sous lui dans la hiérarchie actuelle, comme le filtre « Responsable » : "
    "la barre d'un responsable est le nombre que donne son choix dans les filtres. Les équipes s'emboîtent (celle "
    "d'un directeur contient celles de ses superviseurs) : les barres ne s'additionnent pas."
)


def kpi_texts(filters: Filters, scope: Scope) -> list[str]:
    """Values then detail lines of the KPI cards, in ``KPIS`` order."""
    values = utilisateurs_report.kpis(filters, scope)
    actifs = values["utilisateurs_actifs"]
    texts = [fmt.number(values[name], 1 if name == "visites_par_utilisateur" else 0) for name in KPIS]
    texts += [
        "au moins une visite dans la sélection",
        "visites distinctes, hors supprimées",
        "visites ÷ utilisateurs actifs",
        "responsables directs (hiérarchie actuelle)",
        f"{fmt.percent(values['delegues_actifs'], actifs)} des utilisateurs actifs",
    ]
    return texts


def chart_table(name: str, filters: Filters, scope: Scope, drill: str | None = None) -> pd.DataFrame:
    """The table a chart shows (and its CSV download holds)."""
    if name == MONTHS:
        table = utilisateurs_tables.month_table(filters, scope)
        return table[["mois", "periode", "utilisateurs"]].rename(columns={"utilisateurs": USERS})
    if name == MANAGERS:
        table = utilisateurs_tables.team_table(filters, scope)
        table["responsable"] = _unique_names(table)
        columns = {"visites": VISITS, "pourcentage": SHARE, "utilisateurs": USERS}
        return table.rename(columns=columns)
    if name in DRILL_CHARTS and drill is not None:
        children = utilisateurs_report.children(filters, scope, name)
        table = children[children["code_parent"] == drill]
    else:
        table = _common.chosen_only(utilisateurs_report.tables(filters, scope)[name], name, filters)
        if name in CROSS:
            table = _common.cross_only(table, CROSS[name], filters)
    if name == "role":  # roles nobody of the selection holds are not drawn ("Key account manager 0 (0,0 %)")
        table = table[table["utilisateurs"] > 0].reset_index(drop=True)
    return table[[c for c in table.columns if c != "visites"]].rename(columns={"utilisateurs": USERS})


def _unique_names(table: pd.DataFrame) -> list[str]:
    """Managers' names, with their id where two share a name (a chart would merge them)."""
    names = table["responsable"]
    twice = set(names[names.duplicated()])
    return [f"{n} (n° {i})" if n in twice else n for n, i in zip(names, table["id_responsable"], strict=True)]


def chart_figure(name: str, table: pd.DataFrame, view: str = "nombre", every: bool = True) -> go.Figure:
    """The figure of a chart from its table (teams: counts or shares, the ``TOP_TEAMS`` first unless ``every``)."""
    if name == MONTHS:
        return figures.timeline(table, "mois", USERS, USERS)
    if name == MANAGERS:
        shown = table if every else table.head(TOP_TEAMS)  # the table comes most visits first
        value = SHARE if view == "part" else VISITS
        figure = figures.ranked_bars(shown, "responsable", value, value, decimals=1 if view == "part" else 0)
        if len(shown) < len(table):
            figures.corner_note(figure, f"les {len(shown)} premières équipes sur {len(table)}")
        return figure
    return figures.ranked_bars(table, "libelle", USERS, USERS)


def drill_title(name: str) -> Callable[[str | None], list[Any]]:
    """A drill chart's title: the top level with a hint, or the children of the chosen parent."""
    return _common.drill_title(*DRILL_CHARTS[name], "REGI" if name == "region" else "GAMM")


#: Comparisons (issue 13): more active users and visits are better; the number of managers is neither.
UP_GOOD = {"utilisateurs_actifs": True, "visites": True, "visites_par_utilisateur": True, "delegues_actifs": True}
DECIMALS = {"visites_par_utilisateur": 1}


def kpi_values(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The numbers of the KPI cards."""
    return utilisateurs_report.kpis(filters, scope)


def kpi_values_over(filters: Filters, scope: Scope, spans: tuple[periods.Period, ...]) -> list[dict[str, Any]]:
    """``kpi_values`` over each span of days (the comparisons), in one statement."""
    return utilisateurs_report.kpis_over(filters, scope, spans)
