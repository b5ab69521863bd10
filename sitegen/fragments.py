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

A part may hold parts (a letter of the A to Z, around its cards): it reads what
they read, and when it is given again the parts inside it count as shown too,
so that they are there to reuse when the outer part must be made again.

A kept part also depends on every file in `templates/` (a macro it calls may
come from any template the page loaded). The parts are kept in the session's
memory only, like compiled templates, and only for the pages rendered last; a
build from the command line keeps none.

A page's parts checked in the build whose record is the store's last commit
need no print worked out: a key they read prints differently only if the build
found it changed (`changed`, the keys `stale_pages` found). Parts checked
longer ago, or in a build that failed, are checked key by key.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import eq
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

import jinja2
import jinja2.runtime
import jinja2.utils
from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

if TYPE_CHECKING:
    from .record import Reads


@dataclass(frozen=True)
class Fragment:
    html: Markup
    templates: str  # the print of the templates folder it was rendered with
    reads: tuple[str, ...]  # each key it read
    prints: tuple[str, ...]  # and its print then
    inner: tuple[tuple[Any, Fragment], ...] = ()  # the parts inside it, at any depth


class PageParts(NamedTuple):
    """The parts a page showed, as checked for one commit of the store."""

    commit: int  # `Store.commits` once the build that checked them committed
    parts: dict[Any, Fragment]  # by identity: where it stands, the values it uses


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
        self.environment.showed_parts = True  # type: ignore[attr-defined]
        fragments: Fragments | None = getattr(self.environment, "fragments", None)
        if fragments is None:
            return caller()
        links = (context.get("page_url"), context.get("root_links"))  # what url() reads
        return fragments.part((where, links), used, caller)


class Fragments:
    """The kept parts of each page (by its URL), and the making and reuse of them."""

    def __init__(self, kept: dict[str, PageParts], templates: str,
                 print_of: Callable[[str], str], commit: int) -> None:  # fmt: skip
        """`kept`: the session's, by page URL; `templates`: the print of the templates
        folder now; `print_of`: a key's print now; `commit`: the store's count of commits
        once this build has committed."""
        self.kept = kept
        self.templates = templates
        self.print_of = print_of
        self.commit = commit
        # The keys whose prints changed since the store's last commit, if that was of
        # the last build of this session that kept its pages (`Session`); else None.
        self.changed: frozenset[str] | None = None
        self.quick = False  # the page's parts were checked for the last commit
        self.reads: Reads | None = None
        # What rendering reports besides output (untranslated interface strings, links
        # not checked): `hold()` sets what was reported so far aside, `merge(held)`
        # adds it back and says whether anything was reported in between.
        self.hold: Callable[[], Any] | None = None
        self.merge: Callable[[Any], bool] = bool
        self.before: dict[Any, Fragment] = {}
        self.now: dict[Any, Fragment] = {}
        self.shown: list[tuple[Any, Fragment]] | None = None  # inside the part being made
        self.identities = Identities()  # the page's

    def bind(self, reads: Reads, hold: Callable[[], Any], merge: Callable[[Any], bool]) -> None:
        """Note reads in `reads`; set what was reported aside and back with `hold`, `merge`."""
        self.reads, self.hold, self.merge = reads, hold, merge

    def start(self, url: str) -> None:
        page = self.kept.get(url)
        self.before, self.now = (page.parts if page else {}), {}
        last = page is not None and page.commit == self.commit - 1
        self.quick = last and self.changed is not None
        self.identities = Identities()

    def finish(self, url: str, rendered: bool) -> None:
        """Keep the parts the page showed this time (none if it failed to render)."""
        if rendered:
            self.kept[url] = PageParts(self.commit, self.now)
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
            part = self.identities.of(value)
            if part is None:
                return caller()
            identity.append(part)
        key = tuple(identity)
        found = self.now.get(key)  # shown already on this page: true now
        if found is None and (found := self.before.get(key)) and not self.still_true(found):
            found = None
        if found is not None:
            reads.keys.update(found.reads)
            self.show(key, found)
            return found.html
        outer, reads.keys = reads.keys, set()
        around, self.shown = self.shown, []
        held = self.hold()
        try:
            html = caller()
        finally:
            inner, reads.keys = reads.keys, outer
            outer.update(inner)
            shown, self.shown = self.shown, around
            reported = self.merge(held)
        if not reported:
            read = tuple(inner)
            prints = tuple(map(self.print_of, read))
            self.show(key, Fragment(Markup(html), self.templates, read, prints, tuple(shown)))
        return html

    def show(self, key: Any, fragment: Fragment) -> None:
        """Note a part as shown on this page, with the parts inside it."""
        self.now[key] = fragment
        self.now.update(fragment.inner)
        if self.shown is not None:
            self.shown.append((key, fragment))
            self.shown += fragment.inner

    def still_true(self, fragment: Fragment) -> bool:
        if fragment.templates != self.templates:
            return False
        if self.quick:
            return self.changed.isdisjoint(fragment.reads)  # type: ignore[union-attr]
        return all(map(eq, map(self.print_of, fragment.reads), fragment.prints))


