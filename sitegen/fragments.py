"""Parts of a page kept from one `serve` build to the next: `{% fragment %}`.

A listing page shows a card for every condition; after an edit to one title
`serve` renders the listings again, and all but one of their cards come out
as they were. A template marks such a part:

    {% for doc in conditions %}{% fragment %}
      <li>…{{ doc.meta.title }}…</li>
    {% endfragment %}{% endfor %}

The part's output is kept with the keys it read (`record.Reads`) and their
prints, and given again when the same page shows it with the same values of
the names it uses while no key it read prints differently. The names it uses
are found in its source, so nothing is declared by hand: a part that uses a
value whose sameness cannot be told (a loop's counter, a namespace) is simply
rendered each time. So is one that reports something while it renders (an
interface string with no translation), so that its findings are not lost.

A kept part also depends on every template the page had loaded before it (a
macro it calls may come from any of them). The parts are kept in the
session's memory only, like compiled templates, and only for the pages
rendered last; a build from the command line keeps none.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import jinja2
import jinja2.runtime
from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

from .record import Reads, Recorded, RecordedDate, SiteView

TEMPLATE_PREFIX = "template:"


@dataclass(frozen=True)
class Fragment:
    html: Markup
    templates: str  # the print of the templates folder it was rendered with
    prints: tuple[tuple[str, str], ...]  # each key it read, and its print then


class FragmentExtension(Extension):
    """`{% fragment %}…{% endfragment %}`: renders its body through `Fragments.part`
    with the values of the names the body uses, read where the tag stands."""

    tags: ClassVar[set[str]] = {"fragment"}

    def parse(self, parser: Any) -> nodes.Node:
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endfragment",), drop_needle=True)
        names = sorted({name.name for node in body for name in node.find_all(nodes.Name)
                        if name.ctx == "load"})  # fmt: skip
        used = nodes.List([nodes.Name(n, "load") for n in names])
        where = nodes.Const(f"{parser.name}:{lineno}")
        call = self.call_method("_part", [where, used, nodes.ContextReference()], lineno=lineno)
        return nodes.CallBlock(call, [], [], body, lineno=lineno)

    def _part(self, where: str, used: list[Any], context: Any,
              caller: Callable[[], str]) -> str:  # fmt: skip
        fragments: Fragments | None = getattr(self.environment, "fragments", None)
        if fragments is None:
            return caller()
        links = (context.get("page_url"), context.get("root_links"))  # what url() reads
        return fragments.part((where, links), used, caller)


class Fragments:
    """The kept parts of each page (by its URL), and the making and reuse of them."""

    def __init__(self, kept: dict[str, dict[Any, Fragment]], templates: str) -> None:
        """`kept`: the session's (page URL -> the part's identity -> the part);
        `templates`: the print of the templates folder now."""
        self.kept = kept
        self.templates = templates
        self.reads: Reads | None = None
        self.print_of: Callable[[str], str] = str
        # What rendering reports besides output (untranslated interface strings, links
        # not checked): `hold()` sets what was reported so far aside, `merge(held)`
        # adds it back and says whether anything was reported in between.
        self.hold: Callable[[], Any] | None = None
        self.merge: Callable[[Any], bool] = bool
        self.before: dict[Any, Fragment] = {}
        self.now: dict[Any, Fragment] = {}

    def bind(self, reads: Reads, print_of: Callable[[str], str], hold: Callable[[], Any],
             merge: Callable[[Any], bool]) -> None:  # fmt: skip
        self.reads, self.print_of, self.hold, self.merge = reads, print_of, hold, merge

    def start(self, url: str) -> None:
        self.before, self.now = self.kept.get(url, {}), {}

    def finish(self, url: str, rendered: bool) -> None:
        """Keep the parts the page showed this time (none if it failed to render)."""
        if rendered:
            self.kept[url] = self.now
        else:
            self.kept.pop(url, None)
        self.before, self.now = {}, {}

    def forget(self, urls: set[str]) -> None:
        """Drop the parts of pages the site no longer has."""
        for url in self.kept.keys() - urls:
            del self.kept[url]

    def part(self, where: Any, used: list[Any], caller: Callable[[], str]) -> str:
        reads = self.reads
        if reads is None or reads.keys is None or self.hold is None:
            return caller()
        identity = [where]
        for value in used:
            part = identity_of(value)
            if part is None:
                return caller()
            identity.append(part)
        key = tuple(identity)
        found = self.now.get(key) or self.before.get(key)
        if found is not None and self.still_true(found):
            reads.keys.update(read for read, _ in found.prints)
            self.now[key] = found
            return found.html
        outer, reads.keys = reads.keys, set()
        held = self.hold()
        try:
            html = caller()
        finally:
            inner, reads.keys = reads.keys, outer
            outer.update(inner)
            reported = self.merge(held)
        if not reported:
            prints = tuple((read, self.print_of(read)) for read in inner)
            self.now[key] = Fragment(Markup(html), self.templates, prints)
        return html

    def still_true(self, fragment: Fragment) -> bool:
        if fragment.templates != self.templates:
            return False
        print_of = self.print_of
        return all(print_of(read) == print_then for read, print_then in fragment.prints)


def identity_of(value: Any) -> Any:
    """What tells one value a part uses from another across builds (what is read
    of it is recorded apart), or None where sameness cannot be told. Types are
    compared exactly, never with isinstance: the recording views answer for the
    model they wrap, and asking today's date anything counts as reading it."""
    kind = type(value)
    if kind in PLAIN:
        return (kind, value)
    if kind in RECORDED_VIEWS:  # a document and its `meta` share their prefix
        return (kind, object.__getattribute__(value, "_prefix"))
    if kind is types.MethodType:
        return value.__func__.__code__
    if kind is types.FunctionType:
        return value.__code__  # equal for the same code compiled again
    if kind is jinja2.runtime.Macro:
        return value._func.__code__
    if kind is RecordedDate or kind is SiteView:  # what is read of them is recorded
        return (kind, getattr(value, "lang", None) if kind is SiteView else None)
    if kind in (list, tuple):
        items = tuple(identity_of(item) for item in value)
        return None if None in items else (kind, items)
    if issubclass(kind, jinja2.Undefined):
        return jinja2.Undefined
    return None


PLAIN = frozenset({str, Markup, int, float, bool, type(None)})


def recorded_types() -> frozenset[type]:
    return frozenset({Recorded, *Recorded.__subclasses__()})


RECORDED_VIEWS = recorded_types()
