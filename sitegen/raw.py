"""One content file as read, before anything in it is judged: its text, its YAML with
the position of every value and key, its Markdown body apart from its front matter.

The loader (stage 1) reads the content through here, and so does the claims linter
its rule files. YAML is read as YAML 1.2 writes it, within bounds a small hostile
file cannot push past, and a syntax error is said as an editor reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .findings import Finding, error
from .fs import UnreadableError, read_stamped

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


def split_stem(stem: str) -> tuple[str, str | None]:
    """A document file's name without `.md` -> its slug and, for a translation
    (`glaucoma.es`), its language; (`glaucoma`, None) for a page in the default one."""
    slug, _, suffix = stem.rpartition(".")
    if slug and TRANSLATION_SUFFIX.match(suffix):
        return slug, suffix
    return stem, None


# YAML's syntax errors, said as an editor reads them --------------------------------

INDENT = re.compile(r"[ ]*")
KEY_WITHOUT_SPACE = re.compile(r"^\s*(?:-\s+)?[^\s:#'\"\[{][^:#]*:[^\s:/]")
KEY = re.compile(r"^\s*(?:-\s+)?[^\s:#][^:#]*:(?:\s|$)")


def yaml_syntax(problem: str, context: str, text: str, at: tuple[int, int],
                opened: tuple[int, int] | None) -> tuple[tuple[int, int], str]:  # fmt: skip
    """Where a YAML syntax error is and what to do about it, in an editor's words:
    `problem` and `context` are the parser's own words, `at` its (line, column) from
    0, `opened` where what it was reading began. The parser's words are kept at the
    end of a message only when no plainer one fits."""
    lines = text.splitlines() or [""]
    line = lines[min(at[0], len(lines) - 1)] if at[0] < len(lines) else ""
    above = previous_line(lines, at[0])
    indent = len(INDENT.match(line)[0])  # type: ignore[index]
    if "tab" in problem or (at[1] < len(line) and line[at[1]] == "\t"):
        return at, "expected spaces to indent, found a tab (YAML allows only spaces: replace it)"
    if "quoted scalar" in context and "end of stream" in problem and opened:
        quote = lines[opened[0]][opened[1]] if opened[1] < len(lines[opened[0]]) else '"'
        return opened, (f"expected a closing {quote} for the quote that starts here, found "
                        "the end of the text (close it, or leave the quotes out)")  # fmt: skip
    if "flow sequence" in context and opened:
        return opened, ("expected a ']' closing the list that starts here (and ', ' between "
                        "its items), found none")  # fmt: skip
    if "flow mapping" in context and opened:
        return opened, ("expected a '}' closing the fields that start here (and ', ' between "
                        "them), found none")  # fmt: skip
    if "simple key" in context and opened:
        written = lines[opened[0]].strip()
        if KEY_WITHOUT_SPACE.match(lines[opened[0]]) and not KEY.match(lines[opened[0]]):
            return (opened[0], 0), (f"expected a space after the ':' in '{written[:40]}', "
                                    "found none (a field is written 'name: value')")  # fmt: skip
        return opened, (f"expected 'name: value', found no ': ' in '{written[:40]}' (a field's "
                        "name ends with a colon and a space)")  # fmt: skip
    if "cannot start any token" in problem:
        sign = line[at[1]] if at[1] < len(line) else "?"
        return at, (f"expected a value, found '{sign}' at its start, which YAML keeps for "
                    "itself (put the value in quotes)")  # fmt: skip
    if "undefined alias" in problem:
        return at, "expected an anchor (&name) above for this alias (*name), found none"
    if "another document" in problem:
        return at, "expected one YAML document, found a '---' line that starts another"
    key = KEY.match(line)
    if "mapping values" in problem and key and key.end() <= at[1]:
        name, value = line[: key.end()].strip(), line[key.end() :].strip()
        return at, (f"expected the value in quotes, as it holds ': ' (write {name} "
                    f"\"{value[:40]}\"), found it without")  # fmt: skip
    if "expected key" in problem and line[: at[1]].rstrip().endswith(("'", '"')):
        return at, ("expected the end of the value after its closing quote, found more text "
                    "(put the whole value in quotes)")  # fmt: skip
    if above is not None and ("expected '-' indicator" in problem or "expected key" in problem
                              or "mapping values are not allowed" in problem):  # fmt: skip
        above_line = lines[above]
        if KEY_WITHOUT_SPACE.match(above_line) and not KEY.match(above_line):
            return (above, 0), (f"expected a space after the ':' in '{above_line.strip()[:40]}', "
                                "found none (a field is written 'name: value')")  # fmt: skip
        above_indent = len(INDENT.match(above_line)[0])  # type: ignore[index]
        if "mapping values" in problem and indent > above_indent and not KEY.match(above_line):
            return (above, 0), (f"expected 'name: value', found no ': ' in "
                                f"'{above_line.strip()[:40]}' (a field's name ends with a colon "
                                "and a space)")  # fmt: skip
        if indent != above_indent and line.strip():
            return (at[0], indent), (
                f"expected this line to line up with the line above ({spaces(above_indent)}) "
                f"or with one further up, found {spaces(indent)}: the fields of one item line "
                "up under each other, and each item of a list starts with '- '"
            )
        if "expected '-' indicator" in problem:
            return (at[0], indent), ("expected '- ' at the start of this line, as the lines "
                                     "above it are the items of a list, found none")  # fmt: skip
    said = f" ({context})" if context else ""
    return at, f"expected valid YAML, found a syntax error: {problem}{said}"


def previous_line(lines: list[str], index: int) -> int | None:
    """The last line before `index` that holds something besides a comment."""
    for before in range(min(index, len(lines)) - 1, -1, -1):
        stripped = lines[before].strip()
        if stripped and not stripped.startswith("#"):
            return before
    return None


def spaces(count: int) -> str:
    return f"{count} space{'s' if count != 1 else ''}"
