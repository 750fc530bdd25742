"""Labels of the CRM codes (``tab_par_codification``), and the fixed meanings of hard-coded codes."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from data import db
from data.cache import reference
from data.schema import codification

TYPE_VISITE = {"PLAN": "Planifiées", "HOPL": "Non planifiées"}
TYPE_PARTENAIRE = {"MEDE": "Médicales", "PHAR": "Pharmaceutiques"}
TYPE_ETABLISSEMENT = {"ETPR": "Privées", "ETPU": "Publiques"}
FORME_VISITE = {"S": "Simples", "G": "De groupe"}
ACCOMPAGNEMENT = {"N": "Individuelles", "O": "En double"}


@reference
def codes(type_codification: str) -> pd.DataFrame:
    """Codes of one type: ``code, libelle, code_parent``, ordered by label (then code)."""
    c = codification.c
    stmt = (
        sa.select(c.code_codification, c.libelle_codification, c.code_parent)
        .where(c.type_codification == type_codification)
        .order_by(c.libelle_codification, c.code_codification)
    )
    frame = pd.DataFrame(db.read(stmt), columns=["code", "libelle", "code_parent"])
    frame["libelle"] = frame["libelle"].str.strip()
    return frame


def labels(type_codification: str) -> dict[str, str]:
    """``{code: label}`` for one codification type."""
    frame = codes(type_codification)
    return dict(zip(frame["code"], frame["libelle"], strict=True))
