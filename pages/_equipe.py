"""Tables and figures of the Équipe page (issue 13): the scorecard, reach × frequency and the visit outcomes."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
from dash import html

from components import fmt
from components import performance_figures as pf
from data.app import settings
from data.app.settings import Targets
from data.metrics import equipe_report, periods, portfolio
from data.metrics.filters import Filters
from data.metrics.scope import Scope

KPIS = {
    "delegues": "Délégués",
    "visites": "Visites",
    "par_jour_terrain": "Visites / jour terrain",
    "couverture": "Couverture du portefeuille",
    "atteinte": "A+ / A à la cible",
    "planning": "Respect du planning",
}
UP_GOOD: dict[str, bool | None] = {"delegues": None, **dict.fromkeys(list(KPIS)[1:], True)}
DECIMALS = {"par_jour_terrain": 2, "couverture": 1, "atteinte": 1, "planning": 1}
TITLES = {
    "delegues": "Tableau de l'équipe",
    "matrice": "Portefeuille par potentiel et nombre de visites",
    "issues": "Visites par issue",
}
NOTE = (
    "Portefeuille : les partenaires que les délégués de la sélection ont vus dans les {mois} mois jusqu'à la fin de "
    "la période (sans sélection de personnes : toute la base, hors partenaires rejetés). Couverture : partenaires du "
    "portefeuille vus dans la période. À la cible : vus au moins autant que la fréquence cible par mois × les mois "
    "de la période. Respect du planning : visites planifiées réalisées / planifiées datées jusqu'à aujourd'hui."
)
#: Scorecard columns: key -> (French header, decimals; None for text).
COLUMNS: dict[str, tuple[str, int | None]] = {
    "delegue": ("Délégué", None),
    "visites": ("Visites", 0),
    "jours_terrain": ("Jours terrain", 0),
    "visites_par_jour_terrain": ("Visites / jour", 2),
    "part_visites_potentiel_fort": ("Part A+/A (%)", 1),
    "couverture": ("Couverture (%)", 1),
    "atteinte_potentiel_fort": ("A+/A à la cible (%)", 1),
    "respect_planning": ("Planning (%)", 1),
    "evaluation": ("Dernière évaluation", None),
    "budget_engage": ("Budget engagé (MAD)", 0),
}


def targets() -> Targets:
    """The settings in force."""
    return settings.current()


def kpi_values(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The numbers of the KPI cards."""
    return _values(equipe_report.kpis(filters, scope, targets()))


def values_over(filters: Filters, scope: Scope, asked: tuple[periods.Period, ...]) -> list[dict[str, Any]]:
    """The KPI cards' numbers over the earlier periods ``asked``, counted with the period's portfolio."""
    by_period = {period: _values(k) for period, k in equipe_report.earlier_kpis(filters, scope, targets()).values()}
    return [by_period[period] for period in asked]


def _values(k: dict[str, Any]) -> dict[str, Any]:
    return {
        "delegues": k["delegues"], "visites": k["visites"], "par_jour_terrain": k["visites_par_jour_terrain"],
        "couverture": k["couverture"], "atteinte": k["atteinte_potentiel_fort"], "planning": k["respect_planning"],
    }  # fmt: skip


def kpi_texts(filters: Filters, scope: Scope) -> list[str]:
    """Values then detail lines of the KPI cards, in ``KPIS`` order."""
    k = equipe_report.kpis(filters, scope, targets())
    values = [
        fmt.number(k["delegues"]),
        fmt.number(k["visites"]),
        _maybe(k["visites_par_jour_terrain"], 2),
        _percent(k["couverture"]),
        _percent(k["atteinte_potentiel_fort"]),
        _percent(k["respect_planning"]),
    ]
    details = [
        f"{fmt.number(k['delegues_sans_visite'])} sans visite dans la période",
        f"sur {fmt.number(k['jours_terrain'])} jours terrain (délégué × jour)",
        "visites par jour où le délégué a visité",
        f"{fmt.number(k['portefeuille_visites'])} vus sur {fmt.number(k['portefeuille'])} partenaires",
        f"{fmt.number(k['potentiel_fort_a_la_cible'])} sur {fmt.number(k['portefeuille_potentiel_fort'])} "
        "partenaires A+/A",
        f"{fmt.number(k['planifiees_realisees'])} réalisées sur {fmt.number(k['planifiees_dues'])} planifiées dues",
    ]
    return values + details


def _maybe(value: float | None, decimals: int) -> str:
    return "–" if value is None else fmt.number(value, decimals)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{fmt.number(value, 1)} %"


