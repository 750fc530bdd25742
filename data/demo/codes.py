"""Code lists of the synthetic CRM (section 6 of the legacy document) and their lookup arrays."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

#: Sales regions RE00001.. with their share of partners and reps.
REGIONS: list[tuple[str, float]] = [
    ("Agadir", 0.10),
    ("Casablanca", 0.23),
    ("Rabat", 0.15),
    ("Marrakech", 0.14),
    ("Fès", 0.11),
    ("Tanger", 0.10),
    ("Oujda", 0.08),
    ("Meknès", 0.09),
]

#: Cities per region, the hub city first (table 6.2).
CITIES: dict[str, list[str]] = {
    "Agadir": ["Agadir", "Inezgane", "Aït Melloul", "Tiznit", "Taroudant", "Guelmim", "Laâyoune"],
    "Casablanca": ["Casablanca", "Mohammedia", "Azemmour", "El Jadida", "Settat", "Berrechid"],
    "Rabat": ["Rabat", "Salé", "Témara", "Kénitra", "Khémisset"],
    "Marrakech": ["Marrakech", "Safi", "Essaouira", "El Kelaâ des Sraghna", "Béni Mellal"],
    "Fès": ["Fès", "Taza", "Sefrou", "Ifrane"],
    "Tanger": ["Tanger", "Tétouan", "Larache", "Al Hoceïma"],
    "Oujda": ["Oujda", "Nador", "Berkane", "Taourirt"],
    "Meknès": ["Meknès", "Errachidia", "Khénifra"],
}
#: The legacy document names VI00019 Azemmour; the other cities are numbered around it.
PINNED_CITY_CODES = {"Azemmour": 19}

#: Gammes GA00001.. with their weight as a team's product focus (product-gamme mix of 6.3).
GAMMES: list[tuple[str, float]] = [
    ("DERMATO", 0.03),
    ("GYNECO", 0.37),
    ("RHUMATO", 0.40),
    ("ONCOLOGIE", 0.11),
    ("PEDIATRIE", 0.09),
]

#: Specialties SP00001.. in code order: (label, parent gamme, share of doctors in %).
SPECIALTIES: list[tuple[str, str, float]] = [
    ("Chirurgie Plastique", "DERMATO", 0.5),
    ("Dermatologie", "DERMATO", 1.0),
    ("Gynécologie", "GYNECO", 16.0),
    ("Sage-Femme", "GYNECO", 2.0),
    ("Endocrinologie", "GYNECO", 2.0),
    ("Médecine Générale", "GYNECO", 24.0),
    ("Rhumatologie", "RHUMATO", 6.0),
    ("Traumatologie", "RHUMATO", 9.0),
    ("Médecine Interne", "RHUMATO", 2.0),
    ("Kinésithérapie", "RHUMATO", 1.5),
    ("Neurochirurgie", "RHUMATO", 1.0),
    ("Neurologie", "RHUMATO", 2.0),
    ("Gastro-Entérologie", "RHUMATO", 6.0),
    ("Oncologie", "ONCOLOGIE", 6.0),
    ("Radiothérapie", "ONCOLOGIE", 1.0),
    ("Hématologie", "ONCOLOGIE", 1.0),
    ("Physique Médicale", "ONCOLOGIE", 0.3),
    ("Urologie", "ONCOLOGIE", 5.0),
    ("Néphrologie", "ONCOLOGIE", 1.5),
    ("Cardiologie", "ONCOLOGIE", 3.0),
    ("Pédiatrie", "PEDIATRIE", 5.0),
    ("Médecine Générale Pédiatrique", "PEDIATRIE", 2.0),
    ("Néonatologie", "PEDIATRIE", 1.0),
    ("Chirurgie Infantile", "PEDIATRIE", 1.0),
]

#: Establishment types: (type, code, label, share of doctors).
ESTABLISHMENTS: list[tuple[str, str, str, float]] = [
    ("ETPR", "EPR00001", "Cabinet", 0.45),
    ("ETPR", "EPR00002", "Clinique", 0.10),
    ("ETPR", "EPR00003", "Polyclinique", 0.05),
    ("ETPU", "EP00001", "Hôpital", 0.22),
    ("ETPU", "EP00002", "CHU", 0.10),
    ("ETPU", "EP00003", "Centre de santé", 0.08),
]

#: Evaluation categories CE00001.. and their items SEV00001.. (trailing spaces as in the CRM).
EVALUATION: list[tuple[str, list[str]]] = [
    (
        "Connaissance produit",
        ["Argumentaire produit", "Connaissance concurrence", "Maîtrise des études cliniques"],
    ),
    (
        "Techniques de vente",
        [
            "Ouverture",
            "Découverte des besoins",
            "Traitement des objections",
            "Conclusion / engagement",
        ],
    ),
    ("Relation client", ["Écoute active", "Qualité de la relation", "Suivi des engagements"]),
    (
        "Reporting & CRM",
        [
            "Saisie des rapports de visite",
            "Mise à jour fichier médecins",
            "Respect des délais",
        ],
    ),
    (
        "Preparation de la visite ",
        ["Ciblage", "Objectifs de visite", "Plannification semaine de travail sur CRM "],
    ),
]

#: Investment types TI00001.. (label, share, short description) and categories CI00001...
INVEST_TYPES: list[tuple[str, float, str]] = [
    ("Congrès / symposium", 0.34, "Prise en charge inscription et hébergement congrès"),
    ("Formation médicale continue (EPU)", 0.24, "Organisation d'une soirée EPU"),
    ("Matériel médical", 0.16, "Acquisition de matériel pour le cabinet"),
    ("Sponsoring événement", 0.16, "Sponsoring d'une journée scientifique"),
    ("Don / subvention", 0.10, "Subvention à une association de patients"),
]
INVEST_CATEGORIES: list[tuple[str, float]] = [
    ("Médical", 0.6),
    ("Pharmaceutique", 0.25),
    ("Institutionnel", 0.15),
]

#: Invented name parts (no real person): surnames are prefix + root + suffix.
NAME_PREFIXES = ["", "", "BEN", "EL ", "AIT ", "OU", "BOU", "AL "]
NAME_ROOTS = ["KAR", "SAL", "HAD", "RAM", "TAH", "MOUN", "NAS", "FAD", "JAL", "ZIN", "BAR", "DAH"]
NAME_ROOTS += ["LAM", "GHAZ", "SAF", "HAM", "RAF", "MAJ", "TAZ", "KHAL", "YAS", "FER", "MEZ"]
NAME_SUFFIXES = ["I", "ANI", "OUI", "AOUI", "ALI", "IRI", "OUNI", "ADI", "AMI", "ASSI", "INE"]
FIRST_NAMES = ["YOUSSEF", "KARIM", "AMINE", "HAMZA", "OMAR", "MEHDI", "SAAD", "ANAS", "REDA"]
FIRST_NAMES += ["ILYAS", "NABIL", "TARIK", "HICHAM", "ADIL", "RACHID", "SAMIR", "IMANE", "SARA"]
FIRST_NAMES += ["NADIA", "LAILA", "SALMA", "KHADIJA", "HIBA", "ASMAE", "GHIZLANE", "NOURA"]
FIRST_NAMES += ["MERIEM", "ZINEB", "HOUDA", "SOUKAINA", "WAFAE", "KAWTAR", "DOUNIA", "AICHA"]
PHARMACY_WORDS = ["AL AMAL", "ENNOUR", "DU CENTRE", "DE LA GARE", "ATLAS", "AL FATH", "ESSAADA"]
PHARMACY_WORDS += ["DU MARCHE", "DES ORANGERS", "AL MANAR", "DU PARC", "ANNASR", "AL BARAKA"]
PHARMACY_WORDS += ["ESSALAM", "DE LA PLAGE", "DES ROSES", "AL HOUDA", "EL WAHDA", "DU QUARTIER"]
COMMENTS = ["RAS", "Médecin intéressé", "Demande d'échantillons", "A revoir dans un mois"]
COMMENTS += ["Rupture signalée en pharmacie", "Présentation de la nouvelle étude"]


def city_codes() -> list[tuple[str, str, str]]:
    """(VILL code, city label, region label) for every city, numbered in table order."""
    free = (n for n in range(1, 1000) if n not in PINNED_CITY_CODES.values())
    rows = []
    for region, cities in CITIES.items():
        for city in cities:
            number = PINNED_CITY_CODES.get(city) or next(free)
            rows.append((f"VI{number:05d}", city, region))
    return rows


def _rows(kind: str, labels: list[str], prefix: str, parents: list[str] | None = None) -> list[Any]:
    """Codification tuples (type, code, label, order, parent type, parent code) numbered from 1."""
    parent_type = {"SPEC": "GAMM", "SCEV": "CAEV", "VILL": "REGI"}.get(kind)
    return [
        (kind, f"{prefix}{i:05d}", label, i, parent_type, parents[i - 1] if parents else None)
        for i, label in enumerate(labels, start=1)
    ]


def codification_rows(created: dt.datetime) -> list[dict[str, Any]]:
    """Every row of tab_par_codification used by the demo data, created at ``created``."""
    region_code = {label: f"RE{i:05d}" for i, (label, _) in enumerate(REGIONS, start=1)}
    gamme_code = {label: f"GA{i:05d}" for i, (label, _) in enumerate(GAMMES, start=1)}
    items = [(f"CE{c:05d}", item) for c, (_, its) in enumerate(EVALUATION, start=1) for item in its]
    tuples = _rows("REGI", list(region_code), "RE")
    tuples += [
        ("VILL", code, city, i, "REGI", region_code[region])
        for i, (code, city, region) in enumerate(city_codes(), start=1)
    ]
    tuples += _rows("GAMM", list(gamme_code), "GA")
    tuples += _rows("SPEC", [s[0] for s in SPECIALTIES], "SP", [gamme_code[s[1]] for s in SPECIALTIES])
    for kind, prefix in (("ETPR", "EPR"), ("ETPU", "EP")):
        tuples += _rows(kind, [e[2] for e in ESTABLISHMENTS if e[0] == kind], prefix)
    tuples += _rows("CAEV", [c[0] for c in EVALUATION], "CE")
    tuples += _rows("SCEV", [i[1] for i in items], "SEV", [i[0] for i in items])
    tuples += _rows("TYIN", [t[0] for t in INVEST_TYPES], "TI")
    tuples += _rows("CAIN", [c[0] for c in INVEST_CATEGORIES], "CI")
    keys = ["type_codification", "code_codification", "libelle_codification"]
    keys += ["ordre_codification", "type_parent", "code_parent"]
    return [dict(zip(keys, t, strict=True), flag_actif="O", date_creation=created) for t in tuples]


def numbered(prefix: str, n: int) -> np.ndarray:
    """Object array of the codes prefix00001 .. prefix0000n."""
    return np.array([f"{prefix}{i:05d}" for i in range(1, n + 1)], dtype=object)


def probs(weights: list[float]) -> np.ndarray:
    """Weights normalised to probabilities."""
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n invented uppercase (nom, prenom) pairs."""
    a, b, c, d = (rng.integers(0, len(p), n) for p in (NAME_PREFIXES, NAME_ROOTS, NAME_SUFFIXES, FIRST_NAMES))
    noms = [NAME_PREFIXES[i] + NAME_ROOTS[j] + NAME_SUFFIXES[k] for i, j, k in zip(a, b, c, strict=True)]
    return np.array(noms, dtype=object), np.array(FIRST_NAMES, dtype=object)[d]


