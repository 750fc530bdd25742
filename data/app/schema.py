"""SQLAlchemy Core declarations of Mediviz's own ``dash_`` tables (accounts, API tokens), in the app database.

The session and login-throttle tables are declared beside their code (``data.app.sessions``,
``data.app.throttle``) on the same ``app_metadata``.
"""

from __future__ import annotations

import sqlalchemy as sa

from data.source.schema import MYSQL_OPTS

#: Mediviz's own tables (accounts, tokens, sessions, login failures), in the app database.
app_metadata = sa.MetaData()
_now = sa.text("CURRENT_TIMESTAMP")

dash_user = sa.Table(
    "dash_user",
    app_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(10), nullable=False, server_default="viewer"),
    sa.Column("id_utilisateur", sa.Integer),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime, nullable=False, server_default=_now),
    **MYSQL_OPTS,
)

dash_api_token = sa.Table(
    "dash_api_token",
    app_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("dash_user.id"), nullable=False, index=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),  # SHA-256 of the token, never the token
    sa.Column("prefix", sa.String(12), nullable=False),  # its first characters, to recognise it in a list
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime),
    sa.Column("revoked_at", sa.DateTime),
    sa.Column("last_used_at", sa.DateTime),
    **MYSQL_OPTS,
)
