"""Stage 1: read `content/` into raw documents whose every value keeps its position.

Nothing here judges the content beyond what is needed to read it: a file that
cannot be read (not UTF-8, broken YAML, no front matter) becomes a finding and
the rest of the content is still loaded, so every problem is reported at once.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .assets import check_assets
from .findings import Finding, error, warning

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - pure-Python PyYAML
    from yaml import SafeLoader  # type: ignore[assignment]

Loc = tuple[str | int, ...]

SITE_FILE = "site.yaml"
CATALOGUE_FILE = "packages.yaml"
IMAGES_DIR = "images"
DOCUMENT_DIRS = {"conditions": "condition", "pages": "page"}
PLAIN_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
STRING_TAG = "tag:yaml.org,2002:str"
TRANSLATION_SUFFIX = re.compile(r"^[a-z]{2,3}(-[a-z0-9]+)?$", re.IGNORECASE)


@dataclass
class Positions:
    """Where each value (and each mapping key) of a YAML document starts, 1-based."""

    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    spans: dict[Loc, tuple[int, int]] = field(default_factory=dict)  # scalars: [start, end)

    def of_value(self, loc: Loc) -> tuple[int, int]:
        """Position of the value at `loc`, or of its nearest enclosing value."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.values:
                return self.values[loc[:end]]
        return (1, 1)

    def of_key(self, loc: Loc) -> tuple[int, int]:
        return self.keys.get(loc) or self.of_value(loc)


@dataclass
class RawDocument:
    """One content file after reading: its YAML data, positions and Markdown body."""

    path: Path
    display_path: str
    content_path: str
    kind: str
    slug: str
    data: Any = None
    kept_positions: Positions | None = field(default=None, repr=False)
    body: str = ""
    body_line: int = 1
    readable: bool = True
    yaml_text: str = ""  # the YAML as written (front matter or whole file); spans index it
    yaml_line: int = 1

    @property
    def positions(self) -> Positions:
        """Where each YAML value and key starts; parsed again from `yaml_text` if forgotten."""
        if self.kept_positions is None:
            self.kept_positions = (
                parse_yaml(self.yaml_text, self.display_path, self.yaml_line)[1]
                if self.yaml_text
                else Positions()
            )
        return self.kept_positions

    @positions.setter
    def positions(self, positions: Positions) -> None:
        self.kept_positions = positions

    def forget_positions(self) -> None:
        """Drop the positions once the per-document checks are done: they take about
        as much memory as the rest of the document and are wanted again only to
        report a finding, which is rare."""
        self.kept_positions = None

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (the build cache's readings) without positions: smaller, faster."""
        return {**self.__dict__, "kept_positions": None}


@dataclass
class LoadedContent:
    root: Path
    site: RawDocument | None
    catalogue: RawDocument | None
    documents: list[RawDocument]
    assets: dict[str, Path]
    findings: list[Finding]


def display(path: Path) -> str:
    """A path as editors see it: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


@functools.lru_cache(maxsize=64)
def _display_root(root: str, working_directory: str) -> str:
    return display(Path(root))


def display_in(root: Path, relative: str) -> str:
    """`display(root / relative)` for a file found under `root`, without resolving
    each file's path: 0.1 ms a file, a second of a 10,000-page build."""
    shown = _display_root(os.fspath(root), os.getcwd())
    return relative if shown == "." else f"{shown}/{relative}"


def read_text(path: Path, shown: str) -> tuple[str | None, list[Finding]]:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        bad = raw[exc.start : exc.start + 1].hex().upper()
        return None, [
            error(
                shown,
                line,
                col,
                "encoding",
                f"expected UTF-8 text, found the byte 0x{bad}, which is not UTF-8 "
                "(save the file with UTF-8 encoding)",
            )
        ]


def parse_yaml(text: str, shown: str, first_line: int = 1) -> tuple[Any, Positions, list[Finding]]:
    """Parse one YAML document, recording the position of every value and key."""
    loader = SafeLoader(text)
    positions = Positions()
    findings: list[Finding] = []
    try:
        node = loader.get_single_node()
        if node is None:
            return None, positions, findings
        data = _construct(loader, node, (), positions, findings, shown, first_line - 1)
        return data, positions, findings
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line if mark else 0) + first_line
        col = (mark.column if mark else 0) + 1
        context = f" ({exc.context})" if exc.context else ""
        problem = (exc.problem or "a syntax error").rstrip(".")
        findings.append(
            error(
                shown,
                line,
                col,
                "yaml",
                f"expected valid YAML, found a syntax error: {problem}{context}",
            )
        )
        return None, positions, findings
    finally:
        loader.dispose()


