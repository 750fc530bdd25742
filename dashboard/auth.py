"""Login and logout pages, the Flask-Login user, and the one request guard in front of everything."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, g, jsonify, redirect, render_template, request, url_for
from flask_login import UserMixin, current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from dashboard.extensions import login_manager
from data import accounts
from data.scope import EVERYONE, NOBODY, Scope, team_ids

bp = Blueprint("auth", __name__)

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


@bp.route("/login", methods=["GET", "POST"])
def login() -> tuple[str, int] | BaseResponse:
    """The login form (French); on success, back to ``next`` when it is a local path."""
    target = safe_next(request.values.get("next"))
    error = None
    if request.method == "POST":
        account = accounts.authenticate(request.form.get("username", ""), request.form.get("password", ""))
        if account is not None:
            login_user(User(account))
            return redirect(target)
        error = "Identifiant ou mot de passe incorrect."
    status = 401 if error else 200
    return render_template("login.html", error=error, next=target, username=request.form.get("username", "")), status


@bp.route("/logout", methods=["POST"])
def logout() -> BaseResponse:
    """Close the session and go back to the login page."""
    logout_user()
    return redirect(url_for("auth.login"))


def guard() -> Response | BaseResponse | None:
    """Before every request: let public paths through, set the caller's scope, refuse the rest."""
    path = request.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
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


def init_app(app: Flask) -> None:
    """Bind Flask-Login, the blueprint and the guard."""
    login_manager.init_app(app)
    app.register_blueprint(bp)
    app.before_request(guard)
