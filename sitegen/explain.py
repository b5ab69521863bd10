"""Pydantic's validation errors, said as an editor reads them: at the line and column of
the value, with the field's path counted from 1, what was expected in plain words (with
a "did you mean"), and what was found."""

from __future__ import annotations

import calendar
import difflib
import functools
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from .findings import Finding, describe, error

if TYPE_CHECKING:  # a file as read, and a place in it
    from .raw import Loc, RawDocument

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
        return date_expected(err.get("input"))
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


WRITTEN_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


def date_expected(found: Any) -> str:
    """What a date field expects, said about what was written: a date in the right
    form whose month or day does not exist is told so, not asked for the form."""
    match = WRITTEN_DATE.match(found) if isinstance(found, str) else None
    year, month, day = (int(part) for part in match.groups()) if match else (0, 0, 0)
    if match and not 1 <= month <= 12:
        return "a date whose month is from 01 to 12 (YYYY-MM-DD)"
    if match and year:
        days = calendar.monthrange(year, month)[1]
        if not 1 <= day <= days:
            month_name = calendar.month_name[month]
            return f"a date whose day is from 01 to {days} ({month_name} {year} has {days} days)"
    return "a date written as YYYY-MM-DD (like 2026-01-31)"


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


@dataclass(frozen=True)
class Checked:
    """A mapping checked against a model. `value` is the model when the mapping is
    valid, else None; `partial` is the model made of the fields that are valid, the
    others None (None itself when the mapping is not one of fields), so that every
    other check can still run on what is known; `invalid` names the fields with errors."""

    value: Any
    partial: Any
    invalid: frozenset[str]
    findings: list[Finding]


def validate_model(
    model: type[BaseModel], data: Any, doc: RawDocument, prefix: Loc = ()
) -> tuple[Any, list[Finding]]:
    checked = check_model(model, data, doc, prefix)
    return checked.value, checked.findings


def check_model(model: type[BaseModel], data: Any, doc: RawDocument, prefix: Loc = ()) -> Checked:
    """`data` validated as `model`; a number written where text is expected is read as
    the text written (`title: 1984`, `phone: 0123`), as the editor meant it."""
    if data is None:
        line, col = doc.positions.of_value(prefix)
        expected = ", ".join(list(model.model_fields)[:4])
        message = f"expected fields such as {expected}, found nothing"
        return Checked(None, None, frozenset(), [error(doc.display_path, line, col,
                                                       field_path(prefix), message)])  # fmt: skip
    try:
        return Checked(model.model_validate(data), None, frozenset(), [])
    except ValidationError as exc:
        errors = exc
    written = numbers_as_written(errors, data, doc, prefix)
    if written is not data:
        data = written
        try:
            valid = model.model_validate(data)
            return Checked(valid, None, frozenset(), [])
        except ValidationError as exc:
            errors = exc
    findings = findings_from_errors(errors, doc, model, prefix)
    locs = [tuple(err["loc"]) for err in errors.errors(include_url=False)]
    if not isinstance(data, dict) or any(not loc for loc in locs):
        return Checked(None, None, frozenset(), findings)
    invalid = frozenset(str(loc[0]) for loc in locs)
    return Checked(None, partial_model(model, data, invalid), invalid, findings)


def partial_model(model: type[BaseModel], data: dict[Any, Any], invalid: frozenset[str]) -> Any:
    """`model` made of the valid fields of `data`: each field with an error, or missing
    though required, is None; one left out that has a default takes it."""
    made = model.model_construct(
        **{name: None if name in invalid or info.is_required()
           else info.get_default(call_default_factory=True)
           for name, info in model.model_fields.items()}
    )  # fmt: skip
    for name in model.model_fields:
        if name in data and name not in invalid:  # valid on its own: validated as a field
            model.__pydantic_validator__.validate_assignment(made, name, data[name])
    return made


def numbers_as_written(errors: ValidationError, data: Any, doc: RawDocument, prefix: Loc) -> Any:
    """`data` with every number that stands where text is expected replaced by the text
    written in the file (`data` itself when there is none)."""
    for err in errors.errors(include_url=False):
        found = err.get("input")
        if err["type"] != "string_type" or isinstance(found, bool):
            continue
        if not isinstance(found, (int, float)):
            continue
        loc = tuple(part for part in err["loc"] if isinstance(part, (str, int)))
        span = doc.positions.spans.get(prefix + loc)
        if span is not None:
            data = replaced(data, loc, doc.yaml_text[span[0] : span[1]])
    return data


def replaced(data: Any, loc: Loc, value: Any) -> Any:
    """A copy of `data` with the value at `loc` replaced (containers copied on the way;
    `data` itself if there is nothing at `loc`)."""
    if not loc:
        return value
    head, rest = loc[0], loc[1:]
    if isinstance(data, dict) and head in data:
        return {**data, head: replaced(data[head], rest, value)}
    if isinstance(data, list) and isinstance(head, int) and 0 <= head < len(data):
        return [*data[:head], replaced(data[head], rest, value), *data[head + 1 :]]
    return data


