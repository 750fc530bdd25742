"""The embedded default: a generated SQLite demo database and a demo account, made on first start."""

from __future__ import annotations

import json
import logging
import secrets
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from data import demo
from data.app import accounts
from data.source import db

log = logging.getLogger(__name__)
DEMO_USERNAME = "demo"


def credentials_path(server: Flask) -> Path:
    """Where the demo account's password is kept (instance folder, not in git)."""
    return Path(server.instance_path) / "demo-account.json"


def ensure_demo(server: Flask) -> dict[str, str]:
    """Create the demo CRM data and the demo account if they are missing; return the credentials."""
    engine = db.crm_engine()
    if not sa.inspect(engine).has_table("tab_visite"):
        visits = int(server.config["DEMO_VISITS"])
        log.warning(
            "Création de la base de démonstration (%s visites), une minute au plus…", f"{visits:,}".replace(",", " ")
        )
        demo.generate(engine, visits=visits)
    path = credentials_path(server)
    if accounts.find(DEMO_USERNAME) is None or not path.exists():
        password = secrets.token_urlsafe(9)
        if accounts.find(DEMO_USERNAME) is not None:
            accounts.set_password(DEMO_USERNAME, password)
        else:
            accounts.create(DEMO_USERNAME, password, role="admin")
        path.write_text(json.dumps({"username": DEMO_USERNAME, "password": password}))
        path.chmod(0o600)
    creds: dict[str, str] = json.loads(path.read_text())
    return creds
