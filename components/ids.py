"""Every component id shared between the shell, the pages and the tests."""

from __future__ import annotations

# Shell
LOCATION = "_pages_location"  # Dash Pages' own dcc.Location
FILTERS_STORE = "filters-store"
FILTER_ERROR = "filter-error"
URL_SYNC = "url-sync"  # the query string the sidebar last wrote
URL_IN = "url-in"  # the query string the browser shows
NAV_LINK = "nav-link"  # pattern id: {"type": NAV_LINK, "path": "/visites"}
FRESHNESS = "data-freshness"
FLASH = "shell-flash"

# Sidebar filters, named as the Filters fields they feed
RESPONSABLE = "f-id_responsable"
UTILISATEUR = "f-id_utilisateur"
ANNEE = "f-annee"
MOIS = "f-mois"
GAMME = "f-gamme"
REGION = "f-region"
DATES = "f-dates"
RESET = "f-reset"

#: Sidebar component id -> Filters field, in sidebar order (the date range feeds two fields).
SIDEBAR_FIELDS = {
    RESPONSABLE: "id_responsable",
    UTILISATEUR: "id_utilisateur",
    ANNEE: "annee",
    MOIS: "mois",
    GAMME: "gamme",
    REGION: "region",
}

# Chart parts, as pattern ids keyed by the chart's name
CSV_BUTTON = "csv-button"  # {"type": CSV_BUTTON, "chart": name}
DOWNLOAD = "csv-download"


def graph(name: str) -> str:
    """The id of a chart's dcc.Graph."""
    return f"graph-{name}"


def kpi(name: str) -> str:
    """The id of a KPI card's value."""
    return f"kpi-{name}"
