"""Pydantic's validation errors, said as an editor reads them: at the line and column of
the value, with the field's path counted from 1, what was expected in plain words (with
a "did you mean"), and what was found."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from .findings import Finding, describe, error

if TYPE_CHECKING:  # the documents' positions come from the loader
    from .load import Loc, RawDocument

SLUG_HINT = "lower-case letters, digits and single hyphens (like 'optic-nerve-damage')"
PATTERN_HINTS = {
    "id": SLUG_HINT,
    "conditions": SLUG_HINT,
    "language": "a language code like 'en' or 'pt-BR'",
    "currency": "a three-letter currency code like 'EUR' or 'USD'",
}


def field_path(loc: Loc) -> str:
    """`('sources', 0, 'url')` -> `sources[1].url`: items are counted from 1, as editors do."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(file)"


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found:
                return found
    return None


def known_fields(model: type[BaseModel], loc: Loc) -> list[str]:
    """The field names allowed in the mapping at `loc` inside `model`."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return []
        if isinstance(part, int):
            continue
        info = current.model_fields.get(str(part))
        current = _model_of(info.annotation) if info else None
    return list(current.model_fields) if current else []


def suggest(found: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(found, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def expectation(err: dict[str, Any], model: type[BaseModel], loc: Loc) -> str:
    """Plain words for what the field should hold."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    if kind == "missing":
        return "a value (this field is required)"
    if kind == "extra_forbidden":
        choices = known_fields(model, loc[:-1])
        return f"one of the known fields: {', '.join(choices)}{suggest(str(loc[-1]), choices)}"
    if kind in ("string_type", "string_too_short"):
        return "text"
    if kind == "string_pattern_mismatch":
        return PATTERN_HINTS.get(name, f"text matching {ctx.get('pattern')}")
    if kind.startswith("int_"):
        return "a whole number"
    if kind.startswith(("decimal_", "float_")):
        return "a number"
    if kind == "greater_than_equal":
        return f"a number of at least {ctx['ge']}"
    if kind == "less_than_equal":
        return f"a number of at most {ctx['le']}"
    if kind.startswith("date"):
        return "a date written as YYYY-MM-DD (like 2026-01-31)"
    if kind.startswith("bool"):
        return "true or false"
    if kind == "list_type":
        return "a list (one '- ' item per line)"
    if kind == "too_short":
        count = ctx.get("min_length", 1)
        return f"at least {count} item{'s' if count != 1 else ''}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "a mapping of fields (name: value)"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = suggest(str(err.get("input")), choices)
        return f"one of: {ctx.get('expected', '')}{hint}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return err["msg"][:1].lower() + err["msg"][1:]


def found_text(err: dict[str, Any], loc: Loc) -> str:
    kind = err["type"]
    if kind == "missing":
        return "nothing"
    if kind == "extra_forbidden":
        return f"an unknown field '{loc[-1]}'"
    if kind == "too_short":
        return "an empty list"
    return describe(err.get("input"))


def findings_from_errors(
    exc: ValidationError, doc: RawDocument, model: type[BaseModel], prefix: Loc = ()
) -> list[Finding]:
    errors = [
        (prefix + tuple(p for p in err["loc"] if isinstance(p, (str, int))), err)
        for err in exc.errors(include_url=False)
    ]
    missing = {loc for loc, err in errors if err["type"] == "missing"}
    misspelt: dict[Loc, str] = {}
    for loc, err in errors:
        if err["type"] == "extra_forbidden":
            siblings = [str(m[-1]) for m in missing if m[:-1] == loc[:-1]]
            close = difflib.get_close_matches(str(loc[-1]), siblings, n=1, cutoff=0.6)
            if close:
                misspelt[loc] = close[0]
    folded = {(*loc[:-1], name) for loc, name in misspelt.items()}
    findings = []
    for loc, err in errors:
        if loc in folded and err["type"] == "missing":
            continue
        if err["type"] == "extra_forbidden":
            line, col = doc.positions.of_key(loc)
        elif err["type"] == "missing":
            line, col = doc.positions.of_value(loc[:-1])
        else:
            line, col = doc.positions.of_value(loc)
        inner = loc[len(prefix) :]
        if loc in misspelt:
            message = f"expected the field '{misspelt[loc]}', found an unknown field '{loc[-1]}'"
        else:
            message = f"expected {expectation(err, model, inner)}, found {found_text(err, inner)}"
        findings.append(error(doc.display_path, line, col, field_path(loc), message))
    return findings


def validate_model(
    model: type[BaseModel], data: Any, doc: RawDocument, prefix: Loc = ()
) -> tuple[Any, list[Finding]]:
    if data is None:
        line, col = doc.positions.of_value(prefix)
        expected = ", ".join(list(model.model_fields)[:4])
        return None, [
            error(
                doc.display_path,
                line,
                col,
                field_path(prefix),
                f"expected fields such as {expected}, found nothing",
            )
        ]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, findings_from_errors(exc, doc, model, prefix)
