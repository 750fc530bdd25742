"""Unbound Flask extensions, bound to an app in ``create_app``."""

from __future__ import annotations

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from data.cache import cache

login_manager = LoginManager()
#: Anti-forgery tokens of the HTML forms (Flask-WTF). Checked where a form changes state (``auth.csrf_ok``),
#: not on every POST: Dash's callbacks and the JSON API are not forms (the API takes tokens or the session, whose
#: SameSite=Lax cookie a cross-site POST does not carry).
csrf = CSRFProtect()

__all__ = ["cache", "csrf", "login_manager"]
