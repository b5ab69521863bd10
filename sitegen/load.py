"""Stage 1: read `content/` into raw documents whose every value keeps its position.

Nothing here judges the content beyond what is needed to read it: a file that
cannot be read (not UTF-8, broken YAML, no front matter) becomes a finding and
the rest of the content is still loaded, so every problem is reported at once.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .assets import check_file
from .explain import yaml_syntax
from .findings import Finding, error, warning
from .fs import (
    UnreadableError,
    display_in,
    display_link,
    link_problem,
    read_stamped,
    walk,
)
from .markdown import check_markdown

try:
    from yaml._yaml import CParser as Parser
except ImportError:  # pragma: no cover - pure-Python PyYAML
    from yaml.composer import Composer
    from yaml.parser import Parser as PythonParser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class Parser(Reader, Scanner, PythonParser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            PythonParser.__init__(self)
            Composer.__init__(self)


Loc = tuple[str | int, ...]

BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
MERGE_TAG = "tag:yaml.org,2002:merge"


class CoreResolver(yaml.resolver.BaseResolver):
    """YAML 1.2's core schema: a plain value is read as true or false, null, or a
    number only when written exactly as one (`true`, `null`, `12`, `0x1F`, `1.5e3`);
    everything else is text, as the editor wrote it. PyYAML's own rules are YAML
    1.1's, which read `no` as false, `On` as true, `1:30` as 90 and `2026-11-20`
    as a date; here those are text (the models read dates from text). The merge
    key `<<` is kept: YAML 1.1 defined it and editors use it to share fields."""


for _tag, _pattern, _first in (
    (BOOL_TAG, r"true|True|TRUE|false|False|FALSE", "tTfF"),
    (NULL_TAG, r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    (INT_TAG, r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
    (
        FLOAT_TAG,
        r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        "-+.0123456789",
    ),
    (MERGE_TAG, r"<<", "<"),
):
    CoreResolver.add_implicit_resolver(_tag, re.compile(f"^(?:{_pattern})$"), list(_first))


class CoreConstructor(yaml.constructor.SafeConstructor):
    """PyYAML's safe constructor, with integers read as YAML 1.2 writes them: `0o17`
    octal, `0x1F` hexadecimal, anything else decimal (YAML 1.1 read `017` as octal)."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        value = self.construct_scalar(node)
        sign, digits = (-1, value[1:]) if value[:1] == "-" else (1, value.lstrip("+"))
        if digits[:2] in ("0o", "0x"):
            return sign * int(digits[2:], 8 if digits[1] == "o" else 16)
        return sign * int(digits)


CoreConstructor.add_constructor(INT_TAG, CoreConstructor.construct_yaml_int)


class SafeLoader(Parser, CoreConstructor, CoreResolver):
    """libyaml's parser (when PyYAML has it: the speed of CSafeLoader), PyYAML's safe
    constructor and the YAML 1.2 core schema."""

    def __init__(self, stream: str) -> None:
        Parser.__init__(self, stream)
        CoreConstructor.__init__(self)
        CoreResolver.__init__(self)


SITE_FILE = "site.yaml"
CATALOGUE_FILE = "packages.yaml"
CLAIMS_FILE = "claims.yaml"
IMAGES_DIR = "images"
DOCUMENT_DIRS = {"conditions": "condition", "pages": "page"}
PLAIN_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
STRING_TAG = "tag:yaml.org,2002:str"
NUMBER_TAGS = {INT_TAG, FLOAT_TAG}
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
    readable: bool = True  # its YAML was read (a repeated field does not stop that)
    body_within_limits: bool = True  # its Markdown is within `check_markdown`'s limits
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


def read_text(
    path: Path, shown: str, boundary: Path | None = None, limit: int | None = None
) -> tuple[str | None, list[Finding]]:
    """The text of a content file, or None and the finding that says why it cannot be
    read as text: a refused link or not a file (`fs.read_stamped`; `boundary`: the
    file's own folder unless given), more than `limit` bytes, not UTF-8."""
    try:
        raw, _ = read_stamped(path, boundary or path.parent)
    except UnreadableError as exc:
        return None, [error(shown, 1, 1, exc.field, exc.message)]
    except OSError as exc:
        return None, [
            error(shown, 1, 1, "file", f"expected a file that can be read, found: {exc.strerror}")
        ]
    if limit is not None and len(raw) > limit:
        return None, [error(shown, 1, 1, "size", too_large(len(raw), limit))]
    return decode_text(raw, shown)


