"""The theme's own files: `templates/static/` (copied with a content hash in their
names, so a browser never shows a stale stylesheet) and `templates/root/` (copied
to the site root as they are: favicon.ico, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .fs import Stamp, file_digest, files_under

STATIC_DIR = "static"
ROOT_FILES_DIR = "root"


@dataclass(frozen=True)
class Theme:
    names: dict[
        str, str
    ]  # a file in static/ -> its hashed URL ("site.css" -> "static/site.1a….css")
    files: dict[str, Path]  # every theme file by its URL in the site, root files included


def theme_of(templates_dir: Path, stamps: Mapping[str, Stamp] | None = None) -> Theme:
    """The theme of `templates_dir`, from the build's stamps of its files ("templates/
    static/site.css" -> its stamp), or from the files themselves."""
    if stamps is None:
        stamps = {
            f"templates/{path.relative_to(templates_dir).as_posix()}": Stamp(
                0, 0, 0, file_digest(path)
            )
            for folder in (STATIC_DIR, ROOT_FILES_DIR)
            for path in files_under(templates_dir / folder)
        }
    names: dict[str, str] = {}
    files: dict[str, Path] = {}
    for key, stamp in sorted(stamps.items()):
        folder, _, name = key.removeprefix("templates/").partition("/")
        if not key.startswith("templates/") or folder not in (STATIC_DIR, ROOT_FILES_DIR):
            continue
        path = templates_dir / folder / name
        if folder == ROOT_FILES_DIR:
            files[name] = path
            continue
        stem, dot, suffix = name.rpartition(".")
        digest = stamp.digest[:10]
        url = f"{STATIC_DIR}/{stem}.{digest}.{suffix}" if dot else f"{STATIC_DIR}/{name}.{digest}"
        names[name] = url
        files[url] = path
    return Theme(names, files)


def is_theme_file(name: str) -> bool:
    """A file under templates/ that is copied, not a template (`static/…`, `root/…`)."""
    return name.startswith((f"{STATIC_DIR}/", f"{ROOT_FILES_DIR}/"))
