"""One definition of the filters shared by the sidebar, the URL query string and the JSON API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

INT_FIELDS = ("id_responsable", "id_utilisateur", "annee", "mois", "id_partenaire", "id_business_case")
DATE_FIELDS = ("start_date", "end_date")
#: Multi-valued code fields and the code prefix each accepts.
CODE_FIELDS = {
    "gamme": "GA",
    "region": "RE",
    "code_categorie": "CE",
    "code_type_investissement": "TI",
}
#: Cross-filters: what a click on a bar of a categorical chart sets (issue 12), each a contact fact column
#: (``data.source.fact``) and the values it takes: field -> (column, pattern of one value).
CROSS_FIELDS: dict[str, tuple[str, str]] = {
    "type_partenaire": ("code_type_partenaire", r"[A-Z]{2,6}"),  # MEDE, PHAR
    "etablissement": ("etablissement", r"ETPR|ETPU"),  # private or public, of the partner's establishment
    "statut_partenaire": ("statut_partenaire", r"[A-Z]{2,6}"),  # CREE, VALI, REJE, MIGR
    "potentiel": ("potentiel", r"[A-Z][+-]?"),  # trimmed: A+, A, B, C
    "code_type_visite": ("code_type_visite", r"PLAN|HOPL"),  # planned or not
    "forme": ("type_visite", r"S|G"),  # simple or group visit
    "accompagnement": ("flag_accompagnee", r"O|N"),  # accompanied (double) or alone
    "role": ("role", r"[A-Z]{2,6}"),  # the rep's current role
}
#: Cross-filters on the visited partner's attributes: a visit may keep only some of its contacts under them.
CONTACT_CROSS_FIELDS = ("type_partenaire", "etablissement", "statut_partenaire", "potentiel")
#: The period preset (``data.metrics.periods.PRESETS``): resolved against today into dates, AND-ed with the others.
PRESET_FIELD = "periode"
FIELDS = INT_FIELDS + DATE_FIELDS + tuple(CODE_FIELDS) + tuple(CROSS_FIELDS) + (PRESET_FIELD,)
#: The sidebar's filters, shared by every area; the visit-based areas accept only these (their v1 routes add the
#: cross-filters: ``VISIT_V1_FIELDS``).
VISIT_FIELDS = ("id_responsable", "id_utilisateur", "annee", "mois", "gamme", "region", "start_date", "end_date")
VISIT_V1_FIELDS = VISIT_FIELDS + tuple(CROSS_FIELDS) + (PRESET_FIELD,)
MAX_CODES = 50
#: Query parameters a URL may carry: each field once, each code or cross field up to ``MAX_CODES`` times (more can
#: only be repeats or unknown names; 10 000 of them were answered according to the first one's name).
MAX_PARAMETERS = len(FIELDS) + (MAX_CODES - 1) * (len(CODE_FIELDS) + len(CROSS_FIELDS))
#: The days a period may name (the years ``annee`` accepts): a wider period would only add empty days to the
#: per-day series, one row each, which is how a request for 0001-01-01..9999-12-30 reached 194 MB.
FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
_CODE_RE = re.compile(r"^[A-Z]{2,3}[0-9]{1,9}$")


class FilterError(ValueError):
    """A filter value is invalid; ``field`` names it and ``message`` says why, in French."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class UnknownError(FilterError):
    """A filter names something that does not exist (a user id no CRM user has): the API answers 404."""


