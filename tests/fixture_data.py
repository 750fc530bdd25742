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
Partners: P1 MEDE DERMATO/Dermatologie Cabinet A Agadir/Agadir; P2 MEDE GYNECO/Gynécologie Hôpital B
Agadir/Inezgane; P3 PHAR A+ Casablanca/Casablanca; P4 MEDE DERMATO/Chirurgie Plastique Cabinet " B"
Casablanca/Azemmour; P5 MEDE GYNECO Hôpital C Casablanca (never visited).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from data.schema import codification, crm_metadata, partenaire, partenaire_visite, utilisateur, visite

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
]
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


def load(engine: sa.Engine) -> None:
    """Drop and re-create the CRM tables on ``engine`` and insert the fixture rows."""
    crm_metadata.drop_all(engine)
    crm_metadata.create_all(engine)
    managers = {uid: boss for uid, _, _, _, boss in USERS}
    with engine.begin() as conn:
        conn.execute(codification.insert(), [
            {"type_codification": t, "code_codification": c, "libelle_codification": lib,
             "type_parent": {"VILL": "REGI", "SPEC": "GAMM"}.get(t), "code_parent": parent}
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
        conn.execute(visite.insert(), [
            {"id_visite": vid, "date_visite": start, "id_utilisateur": uid, "id_responsable": managers[uid],
             "code_type_visite": kind, "code_statut_visite": status, "type_visite": form, "flag_accompagnee": acc}
            for vid, start, uid, kind, status, form, acc, _ in VISITS
        ])  # fmt: skip
        partners = {p[0]: p for p in PARTNERS}
        conn.execute(partenaire_visite.insert(), [
            {"id_visite": vid, "id_partenaire": pid, "order_partenaire": order + 1,
             "code_type_partenaire": partners[pid][1], "code_gamme_partenaire": partners[pid][7],
             "code_specialite_partenaire": partners[pid][6], "code_region_partenaire": partners[pid][8],
             "code_ville_partenaire": partners[pid][9]}
            for vid, *_, pids in VISITS for order, pid in enumerate(pids)
        ])  # fmt: skip
