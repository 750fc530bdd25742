"""The shared sidebar of filters and the pure helpers that turn data into its options."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components import fmt, ids, inputs
from data.metrics.periods import PRESETS

#: French texts of dcc.Dropdown (Dash 4 defaults to English).
DROPDOWN_LABELS: Any = {
    "select_all": "Tout sélectionner",
    "deselect_all": "Tout désélectionner",
    "selected_count": "{num_selected} sélectionné(s)",
    "search": "Rechercher",
    "clear_search": "Effacer la recherche",
    "clear_selection": "Effacer la sélection",
    "no_options_found": "Aucune option",
}
MONTH_OPTIONS = [{"label": name.capitalize(), "value": i} for i, name in enumerate(fmt.MONTH_NAMES, start=1)]


def _field(label: str, control: Any, label_for: str) -> html.Div:
    """A labelled filter control."""
    return html.Div([dbc.Label(label, html_for=label_for, className="filter-label"), control], className="mb-3")


def _dropdown(component_id: str, placeholder: str, multi: bool = False) -> dcc.Dropdown:
    """A searchable dropdown whose options are filled by a callback."""
    return dcc.Dropdown(
        id=component_id,
        options=[],
        multi=multi,
        placeholder=placeholder,
        clearable=True,
        searchable=True,
        labels=DROPDOWN_LABELS,
    )


def sidebar() -> html.Div:
    """The filters: responsable, utilisateur, année, mois, gamme, région, période, and a reset button."""
    dates = dcc.DatePickerRange(
        id=ids.DATES,
        display_format="DD/MM/YYYY",
        first_day_of_week=1,
        clearable=True,
        start_date_placeholder_text="Début",
        end_date_placeholder_text="Fin",
        className="w-100",
    )
    return html.Div(
        [
            html.H2("Filtres", className="sidebar-title"),
            _field("Responsable (équipe)", _dropdown(ids.RESPONSABLE, "Toutes les équipes"), ids.RESPONSABLE),
            _field("Utilisateur", _dropdown(ids.UTILISATEUR, "Tous les utilisateurs"), ids.UTILISATEUR),
            # Année and Mois one under the other: side by side "Septembre" was cut to "Septe…" by the clear
            # button and the chevron (on a phone the grid of the CSS puts them side by side again)
            _field("Année", _dropdown(ids.ANNEE, "Toutes"), ids.ANNEE),
            _field(
                "Mois",
                dcc.Dropdown(id=ids.MOIS, options=MONTH_OPTIONS, placeholder="Tous", labels=DROPDOWN_LABELS),
                ids.MOIS,
            ),
            _field("Gamme", _dropdown(ids.GAMME, "Toutes les gammes", multi=True), ids.GAMME),
            _field("Région", _dropdown(ids.REGION, "Toutes les régions", multi=True), ids.REGION),
            _field(
                "Période prédéfinie",
                dcc.Dropdown(
                    id=ids.PERIODE,
                    options=[{"label": label, "value": name} for name, label in PRESETS.items()],
                    placeholder="Aucune (dates ci-dessous)",
                    labels=DROPDOWN_LABELS,
                ),
                ids.PERIODE,
            ),
            _field("Période", dates, ids.DATES),
            html.Div(id=ids.FILTER_ERROR, className="filter-error", role="alert"),
            dbc.Button("Réinitialiser les filtres", id=ids.RESET, color="secondary", outline=True, size="sm"),
            saved_views(),
        ],
        className="sidebar",
    )


def saved_views() -> html.Div:
    """The account's saved views: open one, save the current view (maybe as the default), delete one."""
    return html.Div(
        [
            html.H2("Mes vues", className="sidebar-title mt-4"),
            _field(
                "Ouvrir une vue",
                dcc.Dropdown(id=ids.VIEWS_MENU, options=[], placeholder="Vues enregistrées", labels=DROPDOWN_LABELS),
                ids.VIEWS_MENU,
            ),
            dcc.Store(id=ids.VIEWS_PATHS),
            html.Div(
                [
                    dbc.Button("Ouvrir", id=ids.VIEW_OPEN, size="sm", color="primary", outline=True),
                    dbc.Button("Supprimer", id=ids.VIEW_DELETE, size="sm", color="secondary", outline=True),
                ],
                className="d-flex gap-2 mb-3",
            ),
            dbc.Label("Enregistrer la vue actuelle", html_for=ids.VIEW_NAME, className="filter-label"),
            dbc.InputGroup(
                [
                    dbc.Input(id=ids.VIEW_NAME, placeholder="Nom de la vue", maxLength=60, size="sm"),
                    dbc.Button("Enregistrer", id=ids.VIEW_SAVE, size="sm", color="primary"),
                ],
                size="sm",
            ),
            dbc.Checkbox(id=ids.VIEW_DEFAULT, label="Ouvrir le tableau de bord sur cette vue", value=False),
            html.Div(id=ids.VIEW_MESSAGE, role="status", className="small"),
        ],
        className="saved-views",
    )


def user_options(users: pd.DataFrame) -> list[dict[str, Any]]:
    """Dropdown options ``NOM Prénom (RÔLE)`` from a frame with ``id_utilisateur, nom, role, statut``."""
    rows: Any = users.itertuples(index=False)
    return [
        {
            "label": f"{row.nom} ({row.role})" + (" – désactivé" if row.statut == "DESA" else ""),
            "value": int(row.id_utilisateur),
        }
        for row in rows
    ]


def code_options(codes: pd.DataFrame) -> list[dict[str, Any]]:
    """Dropdown options from a frame with ``code, libelle`` (the UI shows labels, the URL keeps codes)."""
    return [{"label": row.libelle, "value": row.code} for row in codes.itertuples(index=False)]


def year_options(years: list[int]) -> list[dict[str, Any]]:
    """Dropdown options for years, most recent first."""
    return [{"label": str(year), "value": year} for year in sorted(years, reverse=True)]


def with_values(options: list[dict[str, Any]], value: Any) -> list[dict[str, Any]]:
    """``options`` plus an option for each part of ``value`` they lack (a dropdown drops unknown values).

    A part that is no text or number (a forged value) raises ``BadInputError``.
    """
    wanted = inputs.parts(value, "dropdown value")
    known = {option["value"] for option in options}
    extra = [{"label": str(v), "value": v} for v in wanted if v not in (None, "") and v not in known]
    return options + extra