def too_large(size: int, limit: int, setting: str | None = None) -> str:
    set_by = f" (limits: {setting} in site.yaml)" if setting else ""
    return (
        f"expected a file of at most {limit // 1024:,} KB{set_by}, "
        f"found {-(-size // 1024):,} KB; split it into smaller files"
    )


def decode_text(raw: bytes, shown: str) -> tuple[str | None, list[Finding]]:
    """A file's bytes as text (None, with a finding, if they are not UTF-8)."""
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


class YamlLimitError(Exception):
    """A YAML document past one of the limits below; `finding` says which and where."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


# Bounds on what one YAML document may build, so that a few hundred bytes cannot
# ask for gigabytes: aliases of aliases (`*a`, each repeating a list of `*b`, ...)
# grow with every level. The content model nests values 6 deep.
MAX_YAML_DEPTH = 64
MAX_YAML_ALIASES = 1_000  # uses of an anchored list or mapping, each `*name`
MAX_YAML_REPEATED = 100_000  # values those uses repeat, all told
MAX_NUMBER_LENGTH = 100  # longer numbers stay text: base-60 ones take time squared


@dataclass
class YamlReading:
    """What building one document's values needs and keeps track of."""

    loader: Any
    positions: Positions
    findings: list[Finding]
    shown: str
    first_line: int  # the line of the file where the document starts
    built: dict[int, int] = field(default_factory=dict)  # id of each list and mapping
    # built -> how many of its pairs a merge key (`<<: *name`) brought in
    aliases: int = 0
    repeated: int = 0
    alias_at: tuple[int, int] = (1, 1)  # where the alias being expanded was written

    def at(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + self.first_line, node.start_mark.column + 1

    def too_much(self, where: tuple[int, int], message: str) -> YamlLimitError:
        return YamlLimitError(error(self.shown, *where, "yaml", message))


def parse_yaml(text: str, shown: str, first_line: int = 1) -> tuple[Any, Positions, list[Finding]]:
    """Parse one YAML document, recording the position of every value and key."""
    loader = SafeLoader(text)
    positions = Positions()
    findings: list[Finding] = []
    try:
        node = loader.get_single_node()
        if node is None:
            return None, positions, findings
        reading = YamlReading(loader, positions, findings, shown, first_line)
        return _construct(reading, node, (), 0, False), positions, findings
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        opened = exc.context_mark
        (line, col), message = yaml_syntax(
            (exc.problem or "a syntax error").rstrip("."),
            exc.context or "",
            text,
            (mark.line, mark.column) if mark else (0, 0),
            (opened.line, opened.column) if opened else None,
        )
        findings.append(error(shown, line + first_line, col + 1, "yaml", message))
        return None, positions, findings
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = text.count("\n", 0, exc.position) + first_line
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        character = exc.character if isinstance(exc.character, str) else chr(exc.character)
        message = (
            f"expected valid YAML, found the character U+{ord(character):04X}, which YAML "
            "does not allow in a file (write it as an escape in double quotes, like \\x1f)"
        )
        return None, positions, [*findings, error(shown, line, col, "yaml", message)]
    except YamlLimitError as exc:
        return None, positions, [*findings, exc.finding]
    except RecursionError:  # merge keys (`<<:`) nested deeper than Python's stack
        message = f"expected values nested at most {MAX_YAML_DEPTH} levels deep, found deeper"
        return None, positions, [*findings, error(shown, first_line, 1, "yaml", message)]
    finally:
        loader.dispose()


def _construct(reading: YamlReading, node: yaml.Node, loc: Loc, depth: int, repeat: bool) -> Any:
    """The value of `node` at `loc`; `repeat` tells that an alias is being expanded."""
    positions, first_line = reading.positions, reading.first_line
    mark = node.start_mark
    where = positions.values[loc] = (mark.line + first_line, mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        if repeat:
            _count_repeat(reading)
        positions.spans[loc] = (mark.index, node.end_mark.index)
        return node.value if node.tag == STRING_TAG else _scalar(reading, node)
    if node.tag not in PLAIN_COLLECTION_TAGS:
        message = f"expected a plain YAML value, found the tag '{node.tag}'"
        reading.findings.append(error(reading.shown, *where, "yaml", message))
        return None
    if depth == MAX_YAML_DEPTH:
        raise reading.too_much(
            where,
            f"expected values nested at most {MAX_YAML_DEPTH} levels deep, found deeper"
            + (" (an alias inside the value it names)" if repeat else ""),
        )
    built = reading.built
    merged = built.get(id(node))
    if merged is not None:  # an alias (`*name`) of a list or mapping built before
        reading.aliases += 1
        if not repeat:
            reading.alias_at = positions.keys.get(loc) or positions.of_value(loc[:-1])
        if reading.aliases > MAX_YAML_ALIASES:
            raise reading.too_much(
                reading.alias_at,
                f"expected at most {MAX_YAML_ALIASES:,} aliases (*name) of lists and "
                "mappings in one file, found more",
            )
        repeat = True
    if repeat:
        _count_repeat(reading)
    depth += 1
    if isinstance(node, yaml.MappingNode):
        if merged is None:
            own = node.value
            reading.loader.flatten_mapping(node)  # merged pairs first, then `own` without `<<`
            merged = built[id(node)] = len(node.value) - len(own)
            if merged:  # merged pairs are repeated values too
                if not repeat:
                    reading.alias_at = where
                _count_repeat(reading, merged)
        pairs = _effective_pairs(reading, node.value, merged) if merged else node.value
        result: dict[Any, Any] = {}
        keys = positions.keys
        for key_node, value_node in pairs:
            key = key_node.value if key_node.tag == STRING_TAG else _key(reading, key_node)
            mark = key_node.start_mark
            key_at = (mark.line + first_line, mark.column + 1)
            if key in result:
                reading.findings.append(
                    error(
                        reading.shown,
                        *key_at,
                        ".".join(map(str, (*loc, key))),
                        f"expected each field once, found '{key}' a second time",
                    )
                )
            keys[(*loc, key)] = key_at
            result[key] = _construct(reading, value_node, (*loc, key), depth, repeat)
        return result
    built[id(node)] = 0
    return [
        _construct(reading, item, (*loc, index), depth, repeat)
        for index, item in enumerate(node.value)
    ]


def _key(reading: YamlReading, node: yaml.Node) -> str | int:
    key = node.value if node.tag == STRING_TAG else _scalar(reading, node)
    return key if isinstance(key, (str, int)) else str(key)


def _effective_pairs(
    reading: YamlReading, pairs: list[tuple[yaml.Node, yaml.Node]], merged: int
) -> list[tuple[yaml.Node, yaml.Node]]:
    """The pairs of a mapping with merge keys (`<<: *base`), whose first `merged` pairs
    came from the mappings named: each of those is kept unless the mapping writes its
    key itself, or an earlier one named has it (YAML's rule)."""
    written = {_key(reading, key_node) for key_node, _ in pairs[merged:]}
    kept = []
    for key_node, value_node in pairs[:merged]:
        key = _key(reading, key_node)
        if key not in written:
            written.add(key)
            kept.append((key_node, value_node))
    return kept + pairs[merged:]


def _count_repeat(reading: YamlReading, count: int = 1) -> None:
    reading.repeated += count
    if reading.repeated > MAX_YAML_REPEATED:
        raise reading.too_much(
            reading.alias_at,
            f"expected aliases (*name) to repeat at most {MAX_YAML_REPEATED:,} values in all, "
            "found more (aliases of aliases multiply); write the values out instead",
        )


def _scalar(reading: YamlReading, node: yaml.Node) -> Any:
    """A scalar's value, as PyYAML's constructor would make it (strings are not
    passed here: they are their node's value)."""
    if not isinstance(node, yaml.ScalarNode):
        return f"<{node.id}>"  # a list or mapping as a key: named, never printed whole
    if len(node.value) > MAX_NUMBER_LENGTH and node.tag in NUMBER_TAGS:
        return node.value  # the model reports it as not a number, by field
    try:
        return reading.loader.construct_object(node, deep=True)
    except ValueError:
        return node.value  # e.g. 2026-13-01: the model's type check reports it by field
    except yaml.constructor.ConstructorError as exc:
        reading.findings.append(
            error(
                reading.shown,
                *reading.at(node),
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


def split_stem(stem: str) -> tuple[str, str | None]:
    """A document file's name without `.md` -> its slug and, for a translation
    (`glaucoma.es`), its language; (`glaucoma`, None) for a page in the default one."""
    slug, _, suffix = stem.rpartition(".")
    if slug and TRANSLATION_SUFFIX.match(suffix):
        return slug, suffix
    return stem, None


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