@dataclasses.dataclass(frozen=True)
class Filters:
    """Normalised filters. Only ints, dates and sorted tuples, so that ``repr`` is a stable cache key."""

    id_responsable: int | None = None
    id_utilisateur: int | None = None
    annee: int | None = None
    mois: int | None = None
    gamme: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    code_categorie: tuple[str, ...] = ()
    code_type_investissement: tuple[str, ...] = ()
    id_partenaire: int | None = None
    id_business_case: int | None = None
    type_partenaire: tuple[str, ...] = ()
    etablissement: tuple[str, ...] = ()
    statut_partenaire: tuple[str, ...] = ()
    potentiel: tuple[str, ...] = ()
    code_type_visite: tuple[str, ...] = ()
    forme: tuple[str, ...] = ()
    accompagnement: tuple[str, ...] = ()
    role: tuple[str, ...] = ()
    periode: str | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], allowed: Iterable[str] = FIELDS) -> Filters:
        """Validate raw values (strings, numbers, lists, ``None``) by field name; fields not allowed fail."""
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            raise FilterError(unknown[0], f"filtre inconnu « {unknown[0]} »")
        clean: dict[str, Any] = {}
        for name, raw in values.items():
            if _is_blank(raw):
                continue
            if name in INT_FIELDS:
                clean[name] = _parse_int(name, raw)
            elif name in DATE_FIELDS:
                clean[name] = _parse_date(name, raw)
            elif name in CROSS_FIELDS:
                clean[name] = _parse_values(name, raw)
            elif name == PRESET_FIELD:
                clean[name] = _parse_preset(raw)
            else:
                clean[name] = _parse_codes(name, raw)
        filters = cls(**clean)
        if filters.periode is not None:
            filters = filters._with_preset_days()
        filters._check_ranges()
        return filters

    def _with_preset_days(self) -> Filters:
        """The preset's days (on ``today()``) AND-ed with the dates given, as ``start_date`` and ``end_date``."""
        from data.metrics import periods  # periods reads Filters

        assert self.periode is not None
        days = periods.preset(self.periode, today())
        if days is None:  # "tout"
            return self
        start = max(self.start_date, days.start) if self.start_date else days.start
        end = min(self.end_date, days.end) if self.end_date else days.end
        if start > end:
            label = periods.PRESETS[self.periode].lower()
            raise FilterError(PRESET_FIELD, f"les dates choisies sont en dehors de la période « {label} »")
        return dataclasses.replace(self, start_date=start, end_date=end)

    @classmethod
    def from_query(cls, args: Mapping[str, Any], allowed: Iterable[str] = FIELDS) -> Filters:
        """From a URL query string (a werkzeug MultiDict or a plain dict); repeated keys and commas."""
        getlist = getattr(args, "getlist", None)
        values: dict[str, Any] = {}
        known = set(allowed)
        for name in args:
            items = getlist(name) if getlist else [args[name]]
            values[name] = [part for item in items for part in str(item).split(",")]
            if (
                name not in CODE_FIELDS and name not in CROSS_FIELDS and name in known
            ):  # an unknown name is refused as such (from_mapping)
                if len(values[name]) > 1:
                    raise FilterError(name, "une seule valeur est permise")
                values[name] = values[name][0]
        return cls.from_mapping(values, allowed)

    @staticmethod
    def check_query_size(args: Mapping[str, Any]) -> None:
        """Refuse a URL with more than ``MAX_PARAMETERS`` query parameters (``args``: a werkzeug MultiDict)."""
        getlist = getattr(args, "getlist", None)
        count = sum(len(getlist(name)) if getlist else 1 for name in args)
        if count > MAX_PARAMETERS:
            raise FilterError("query", f"trop de paramètres dans l'URL ({count}, au plus {MAX_PARAMETERS})")

    @classmethod
    def from_body(cls, body: Any, allowed: Iterable[str] = FIELDS) -> Filters:
        """From a JSON body (legacy or v1): an object whose fields are all optional."""
        if body is None:
            return cls()
        if not isinstance(body, dict):
            raise FilterError("body", "le corps doit être un objet JSON")
        return cls.from_mapping(body, allowed)

    @classmethod
    def from_inputs(cls, **values: Any) -> Filters:
        """From the sidebar's Dash component values (``None`` or ``[]`` when unset)."""
        return cls.from_mapping(values)

    def _check_ranges(self) -> None:
        """Cross-field and range checks."""
        if self.mois is not None and not 1 <= self.mois <= 12:
            raise FilterError("mois", f"mois invalide : {self.mois} (attendu de 1 à 12)")
        if self.annee is not None and not FIRST_DAY.year <= self.annee <= LAST_DAY.year:
            raise FilterError("annee", f"année invalide : {self.annee} (attendu de {FIRST_DAY.year} à {LAST_DAY.year})")
        for name in ("id_responsable", "id_utilisateur", "id_partenaire", "id_business_case"):
            value = getattr(self, name)
            if value is not None and not 0 < value < 2**31:
                raise FilterError(name, f"identifiant invalide : {value}")
        for name in DATE_FIELDS:
            day = getattr(self, name)
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                raise FilterError(
                    name, f"date hors limites : {day:%d/%m/%Y} (attendu du {FIRST_DAY:%d/%m/%Y} au {LAST_DAY:%d/%m/%Y})"
                )
        if self.annee is not None and (self.start_date or self.end_date):
            self._check_year_in_period()
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise FilterError(
                "start_date",
                f"la date de début ({self.start_date:%d/%m/%Y}) est après la date de fin ({self.end_date:%d/%m/%Y})",
            )

    def _check_year_in_period(self) -> None:
        """The year (and month) must meet the period: they are AND-ed, and filters that cannot both hold gave
        an empty answer without a word (legacy bug 20)."""
        assert self.annee is not None
        first = dt.date(self.annee, self.mois or 1, 1)
        last = dt.date(self.annee + (self.mois or 12) // 12, (self.mois or 12) % 12 + 1, 1) - dt.timedelta(days=1)
        if (self.end_date and self.end_date < first) or (self.start_date and self.start_date > last):
            asked = f"le mois {self.mois:02d}/{self.annee}" if self.mois else f"l'année {self.annee}"
            raise FilterError("annee", f"{asked} est en dehors de la période choisie")

    def cross(self) -> dict[str, tuple[str, ...]]:
        """The cross-filters that are set: field -> values."""
        return {name: getattr(self, name) for name in CROSS_FIELDS if getattr(self, name)}

    def contact_level(self) -> bool:
        """Does a filter keep some contacts of a visit and not others (gamme, région, a partner attribute)?"""
        return bool(self.gamme or self.region or any(getattr(self, name) for name in CONTACT_CROSS_FIELDS))

    def replace(self, **changes: Any) -> Filters:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The set fields, JSON-ready (dates as ISO strings, code tuples as lists)."""
        out: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is None or value == ():
                continue
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            out[field.name] = value
        return out

    def to_query(self) -> list[tuple[str, str]]:
        """Query-string pairs (codes repeated), in field order, for links that reproduce a view."""
        pairs: list[tuple[str, str]] = []
        for name, value in self.to_dict().items():
            values = value if isinstance(value, list) else [value]
            pairs.extend((name, str(item)) for item in values)
        return pairs


def is_code(value: Any) -> bool:
    """Is ``value`` a CRM code a code filter can take (``RE00001``; not an investment chart's "none" key)?"""
    return isinstance(value, str) and _CODE_RE.fullmatch(value) is not None


def _is_blank(raw: Any) -> bool:
    """``None``, an empty string or an empty list count as unset."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    if isinstance(raw, (list, tuple)):
        return all(_is_blank(item) for item in raw)
    return False


def _parse_int(name: str, raw: Any) -> int:
    """An integer, from an int or a string of digits (legacy clients send ``"2023"``)."""
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        raise FilterError(name, f"nombre entier attendu, reçu « {raw} »")
    if isinstance(raw, (int, float)):
        return int(raw)
    if isinstance(raw, str) and re.fullmatch(r"\s*[+-]?[0-9]{1,10}\s*", raw):
        return int(raw)
    raise FilterError(name, f"nombre entier attendu, reçu « {_short(raw)} »")


def _parse_date(name: str, raw: Any) -> dt.date:
    """A day, from ``YYYY-MM-DD`` (a trailing time, as Dash date pickers may send, is dropped)."""
    if isinstance(raw, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]{2,15})?", raw.strip()):
        try:
            return dt.date.fromisoformat(raw.strip()[:10])
        except ValueError:
            pass
    raise FilterError(name, f"date invalide « {_short(raw)} » (format attendu AAAA-MM-JJ)")


def _parse_codes(name: str, raw: Any) -> tuple[str, ...]:
    """A sorted tuple of distinct codes with the field's prefix (``GA00001``); a text may hold several, separated
    by commas, in a JSON body as in a URL (``"RE00001,RE00002"``)."""
    given: Iterable[Any] = raw if isinstance(raw, (list, tuple)) else [raw]
    items = [part for item in given for part in (item.split(",") if isinstance(item, str) else [item])]
    codes: set[str] = set()
    for item in items:
        if _is_blank(item):
            continue
        if not isinstance(item, str):
            raise FilterError(name, f"code attendu, reçu « {_short(item)} »")
        code = item.strip().upper()
        if not _CODE_RE.fullmatch(code) or not code.startswith(CODE_FIELDS[name]):
            raise FilterError(name, f"code invalide « {_short(item)} » (attendu {CODE_FIELDS[name]}00001…)")
        codes.add(code)
    if len(codes) > MAX_CODES:
        raise FilterError(name, f"trop de valeurs ({len(codes)}, au plus {MAX_CODES})")
    return tuple(sorted(codes))


def today() -> dt.date:
    """The day presets are resolved on (a function, so that tests can fix it)."""
    return dt.date.today()


def _parse_preset(raw: Any) -> str:
    """A period preset's name (``data.metrics.periods.PRESETS``)."""
    from data.metrics.periods import PRESETS

    name = raw.strip() if isinstance(raw, str) else None
    if name not in PRESETS:
        expected = ", ".join(PRESETS)
        raise FilterError(PRESET_FIELD, f"période prédéfinie inconnue « {_short(raw)} » (attendu : {expected})")
    return name


def _parse_values(name: str, raw: Any) -> tuple[str, ...]:
    """A sorted tuple of distinct values of a cross-filter (``CROSS_FIELDS``), commas splitting as for codes."""
    given: Iterable[Any] = raw if isinstance(raw, (list, tuple)) else [raw]
    items = [part for item in given for part in (item.split(",") if isinstance(item, str) else [item])]
    pattern = CROSS_FIELDS[name][1]
    values: set[str] = set()
    for item in items:
        if _is_blank(item):
            continue
        value = item.strip().upper() if isinstance(item, str) else None
        if value is None or not re.fullmatch(pattern, value):
            raise FilterError(name, f"valeur invalide « {_short(item)} »")
        values.add(value)
    if len(values) > MAX_CODES:
        raise FilterError(name, f"trop de valeurs ({len(values)}, au plus {MAX_CODES})")
    return tuple(sorted(values))


def _short(raw: Any) -> str:
    """A value shortened for an error message."""
    text = str(raw)
    return text if len(text) <= 40 else text[:37] + "…"
