"""``python -m dashboard``: run the dashboard on http://127.0.0.1:8050 (the demo database if none is set)."""

from __future__ import annotations

import logging
import os

from dashboard import create_app, demo_setup


def main() -> None:
    """Build the app, print the URL (and the demo credentials in demo mode), and serve."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("dash.dash").propagate = False  # Dash prints "Dash is running" itself: once, not twice
    app = create_app()
    host = os.environ.get("MEDIVIZ_HOST", "127.0.0.1")
    port = int(os.environ.get("MEDIVIZ_PORT", "8050"))
    lines = ["", f"Mediviz : http://{host}:{port}"]
    if app.server.config["DEMO"]:
        with app.server.app_context():
            creds = demo_setup.ensure_demo(app.server)
        lines += [
            "Base de démonstration (SQLite, données synthétiques)",
            f"Identifiant : {creds['username']}",
            f"Mot de passe : {creds['password']}",
        ]
    print("\n".join(lines) + "\n", flush=True)  # noqa: T201 - the console is the user interface here
    app.run(host=host, port=port, debug=False)


if __name__ == "__main__":
    main()
