"""The administrators' accounts page (``/comptes``): list accounts, change role and CRM link, disable."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, g, render_template, request

from dashboard.auth import EXPIRED, csrf_ok, csrf_token
from data.app import accounts

bp = Blueprint("accounts_page", __name__)
ROLES = {"admin": "administrateur", "viewer": "lecteur"}


@bp.before_request
def admins_only() -> tuple[str, int] | None:
    """Only an administrator's session reaches this page (403 otherwise; the guard already asked to log in)."""
    account = g.get("mediviz_account")
    if account is None or not account.is_admin:
        return "Accès réservé aux administrateurs.", 403
    return None


def _page(status: int = 200, **extra: Any) -> tuple[str, int]:
    page = render_template("accounts.html", accounts=accounts.every(), roles=ROLES, csrf_token=csrf_token(), **extra)
    return page, status


@bp.get("/comptes")
def index() -> tuple[str, int]:
    return _page()


@bp.post("/comptes/<username>")
def update(username: str) -> tuple[str, int]:
    """Change an account's role and CRM link."""
    if not csrf_ok():
        return _page(400, error=EXPIRED)
    link = request.form.get("id_utilisateur", "").strip()
    if link and not (re.fullmatch(r"[0-9]{1,10}", link) and 0 < int(link) < 2**31):  # ASCII: "١٣".isdigit()
        return _page(400, error="L'utilisateur CRM est un numéro (id_utilisateur).")
    if username == g.mediviz_account.username and request.form.get("role") != "admin":
        return _page(400, error="Vous ne pouvez pas retirer votre propre rôle d'administrateur.")
    try:
        accounts.update(username, role=request.form.get("role", ""), id_utilisateur=int(link) if link else None)
    except ValueError as exc:
        return _page(400, error=f"Modification refusée : {exc}.")
    return _page(done=f"Compte « {username} » enregistré.")


@bp.post("/comptes/<username>/etat")
def toggle(username: str) -> tuple[str, int]:
    """Disable an active account, or enable a disabled one."""
    if not csrf_ok():
        return _page(400, error=EXPIRED)
    if username == g.mediviz_account.username:
        return _page(400, error="Vous ne pouvez pas désactiver votre propre compte.")
    account = accounts.find(username)
    if account is None:
        return _page(404, error="Compte inconnu.")
    accounts.update(username, active=not account.active)
    return _page(done=f"Compte « {username} » {'désactivé' if account.active else 'réactivé'}.")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