def _construct(
    loader: Any,
    node: yaml.Node,
    loc: Loc,
    positions: Positions,
    findings: list[Finding],
    shown: str,
    offset: int,
) -> Any:
    positions.values[loc] = (node.start_mark.line + offset + 1, node.start_mark.column + 1)
    if not isinstance(node, yaml.ScalarNode) and node.tag not in PLAIN_COLLECTION_TAGS:
        findings.append(
            error(
                shown,
                *positions.values[loc],
                "yaml",
                f"expected a plain YAML value, found the tag '{node.tag}'",
            )
        )
        return None
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(loader, key_node, findings, shown, offset)
            if not isinstance(key, (str, int)):
                key = str(key)
            where = (
                key_node.start_mark.line + offset + 1,
                key_node.start_mark.column + 1,
            )
            if key in result:
                findings.append(
                    error(
                        shown,
                        *where,
                        ".".join(map(str, (*loc, key))),
                        f"expected each field once, found '{key}' a second time",
                    )
                )
            positions.keys[(*loc, key)] = where
            result[key] = _construct(
                loader, value_node, (*loc, key), positions, findings, shown, offset
            )
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(loader, item, (*loc, index), positions, findings, shown, offset)
            for index, item in enumerate(node.value)
        ]
    positions.spans[loc] = (node.start_mark.index, node.end_mark.index)
    return _scalar(loader, node, findings, shown, offset)


def _scalar(loader: Any, node: yaml.Node, findings: list[Finding], shown: str, offset: int) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        return str(node.value)
    if node.tag == STRING_TAG:  # most values: what PyYAML's constructor would return
        return node.value
    try:
        return loader.construct_object(node, deep=True)
    except ValueError:
        return node.value  # e.g. 2026-13-01: the model's type check reports it by field
    except yaml.constructor.ConstructorError as exc:
        findings.append(
            error(
                shown,
                node.start_mark.line + offset + 1,
                node.start_mark.column + 1,
                "yaml",
                f"expected a plain YAML value, found {exc.problem}",
            )
        )
        return node.value


