"""What every data grid (dash-ag-grid) of the dashboard shares: French texts and the common options."""

from __future__ import annotations

from typing import Any

#: AG Grid's texts in French (the ones the grids show: pagination, filters, empty and loading states).
LOCALE_FR = {
    "page": "Page", "of": "sur", "to": "à", "more": "plus", "firstPage": "Première page",
    "previousPage": "Page précédente", "nextPage": "Page suivante", "lastPage": "Dernière page",
    "pageSizeSelectorLabel": "Lignes par page :", "ariaPageSizeSelectorLabel": "Lignes par page",
    "noRowsToShow": "Aucune ligne", "loadingOoo": "Chargement…", "filterOoo": "Filtrer…",
    "equals": "Égal à", "notEqual": "Différent de", "blank": "Vide", "notBlank": "Non vide",
    "lessThan": "Inférieur à", "greaterThan": "Supérieur à", "lessThanOrEqual": "Inférieur ou égal à",
    "greaterThanOrEqual": "Supérieur ou égal à", "inRange": "Entre", "inRangeStart": "De", "inRangeEnd": "À",
    "contains": "Contient", "notContains": "Ne contient pas", "startsWith": "Commence par", "endsWith": "Finit par",
    "andCondition": "ET", "orCondition": "OU", "applyFilter": "Appliquer", "resetFilter": "Réinitialiser",
    "clearFilter": "Effacer", "cancelFilter": "Annuler", "ariaFilterInput": "Valeur du filtre",
    "ariaFilteringOperator": "Opérateur du filtre", "ariaColumn": "Colonne", "ariaRowPageSize": "Lignes par page",
    "ariaSearch": "Rechercher", "ariaFilterValue": "Valeur du filtre", "ariaFilterColumnsInput": "Filtrer les colonnes",
    "ariaLabelColumnFilter": "Filtre de colonne", "ariaSortableColumn": "Appuyez sur Entrée pour trier",
}  # fmt: skip


def options(page_size: int, empty: str) -> dict[str, Any]:
    """``dashGridOptions`` of a paginated grid that grows with its rows, in French."""
    return {
        "domLayout": "autoHeight",
        "pagination": True,
        "paginationPageSize": page_size,
        "paginationPageSizeSelector": False,
        "enableCellTextSelection": True,
        "localeText": {**LOCALE_FR, "noRowsToShow": empty},  # (an HTML overlay template is blocked as code)
    }
