"""WSGI entry point: ``gunicorn wsgi:server`` in production, ``flask --app wsgi <command>`` for the CLI."""

from __future__ import annotations

from dashboard import create_app

app = create_app()
server = app.server
