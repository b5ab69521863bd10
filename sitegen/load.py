"""Stage 1: read `content/` into raw documents whose every value keeps its position.

Nothing here judges the content beyond what is needed to read it: a file that
cannot be read (not UTF-8, broken YAML, no front matter) becomes a finding and
the rest of the content is still loaded, so every problem is reported at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .assets import check_file
from .findings import Finding, error, warning
from .fs import display_in, display_link, link_problem, walk
from .markdown import check_markdown
from .raw import RawDocument, decode_text, parse_yaml, read_text, split_front_matter

SITE_FILE = "site.yaml"
CATALOGUE_FILE = "packages.yaml"
CLAIMS_FILE = "claims.yaml"
IMAGES_DIR = "images"
DOCUMENT_DIRS = {"conditions": "condition", "pages": "page"}


def open_document(
    path: Path, root: Path, kind: str, data: bytes | None = None
) -> tuple[RawDocument, str | None, list[Finding]]:
    """A document for `path` and its text (None, with a finding, if it cannot be read
    as text); `data`: the file's bytes, if they were read already."""
    content_path = path.relative_to(root).as_posix()
    shown = display_in(root, content_path)
    doc = RawDocument(path, shown, content_path, kind, path.stem)
    if data is None:
        text, findings = read_text(path, shown, boundary=root)
    else:
        text, findings = decode_text(data, shown)
    doc.readable = text is not None
    return doc, text, findings


def load_yaml_file(
    path: Path, root: Path, kind: str, data: bytes | None = None
) -> tuple[RawDocument, list[Finding]]:
    doc, text, findings = open_document(path, root, kind, data)
    if text is None:
        return doc, findings
    doc.data, doc.positions, parse_findings = parse_yaml(text, doc.display_path)
    doc.yaml_text = text
    doc.readable = yaml_was_read(parse_findings)
    return doc, findings + parse_findings


def load_markdown_file(
    path: Path, root: Path, kind: str, data: bytes | None = None
) -> tuple[RawDocument, list[Finding]]:
    doc, text, findings = open_document(path, root, kind, data)
    if text is None:
        return doc, findings
    front, doc.body, doc.body_line, split_findings = split_front_matter(text, doc.display_path)
    if front is None:
        doc.readable = False
        return doc, findings + split_findings
    doc.data, doc.positions, parse_findings = parse_yaml(front, doc.display_path, first_line=2)
    doc.yaml_text, doc.yaml_line = front, 2
    doc.readable = yaml_was_read(parse_findings)
    too_much = check_markdown(doc.body, doc.display_path, doc.body_line)
    doc.body_within_limits = not too_much
    return doc, findings + parse_findings + too_much


def yaml_was_read(findings: list[Finding]) -> bool:
    """Whether `parse_yaml` read the values (its findings say only that a field was
    written twice, which the later checks can live with)."""
    return not any(finding.field == "yaml" for finding in findings)


def find_markdown(folder: Path) -> tuple[list[str], list[Finding]]:
    """Markdown files of one folder of the content (its `conditions/` or `pages/`), as
    path strings (a `Path` each costs more than the file's stat), translations
    (`slug.lang.md`) among them."""
    findings = refused_folder(folder, folder.parent)
    try:
        names = sorted(entry.name for entry in os.scandir(folder) if entry.name.endswith(".md"))
    except OSError:
        names = []
    if findings:
        return [], findings
    base = os.fspath(folder)
    return [os.path.join(base, name) for name in names], findings


def refused_folder(folder: Path, boundary: Path) -> list[Finding]:
    """A finding if `folder` is a symbolic link that `link_problem` refuses."""
    problem = link_problem(folder, boundary, "a folder") if folder.is_symlink() else None
    return [error(display_link(folder), 1, 1, "symlink", problem)] if problem else []


FOLDER_LINK = (
    "expected a file, found a symbolic link to a folder; it is not followed, so its "
    "files are not published"
)


def files_in(folder: Path, boundary: Path) -> tuple[list[Path], list[Finding]]:
    """The visible files below `folder` (`content/images/`, `templates/static/`, ...),
    sorted, and a finding for each symbolic link among them that is not followed:
    one that loops, leads nowhere or out of `boundary` (an error: nothing is read
    through it), or leads to a folder (a warning: its files are not published)."""
    refused = refused_folder(folder, boundary)
    if refused or not folder.is_dir():
        return [], refused
    files: list[Path] = []
    findings: list[Finding] = []
    for _, entry in walk(folder):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            shown = display_link(Path(entry.path))
            problem = link_problem(entry.path, boundary)
            if problem is not None:
                findings.append(error(shown, 1, 1, "symlink", problem))
                continue
            if not os.path.isfile(entry.path):
                findings.append(warning(shown, 1, 1, "symlink", FOLDER_LINK))
                continue
        elif not entry.is_file(follow_symlinks=False):
            continue  # a named pipe, a socket, ...
        files.append(Path(entry.path))
    return sorted(files), findings


def find_assets(root: Path) -> dict[str, Path]:
    """Files under `content/images/`, keyed by their path inside `content/`."""
    return assets_in(root)[0]


def assets_in(root: Path) -> tuple[dict[str, Path], list[Finding]]:
    """`find_assets`, and the findings of the links among them (`files_in`)."""
    files, findings = files_in(root / IMAGES_DIR, root)
    return {path.relative_to(root).as_posix(): path for path in files}, findings


@dataclass
class LoadedContent:
    """Every file of a content folder as read (for tools and tests; a build reads
    each file through its store instead)."""

    root: Path
    site: RawDocument | None
    catalogue: RawDocument | None
    documents: list[RawDocument]
    assets: dict[str, Path]
    findings: list[Finding]


def load_content(root: Path) -> LoadedContent:
    """Read every content file under `root`, each on its own."""
    findings: list[Finding] = []
    site = catalogue = None
    if (root / SITE_FILE).is_file():
        site, found = load_yaml_file(root / SITE_FILE, root, "site")
        findings += found
    if (root / CATALOGUE_FILE).is_file():
        catalogue, found = load_yaml_file(root / CATALOGUE_FILE, root, "catalogue")
        findings += found
    documents: list[RawDocument] = []
    for folder, kind in DOCUMENT_DIRS.items():
        paths, found = find_markdown(root / folder)
        findings += found
        for path in paths:
            doc, found = load_markdown_file(Path(path), root, kind)
            documents.append(doc)
            findings += found
    assets, found = assets_in(root)
    findings += found
    findings += [f for path, name in sorted((p, n) for n, p in assets.items())
                 for f in check_file(path, display_in(root, name))]  # fmt: skip
    return LoadedContent(root, site, catalogue, documents, assets, findings)
