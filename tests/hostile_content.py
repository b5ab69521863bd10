"""Put hostile text into every field of a content folder that reaches a page.

The content's YAML (site.yaml, packages.yaml and each Markdown file's front matter)
is read, every text a reader sees is changed by a function, and the YAML is written
back with PyYAML, which writes unprintable characters as escapes (`"\\x01"`), so
any text survives the round trip. Identifiers, addresses, dates and numbers stay
as they are: the build checks those against patterns, and they are tested apart.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

# Fields whose value is not free text: checked against a pattern, a list of ids, or a
# URL scheme, or what the quality checks count (required section names).
NOT_TEXT = frozenset(
    {
        "id",
        "evidence",
        "conditions",
        "url",
        "base_url",
        "language",
        "code",  # a language's code
        "direction",
        "currency",
        "required_sections",
        "directory_links",
        "feedback_email",  # an address: checked by its own rule, tested apart
        "kind",
        "aliases",
    }
)


def is_text(path: str, key: str) -> bool:
    """Whether the field `key` of the mapping at `path` holds free text: a source's
    `type` is one of a list of kinds, a cell dose's `type` is text."""
    if key == "type":
        return ".cells[" in path
    return key not in NOT_TEXT


Change = Callable[[str, str], str]  # (field path, old text) -> new text


def change_texts(data: Any, change: Change, path: str = "") -> Any:
    """`data` with each free-text string replaced by `change(path, text)`."""
    if isinstance(data, dict):
        return {
            key: value if not is_text(path, key) else change_texts(value, change, f"{path}.{key}")
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [change_texts(item, change, f"{path}[{index}]") for index, item in enumerate(data)]
    if isinstance(data, str):
        return change(path.lstrip("."), data)
    return data


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=False, width=1_000_000)


def edit_yaml(path: Path, edit: Callable[[Any], Any]) -> None:
    """A YAML file, or a Markdown file's front matter, replaced by `edit(data)`."""
    text = path.read_text("utf-8")
    if path.suffix == ".md":
        _, front, body = text.split("---\n", 2)
        path.write_text(f"---\n{dump(edit(yaml.safe_load(front)))}---\n{body}", "utf-8")
    else:
        path.write_text(dump(edit(yaml.safe_load(text))), "utf-8")


def change_yaml_file(path: Path, change: Change) -> None:
    edit_yaml(path, lambda data: change_texts(data, change))


def change_markdown_file(path: Path, change: Change, body: Callable[[str], str] | None = None):
    """The front matter's texts changed by `change`, the body by `body`."""
    edit_yaml(path, lambda data: change_texts(data, change))
    if body:
        _, front, text = path.read_text("utf-8").split("---\n", 2)
        path.write_text(f"---\n{front}---\n{body(text)}", "utf-8")


def change_every_text(
    content: Path, change: Change, body: Callable[[str], str] | None = None
) -> None:
    """Every free text of `content` changed: site.yaml, packages.yaml, each page's front
    matter and (with `body`) each Markdown body."""
    change_yaml_file(content / "site.yaml", change)
    change_yaml_file(content / "packages.yaml", change)
    for page in sorted(content.glob("*/*.md")):
        change_markdown_file(page, change, body)