def rep_href(filters: Filters, uid: int) -> str:
    """The rep's page with the period and the other filters on screen (not the team: the rep replaces it)."""
    pairs = [(k, v) for k, v in filters.to_query() if k not in ("id_responsable", "id_utilisateur")]
    if filters.periode:  # the preset, not its days of today: the link follows the calendar as the page does
        pairs = [(k, v) for k, v in pairs if k not in ("start_date", "end_date")]
    return "/delegue?" + urlencode([("id_utilisateur", str(uid)), *pairs])


def scorecard_rows(filters: Filters, scope: Scope) -> list[dict[str, Any]]:
    """The scorecard as the grid shows it: values, each compared number's change (``<key>_evol``, text)."""
    body, before = equipe_report.scorecards(filters, scope, targets())
    out = []
    for row in body:
        last = row["derniere_evaluation"]
        shown = {key: row.get(key) for key in COLUMNS if key not in ("delegue", "evaluation")}
        name = f"{row['delegue']}{' (désactivé)' if row['desactive'] else ''}"
        shown["delegue"] = name
        shown["evaluation"] = (
            "" if last is None else f"{last['points']}/{last['sur']} le {fmt.date(_day(last['date']))}"
        )
        shown["lien"] = f"[{_markdown_text(name)}]({rep_href(filters, row['id_utilisateur'])})"
        shown["id_utilisateur"] = row["id_utilisateur"]
        prior = None if before is None else before.get(row["id_utilisateur"])
        for key in equipe_report.COMPARED:
            change = None if prior is None else periods.change(row[key], prior[key])
            shown[f"{key}_evol"] = (
                ""
                if change is None
                else f"{'▲' if change > 0 else '▼' if change < 0 else '='} {fmt.number(change, 1)} %"
            )
        out.append(shown)
    return out


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _markdown_text(text: str) -> str:
    """A CRM name as the text of a markdown link (its brackets, backslashes and stars escaped)."""
    return "".join("\\" + char if char in "\\[]()*_`" else char for char in text)


def chart_table(name: str, filters: Filters, scope: Scope, state: dict[str, Any] | None = None) -> pd.DataFrame:
    """The table of a part of the page, as its CSV and Excel exports hold it (French headers)."""
    if name == "delegues":
        rows = scorecard_rows(filters, scope)
        columns = ["id_utilisateur", *COLUMNS, *(f"{key}_evol" for key in equipe_report.COMPARED)]
        table = pd.DataFrame(rows, columns=columns)
        names = {key: header for key, (header, _) in COLUMNS.items()}
        names |= {f"{key}_evol": f"Évolution {names.get(key, key)}" for key in equipe_report.COMPARED}
        return table.rename(columns={**names, "id_utilisateur": "N° utilisateur"})
    if name == "matrice":
        rows = equipe_report.matrix(filters, scope, targets())
        return pd.DataFrame(
            [
                {
                    "Potentiel": row["libelle"],
                    **{
                        f"{b} visite{'s' if b not in ('0', '1') else ''}": row["visites_par_nombre"][b]
                        for b in portfolio.BUCKETS
                    },
                    "Portefeuille": row["portefeuille"],
                    "Cible par mois": row["cible_par_mois"],
                    "Visites requises": row["visites_requises"],
                    "À la cible": row["a_la_cible"],
                    "Atteinte (%)": row["atteinte"],
                }
                for row in rows
            ]
        )
    return pd.DataFrame(equipe_report.outcomes(filters, scope)).rename(columns={"code_statut_visite": "code"})


def outcome_figure(table: pd.DataFrame) -> go.Figure:
    """Visits per outcome, in the workflow's order."""
    return pf.category_bars(table, "libelle", "visites", "Visites")


def matrix_table(filters: Filters, scope: Scope) -> html.Table:
    """Reach × frequency as an HTML table (readable by screen readers, printable)."""
    rows = equipe_report.matrix(filters, scope, targets())
    head = ["Potentiel", *portfolio.BUCKETS, "Portefeuille", "Cible / mois", "Requises", "À la cible", "Atteinte"]
    body = []
    for row in rows:
        cells: list[Any] = [html.Th(row["libelle"], scope="row")]
        cells += [html.Td(fmt.number(row["visites_par_nombre"][b]), className="num") for b in portfolio.BUCKETS]
        cells += [
            html.Td(fmt.number(row["portefeuille"]), className="num"),
            html.Td(fmt.number(row["cible_par_mois"], 2), className="num"),
            html.Td(_maybe(row["visites_requises"], 0), className="num"),
            html.Td(_maybe(row["a_la_cible"], 0), className="num"),
            html.Td(_percent(row["atteinte"]), className="num"),
        ]
        body.append(html.Tr(cells))
    caption = (
        "Partenaires du portefeuille par potentiel et par nombre de visites dans la période (0, 1, 2, 3, 4 et plus)"
    )
    return html.Table(
        [
            html.Caption(caption, className="visually-hidden"),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
            html.Tbody(body),
        ],
        className="table table-sm matrix-table mb-0",
    )
