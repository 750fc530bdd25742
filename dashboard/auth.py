"""Login and logout pages, the Flask-Login user, and the one request guard in front of everything."""

from __future__ import annotations

import hmac
import logging
import secrets
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, g, jsonify, redirect, render_template, request, session, url_for
from flask_login import UserMixin, current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from dashboard.extensions import login_manager
from data import accounts, tokens
from data.cache import cache
from data.scope import EVERYONE, NOBODY, Scope, team_ids

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)

PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/static/")
PUBLIC_PATHS = ("/login", "/health", "/_favicon.ico", "/favicon.ico")


class User(UserMixin):
    """The logged-in account, as Flask-Login wants it."""

    def __init__(self, account: accounts.Account) -> None:
        self.account = account

    def get_id(self) -> str:
        return str(self.account.id)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Reload the account of a session (a disabled or deleted account logs out)."""
    account = accounts.get(int(user_id)) if user_id.isdigit() else None
    return User(account) if account and account.active else None


def scope_of(account: accounts.Account) -> Scope:
    """What an account may see: everything (admin), its CRM user's team (linked), else nothing."""
    if account.is_admin:
        return EVERYONE
    if account.id_utilisateur is None:
        return NOBODY
    return Scope(team_ids(account.id_utilisateur))


def safe_next(target: str | None) -> str:
    """``target`` if it is a local path (no scheme, no host, no ``//``), else the home page."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


#: Failed logins allowed per account and per address within ``THROTTLE_SECONDS`` before refusing to check.
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
THROTTLE_SECONDS = 15 * 60
WRONG = "Identifiant ou mot de passe incorrect."
THROTTLED = "Trop de tentatives de connexion : réessayez dans quelques minutes."
EXPIRED = "Le formulaire a expiré : veuillez réessayer."


def csrf_token() -> str:
    """The session's anti-forgery token, put in every form that changes state (login, logout)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def csrf_ok() -> bool:
    """Does the submitted form carry the session's token?"""
    sent = request.form.get("csrf_token", "")
    return bool(sent) and "csrf" in session and hmac.compare_digest(sent, str(session["csrf"]))


def _failure_keys(username: str) -> list[tuple[str, int]]:
    """Cache keys counting recent failures (account, then address) and their limits."""
    name = username.strip().lower()[:100]
    address = request.remote_addr or "?"
    return [
        (f"login-failures:account:{name}", MAX_FAILURES_PER_ACCOUNT),
        (f"login-failures:ip:{address}", MAX_FAILURES_PER_ADDRESS),
    ]


def _throttled(username: str) -> bool:
    """Too many recent failures for this account or this address? (A cache that is down throttles nothing.)"""
    try:
        return any(int(cache.get(key) or 0) >= limit for key, limit in _failure_keys(username))
    except Exception:  # noqa: BLE001 - throttling must never lock everybody out
        log.warning("login throttling unavailable (cache down)")
        return False


def _count_failure(username: str) -> None:
    try:
        for key, _limit in _failure_keys(username):
            cache.set(key, int(cache.get(key) or 0) + 1, timeout=THROTTLE_SECONDS)
    except Exception:  # noqa: BLE001
        log.warning("login throttling unavailable (cache down)")


@bp.route("/login", methods=["GET", "POST"])
def login() -> tuple[str, int] | BaseResponse:
    """The login form (French); on success, back to ``next`` when it is a local path.

    The form carries an anti-forgery token; an unknown name and a wrong password get the same answer; failures
    are counted per account and per address, and past the limit the password is not even checked (429).
    """
    target = safe_next(request.values.get("next"))
    username = request.form.get("username", "")
    error, status = None, 200
    if request.method == "POST":
        if not csrf_ok():
            error, status = EXPIRED, 400
        elif _throttled(username):
            error, status = THROTTLED, 429
        else:
            account = accounts.authenticate(username, request.form.get("password", ""))
            if account is not None:
                session.clear()  # a new session at login: nothing from before it survives (fixation)
                login_user(User(account))
                csrf_token()
                return redirect(target)
            _count_failure(username)
            error, status = WRONG, 401
    page = render_template("login.html", error=error, next=target, username=username, csrf_token=csrf_token())
    return page, status


@bp.route("/logout", methods=["POST"])
def logout() -> BaseResponse:
    """Close the session and go back to the login page (only from Mediviz's own form)."""
    if csrf_ok():
        logout_user()
        session.clear()
    return redirect(url_for("auth.login"))


def guard() -> Response | BaseResponse | None:
    """Before every request: let public paths through, set the caller's scope, refuse the rest."""
    path = request.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return None
    bearer = request.headers.get("Authorization", "")
    if bearer.startswith("Bearer ") and _token_route(path):
        account = tokens.authenticate(bearer.removeprefix("Bearer ").strip())
        if account is None:  # revoked, expired, unknown or malformed: refused at once, whatever the session
            response = jsonify(error="Jeton invalide, expiré ou révoqué.")
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return response
        g.mediviz_scope = scope_of(account)
        g.mediviz_account = account
        return None
    if current_user.is_authenticated:
        g.mediviz_scope = scope_of(current_user.account)
        g.mediviz_account = current_user.account
        return None
    if path.startswith(("/_dash-", "/api/")) or request.method != "GET" or path in LEGACY_PATHS:
        response = jsonify(error="Authentification requise : connectez-vous ou fournissez un jeton.")
        response.status_code = 401
        return response
    query = request.query_string.decode()
    return redirect(url_for("auth.login", next=path + (f"?{query}" if query else "")))


#: Legacy API routes (POST). "/performance" is also a page, so a GET there redirects like any page.
LEGACY_PATHS = ("/data", "/partenaire", "/evaluation", "/invest", "/users")


def _token_route(path: str) -> bool:
    """Do API tokens work here? Every API route, the legacy ones included (not the pages)."""
    return path.startswith("/api/") or path in LEGACY_PATHS or (path == "/performance" and request.method == "POST")


def init_app(app: Flask) -> None:
    """Bind Flask-Login, the blueprint and the guard."""
    login_manager.init_app(app)
    app.register_blueprint(bp)
    app.before_request(guard)