# A template asking for what its object does not have -------------------------------


def offered_names(value: Any) -> list[str]:
    """What a template can read on `value` (a model, a document, a mapping; a
    recording view of one is seen through)."""
    offered = getattr(type(value), "OFFERED", None)  # a view that says what it offers
    if offered is not None:
        return sorted(offered)
    target = getattr(value, "_target", value)
    if isinstance(target, dict):
        return sorted(str(key) for key in target)
    kind = type(target)
    names = set(kind.model_fields) if isinstance(target, BaseModel) else set()
    for klass in kind.__mro__:
        names.update(name for name in getattr(klass, "__slots__", ()) if isinstance(name, str))
        names.update(name for name, member in vars(klass).items()
                     if isinstance(member, (property, functools.cached_property)))  # fmt: skip
    names.update(getattr(target, "__dict__", {}))
    return sorted(name for name in names if not name.startswith(("_", "model_")))


def missing_in_template(owner: Any, name: Any, line: str, given: list[str] | None
                        ) -> tuple[int, str]:  # fmt: skip
    """The column and the message for a template that reads `name` on `owner` (or, with
    `given`, the names every template gets, a variable `name`) and finds nothing: what
    is offered there, and the likely meaning (`doc.summary` -> `doc.meta.summary`).
    `line` is the template's line."""
    if not isinstance(name, str):  # an item: `site.conditions[5]`
        return missing_item(owner, name, line)
    if given is not None:
        at = re.search(rf"\b{re.escape(name)}\b", line)
        hint = suggest(name, given)
        return (at.start() + 1 if at else 1), (
            f"expected one of the names a template is given ({', '.join(given)}), "
            f"found '{name}'{hint}"
        )
    at = re.search(rf"([A-Za-z_][\w.]*)\s*\.\s*{re.escape(name)}\b", line)
    written = at.group(1) if at else "the object"
    offered = offered_names(owner)
    target = getattr(owner, "_target", owner)
    if not offered:
        return (at.start() + 1 if at else 1), (
            f"expected one of the fields {written} offers, found '{name}': {written} is "
            f"{without_fields(owner, written, name)}"
        )
    inside = [part for part in offered
              if name in offered_names(safe_attribute(target, part))]  # fmt: skip
    if inside and at:
        hint = f" (did you mean {written}.{inside[0]}.{name}?)"
    else:
        close = difflib.get_close_matches(name, offered, n=1, cutoff=0.6)
        hint = f" (did you mean {written}.{close[0]}?)" if close and at else ""
    return (at.start() + 1 if at else 1), (
        f"expected one of the fields {written} offers ({', '.join(offered)}), found '{name}'{hint}"
    )


def missing_item(owner: Any, number: Any, line: str) -> tuple[int, str]:
    """The column and the message for an item asked of a list (or a mapping) that
    has none at `number`."""
    at = re.search(rf"([A-Za-z_][\w.]*)\s*\[\s*{re.escape(str(number))}\s*\]", line)
    written = at.group(1) if at else "the list"
    column = at.start() + 1 if at else 1
    if isinstance(owner, (list, tuple)):
        has = (f"it has {len(owner)} item{'s' if len(owner) != 1 else ''}, "
               f"{written}[0] to {written}[{len(owner) - 1}]" if owner
               else "it is empty")  # fmt: skip
        return column, f"expected an item of {written} ({has}), found none at [{number}]"
    return column, f"expected an item of {written}, found none at [{number!r}]"


def without_fields(value: Any, written: str, name: str) -> str:
    """What `value`, which offers no fields, is, and how to read from it: a field asked
    of a whole list (`site.conditions.title`) is the usual mistake."""
    if isinstance(value, (list, tuple)):
        items = [item for item in value[:1] if name in offered_names(item)]
        if items:
            return (f"a list, whose items have '{name}' (loop over it: {{% for item in "
                    f"{written} %}}{{{{ item.{name} }}}}{{% endfor %}}, or take one: "
                    f"{written}[0].{name})")  # fmt: skip
        return f"a list (loop over it: {{% for item in {written} %}})"
    if isinstance(value, str):
        return "text, which has no fields"
    if isinstance(value, date):
        return "a date, which offers year, month and day"
    if value is None:
        return "empty (None), which has no fields"
    if isinstance(value, bool):
        return "yes or no, which has no fields"
    if isinstance(value, (int, float)):
        return "a number, which has no fields"
    if isinstance(value, Mapping):
        return "empty, with no fields"
    if hasattr(value, "__contains__") and hasattr(value, "__iter__"):  # site.assets
        return (f"a set of names, which has no fields (ask whether one is in it: "
                f"'…' in {written})")  # fmt: skip
    return f"an object of type '{type(value).__name__}', which has no fields"


def safe_attribute(value: Any, name: str) -> Any:
    """`value.name`, or None when reading it fails (a property with no data behind it)."""
    try:
        return getattr(value, name)
    except Exception:
        return None
