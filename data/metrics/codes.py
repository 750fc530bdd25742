"""Labels of the CRM codes (``tab_par_codification``), and the fixed meanings of hard-coded codes."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from data.cache import reference
from data.source import db
from data.source.schema import codification

TYPE_VISITE = {"PLAN": "Planifiées", "HOPL": "Non planifiées"}
#: One label per thing on every page: Performance says "Médecins" and "Pharmacies" too.
TYPE_PARTENAIRE = {"MEDE": "Médecins", "PHAR": "Pharmacies"}
TYPE_ETABLISSEMENT = {"ETPR": "Privées", "ETPU": "Publiques"}
FORME_VISITE = {"S": "Simples", "G": "De groupe"}
ACCOMPAGNEMENT = {"N": "Individuelles", "O": "En double"}


@reference
def catalogue(type_codification: str) -> list[tuple[str, str, str | None]]:
    """Codes of one type: ``(code, libelle, code_parent)``, ordered by label (then code), labels trimmed."""
    c = codification.c
    stmt = (
        sa.select(c.code_codification, c.libelle_codification, c.code_parent)
        .where(c.type_codification == type_codification)
        .order_by(c.libelle_codification, c.code_codification)
    )
    return [(code, label.strip() if isinstance(label, str) else label, parent) for code, label, parent in db.read(stmt)]


def codes(type_codification: str) -> pd.DataFrame:
    """``catalogue`` as a DataFrame: ``code, libelle, code_parent``."""
    return pd.DataFrame(catalogue(type_codification), columns=["code", "libelle", "code_parent"])


def labels(type_codification: str) -> dict[str, str]:
    """``{code: label}`` for one codification type."""
    return {code: label for code, label, _ in catalogue(type_codification)}
