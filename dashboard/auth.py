"""Login and logout pages, the Flask-Login user, and the one request guard in front of everything."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    Flask,
    Response,
    g,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, generate_csrf
from werkzeug.wrappers import Response as BaseResponse

from dashboard.extensions import csrf, login_manager
from data.app import accounts, sessions, throttle, tokens
from data.errors import UnavailableError
from data.metrics.scope import EVERYONE, NOBODY, Scope, team_ids

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


#: The Flask session key of the server-side session's secret (see ``data.app.sessions``).
SESSION_SECRET = "mediviz_session"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The account of a live server-side session (closed, expired, disabled or deleted: logged out).

    A database that does not answer raises (the outage handler answers 503): it does not log anybody out.
    """
    secret = session.get(SESSION_SECRET)
    if not user_id.isdigit() or not isinstance(secret, str):
        return None
    account = accounts.of_session(int(user_id), secret)
    return User(account) if account else None


def scope_of(account: accounts.Account) -> Scope:
    """What an account may see: everything (admin), its CRM user's team (linked), else nothing."""
    if account.is_admin:
        return EVERYONE
    if account.id_utilisateur is None:
        return NOBODY
    return Scope(team_ids(account.id_utilisateur))


def safe_next(target: str | None) -> str:
    """``target`` if it is a local path (no scheme, no host, no ``//``, nothing unprintable), else the home page.

    A control character (``\\r\\n``...) would not even fit in the ``Location`` header: werkzeug refuses it (500).
    """
    if not target or not target.isprintable():
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
    """The session's anti-forgery token (Flask-WTF's, signed), put in every form that changes state (login,
    logout, tokens, accounts)."""
    return str(generate_csrf())


def csrf_ok() -> bool:
    """Does the submitted form carry the session's token? (Flask-WTF's check: the ``csrf_token`` field, signed
    with the app's secret key for this session; on HTTPS the Referer must be this site too.)"""
    try:
        csrf.protect()
    except CSRFError:
        return False
    return True


def unlock(username: str, address: str | None = None) -> None:
    """Forget an account's recent login failures (anyone can lock an account with 5 wrong passwords), and
    an address's if given (20 failures lock every login from it)."""
    throttle.forget(_failure_keys(username)[0][0])
    if address:
        throttle.forget(throttle.subject("address", address))


def _failure_keys(username: str) -> list[tuple[str, int]]:
    """The throttle's keys counting recent failures (account, then address) and their limits."""
    name = username.strip().lower()[:100]
    address = (request.remote_addr if has_request_context() else None) or "?"
    return [
        (throttle.subject("account", name), MAX_FAILURES_PER_ACCOUNT),
        (throttle.subject("address", address), MAX_FAILURES_PER_ADDRESS),
    ]


def _attempt_allowed(username: str) -> bool:
    """Count a login attempt for the account and the address, then: are both still within their limits?

    Counting before the password is checked (atomically) means concurrent attempts cannot all slip under the
    limit. A refused attempt is taken back at once, and a successful one after its check (``_take_back``): what
    stays counted are the failures. The counts live in the accounts database (``data.app.throttle``): if it does not
    answer, this raises and the login gets the outage answer (503), as it would at the password check.
    """
    window = dt.timedelta(seconds=THROTTLE_SECONDS)
    throttle.purge(window)
    keys = _failure_keys(username)
    counts = [throttle.add(key, 1, window) for key, _limit in keys]  # both, even past one limit
    if all(count <= limit for count, (_key, limit) in zip(counts, keys, strict=True)):
        return True
    for key, _limit in keys:
        throttle.add(key, -1, window)
    return False


def _take_back(username: str) -> None:
    """Take back an attempt that was no failure: successful (think of an office behind one address) or unchecked."""
    try:
        for key, _limit in _failure_keys(username):
            throttle.add(key, -1, dt.timedelta(seconds=THROTTLE_SECONDS))
    except (sa.exc.OperationalError, UnavailableError):  # the database is down: the login answers 503 anyway
        log.warning("login throttle: an attempt could not be taken back (database unavailable)")


class ThrottledError(Exception):
    """Too many recent failures for this account or from this address: the password was not checked."""


def check_password(username: str, password: str) -> accounts.Account | None:
    """The active account named ``username`` if ``password`` is its password, else ``None``, as the throttle counts.

    Past the limits raises ``ThrottledError`` without checking. The login form and every form asking for the
    password again (creating a token) go through here: together they guess no faster than the login alone.
    """
    if not _attempt_allowed(username):
        raise ThrottledError
    try:
        account = accounts.authenticate(username, password)
    except Exception:
        _take_back(username)  # a database that does not answer (503) is no failure
        raise
    if account is not None:
        _take_back(username)
    return account


@bp.route("/login", methods=["GET", "POST"])
def login() -> tuple[str, int] | BaseResponse:
    """The login form (French); on success, back to ``next`` when it is a local path.

    The form carries an anti-forgery token; an unknown name and a wrong password get the same answer; attempts
    are counted per account and per address, and past the limit the password is not even checked (429).
    """
    target = safe_next(request.values.get("next"))
    username = request.form.get("username", "")
    error, status = None, 200
    if request.method == "POST":
        if not csrf_ok():
            error, status = EXPIRED, 400
        else:
            try:
                account = check_password(username, request.form.get("password", ""))
            except ThrottledError:
                error, status = THROTTLED, 429
            else:
                if account is not None:
                    session.clear()  # a new session at login: nothing from before it survives (fixation)
                    session[SESSION_SECRET] = sessions.open_for(account.id)
                    login_user(User(account))
                    return redirect(target)
                error, status = WRONG, 401
    page = render_template("login.html", error=error, next=target, username=username, csrf_token=csrf_token())
    return page, status


@bp.route("/logout", methods=["POST"])
def logout() -> BaseResponse:
    """Close the session and go back to the login page (only from Mediviz's own form)."""
    if csrf_ok():
        secret = session.get(SESSION_SECRET)
        if isinstance(secret, str):
            sessions.close(secret)  # a copy of the cookie is worth nothing from now on
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
    return path.startswith("/api/") or path in LEGACY_PATHS or (path == "/performance" and request.method != "GET")


def init_app(app: Flask) -> None:
    """Bind Flask-Login, Flask-WTF's anti-forgery tokens (checked by the forms, ``csrf_ok``), the blueprint and
    the guard."""
    # a token lives as long as its session (a login page left open all morning still signs in); checked only
    # where a form changes state
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    csrf.init_app(app)
    login_manager.init_app(app)
    app.register_blueprint(bp)
    app.before_request(guard)
