"""The theme's own files: `templates/static/` (copied with a content hash in their
names, so a browser never shows a stale stylesheet) and `templates/root/` (copied
to the site root as they are: favicon.ico, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .fs import file_digest, files_under

STATIC_DIR = "static"
ROOT_FILES_DIR = "root"


@dataclass(frozen=True)
class Theme:
    names: dict[
        str, str
    ]  # a file in static/ -> its hashed URL ("site.css" -> "static/site.1a….css")
    files: dict[str, Path]  # every theme file by its URL in the site, root files included


def theme_of(templates_dir: Path) -> Theme:
    names: dict[str, str] = {}
    files: dict[str, Path] = {}
    static = templates_dir / STATIC_DIR
    for path in files_under(static):
        name = path.relative_to(static).as_posix()
        digest = file_digest(path)[:10]
        stem, dot, suffix = name.rpartition(".")
        url = f"{STATIC_DIR}/{stem}.{digest}.{suffix}" if dot else f"{STATIC_DIR}/{name}.{digest}"
        names[name] = url
        files[url] = path
    root = templates_dir / ROOT_FILES_DIR
    for path in files_under(root):
        files[path.relative_to(root).as_posix()] = path
    return Theme(names, files)


def is_theme_file(name: str) -> bool:
    """A file under templates/ that is copied, not a template (`static/…`, `root/…`)."""
    return name.startswith((f"{STATIC_DIR}/", f"{ROOT_FILES_DIR}/"))
