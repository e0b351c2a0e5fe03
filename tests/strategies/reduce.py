"""Smaller versions of a feature document, for minimising one that makes a project fail.

`reductions` yields candidates from the coarsest (an entity less) to the finest (one key
of a field less). Each drops one thing together with what names it elsewhere (a dropped
field leaves the list options, checks and actions that mention it), so most candidates
are still valid; the caller checks each with `is_valid` and skips the ones that are not.
"""

from __future__ import annotations

import copy
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from backsmith.errors import SpecError
from backsmith.spec import load_feature
from tests.strategies.render import render

Data = dict[str, Any]
ENTITY_OPTIONS = (
    "actions", "checks", "transitions", "computed", "unique", "access", "list", "relations",
    "rules", "description", "plural", "versioned", "soft_delete", "tenant", "owned",
)  # fmt: skip


def is_valid(data: Data) -> bool:
    """Whether backsmith accepts the document."""
    with tempfile.TemporaryDirectory() as directory:
        path = render(data).write(Path(directory))
        try:
            load_feature(path)
        except SpecError:
            return False
    return True


def size(data: Data) -> int:
    """A rough size to report: entities, fields, relations and options."""
    total = 0
    for body in data.get("entities", {}).values():
        total += 1 + len(body.get("fields", {})) + len(body.get("relations", {}) or {})
        total += sum(1 for key in ENTITY_OPTIONS if key in body)
    return total


def _mentions(text: Any, name: str) -> bool:
    return isinstance(text, str) and re.search(rf"\b{re.escape(name)}\b", text) is not None


def _forget_member(data: Data, entity: str, name: str) -> None:
    """Remove every mention of the field or relation `name` of `entity`."""
    body = data["entities"][entity]
    options = body.get("list") or {}
    for key in ("filter", "sort", "search"):
        if key in options:
            kept = [
                item
                for item in options[key]
                if item.lstrip("-") not in (name, f"{name}_id") and not item.startswith(f"{name}.")
            ]
            options[key] = kept
            if not kept:
                del options[key]
    if "list" in body and not options:
        del body["list"]
    if "unique" in body:
        body["unique"] = [
            group for group in body["unique"] if not {name, f"{name}_id"} & {str(m) for m in group}
        ]
        if not body["unique"]:
            del body["unique"]
    for key in ("transitions",):
        if isinstance(body.get(key), dict):
            body[key].pop(name, None)
            if not body[key]:
                del body[key]
    if "checks" in body:
        body["checks"] = [c for c in body["checks"] if not _mentions(c.get("rule"), name)]
        if not body["checks"]:
            del body["checks"]
    actions = body.get("actions") or {}
    for action_name in list(actions):
        action = actions[action_name]
        if name in (action.get("set") or {}) or _mentions(action.get("when"), name):
            del actions[action_name]
    if "actions" in body and not actions:
        del body["actions"]
    for other_name, other in data["entities"].items():
        for relation in (other.get("relations") or {}).values():
            if isinstance(relation, dict) and relation.get("to") == entity and "embed" in relation:
                relation["embed"] = [f for f in relation["embed"] if f != name]
                if not relation["embed"]:
                    del relation["embed"]
        other_list = other.get("list") or {}
        if "filter" in other_list:
            other_list["filter"] = [
                f
                for f in other_list["filter"]
                if not _across_names(data, other_name, f, entity, name)
            ]
        for key, computed in list((other.get("computed") or {}).items()):
            if computed.get("sum") == f"{entity}.{name}" or (
                other_name != entity and computed.get("via") == name and _counts(computed, entity)
            ):
                del other["computed"][key]


def _counts(computed: dict[str, Any], entity: str) -> bool:
    source = computed.get("count") or str(computed.get("sum", "")).split(".")[0]
    return bool(source == entity)


def _across_names(data: Data, entity: str, item: str, target: str, field: str) -> bool:
    """Whether `item` of `entity`'s filter is `relation.field` with a relation to `target`."""
    relation, dot, name = item.partition(".")
    if not dot or name != field:
        return False
    value = (data["entities"][entity].get("relations") or {}).get(relation)
    to = value.get("to") if isinstance(value, dict) else str(value).rstrip("?")
    return bool(to == target)


def _drop_entity(data: Data, entity: str) -> None:
    del data["entities"][entity]
    for name, body in list(data["entities"].items()):
        for relation, value in list((body.get("relations") or {}).items()):
            to = value.get("to") if isinstance(value, dict) else str(value).rstrip("?")
            if to == entity:
                _forget_member(data, name, relation)
                del body["relations"][relation]
        computed = body.get("computed") or {}
        for key, value in list(computed.items()):
            if _counts(value, entity):
                del computed[key]
        if "computed" in body and not computed:
            del body["computed"]


def reductions(data: Data) -> Iterator[tuple[str, Data]]:
    """(what was dropped, the smaller document), coarsest first."""
    entities = list(data["entities"])
    if len(entities) > 1:
        for entity in entities:
            candidate = copy.deepcopy(data)
            _drop_entity(candidate, entity)
            yield f"entity {entity}", candidate
    for key in ("title", "description", "rules", "roles"):
        if key in data:
            candidate = copy.deepcopy(data)
            del candidate[key]
            yield key, candidate
    for entity in entities:
        body = data["entities"][entity]
        for key in ENTITY_OPTIONS:
            if key in body:
                candidate = copy.deepcopy(data)
                if key == "relations":
                    for relation in body["relations"] or {}:
                        _forget_member(candidate, entity, relation)
                del candidate["entities"][entity][key]
                yield f"{entity}.{key}", candidate
        for group in ("relations", "fields"):
            members = body.get(group) or {}
            if group == "fields" and len(members) < 2:
                continue
            for name in members:
                candidate = copy.deepcopy(data)
                _forget_member(candidate, entity, name)
                del candidate["entities"][entity][group][name]
                yield f"{entity}.{name}", candidate
        for key in ("actions", "computed", "access", "list", "transitions"):
            for item in body.get(key) or {}:
                if len(body[key]) < 2:
                    break
                candidate = copy.deepcopy(data)
                del candidate["entities"][entity][key][item]
                yield f"{entity}.{key}.{item}", candidate
        for key in ("checks", "unique"):
            items = body.get(key) or []
            for index in range(len(items) if len(items) > 1 else 0):
                candidate = copy.deepcopy(data)
                del candidate["entities"][entity][key][index]
                yield f"{entity}.{key}[{index}]", candidate
        for group in ("fields", "relations"):
            for name, value in (body.get(group) or {}).items():
                if not isinstance(value, dict):
                    continue
                for key in value:
                    if key in ("type", "to", "enum", "values"):
                        continue
                    candidate = copy.deepcopy(data)
                    del candidate["entities"][entity][group][name][key]
                    yield f"{entity}.{name}.{key}", candidate


def minimise(
    data: Data, still_fails: Callable[[Data], bool], deadline: float
) -> tuple[Data, list[str], int]:
    """Delta debugging over `reductions`: the smallest valid document found (by the
    monotonic-clock `deadline`) that `still_fails`, what was dropped, candidates tried."""
    current, dropped, tried = data, [], 0
    progress = True
    while progress and time.monotonic() < deadline:
        progress = False
        for label, candidate in reductions(current):
            if time.monotonic() >= deadline:
                break
            if not is_valid(candidate):
                continue
            tried += 1
            if still_fails(candidate):
                current, progress = candidate, True
                dropped.append(label)
                break
    return current, dropped, tried
