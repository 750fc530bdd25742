"""Unbound Flask extensions, bound to an app in ``create_app``."""

from __future__ import annotations

from flask_login import LoginManager

from data.cache import cache

login_manager = LoginManager()

__all__ = ["cache", "login_manager"]