# Lookup arrays indexed by the generator's integer indices (region, city, gamme, ...).
REGION_CODE = numbered("RE", len(REGIONS))
REGION_P = probs([w for _, w in REGIONS])
_CITIES = city_codes()
CITY_CODE = np.array([c[0] for c in _CITIES], dtype=object)
CITY_LABEL = np.array([c[1] for c in _CITIES], dtype=object)
CITY_REGION = np.array([[r for r, _ in REGIONS].index(c[2]) for c in _CITIES])
GAMME_CODE = numbered("GA", len(GAMMES))
GAMME_P = probs([w for _, w in GAMMES])
SPEC_CODE = numbered("SP", len(SPECIALTIES))
SPEC_GAMME = np.array([[g for g, _ in GAMMES].index(s[1]) for s in SPECIALTIES])
SPEC_P = probs([s[2] for s in SPECIALTIES])
ETAB_CODE = np.array([e[1] for e in ESTABLISHMENTS], dtype=object)
ETAB_P = probs([e[3] for e in ESTABLISHMENTS])
ITEM_CATEGORY = numbered("CE", len(EVALUATION))[
    np.repeat(np.arange(len(EVALUATION)), [len(items) for _, items in EVALUATION])
]
ITEM_CODE = numbered("SEV", len(ITEM_CATEGORY))
TYPE_CODE = numbered("TI", len(INVEST_TYPES))
TYPE_LABEL = np.array([t[0] for t in INVEST_TYPES], dtype=object)
TYPE_DESCRIPTION = np.array([t[2] for t in INVEST_TYPES], dtype=object)
TYPE_P = probs([t[1] for t in INVEST_TYPES])
CATEGORY_CODE = numbered("CI", len(INVEST_CATEGORIES))
CATEGORY_P = probs([c[1] for c in INVEST_CATEGORIES])
TIMES = np.array([dt.time(m // 60, m % 60) for m in range(24 * 60)], dtype=object)
