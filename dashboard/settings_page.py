"""The administrators' settings page (``/reglages``, issue 13): target visit frequencies per potential, the
portfolio's window and the silence after which an account is "à relancer" (``data.app.settings``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, g, render_template, request

from dashboard.accounts_page import admins_only
from dashboard.auth import EXPIRED, csrf_ok, csrf_token
from data.app import settings

bp = Blueprint("settings_page", __name__)
bp.before_request(admins_only)


def _page(status: int = 200, values: dict[str, Any] | None = None, **extra: Any) -> tuple[str, int]:
    """The form, filled with ``values`` (what was typed, after an error) or the settings in force."""
    now = settings.current()
    shown = values or {
        **{f"frequence:{tier or 'NR'}": f"{per_month:g}".replace(".", ",") for tier, per_month in now.frequences},
        "portefeuille_mois": str(now.portefeuille_mois),
        "portefeuille_visites_min": str(now.portefeuille_visites_min),
        "relance_jours": str(now.relance_jours),
    }
    tiers = [
        (f"frequence:{tier or 'NR'}", settings.TIER_LABELS[tier], settings.DEFAULT_TARGETS[tier])
        for tier in settings.TIERS
    ]
    page = render_template(
        "settings.html", values=shown, tiers=tiers, defaults=settings, csrf_token=csrf_token(), **extra
    )
    return page, status


@bp.get("/reglages")
def index() -> tuple[str, int]:
    return _page()


@bp.post("/reglages")
def save() -> tuple[str, int]:
    """Save every setting, or none (the form comes back with what was typed and the error)."""
    typed = {key: request.form.get(key, "") for key in request.form if key != "csrf_token"}
    if not csrf_ok():
        return _page(400, typed, error=EXPIRED)
    try:
        settings.save(typed, g.mediviz_account.username)
    except settings.SettingError as exc:
        return _page(400, typed, error=str(exc), field=exc.field)
    return _page(done="Réglages enregistrés : les pages Équipe et Délégué en tiennent compte dès maintenant.")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
