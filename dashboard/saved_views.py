"""The sidebar's "Mes vues" (issue 13): the account's saved views, saving the current one, deleting one.

The current view is the page's path, the sidebar's query (the shell's URL store) and the page's own state (its
view stores), composed as the shell's URL writer composes them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

import dash
from flask import g

from components import ids, inputs
from data.app import views


def current_path(pathname: Any, sidebar: Any, states: Any) -> str:
    """The path and query of the view on screen."""
    path = inputs.path(pathname, "pathname") or "/visites"
    pairs = parse_qsl((inputs.text(sidebar, "sidebar query") or "").lstrip("?"))
    for state in states if isinstance(states, list) else []:
        for pair in state if isinstance(state, list) else []:
            if isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair):
                pairs.append((pair[0], pair[1]))
    return path + (f"?{urlencode(pairs)}" if pairs else "")


def menu(user_id: int) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The dropdown's options (the default marked) and the paths by id."""
    saved = views.of(user_id)
    options = [{"label": view["name"] + (" (par défaut)" if view["is_default"] else ""), "value": str(view["id"])}
               for view in saved]  # fmt: skip
    return options, {str(view["id"]): view["path"] for view in saved}


def answer(trigger: Any, _url: Any, _save: Any, _delete: Any, name: Any, default: Any, chosen: Any,
           pathname: Any, sidebar: Any, states: Any) -> list[Any]:  # fmt: skip
    """``update_saved_views``'s outputs: options, paths, message, name box, chosen view."""
    account = g.get("mediviz_account")
    if account is None:
        return [[], {}, "", dash.no_update, dash.no_update]
    message: str = ""
    name_box: Any = dash.no_update
    chosen_out: Any = dash.no_update
    if trigger == ids.VIEW_SAVE and _save:
        try:
            views.save(account.id, inputs.text(name, "view name") or "", current_path(pathname, sidebar, states),
                       default is True)  # fmt: skip
        except views.ViewError as exc:
            message = str(exc)
        else:
            message, name_box = "Vue enregistrée" + (" ; le tableau de bord s'ouvrira dessus." if default else "."), ""
    elif trigger == ids.VIEW_DELETE and _delete:
        picked = inputs.text(chosen, "chosen view")
        if picked is None or not picked.isdigit():
            message = "Choisissez d'abord la vue à supprimer dans la liste."
        else:
            message = "Vue supprimée." if views.delete(account.id, int(picked)) else "Cette vue n'existe plus."
            chosen_out = None
    options, paths = menu(account.id)
    return [options, paths, message, name_box, chosen_out]
