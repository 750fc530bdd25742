"""The administrators' accounts page (``/comptes``): list accounts, change role and CRM link, disable."""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Blueprint, Flask, g, render_template, request

from dashboard.auth import EXPIRED, csrf_ok, csrf_token
from data.app import accounts

log = logging.getLogger(__name__)
bp = Blueprint("accounts_page", __name__)
ROLES = {"admin": "administrateur", "viewer": "lecteur"}


@bp.before_request
def admins_only() -> tuple[str, int] | None:
    """Only an administrator's session reaches this page (403 otherwise; the guard already asked to log in)."""
    account = g.get("mediviz_account")
    if account is None or not account.is_admin:
        return "Accès réservé aux administrateurs.", 403
    return None


def crm_users() -> dict[int, str]:
    """Every CRM user by number, labelled as the CRM-user field offers them ("NOM Prénom · DEL (n° 12)"); empty
    when the CRM cannot be read now (the field then takes a number, as before)."""
    from data.metrics.scope import users
    from data.source.health import describe

    try:
        people = users()
    except Exception as exc:  # noqa: BLE001 - a CRM that does not answer must not take the accounts page down
        log.warning("accounts page: CRM users unavailable (%s)", describe(exc))
        return {}
    rows = zip(people["id_utilisateur"], people["nom"], people["role"], strict=True)
    return {int(uid): f"{nom or 'Sans nom'} · {role or '?'} (n° {int(uid)})" for uid, nom, role in rows}


def _page(status: int = 200, **extra: Any) -> tuple[str, int]:
    page = render_template(
        "accounts.html",
        accounts=accounts.every(),
        roles=ROLES,
        crm_users=crm_users(),
        csrf_token=csrf_token(),
        **extra,
    )
    return page, status


#: The number at the end of a label of the CRM-user list: "AMRANI Karim · DEL (n° 12)".
LABELLED = re.compile(r"\(n° ([0-9]{1,10})\)\s*$")


def crm_user_id(text: str) -> int | None:
    """The CRM user a field names: a number, a label of the list, or a name of the list that is unique.

    ``ValueError`` with a French message when it names nobody, or several people.
    """
    if not text:
        return None
    found = re.fullmatch(r"[0-9]{1,10}", text) or LABELLED.search(text)  # ASCII digits only: "١٣".isdigit()
    if found:
        number = int(found.group(1) if found.re is LABELLED else found.group(0))
        if not 0 < number < 2**31:
            raise ValueError("L'utilisateur CRM est un numéro (id_utilisateur) ou un nom de la liste.")
        return number
    wanted = text.casefold()
    matches = [uid for uid, label in crm_users().items() if label.split(" · ")[0].casefold() == wanted]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ValueError(f"Plusieurs utilisateurs du CRM s'appellent « {text} » : choisissez-en un dans la liste.")
    raise ValueError(
        f"L'utilisateur CRM est un numéro (id_utilisateur) ou un nom de la liste : « {text[:40]} » ne désigne personne."
    )


@bp.get("/comptes")
def index() -> tuple[str, int]:
    return _page()


@bp.post("/comptes/<username>")
def update(username: str) -> tuple[str, int]:
    """Change an account's role and CRM link."""
    if not csrf_ok():
        return _page(400, error=EXPIRED)
    try:
        link = crm_user_id(request.form.get("id_utilisateur", "").strip())
    except ValueError as exc:
        return _page(400, error=str(exc))
    if username == g.mediviz_account.username and request.form.get("role") != "admin":
        return _page(400, error="Vous ne pouvez pas retirer votre propre rôle d'administrateur.")
    try:
        accounts.update(username, role=request.form.get("role", ""), id_utilisateur=link)
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