def split_front_matter(text: str, shown: str) -> tuple[str | None, str, int, list[Finding]]:
    """Split `---` front matter from the Markdown body.

    Returns (front matter text, body, line where the body starts, findings).
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        first = lines[0].rstrip("\r\n") if lines else ""
        found = f"'{first[:40]}'" if first.strip() else "an empty first line"
        if not lines:
            found = "an empty file"
        return (
            None,
            text,
            1,
            [
                error(
                    shown,
                    1,
                    1,
                    "front matter",
                    f"expected a first line '---' opening the front matter, found {found}",
                )
            ],
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2, []
    return (
        None,
        "",
        1,
        [
            error(
                shown,
                1,
                1,
                "front matter",
                "expected a '---' line closing the front matter opened here, "
                "found the end of the file",
            )
        ],
    )


def open_document(
    path: Path, root: Path, kind: str
) -> tuple[RawDocument, str | None, list[Finding]]:
    """A document for `path` and its text (None, with a finding, if it is not UTF-8)."""
    content_path = path.relative_to(root).as_posix()
    shown = display_in(root, content_path)
    doc = RawDocument(path, shown, content_path, kind, path.stem)
    text, findings = read_text(path, shown)
    doc.readable = text is not None
    return doc, text, findings


def load_yaml_file(path: Path, root: Path, kind: str) -> tuple[RawDocument, list[Finding]]:
    doc, text, findings = open_document(path, root, kind)
    if text is None:
        return doc, findings
    doc.data, doc.positions, parse_findings = parse_yaml(text, doc.display_path)
    doc.yaml_text = text
    doc.readable = not parse_findings
    return doc, findings + parse_findings


def load_markdown_file(path: Path, root: Path, kind: str) -> tuple[RawDocument, list[Finding]]:
    doc, text, findings = open_document(path, root, kind)
    if text is None:
        return doc, findings
    front, doc.body, doc.body_line, split_findings = split_front_matter(text, doc.display_path)
    if front is None:
        doc.readable = False
        return doc, findings + split_findings
    doc.data, doc.positions, parse_findings = parse_yaml(front, doc.display_path, first_line=2)
    doc.yaml_text, doc.yaml_line = front, 2
    doc.readable = not parse_findings
    return doc, findings + parse_findings


def find_markdown(folder: Path) -> tuple[list[str], list[Finding]]:
    """Markdown files of one folder, as path strings (a `Path` each costs more than
    the file's stat); translations (`slug.lang.md`) are set aside."""
    sources, findings = [], []
    try:
        names = sorted(entry.name for entry in os.scandir(folder) if entry.name.endswith(".md"))
    except OSError:
        names = []
    base = os.fspath(folder)
    for name in names:
        stem, _, suffix = name[:-3].rpartition(".")
        if stem and TRANSLATION_SUFFIX.match(suffix):
            findings.append(
                warning(
                    display(folder / name),
                    1,
                    1,
                    "translation",
                    f"expected only source-language pages in this version, found a "
                    f"'{suffix}' translation of '{stem}'; it is not published yet",
                )
            )
            continue
        sources.append(os.path.join(base, name))
    return sources, findings


def walk(
    folder: Path, skip: Callable[[str], bool] = lambda name: False, follow_links: bool = True
) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every file below `folder`, as its path inside `folder` and its directory entry
    (whose inode, and on Linux its type, come with the listing); files and folders
    whose name `skip` picks are left out."""
    folders = [(str(folder), "")]
    while folders:
        current, prefix = folders.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            if skip(entry.name):
                continue
            if entry.is_dir(follow_symlinks=follow_links):
                folders.append((entry.path, f"{prefix}{entry.name}/"))
            else:
                yield prefix + entry.name, entry


def files_under(folder: Path) -> list[Path]:
    """The visible files below `folder`, sorted; none if it does not exist."""
    if not folder.is_dir():
        return []
    return [p for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")]


def find_assets(root: Path) -> dict[str, Path]:
    """Files under `content/images/`, keyed by their path inside `content/`."""
    return {path.relative_to(root).as_posix(): path for path in files_under(root / IMAGES_DIR)}


class FileCache:
    """Files read by earlier loads, reused while their size and times are unchanged.

    `serve` keeps one across rebuilds, so a save re-reads only the saved file; with
    the file-system events that started the rebuild (`expect`), the files they do
    not name are not even statted.
    """

    def __init__(self) -> None:
        self._files: dict[str, tuple[tuple[int, ...], RawDocument, list[Finding]]] = {}
        self.fresh: list[tuple[RawDocument, list[Finding]]] = []  # read by this cache's loads
        self._by_absolute: dict[str, str] = {}  # each file read here: absolute path -> key
        self.expected: frozenset[str] | None = None  # the only files the next load may find changed
        self._listings: dict[str, tuple[list[str], list[Finding]]] = {}  # folder -> find_markdown

    def expect(self, changed: Iterable[Path]) -> None:
        """Trust file events for the next load: of the files read before, only those
        in `changed` may have changed. Trusted only if every changed path is such a
        file; anything else (a new file, a folder, an image, a template, a path
        spelled another way) makes the next load stat every file, as without events."""
        keys = [self._by_absolute.get(os.path.abspath(path)) for path in changed]
        self.expected = None if None in keys else frozenset(key for key in keys if key)

    def readings(self) -> Iterator[tuple[RawDocument, list[Finding]]]:
        """Every file this cache holds, as read, with the findings of reading it."""
        for _, doc, findings in self._files.values():
            yield doc, list(findings)

    def markdown_in(self, folder: Path) -> tuple[list[str], list[Finding]]:
        """`find_markdown(folder)`, or its last result while trusted file events say
        that no file came or went (every file they name is a known one and is there)."""
        key = os.fspath(folder)
        unchanged = self.expected is not None and all(map(os.path.isfile, self.expected))
        if not unchanged or key not in self._listings:
            self._listings[key] = find_markdown(folder)
        paths, findings = self._listings[key]
        return list(paths), list(findings)

    @staticmethod
    def stamp(path: str | Path) -> tuple[int, ...]:
        info = os.stat(path)
        return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)

    def seed(self, path: str | Path, doc: RawDocument, findings: list[Finding]) -> None:
        """Give the cache a file's reading from elsewhere (the build cache), which
        vouches that it was read from the bytes the file holds now."""
        with contextlib.suppress(OSError):
            self._files[os.fspath(path)] = (self.stamp(path), doc, list(findings))

    def load(
        self, reader: Callable[[Path, Path, str], tuple[RawDocument, list[Finding]]],
        path: str | Path, root: Path, kind: str,
    ) -> tuple[RawDocument, list[Finding]]:  # fmt: skip
        key = os.fspath(path)
        known = self._files.get(key)
        if known is not None and self.expected is not None and key not in self.expected:
            return known[1], list(known[2])
        stamp = self.stamp(key)
        if known is not None and known[0] == stamp:
            return known[1], list(known[2])
        doc, findings = reader(Path(key), root, kind)
        self.fresh.append((doc, list(findings)))
        self._files[key] = (stamp, doc, list(findings))
        self._by_absolute[os.path.abspath(key)] = key
        return doc, findings


def load_content(
    root: Path,
    cache: FileCache | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LoadedContent:
    """Read every content file under `root` (with `cache`, only those that changed);
    `progress(done, total)` is told of the Markdown files as they are read."""

    def read(
        reader: Callable[[Path, Path, str], tuple[RawDocument, list[Finding]]],
        path: str | Path, kind: str,
    ) -> tuple[RawDocument, list[Finding]]:  # fmt: skip
        return cache.load(reader, path, root, kind) if cache else reader(Path(path), root, kind)

    findings: list[Finding] = []
    site = catalogue = None
    site_path = root / SITE_FILE
    if site_path.is_file():
        site, found = read(load_yaml_file, site_path, "site")
        findings += found
    else:
        findings.append(
            error(
                display(site_path),
                1,
                1,
                "site.yaml",
                "expected the site settings file (title, base_url, disclaimer, ...), found none",
            )
        )
    catalogue_path = root / CATALOGUE_FILE
    if catalogue_path.is_file():
        catalogue, found = read(load_yaml_file, catalogue_path, "catalogue")
        findings += found
    listed: list[tuple[str, str]] = []
    for folder, kind in DOCUMENT_DIRS.items():
        paths, found = cache.markdown_in(root / folder) if cache else find_markdown(root / folder)
        findings += found
        listed += ((path, kind) for path in paths)
    documents: list[RawDocument] = []
    for path, kind in listed:
        doc, found = read(load_markdown_file, path, kind)
        documents.append(doc)
        findings += found
        if progress and (len(documents) % 250 == 0 or len(documents) == len(listed)):
            progress(len(documents), len(listed))
    if cache:
        cache.expected = None  # the events were for this load only
    assets = find_assets(root)
    findings += check_assets(assets, functools.partial(display_in, root))
    return LoadedContent(root, site, catalogue, documents, assets, findings)
