"""Errors that mean "not now" rather than "wrong": answered 503 with a French message and ``Retry-After``."""

from __future__ import annotations

#: What users read (the banner, the 503 page, the JSON error), per kind of trouble.
DATABASE_DOWN = "Base de données indisponible : les chiffres ne peuvent pas être calculés pour l'instant."
REPLICA_MISSING = "Données en préparation : la copie des données du CRM est en cours de construction."
OVERLOADED = "Service surchargé : trop de calculs en cours, les chiffres arrivent dans un instant."


class UnavailableError(Exception):
    """A dependency does not answer (or was seen hanging and is skipped for a few seconds)."""

    def __init__(self, component: str, detail: str = "", message: str = DATABASE_DOWN) -> None:
        super().__init__(f"{component}: {detail}" if detail else component)
        self.component = component
        self.message = message


class OverloadedError(Exception):
    """Too much is being computed at once (admission wait expired, or DuckDB out of memory): try again soon."""

    message = OVERLOADED
