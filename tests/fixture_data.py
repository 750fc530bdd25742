"""A tiny CRM whose every aggregate can be counted by hand (the counts are written in the tests).

Visits (V4 is deleted, so it never counts):

    id  day              user  type  status  form  accomp.  partners
    1   2025-01-10 09:00  3    PLAN  REAL    S     N        P1
    2   2025-01-15 10:00  3    HOPL  REAL    G     N        P1, P2, P3
    3   2025-02-03 11:00  4    HOPL  REAL    S     O        P4
    4   2025-02-20 14:00  4    HOPL  SUPP    S     N        P2
    5   2025-03-05 16:30  6    PLAN  ABSE    S     N        P3
    6   2026-01-08 08:15  6    HOPL  REAL    S     N        P4
    7   2025-03-31 18:45  3    HOPL  ENAT    S     N        P2

Users: 1 DIR → 2 DSM → 3, 4 DEL; 1 → 5 DSM → 6, 7 DEL; 8 ↔ 9 DSM form a cycle (no visits).
Evaluations (score /100; items: category, sub-category, score /5):

    id  evaluator   evaluated  score  date              items
    1   2 (DSM)     3          60     2025-01-20 15:30  CE1/SEV1 3, CE1/SEV2 2, CE5/SEV16 4
    2   2 (DSM)     4          70     2025-02-10 09:00  CE1/SEV1 4, CE5/SEV16 5
    3   1 (DIR)     6          80     2025-03-31 17:00  CE1/SEV2 1, CE5/SEV16 3
    4   5 (DSM)     6          50     2026-01-15 10:00  CE1/SEV1 2

Business cases (MAD): BC1 P1 by 3 (manager 2) REAL TI1/CI1 10 000, created 2025-01-05, done 2025-02-01;
BC2 P1 by 3 (2) ENAT TI2/CI1 5 000, created 2025-03-01; BC3 P3 by 6 (5) VALI TI1/CI2 3 000, created
2025-02-15; BC4 P4 by 4 (2) ANNU TI2/no category 2 000, created 2026-01-10.

Partners: P1 MEDE DERMATO/Dermatologie Cabinet A Agadir/Agadir; P2 MEDE GYNECO/Gynécologie Hôpital B
Agadir/Inezgane; P3 PHAR A+ Casablanca/Casablanca; P4 MEDE DERMATO/Chirurgie Plastique Cabinet " B"
Casablanca/Azemmour; P5 MEDE GYNECO Hôpital C Casablanca (never visited).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from data.source.schema import (
    codification,
    crm_metadata,
    evaluation,
    evaluation_detailed,
    partenaire,
    partenaire_bc,
    partenaire_visite,
    utilisateur,
    visite,
)

CODES = [
    ("REGI", "RE00001", "Agadir", None),
    ("REGI", "RE00002", "Casablanca", None),
    ("REGI", "RE00003", "Rabat", None),
    ("VILL", "VI00001", "Agadir", "RE00001"),
    ("VILL", "VI00002", "Inezgane", "RE00001"),
    ("VILL", "VI00008", "Casablanca", "RE00002"),
    ("VILL", "VI00019", "Azemmour", "RE00002"),
    ("GAMM", "GA00001", "DERMATO", None),
    ("GAMM", "GA00002", "GYNECO", None),
    ("GAMM", "GA00003", "RHUMATO", None),
    ("SPEC", "SP00001", "Chirurgie Plastique", "GA00001"),
    ("SPEC", "SP00002", "Dermatologie", "GA00001"),
    ("SPEC", "SP00003", "Gynécologie", "GA00002"),
    ("ETPR", "EPR00001", "Cabinet", None),
    ("ETPU", "EP00001", "Hôpital", None),
    ("CAEV", "CE00001", "Connaissance produit", None),
    ("CAEV", "CE00005", "Preparation de la visite ", None),
    ("SCEV", "SEV00001", "Argumentaire produit", "CE00001"),
    ("SCEV", "SEV00002", "Connaissance concurrence", "CE00001"),
    ("SCEV", "SEV00016", "Plannification semaine de travail sur CRM ", "CE00005"),
    ("TYIN", "TI00001", "Congrès / symposium", None),
    ("TYIN", "TI00002", "Formation médicale continue (EPU)", None),
    ("CAIN", "CI00001", "Médical", None),
    ("CAIN", "CI00002", "Pharmaceutique", None),
]
PARENT_TYPES = {"VILL": "REGI", "SPEC": "GAMM", "SCEV": "CAEV"}
USERS = [
    (1, "ALAOUI", "KARIM", "DIR", None),
    (2, "BENANI", "SARA", "DSM", 1),
    (3, "CHRAIBI", "OMAR", "DEL", 2),
    (4, "DAOUDI", "NADIA", "DEL", 2),
    (5, "EL FASSI", "YASSINE", "DSM", 1),
    (6, "FILALI", "HIND", "DEL", 5),
    (7, "GHALI", "RACHID", "DEL", 5),
    (8, "HAJJI", "AMINE", "DSM", None),
    (9, "IDRISSI", "LEILA", "DSM", 8),
]
#: id, type, name, potential, status, establishment, specialty, gamme, region, city
PARTNERS = [
    (1, "MEDE", "AMRANI", "A", "VALI", "EPR00001", "SP00002", "GA00001", "RE00001", "VI00001"),
    (2, "MEDE", "BERRADA", "B", "VALI", "EP00001", "SP00003", "GA00002", "RE00001", "VI00002"),
    (3, "PHAR", "PHARMACIE CENTRALE", "A+", "CREE", None, None, None, "RE00002", "VI00008"),
    (4, "MEDE", "CHAOUI", " B", "VALI", "EPR00001", "SP00001", "GA00001", "RE00002", "VI00019"),
    (5, "MEDE", "DRISSI", "C", "MIGR", "EP00001", "SP00003", "GA00002", "RE00002", "VI00008"),
]
#: id, start, user, type, status, form, accompanied, partners
VISITS = [
    (1, dt.datetime(2025, 1, 10, 9, 0), 3, "PLAN", "REAL", "S", "N", [1]),
    (2, dt.datetime(2025, 1, 15, 10, 0), 3, "HOPL", "REAL", "G", "N", [1, 2, 3]),
    (3, dt.datetime(2025, 2, 3, 11, 0), 4, "HOPL", "REAL", "S", "O", [4]),
    (4, dt.datetime(2025, 2, 20, 14, 0), 4, "HOPL", "SUPP", "S", "N", [2]),
    (5, dt.datetime(2025, 3, 5, 16, 30), 6, "PLAN", "ABSE", "S", "N", [3]),
    (6, dt.datetime(2026, 1, 8, 8, 15), 6, "HOPL", "REAL", "S", "N", [4]),
    (7, dt.datetime(2025, 3, 31, 18, 45), 3, "HOPL", "ENAT", "S", "N", [2]),
]

#: id, evaluator, evaluated, score, date, [(category, sub-category, item score)]
EVALUATIONS = [
    (1, 2, 3, 60, dt.datetime(2025, 1, 20, 15, 30), [("CE00001", "SEV00001", 3), ("CE00001", "SEV00002", 2),
                                                     ("CE00005", "SEV00016", 4)]),
    (2, 2, 4, 70, dt.datetime(2025, 2, 10, 9, 0), [("CE00001", "SEV00001", 4), ("CE00005", "SEV00016", 5)]),
    (3, 1, 6, 80, dt.datetime(2025, 3, 31, 17, 0), [("CE00001", "SEV00002", 1), ("CE00005", "SEV00016", 3)]),
    (4, 5, 6, 50, dt.datetime(2026, 1, 15, 10, 0), [("CE00001", "SEV00001", 2)]),
]  # fmt: skip
#: id, partner, requester, manager, status, type, category, budget, created, done
BUSINESS_CASES = [
    (1, 1, 3, 2, "REAL", "TI00001", "CI00001", 10_000, dt.datetime(2025, 1, 5), dt.datetime(2025, 2, 1)),
    (2, 1, 3, 2, "ENAT", "TI00002", "CI00001", 5_000, dt.datetime(2025, 3, 1), None),
    (3, 3, 6, 5, "VALI", "TI00001", "CI00002", 3_000, dt.datetime(2025, 2, 15), None),
    (4, 4, 4, 2, "ANNU", "TI00002", None, 2_000, dt.datetime(2026, 1, 10), None),
]


def load(engine: sa.Engine) -> None:
    """Drop and re-create the CRM tables on ``engine`` and insert the fixture rows."""
    crm_metadata.drop_all(engine)
    crm_metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(codification.insert(), [
            {"type_codification": t, "code_codification": c, "libelle_codification": lib,
             "type_parent": PARENT_TYPES.get(t), "code_parent": parent}
            for t, c, lib, parent in CODES
        ])  # fmt: skip
        conn.execute(utilisateur.insert(), [
            {"id_utilisateur": uid, "nom_utilisateur": nom, "prenom_utilisateur": prenom, "role": role,
             "id_responsable": boss if uid != 8 else None}
            for uid, nom, prenom, role, boss in USERS
        ])  # fmt: skip
        conn.execute(utilisateur.update().where(utilisateur.c.id_utilisateur == 8).values(id_responsable=9))
        conn.execute(partenaire.insert(), [
            {"id_partenaire": pid, "code_type_partenaire": kind, "nom_partenaire": nom,
             "prenom_partenaire": None if kind == "PHAR" else "TEST", "code_potentiel": pot,
             "code_statut_partenaire": status, "code_type_etablissement": etab, "code_specialite": spec,
             "code_gamme": gamme, "code_region_partenaire": region, "code_ville_partenaire": city}
            for pid, kind, nom, pot, status, etab, spec, gamme, region, city in PARTNERS
        ])  # fmt: skip
        add_visits(conn, VISITS)
        _load_evaluations_and_business_cases(conn)


def _load_evaluations_and_business_cases(conn: sa.Connection) -> None:
    """The evaluations with their items, and the business cases."""
    conn.execute(evaluation.insert(), [
        {"id": eid, "id_createur": creator, "id_utilisateur_evalue": user, "points_obtenu": score,
         "points_total": 100, "date_integration": when}
        for eid, creator, user, score, when, _ in EVALUATIONS
    ])  # fmt: skip
    conn.execute(evaluation_detailed.insert(), [
        {"id_evaluation": eid, "code_categorie": cat, "code_sous_categorie": sub, "point_obtenu": points,
         "point_sur": 5}
        for eid, *_, items in EVALUATIONS for cat, sub, points in items
    ])  # fmt: skip
    conn.execute(partenaire_bc.insert(), [
        {"id_business_case": bid, "id_partenaire": pid, "id_utilisateur": user, "id_responsable": boss,
         "code_statut_bc": status, "code_type_investissement": kind, "code_categorie_investissement": cat,
         "budget": budget, "date_creation": created, "date_realisation": done}
        for bid, pid, user, boss, status, kind, cat, budget, created, done in BUSINESS_CASES
    ])  # fmt: skip


def add_visits(conn: sa.Connection, visits: list[tuple[Any, ...]]) -> None:
    """Insert ``visits`` (rows shaped as ``VISITS``) and their contacts, with the partners' snapshot on the visit
    and the rep's manager of ``USERS``."""
    managers = {uid: boss for uid, _, _, _, boss in USERS}
    conn.execute(visite.insert(), [
        {"id_visite": vid, "date_visite": start, "id_utilisateur": uid, "id_responsable": managers[uid],
         "code_type_visite": kind, "code_statut_visite": status, "type_visite": form, "flag_accompagnee": acc}
        for vid, start, uid, kind, status, form, acc, _ in visits
    ])  # fmt: skip
    partners = {p[0]: p for p in PARTNERS}
    contacts = [
        {"id_visite": vid, "id_partenaire": pid, "order_partenaire": order + 1,
         "code_type_partenaire": partners[pid][1], "code_gamme_partenaire": partners[pid][7],
         "code_specialite_partenaire": partners[pid][6], "code_region_partenaire": partners[pid][8],
         "code_ville_partenaire": partners[pid][9]}
        for vid, *_, pids in visits for order, pid in enumerate(pids)
    ]  # fmt: skip
    if contacts:
        conn.execute(partenaire_visite.insert(), contacts)
