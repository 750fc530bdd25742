"""The account's API tokens page (``/jetons``): create (shown once), list and revoke, behind the login."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from dashboard.auth import EXPIRED, THROTTLED, ThrottledError, check_password, csrf_ok, csrf_token
from data.app import tokens

bp = Blueprint("tokens", __name__)
STATES = {"active": "actif", "expired": "expiré", "revoked": "révoqué"}
NO_PASSWORD = "Saisissez votre mot de passe pour créer un jeton."
WRONG_PASSWORD = "Mot de passe incorrect : aucun jeton n'a été créé."
#: The session key of a token just created: its secret is shown by the next page only (then forgotten).
JUST_CREATED = "mediviz_new_token"


def _page(status: int = 200, **extra: Any) -> tuple[str, int]:
    account = g.mediviz_account
    page = render_template(
        "tokens.html", account=account, tokens=tokens.of(account), states=STATES, csrf_token=csrf_token(), **extra
    )
    return page, status


@bp.get("/jetons")
def index() -> tuple[str, int]:
    """The list; right after a creation, the new token's secret, this once (a reload no longer shows it)."""
    new = session.pop(JUST_CREATED, None)
    if isinstance(new, dict) and new.get("account") == g.mediviz_account.id:
        return _page(secret=new["secret"], created_name=new["name"])
    return _page()


@bp.post("/jetons")
def create() -> tuple[str, int] | BaseResponse:
    """Create a token for the logged-in account; the account's password is asked again. Then a redirect to the
    list (303), which shows the secret once: reloading the page no longer posts the form a second time.

    A session alone must not mint a lasting credential (a stolen cookie would outlive its session); wrong passwords
    here count with the login's, so this form guesses no faster than the login.
    """
    if not csrf_ok():
        return _page(400, error=EXPIRED)
    days_text = request.form.get("days", "").strip()
    if days_text and not re.fullmatch(r"[0-9]{1,5}", days_text):  # ASCII digits only ("²".isdigit() is true)
        return _page(400, error="La validité est un nombre de jours.")
    password = request.form.get("password", "")
    if not password:
        return _page(400, error=NO_PASSWORD)
    try:
        if check_password(g.mediviz_account.username, password) is None:
            return _page(403, error=WRONG_PASSWORD)
    except ThrottledError:
        return _page(429, error=THROTTLED)
    try:
        secret, token = tokens.create(
            g.mediviz_account, request.form.get("name", ""), int(days_text) if days_text else None
        )
    except ValueError as exc:
        return _page(400, error=f"Jeton refusé : {exc}.")
    session[JUST_CREATED] = {"account": g.mediviz_account.id, "secret": secret, "name": token.name}
    return redirect(url_for("tokens.index"), 303)


@bp.post("/jetons/<int:token_id>/revoquer")
def revoke(token_id: int) -> tuple[str, int] | BaseResponse:
    """Revoke one of the account's tokens (401 for it at once)."""
    if not csrf_ok():
        return _page(400, error=EXPIRED)
    if not tokens.revoke(g.mediviz_account, token_id):
        return _page(404, error="Aucun jeton actif de ce numéro.")
    return redirect(url_for("tokens.index"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