class Identities:
    """What tells one value a part uses from another across builds (what is read
    of it is recorded apart), or None where sameness cannot be told.

    Types are compared exactly, never with isinstance: the recording views answer
    for the model they wrap, and asking today's date anything counts as reading
    it. A recording view tells its own identity (`_fragment_identity`: its type and
    which view it is, as a document's prefix, which its `meta` shares). A function
    or macro is its code and the values it closes over (a macro made in a loop
    holds the loop's value); a template's context, which a macro closes over, is
    every value it holds. The part of a context that cannot change while a page
    renders is worked out once a page (`fixed`)."""

    def __init__(self) -> None:
        self.fixed: dict[int, tuple[Any, Any, list[str]]] = {}  # id -> context, identity, names
        self.busy: set[int] = set()  # contexts being told apart (a macro in one holds it)
        self.made: dict[int, tuple[Any, list[Any], Any]] = {}  # id -> function, inputs, identity

    def of(self, value: Any) -> Any:
        kind = type(value)
        if kind in PLAIN:
            return (kind, value)
        told = getattr(kind, "_fragment_identity", None)
        if told is not None:  # a recording view: what is read of it is recorded apart
            return told(value)
        if kind is types.MethodType:
            return value.__func__.__code__
        if kind is types.FunctionType:
            return self.function(value)
        if kind is jinja2.runtime.Macro:
            return self.function(value._func)
        if kind is jinja2.runtime.Context:
            return self.context(value)
        if kind is types.BuiltinFunctionType:
            return (kind, value.__qualname__)
        if kind is type or value is jinja2.utils.missing:
            return value
        if kind in CHANGING:
            return self.items(value.items() if kind is dict else enumerate(value), kind)
        if issubclass(kind, jinja2.Undefined):
            return jinja2.Undefined
        if issubclass(kind, jinja2.Environment):  # its templates are in `Fragment.templates`
            return jinja2.Environment
        return None

    def items(self, pairs: Iterable[tuple[Any, Any]], kind: Any = None) -> Any:
        told = [kind]
        for name, value in pairs:
            part = self.of(value)
            if part is None:
                return None
            told += (name, part)
        return tuple(told)

    def function(self, function: types.FunctionType) -> Any:
        """Its code and what it closes over. Told once a page, then again only when
        something it holds is no longer the same object, or may have changed inside
        (a list, a dict), or holds a function that was told again (`same`)."""
        made = self.made.get(id(function))
        if made is not None and made[0] is function and self.same(made[1], set()):
            return made[2]
        inputs: list[tuple[Callable[[], Any] | None, Any]] = []
        held = []
        identity: Any = None
        for cell in function.__closure__ or ():
            try:
                contents = cell.cell_contents
            except ValueError:  # a cell not filled yet
                break
            if type(contents) is jinja2.runtime.Context:  # a macro's template's context
                names = names_in(function.__code__)
                if names is None:
                    inputs.append((None, None))  # all of it: told every time
                    part = self.context(contents)
                else:
                    found = [(name, contents.resolve_or_missing(name))
                             for name in names if name in contents]  # fmt: skip
                    inputs += [(functools.partial(contents.resolve_or_missing, name), value)
                               for name, value in found]  # fmt: skip
                    part = self.context(contents, found)
            else:
                inputs.append((functools.partial(getattr, cell, "cell_contents"), contents))
                part = self.of(contents)
            if part is None:
                break
            held.append(part)
        else:
            identity = (function.__code__, *held)
        self.made[id(function)] = (function, inputs, identity)
        return identity

    def same(self, inputs: list[tuple[Callable[[], Any] | None, Any]], seen: set[int]) -> bool:
        """Whether what a function held when it was told is what it holds now."""
        for read, was in inputs:
            if read is None:
                return False
            now = read()
            if now is not was or type(now) in CHANGING:
                return False
            inner = now._func if type(now) is jinja2.runtime.Macro else now
            if type(inner) is types.FunctionType and id(inner) not in seen:
                seen.add(id(inner))
                made = self.made.get(id(inner))
                if made is None or made[0] is not inner or not self.same(made[1], seen):
                    return False
        return True

    def context(self, context: jinja2.runtime.Context,
                found: list[tuple[str, Any]] | None = None) -> Any:  # fmt: skip
        """`context` told by the values `found` in it (None: by all its values)."""
        key = id(context)
        if key in self.busy:
            return "this context"
        self.busy.add(key)
        try:
            if found is not None:
                return self.items(found)
            fixed = self.fixed.get(key)
            if fixed is None:
                parent = context.parent
                changing = [name for name, value in parent.items() if type(value) in CHANGING]
                told = self.items((name, value) for name, value in parent.items()
                                  if type(value) not in CHANGING)  # fmt: skip
                fixed = self.fixed[key] = (context, told, changing)  # held: its id stays its own
            if fixed[1] is None:
                return None
            now = self.items([*((name, context.parent[name]) for name in fixed[2]),
                              *context.vars.items()])  # fmt: skip
            return None if now is None else (fixed[1], now)
        finally:
            self.busy.discard(key)


@functools.cache
def names_in(code: types.CodeType) -> tuple[str, ...] | None:
    """The names Jinja's compiled code of a macro may look up in its template's
    context (each is a string constant of it: `resolve('url')`), with those our
    own functions read from it (`url()`: the page's address); None if it hands
    the whole context on (an include, `self`, `super()`)."""
    if not WHOLE_CONTEXT.isdisjoint(code.co_names):
        return None
    names = set(CONTEXT_READS)
    for constant in code.co_consts:
        if type(constant) is str:
            names.add(constant)
        elif type(constant) is types.CodeType:
            inner = names_in(constant)
            if inner is None:
                return None
            names.update(inner)
    return tuple(sorted(names))  # in order: a part's identity lists their values so


WHOLE_CONTEXT = frozenset({"get_all", "derived", "vars", "parent", "TemplateReference",
                           "get_exported", "exported_vars", "blocks", "super"})  # fmt: skip
CONTEXT_READS = frozenset({"page_url", "root_links"})  # Renderer._url, _link, _asset


def identity_of(value: Any) -> Any:
    return Identities().of(value)


CHANGING = frozenset({list, tuple, dict})  # told apart by what they hold when used
PLAIN = frozenset({str, Markup, int, float, bool, type(None)})
