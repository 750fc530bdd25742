"""Every component id shared between the shell, the pages and the tests."""

from __future__ import annotations

# Shell
LOCATION = "_pages_location"  # Dash Pages' own dcc.Location
PAGE_STORE = "_pages_store"  # Dash Pages' own store: the title of the page the router last drew
FILTERS_STORE = "filters-store"
FILTER_ERROR = "filter-error"
URL_SYNC = "url-sync"  # the query string the sidebar last wrote
URL_IN = "url-in"  # the query string the browser shows
NAV_LINK = "nav-link"  # pattern id: {"type": NAV_LINK, "path": "/visites"}
FRESHNESS = "data-freshness"
FRESHNESS_TICK = "data-freshness-tick"
FLASH = "shell-flash"
OUTAGE_TICK = "outage-tick"  # asks the database again while it is unavailable
OUTAGE_RELOAD = "outage-reload"  # the query string to reload the page with, when the outage stopped a page change

# Sidebar filters, named as the Filters fields they feed
RESPONSABLE = "f-id_responsable"
UTILISATEUR = "f-id_utilisateur"
ANNEE = "f-annee"
MOIS = "f-mois"
GAMME = "f-gamme"
REGION = "f-region"
DATES = "f-dates"
PERIODE = "f-periode"
RESET = "f-reset"

#: Sidebar component id -> Filters field, in sidebar order (the date range feeds two fields).
SIDEBAR_FIELDS = {
    RESPONSABLE: "id_responsable",
    UTILISATEUR: "id_utilisateur",
    ANNEE: "annee",
    MOIS: "mois",
    GAMME: "gamme",
    REGION: "region",
    PERIODE: "periode",
}

# Chart parts: every id carries the page, so that pages never share an id


def graph(page: str, name: str) -> str:
    """The id of a chart's dcc.Graph."""
    return f"{page}-graph-{name}"


def title(page: str, name: str) -> str:
    """The id of a chart's title."""
    return f"{page}-title-{name}"


def kpi(page: str, name: str) -> str:
    """The id of a KPI card's value (its detail line: ``kpi(...) + "-detail"``)."""
    return f"{page}-kpi-{name}"


def csv_button(page: str, name: str) -> dict[str, str]:
    """The pattern id of a chart's CSV button."""
    return {"type": "csv-button", "page": page, "chart": name}


def download(page: str) -> str:
    """The id of a page's dcc.Download."""
    return f"{page}-download"


def drill_store(page: str, name: str) -> str:
    """The id of the store holding a drill-down chart's chosen parent code."""
    return f"{page}-drill-{name}"


def drill_back(page: str, name: str) -> str:
    """The id of a drill-down chart's back button."""
    return f"{page}-back-{name}"


# The whole view in the URL (issue 12): each page's own state, and its cross-filters

VIEW_STATE = "view-state"  # pattern type: {"type": VIEW_STATE, "page": page}, the page's query pairs
CROSS = "cross-filters"  # pattern type: {"type": CROSS, "page": page}, {field: [values]} set by chart clicks
CROSS_REMOVE = "cross-remove"  # pattern type: {"type": CROSS_REMOVE, "page": page, "field": field}


def view_store(page: str) -> dict[str, str]:
    """The store of a page's own query pairs (unit, granularity, drill levels…), written to the URL."""
    return {"type": VIEW_STATE, "page": page}


def cross_store(page: str) -> dict[str, str]:
    """The store of a page's cross-filters."""
    return {"type": CROSS, "page": page}


def cross_bar(page: str) -> str:
    """The id of the line that names a page's cross-filters, each with its remove button."""
    return f"{page}-cross-bar"


def drill_filter(page: str, name: str) -> str:
    """The id of a drilled chart's "Filtrer la page sur …" button."""
    return f"{page}-drill-filter-{name}"


# Exports and print (issue 12)

PRINT_SUMMARY = "print-summary"  # the filters, above a printed page


def excel_button(page: str) -> str:
    """The id of a page's "Exporter (Excel)" button."""
    return f"{page}-excel"


def excel_download(page: str) -> str:
    """The id of the dcc.Download of a page's workbook."""
    return f"{page}-excel-download"


def print_button(page: str) -> str:
    """The id of a page's "Imprimer" button."""
    return f"{page}-print"


# Saved views (issue 13)

VIEWS_MENU = "saved-views-menu"  # dropdown of the account's views (value: the view's id)
VIEWS_PATHS = "saved-views-paths"  # store {id: path} of the menu's views
VIEW_NAME = "saved-view-name"
VIEW_DEFAULT = "saved-view-default"
VIEW_SAVE = "saved-view-save"
VIEW_DELETE = "saved-view-delete"
VIEW_OPEN = "saved-view-open"
VIEW_MESSAGE = "saved-view-message"
