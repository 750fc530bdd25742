"""What a callback request must be: what Dash's own page sends, else ``BadInputError`` (answered 400).

Dash trusts its page. A request posted by hand crashed inside Dash (a 500 and a trace a request) or inside a
callback (the error banner and a trace): missing or foreign items, an output with no server function (a
client-side callback), a trigger that is none of the inputs (Dash parses its id), JSON nested deep enough to
exhaust the recursion limit, or a shell value in another shape than its component's (the shell's callbacks and
Dash's own router read them as they come; the pages' callbacks parse their own values with ``components.inputs``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import request

from components import ids, inputs
from components.inputs import BadInputError

#: Deeper JSON than any request of the page (a click is 8 levels deep in its request): refused before Dash runs.
MAX_DEPTH = 32
#: The parser of each of the shell's values (by component id and property), run before Dash.
SHELL_VALUES: dict[tuple[str, str], Callable[[Any, str], Any]] = {
    (ids.LOCATION, "pathname"): inputs.path,
    (ids.LOCATION, "search"): inputs.text,
    (ids.URL_IN, "data"): inputs.text,
    (ids.URL_SYNC, "data"): inputs.text,
    (ids.PAGE_STORE, "data"): inputs.mapping,
    (ids.FILTERS_STORE, "data"): inputs.mapping,
    **{(one, "value"): inputs.scalar for one in (ids.RESPONSABLE, ids.UTILISATEUR, ids.ANNEE, ids.MOIS)},
    (ids.GAMME, "value"): inputs.codes,
    (ids.REGION, "value"): inputs.codes,
    (ids.DATES, "start_date"): inputs.text,
    (ids.DATES, "end_date"): inputs.text,
}


def check(callbacks: dict[str, Any]) -> None:
    """Raise ``BadInputError`` for a callback request unlike those of Dash's page (``callbacks``: its map)."""
    try:
        body = request.get_json(silent=True)
    except RecursionError as exc:  # the JSON decoder gives up on very deep nesting
        raise BadInputError("callback request", "nested too deeply") from exc
    if not isinstance(body, dict):
        raise BadInputError("callback request", body)
    output = body.get("output")
    if not (isinstance(output, str) and "callback" in callbacks.get(output, {})):  # client-side: no function
        raise BadInputError("callback request", body)
    if _deeper_than(body, MAX_DEPTH) or not _well_formed(body, callbacks):
        raise BadInputError("callback request", body)
    for item in _items(body):
        parse = SHELL_VALUES.get((str(item["id"]), item["property"]))
        if parse is not None:
            parse(item.get("value"), f"{item['id']}.{item['property']}")


def _deeper_than(value: Any, limit: int) -> bool:
    """Does JSON ``value`` nest deeper than ``limit`` (without recursion: the value may be deep)?"""
    todo = [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if depth > limit:
            return True
        inner = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        todo.extend((child, depth + 1) for child in inner)
    return False


def _items(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The request's inputs then states, pattern-matching lists flattened (``_well_formed`` checked them)."""
    listed = [*body.get("inputs", []), *body.get("state", [])]
    return [one for item in listed for one in (item if isinstance(item, list) else [item])]


def _triggers_are_inputs(body: dict[str, Any]) -> bool:
    """Does every ``changedPropIds`` name one of the request's inputs (Dash reads the trigger's id from it)?"""
    inputs = [one for item in body.get("inputs", []) for one in (item if isinstance(item, list) else [item])]
    named = {(json.dumps(one["id"], sort_keys=True), one["property"]) for one in inputs}
    for changed in body.get("changedPropIds", []):
        ident, _, prop = changed.rpartition(".")
        try:
            parsed = json.loads(ident) if ident.startswith("{") else ident
        except ValueError:
            return False
        if (json.dumps(parsed, sort_keys=True), prop) not in named:
            return False
    return True


def _well_formed(body: dict[str, Any], callbacks: dict[str, Any]) -> bool:
    """Does a callback request carry what the callback declares (each input and state, by id and property)?

    Dash trusts its own page: a request with missing or foreign items crashed inside it (500, a trace a request).
    """
    declared = callbacks[body["output"]]
    for key in ("inputs", "state"):
        sent = body.get(key, [])
        wanted = declared.get(key, [])
        if not isinstance(sent, list) or len(sent) != len(wanted):
            return False
        for item, dep in zip(sent, wanted, strict=True):
            items = item if isinstance(item, list) else [item]  # pattern-matching (ALL) inputs come as lists
            for one in items:
                if not (isinstance(one, dict) and one.get("property") == dep["property"]):
                    return False
                pattern = dep["id"].startswith("{")  # a pattern-matching id, declared as its JSON text
                if (pattern and not isinstance(one.get("id"), dict)) or (not pattern and one.get("id") != dep["id"]):
                    return False
    outputs = body.get("outputs")
    expected = body["output"][2:-2].split("...") if body["output"].startswith("..") else [body["output"]]
    if isinstance(outputs, dict):
        outputs = [outputs]
    if not isinstance(outputs, list) or len(outputs) != len(expected):
        return False
    if not all(isinstance(o, (dict, list)) for o in outputs):
        return False
    changed = body.get("changedPropIds", [])
    return isinstance(changed, list) and all(isinstance(c, str) for c in changed) and _triggers_are_inputs(body)
