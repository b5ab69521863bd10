"""Stage 3: pages of the validated Site -> bytes, each with what it read.

One Jinja environment (autoescaping on, undefined names are errors) renders
models, not dicts. Everything a template or the Markdown stage can reach (the
site, its settings, documents, the catalogue, today's date, theme files,
included templates) is reached through `record`'s views, so rendering a page
also says exactly what the page read. Links between pages are relative, so the
site works from any sub-path and from disk.
"""

from __future__ import annotations

import functools
import hashlib
import os
import random
import re
import traceback
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from .assets import HEADERS_FILE, PAGE_POLICY, headers_file
from .explain import missing_in_template
from .feed import FEED_URL, feed_context
from .findings import Finding, error
from .fragments import FragmentExtension, Fragments
from .fs import display, display_link, link_problem
from .i18n import Catalogues
from .markdown import MarkdownConverter, PageContext
from .models import (
    Document,
    EvidenceLevel,
    Package,
    PackageText,
    RenderedPage,
    Site,
    SiteConfig,
    package_review_due,
)
from .record import Reads, RecordedDate, RecordingEnvironment, SiteView, plain_date
from .structured import theme_globals
from .theme import Theme
from .urls import directory_of, is_file, relative

RELATIVE_HREF = re.compile(r'(\b(?:href|src)=")(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)')

PageSource = Document | Package | None
# HTML, findings, what it read, links not checked (`Rendered.skipped`)
Converted = tuple[Markup, list[Finding], frozenset[str], list[Any]]
REDIRECT_TEMPLATE = "redirect.html"  # an alias: a page that sends readers to the page
SOURCE_PARTS = ("publisher", "year", "citation")  # a reference's details, after its title
PRINTED_AS_IS = frozenset({str, Markup, int, float, type(None)})  # `printable`'s quick way
# What Python writes for a function, a method or an object with no text of its own when
# it is turned into text (`{{ url | string }}`, `{{ 'a' ~ url }}`, `{{ [url] }}`): its
# place in memory, which differs from one build to the next (`in_memory`).
IN_MEMORY = re.compile(
    r"(?:<|&lt;)(?:(?P<how>bound method|function|built-in method|built-in function) "
    r"(?P<name>[\w.<>]+)(?: of (?:<|&lt;)(?P<owner>[\w.]+) object)?|(?P<type>[\w.]+) object)"
    r" at 0x(?P<address>[0-9a-fA-F]+)"
)
OURS = ("sitegen.", "jinja2.", "markupsafe.")  # modules whose objects no content can name
CONTAINERS = (list, tuple, dict, set, frozenset)


@dataclass(frozen=True)
class PageJob:
    """One page to render: its URL, its template and what it shows (a document in the
    default language: a page in another language shows its translation, if any)."""

    url: str
    template: str
    source: PageSource = None
    lang: str | None = None  # None: the site's default language
    # A package's page names its package, which is read (`Packages`) when it is rendered.
    package_id: str | None = None


@dataclass
class Rendered:
    page: RenderedPage | None  # None: it failed (see findings)
    findings: list[Finding]
    reads: frozenset[str]  # the keys it read (`record`)
    # links not checked because the file that would give their page has errors:
    # (that file, the file of the link, line, column)
    skipped: tuple[tuple[str, str, int, int], ...] = ()
    parts: bool = False  # it showed parts (`{% fragment %}`), kept or not


def long_date(value: date | None, lang: str = "en") -> str:
    """`2026-11-20` -> `20 November 2026`: unambiguous for readers everywhere; in
    another language, as Babel's CLDR data writes a long date in it."""
    if not value:
        return ""
    if lang == "en":
        return f"{value.day} {value:%B %Y}"
    from babel.dates import format_date

    return format_date(plain_date(value), "long", locale=lang.replace("-", "_"))


AZEntry = tuple[str, Any, str | None]  # a name, its condition, the title if another name
# The letters of an A to Z, in order, as the interface catalogue gives them in each language
# (a letter may be followed by the other forms filed under it: "اأإآ"): the default's.
LATIN_LETTERS = "A B C D E F G H I J K L M N O P Q R S T U V W X Y Z"
# Words a name's place in an A to Z leaves out, as library filing rules do (ALA-LC): the
# Arabic article, written joined to its word ("الزرق" is filed under ز).
FILING_ARTICLES = {"ar": ("ال",)}


@dataclass(frozen=True)
class Alphabet:
    """The letters of one or more A to Z alphabets, in order: each form a letter is
    written in (lower case) -> (its place, the letter as the index shows it)."""

    places: dict[str, tuple[int, str]]
    # Each character's place in a filing key (`filing_key`), as it is first met.
    ranks: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, *written: str) -> Alphabet:
        places: dict[str, tuple[int, str]] = {}
        for item in " ".join(written).split():
            forms = [form for form in item.casefold() if form not in places]
            if forms:
                place = (len(set(places.values())), item[0].upper())
                places.update(dict.fromkeys(forms, place))
        return cls(places)

    def place(self, char: str) -> tuple[int, str] | None:
        """Where a character is filed: as itself ("ñ" in Spanish), else as its letter
        without accents or marks ("é" as "e", "أ" as "ا"); None for no letter of it."""
        folded = char.casefold()
        found = self.places.get(folded)
        if found is None and folded:
            found = self.places.get(unicodedata.normalize("NFKD", folded)[0])
        return found


def filed_as(name: str, articles: tuple[str, ...] = ()) -> str:
    """A name as an A to Z files it: without a leading article that is not all of it."""
    for article in articles:
        if name.startswith(article) and len(name) > len(article):
            return name[len(article) :]
    return name


def filing_key(name: str, alphabet: Alphabet) -> tuple[Any, ...]:
    """The order of names in an A to Z: letter by letter in the alphabet's order, accents
    after their letters; spaces, digits and signs before letters, other letters after; a
    name before the longer names it begins."""
    ranks = alphabet.ranks
    for char in set(name) - ranks.keys():
        found = alphabet.place(char)
        if found is not None:
            ranks[char] = (1, found[0])
        elif char.isalpha():
            ranks[char] = (2, ord(char.casefold()))
        else:
            ranks[char] = (0, ord(char))
    return (tuple(map(ranks.__getitem__, name)), name.casefold(), name)


def a_to_z(conditions: list[Any], letters: str = LATIN_LETTERS,
           articles: tuple[str, ...] = ()) -> list[tuple[str, list[AZEntry]]]:  # fmt: skip
    """Every condition under its title and each name it is also known by, in A to Z
    order, grouped by first letter: the letters of `letters` (the page's language's
    alphabet), then the Latin ones for names left in the default language, then `#`
    for names that start with another sign. An entry is (name, condition, the
    condition's title when the name is another one)."""
    alphabet = Alphabet.of(letters, LATIN_LETTERS)
    entries: list[AZEntry] = []
    for doc in conditions:
        meta = doc.meta
        entries.append((meta.title, doc, None))
        entries += [(name, doc, meta.title) for name in meta.also_known_as]
    groups: dict[str, list[AZEntry]] = {}
    order: dict[str, int] = {"#": len(alphabet.places) + 1}
    filed = {name: filed_as(name, articles) for name, _, _ in entries}
    for entry in sorted(entries, key=lambda entry: filing_key(filed[entry[0]], alphabet)):
        found = alphabet.place(filed[entry[0]][:1])
        letter = found[1] if found else "#"
        if found:
            order[letter] = found[0]
        groups.setdefault(letter, []).append(entry)
    return sorted(groups.items(), key=lambda group: order[group[0]])


def index_letters(letters: str) -> list[str]:
    """The letters an A to Z's navigation shows, in order (`letters` as `a_to_z` takes
    them, in the page's language)."""
    return [item[0].upper() for item in letters.split()]


def template_position(exc: BaseException, templates_dir: Path) -> tuple[Path | None, int]:
    """The template file and line an exception was raised from, as Jinja reports it
    (the innermost frame in a file of the templates folder; None when there is none)."""
    root = templates_dir.resolve()
    found: tuple[Path | None, int] = (None, 1)
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(root) and path.is_file():
            found = (path, frame.lineno or 1)
    return found


class MissingValueError(jinja2.UndefinedError):
    """A template read a name, field or item that does not exist: `owner` is what it
    was read on (for a `variable`, nothing), `name` what was asked for."""

    def __init__(self, owner: Any, name: Any, variable: bool, message: str | None = None
                 ) -> None:  # fmt: skip
        super().__init__(message)
        self.owner, self.name, self.variable = owner, name, variable


class ExplainedUndefined(jinja2.StrictUndefined):
    """Jinja's strict undefined, whose error says what was read on what, so that the
    build can say what the object offers instead."""

    __slots__ = ()

    def __init__(self, hint: str | None = None, obj: Any = jinja2.utils.missing,
                 name: str | None = None, exc: Any = jinja2.UndefinedError) -> None:  # fmt: skip
        variable = obj is jinja2.utils.missing
        made = functools.partial(MissingValueError, None if variable else obj, name, variable)
        super().__init__(hint, obj, name, made if hint is None else exc)


class UnprintableError(jinja2.TemplateRuntimeError):
    """A template printed a function, a macro or the whole site (`{{ url }}` for
    `{{ url('…') }}`): Python would show its place in memory, which no reader can use
    and which differs from one build to the next. `names`: the names it may have been
    written by (`_` and `gettext` are one function)."""

    def __init__(self, names: list[str], what: str, hint: str | None = None) -> None:
        """`hint`: what to write instead (None: call it)."""
        self.names, self.what, self.hint = names, what, hint
        super().__init__(self.message(names[0]))

    def message(self, written: str) -> str:
        hint = self.hint or f"did you mean {written}(…)?"
        return f"expected a value to show, found {self.what} '{written}' ({hint})"

    def where(self, line: str) -> tuple[int, str]:
        """The column of the `{{ … }}` on the template's `line` that printed it, and the
        message naming it as written there (`loop.cycle`)."""
        for name in self.names:
            written = re.compile(rf"(?<![\w.'\"])((?:\w+\s*\.\s*)*{re.escape(name)})\b(?!\s*\()")
            for printed in re.finditer(r"\{\{.*?\}\}", line):
                if at := written.search(printed.group()):
                    return printed.start() + 1, self.message(re.sub(r"\s+", "", at.group(1)))
        return 1, str(self)


class GlobalNames(NamedTuple):
    """The names of the template globals that are functions: by the function's id, and
    by its qualified name (`Renderer._url` for `url`), as Python writes it in text."""

    by_id: dict[int, list[str]]
    by_qualname: dict[str, list[str]]


def unprintable(value: Any, names: Callable[[], GlobalNames]) -> UnprintableError | None:
    """Why `{{ value }}` cannot be shown (`names()`: the template globals' names, asked
    for only when a function was printed), or None when it can."""
    if isinstance(value, SiteView):
        return whole_site()
    if isinstance(value, jinja2.Undefined):
        return None
    if not callable(value):
        kind = type(value)
        if kind.__str__ is object.__str__ and kind.__repr__ is object.__repr__:
            return of_type(kind.__name__)  # `cycler()`
        if isinstance(value, CONTAINERS):  # printed with what it holds as Python writes it
            return in_memory(str(value), names)
        return None
    found = names().by_id.get(id(getattr(value, "__func__", value)))
    macro = isinstance(value, jinja2.runtime.Macro)
    if not found and not macro and not hasattr(value, "__name__"):  # `joiner()`
        return of_type(type(value).__name__, "call it to show what it gives")
    if not found:
        found = [getattr(value, "name", None) or getattr(value, "__name__", type(value).__name__)]
    return UnprintableError(found, "the macro" if macro else "the function")


def in_memory(text: str, names: Callable[[], GlobalNames]) -> UnprintableError | None:
    """Why a text cannot be shown: it holds what Python writes for one of the template
    globals, the site or an object of sitegen or Jinja turned into text; None when it
    holds no such thing. A page quoting such text (a post about Python) holds another
    place in memory, or another kind of object, and is shown as written."""
    if " at 0x" not in text:
        return None
    known = None
    for found in IN_MEMORY.finditer(text):
        how, name, owner, kind, address = found.group("how", "name", "owner", "type", "address")
        if kind is not None and kind.startswith(OURS):
            return whole_site() if kind.endswith(".SiteView") else of_type(kind)
        known = known or names()
        if (owner is not None and owner.startswith(OURS)) or (
            how == "function" and int(address, 16) in known.by_id
        ):
            written = known.by_qualname.get(name) or [name.rpartition(".")[2]]
            return UnprintableError(written, "the function")
    return None


def whole_site() -> UnprintableError:
    parts = "such as site.conditions, site.pages or site.packages"
    return UnprintableError(["site"], "the whole site", f"show one of its parts, {parts}")


def of_type(kind: str, hint: str = "show one of its fields") -> UnprintableError:
    return UnprintableError([kind.rpartition(".")[2]], "an object of type", hint)


class RefusedTemplateError(jinja2.TemplateNotFound):
    """A template that is a symbolic link out of the templates folder, or a loop."""

    def __init__(self, name: str, path: str, problem: str) -> None:
        super().__init__(name, problem)
        self.path, self.problem = path, problem


class ThemeLoader(jinja2.FileSystemLoader):
    """Jinja's loader for one templates folder, which never reads a template through
    a symbolic link that leads out of the folder or loops (`link_problem`)."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.folder = folder

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = os.path.join(self.folder, *jinja2.loaders.split_template_path(template))
        if os.path.islink(path) or os.path.realpath(path) != os.path.abspath(path):
            problem = link_problem(path, self.folder)
            if problem:
                raise RefusedTemplateError(template, path, problem)
        return super().get_source(environment, template)


def language_pages(site: Site, lang: str | None) -> list[PageJob]:
    """The pages of one language: the default's at the root, another's under `<lang>/`
    (every page, translated or not: one not translated shows the default language's)."""
    prefix = f"{lang}/" if lang else ""
    jobs = [PageJob(prefix, "home.html", lang=lang),
            PageJob(f"{prefix}conditions/", "conditions.html", lang=lang)]  # fmt: skip
    jobs += [PageJob(prefix + doc.url, "condition.html", doc, lang) for doc in site.documents
             if doc.kind == "condition"]  # fmt: skip
    jobs.append(PageJob(f"{prefix}packages/", "packages.html", lang=lang))
    jobs += [PageJob(f"{prefix}packages/{package_id}/", "package.html", lang=lang,
                     package_id=package_id) for package_id in site.packages.ids]  # fmt: skip
    jobs += [PageJob(prefix + doc.url, "page.html", doc, lang) for doc in site.pages]
    jobs += [PageJob(prefix + url, REDIRECT_TEMPLATE, site.item(key), lang)
             for url, key in sorted(site.redirects.items())]  # fmt: skip
    jobs.append(PageJob(f"{prefix}search/", "search.html", lang=lang))
    return jobs


def page_jobs(site: Site) -> list[PageJob]:
    """Every page of the site, HTML and other files, in output order."""
    jobs = language_pages(site, None)
    jobs.append(PageJob("404.html", "404.html"))
    jobs += [PageJob(url, url) for url in ("sitemap.xml", "feed.xml", "robots.txt", HEADERS_FILE)]
    for language in site.languages[1:]:
        jobs += language_pages(site, language.code)
        jobs.append(PageJob(f"{language.code}/feed.xml", "feed.xml", lang=language.code))
    return jobs


def language_of(url: str, site: Site) -> str | None:
    """The language of the page at `url`: None for the default, else its code."""
    first = url.partition("/")[0]
    return first if any(lang.code == first for lang in site.languages[1:]) else None


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's code of each template, by name: `codes` holds what this session
    compiled or was given (`serve` keeps it from one build to the next), `stored(name)`
    gives the code a store keeps, if any (sealed by this user: see `store.Store.code`).
    Jinja compiles a template again when its source's checksum differs from the one
    kept with its code; what it compiles is noted in `made`, for the build to keep.
    Templates compiled in a forked worker are not kept."""

    STEP = "template code"  # in the store, which is emptied when sitegen's code changes
    CONTEXT = f"Jinja {jinja2.__version__}"

    def __init__(self, codes: dict[str, bytes]) -> None:
        self.codes = codes
        self.stored: Callable[[str], bytes | None] | None = None
        self.made: set[str] = set()

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return name

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.codes.get(bucket.key)
        if code is None and self.stored is not None:
            code = self.stored(bucket.key)
            if code is not None:
                self.codes[bucket.key] = code
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()
        self.made.add(bucket.key)


class Renderer:
    def __init__(self, site: Site, templates_dir: Path, theme: Theme, today: date,
                 compiled: CompiledTemplates | None = None,
                 fragments: Fragments | None = None) -> None:  # fmt: skip
        """`fragments`: the parts of pages kept from the session's last builds (`serve`)."""
        self.templates_dir = templates_dir
        self.site = site
        self.reads = Reads()
        self.views = {None: SiteView(site, self.reads, theme.names)}
        for language in site.languages[1:]:
            self.views[language.code] = SiteView(site, self.reads, theme.names, language.code)
        self.view = self.views[None]
        self.lang: str | None = None  # the language of the page being rendered
        self.catalogues = Catalogues(templates_dir, self.reads, site.config.language)
        self.converter = MarkdownConverter()
        self.base_path = urlsplit(site.config.base_url).path
        self.env = RecordingEnvironment(
            loader=ThemeLoader(templates_dir),
            autoescape=True,
            undefined=ExplainedUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n", FragmentExtension],
            auto_reload=False,  # a renderer lasts one build: no template changes under it
            bytecode_cache=compiled,
            finalize=self.printable,
        )
        self.env.reads = self.reads
        self.fragments = self.env.fragments = fragments
        self.env.showed_parts = False  # set by `{% fragment %}` (`Rendered.parts`)
        if fragments is not None:
            fragments.bind(self.reads, self.hold_reports, self.merge_reports)
        self.env.globals.update(
            url=self._url,
            link=self._link,
            asset=self._asset,
            absolute=self._absolute,
            evidence_level=self.evidence_level,
            condition_title=self.condition_title,
            lang_of=self.lang_of,
            text_of=self.text_of,
            source_title=self.source_title,
            source_details=self.source_details,
            a_to_z=self.a_to_z,
            index_letters=index_letters,
            today=RecordedDate(today, self.reads),
            content_security_policy=Markup(PAGE_POLICY),
            lipsum=self.lipsum,
        )
        self.env.install_gettext_callables(  # type: ignore[attr-defined]
            self.gettext, self.ngettext, newstyle=True
        )
        self.formatted: dict[tuple[str, bool], str] = {}  # (message, escaped) -> as shown
        self.env.globals.update(gettext=self._gettext, _=self._gettext)
        self.env.filters["long_date"] = self.long_date
        self.env.filters["random"] = self.random_item
        self.page_url = ""  # the page being rendered: what `random` and `lipsum` depend on
        self.language_globals: dict[str | None, dict[str, Any]] = {}
        self.default_attributes = Markup("")  # `default_words_attributes`, for this page
        self.disclaimers: dict[tuple[str | None, str], Converted] = {}
        self.skipped: list[tuple[str, str, int, int]] = []  # the page's (`Rendered.skipped`)
        self.use(None)

    def use(self, lang: str | None) -> None:
        """Show the templates the site in `lang` (None: the default language)."""
        self.lang, self.view = lang, self.views[lang]
        self.default_attributes = default_words_attributes(self.site.config, lang)
        names = self.language_globals.get(lang)
        if names is None:
            view = self.view
            names = {"site": view, "config": view.config,
                     "publication_state": view.publication_state,
                     **theme_globals(view, view.theme)}  # type: ignore[arg-type]  # fmt: skip
            self.language_globals[lang] = names
        self.env.globals.update(names)

    # Helpers the templates call -------------------------------------------------

    def printable(self, value: Any) -> Any:
        """Jinja's `finalize`: what `{{ … }}` prints, which must not be a function, a
        macro or the whole site, nor text made of one (`unprintable`, `in_memory`)."""
        kind = value.__class__
        if kind in PRINTED_AS_IS:
            if kind is str or kind is Markup:
                problem = in_memory(value, self.global_names)
                if problem is not None:
                    raise problem
            return value
        if (problem := unprintable(value, self.global_names)) is not None:
            raise problem
        return value

    @jinja2.pass_context
    def random_item(self, context: Any, items: Any) -> Any:
        """Jinja's `random` filter, choosing the same item on the same page in every
        build: a page kept from the last build and one rendered again must agree.
        The choice depends on the page's URL, the template and how many items there
        are, never on what was chosen before on the page (a part kept by
        `{% fragment %}` chooses nothing when it is shown again)."""
        if not hasattr(items, "__getitem__"):
            items = list(items)  # `site.conditions | map(attribute='title') | random`
        count = len(items)
        if not count:
            return context.environment.undefined("No random item, sequence was empty.")
        key = f"{self.page_url} {context.name} {count}".encode()
        return items[int.from_bytes(hashlib.blake2b(key, digest_size=8).digest()) % count]

    def lipsum(self, *args: Any, **kwargs: Any) -> Any:
        """Jinja's `lipsum`, the same text on the same page in every build (`random_item`)."""
        state = random.getstate()
        random.seed(f"{self.page_url} {args} {sorted(kwargs.items())}")
        try:
            return jinja2.utils.generate_lorem_ipsum(*args, **kwargs)
        finally:
            random.setstate(state)

    def global_names(self) -> GlobalNames:
        names = GlobalNames({}, {})
        for name, value in self.env.globals.items():
            if callable(value):
                function = getattr(value, "__func__", value)
                names.by_id.setdefault(id(function), []).append(name)
                qualname = getattr(function, "__qualname__", None)
                if isinstance(qualname, str):
                    names.by_qualname.setdefault(qualname, []).append(name)
        return names

    def gettext(self, message: str) -> str:
        return self.catalogues.gettext(self.lang, message)

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        return self.catalogues.ngettext(self.lang, singular, plural, number)

    @jinja2.pass_context
    def _gettext(self, context: Any, message: str, /, **variables: Any) -> str:
        """`_()` and `{% trans %}`: Jinja's new-style gettext (the message is a format
        string, escaped where the template escapes), called directly rather than
        through Jinja's two wrappers, and formatted once when it has no variables:
        every page shows dozens of interface strings."""
        translated = self.catalogues.gettext(self.lang, message)
        escaped = context.eval_ctx.autoescape
        if variables:
            return (Markup(translated) if escaped else translated) % variables
        formatted = self.formatted.get((translated, escaped))
        if formatted is None:
            formatted = (Markup(translated) if escaped else translated) % {}
            self.formatted[translated, escaped] = formatted
        return formatted

    def long_date(self, value: date | None) -> str:
        return long_date(value, self.lang or self.site.config.language)

    @jinja2.pass_context
    def _url(self, context: Any, target: str) -> str:
        """A link from the page being rendered to a site URL (`""`, `"packages/"`, ...);
        a page's in the language of the page being rendered."""
        target = self.in_language(target.lstrip("/"))
        if context.get("root_links"):
            return urlsplit(self.view.config.base_url).path + target
        return relative(context["page_url"], target, self.view.config.directory_links)

    @jinja2.pass_context
    def _link(self, context: Any, target: str) -> str:
        """A link to exactly the site URL `target` (`es/`: the Spanish home page)."""
        if context.get("root_links"):
            return urlsplit(self.view.config.base_url).path + target
        return relative(context["page_url"], target, self.view.config.directory_links)

    def in_language(self, target: str) -> str:
        """A site URL of the default language's -> the same page's in this page's language
        (pages and the feed; files are the same in every language)."""
        lang = self.lang
        if not lang or (is_file(target) and target != FEED_URL) or target.startswith(f"{lang}/"):
            return target
        return f"{lang}/{target}"

    @jinja2.pass_context
    def _asset(self, context: Any, name: str) -> str:
        if name not in self.view.theme:
            raise jinja2.TemplateRuntimeError(
                f"no file templates/static/{name} for asset('{name}')"
            )
        target = self.view.theme[name]
        if context.get("root_links"):
            return urlsplit(self.view.config.base_url).path + target
        return relative(context["page_url"], target, self.view.config.directory_links)

    def _absolute(self, target: str) -> str:
        return self.view.config.base_url + target.lstrip("/")

    def a_to_z(self, conditions: list[Any], letters: str) -> list[tuple[str, list[AZEntry]]]:
        """`a_to_z` in this page's language: its alphabet, and its filing articles."""
        return a_to_z(conditions, letters, FILING_ARTICLES.get(self.lang or "", ()))

    def condition_title(self, slug: str) -> str:
        """A condition's title by its slug (the slug itself if there is no such condition),
        marked as the default language's where it is not translated."""
        doc = self.view.condition_by_slug(slug)
        return slug if doc is None else self.text_of(doc, "title", doc.meta.title)

    # The language of parts (WCAG 3.1.2) -------------------------------------------

    def in_default(self, owner: Any, field: str | None = None) -> bool:
        """Whether `owner`'s `field` shows the default language's words on this page,
        in another language: all of a document not translated into it, a catalogue
        field or a site setting its translation does not give (or cannot: the
        catalogue's facts such as a clinic's name or a regulator's words)."""
        if not self.lang:
            return False
        target = getattr(owner, "_target", owner)
        if isinstance(target, Document):
            return target.lang != self.lang
        if isinstance(target, Package):
            original = self.site.package_by_id(target.id)
            if field not in PackageText.model_fields or original is None:
                return True
            text = self.view.translated(original).get(self.lang)
            return text is None or getattr(text, field) is None
        if isinstance(target, SiteConfig) and field is not None:
            return not self.view.gives(field)
        return False

    def lang_of(self, owner: Any, field: str | None = None) -> Markup:
        """` lang="en"` (the default language's code, and `dir` where its direction
        differs) for an element that shows `owner`'s `field` in the default language
        on a page in another; nothing elsewhere."""
        return self.default_attributes if self.in_default(owner, field) else Markup("")

    def text_of(self, owner: Any, field: str, value: Any = None) -> Markup:
        """`owner`'s `field` (or `value`, a part of it), in a `<span lang="en">` where it
        is the default language's words on a page in another language."""
        shown = getattr(owner, field) if value is None else value
        if self.in_default(owner, field):
            return self.in_default_words(shown)
        return escape(shown)

    def in_default_words(self, text: Any) -> Markup:
        """`text` in a `<span>` that says it is in the default language."""
        return Markup("<span{}>{}</span>").format(self.default_attributes, text)

    def source_kept(self, owner: Any, source: Any, part: str) -> bool:
        """Whether one part of a reference (its title, publisher or citation) is in the
        default language on this page: any part on a page shown in that language or a
        package's (the catalogue's references are not translated); in a translation,
        a part kept as the original page gives it for the same reference (the same
        address, or the same title where there is none)."""
        if not self.lang:
            return False
        target = getattr(owner, "_target", owner)
        if not isinstance(target, Document) or target.lang != self.lang:
            return True
        original = self.site.document_at(target.source_path)
        if original is None:
            return False
        value = getattr(source, part)
        for kept in self.views[None].document(original).meta.sources:
            same = kept.url == source.url if source.url else kept.title == source.title
            if same and getattr(kept, part) == value:
                return True
        return False

    def source_title(self, owner: Any, source: Any) -> Markup:
        """A reference's title, marked where it is in the default language."""
        if self.source_kept(owner, source, "title"):
            return self.in_default_words(source.title)
        return escape(source.title)

    def source_details(self, owner: Any, source: Any) -> Markup:
        """A reference's publisher, year and citation, each without its closing full stop,
        joined by `. `; each one in the default language marked so."""
        parts = []
        for part in SOURCE_PARTS:
            value = getattr(source, part)
            text = str(value).strip().strip(".") if value is not None else ""
            if not text:
                continue
            if part != "year" and self.source_kept(owner, source, part):
                parts.append(self.in_default_words(text))
            else:
                parts.append(escape(text))
        return Markup(". ").join(parts)

    def evidence_level(self, level_id: str) -> EvidenceLevel:
        return self.view.evidence[level_id]

    # Rendering ------------------------------------------------------------------

    def markdown(
        self, text: str, page_url: str, source: Any
    ) -> tuple[Markup, list[Finding], list[tuple[str, str]]]:
        """Markdown of a document, or of the site-wide disclaimer when `source` is None:
        its HTML, findings, and `##` sections (id, text) for a contents list."""
        view = self.view
        ctx = PageContext(
            display_path=source.display_path if source else view.config_path,
            content_path=source.content_path if source else "site.yaml",
            page_url=page_url,
            body=text,
            body_line=source.body_line if source else 1,
            content_urls=view.content_urls,  # type: ignore[arg-type]
            known_urls=view.known_urls,  # type: ignore[arg-type]
            assets=view.assets,  # type: ignore[arg-type]
            directory_links=view.config.directory_links,
            lang_prefix=f"{self.lang}/" if self.lang else "",
            lang_prefixes=lambda: tuple(f"{lang.code}/" for lang in view.config.all_languages[1:]),
            unchecked=view.unchecked,  # type: ignore[arg-type]
            withheld=view.withheld,  # type: ignore[arg-type]
            evidence_levels=lambda: view.evidence,
            gettext=self.gettext,
        )
        html, found = self.converter.convert(text, ctx)
        self.skipped += [(failed, ctx.display_path, line, col) for failed, line, col in ctx.skipped]
        return Markup(html), found, ctx.sections

    def translation_notes(self, job: PageJob, doc: Any) -> dict[str, Any]:
        """`translated_from`: the date the page a translation translates was last reviewed,
        when that is later than the translation's own review (it may be out of date)."""
        if not job.lang or not isinstance(job.source, Document) or doc is None:
            return {"translated_from": None}
        if doc.lang != job.lang:
            return {"translated_from": None}
        source = self.view.document(job.source).meta.last_reviewed
        own = doc.meta.last_reviewed
        return {"translated_from": source if source and (own is None or own < source) else None}

    def disclaimer_for(self, url: str, root_links: bool) -> tuple[Markup, list[Finding]]:
        """The disclaimer's HTML in the language of the page being rendered, converted once
        per language and folder depth (what the conversion read is noted again on every
        page that shows it).

        Converted for the language's home page, its relative links are then prefixed
        with `../` once per level below it (or the site's base path, on pages shown at
        any address such as 404.html).
        """
        home = f"{self.lang}/" if self.lang else ""
        depth = directory_of(url).count("/") - home.count("/")
        prefix = self.base_path + home if root_links else "../" * depth
        known = self.disclaimers.get((self.lang, prefix))
        if known is None:
            outer, outer_skipped = self.reads.keys, self.skipped
            self.reads.keys, self.skipped = set(), []
            html, found, _ = self.markdown(self.view.config.disclaimer, home, None)
            escaped = str(escape(prefix))  # base_url is checked, but this is HTML: escape anyway
            html = Markup(RELATIVE_HREF.sub(lambda match: match.group(1) + escaped, str(html)))
            known = (html, found, frozenset(self.reads.keys), self.skipped)
            self.disclaimers[self.lang, prefix] = known
            self.reads.keys, self.skipped = outer, outer_skipped
        for key in known[2]:
            self.reads.note(key)
        self.skipped += known[3]
        return known[0], known[1]

    def compile(self, names: Iterable[str]) -> None:
        """Have each template of `names` compiled here, or its kept code loaded, as a
        page's rendering would (outside any page: nothing is noted as read). One that
        is not a template (a language's compiled catalogue, `i18n`) or fails is left."""
        for name in names:
            try:
                jinja2.Environment.get_template(self.env, name)
            except (jinja2.TemplateError, OSError, ValueError):  # ValueError: not text
                continue

    def disclaimers_by_language(self) -> dict[str | None, tuple[str, Markup]]:
        """Each language's key facts and full statement as its home page shows them (None:
        the default language's), for the output checks, which start as soon as a page is
        rendered. Converted as the first page of each language would convert them (see
        `disclaimer_for`); what the conversion reports, the first page rendered reports."""
        lang, found = self.lang, {}
        for language in self.site.languages:
            code = None if language is self.site.languages[0] else language.code
            self.use(code)
            short = self.site.config_in(code or self.site.config.language).disclaimer_short
            found[code] = (short, self.disclaimer_for(f"{code}/" if code else "", False)[0])
        self.use(lang)
        return found

    def versions(self, job: PageJob) -> dict[str, str]:
        """The site URL of this page in each language it is written in, by language code
        (a document's: where it has a translation; every generated page's: all)."""
        url = job.url.removeprefix(f"{job.lang}/") if job.lang else job.url
        return language_versions(self.view, job.source, url)

    def languages_context(self, job: PageJob, shown: Any) -> dict[str, Any]:
        """What base.html needs for the page's languages: its own (`language`), the
        content's if it is shown in the default language (`content_lang`), the
        `hreflang` alternates and the language switcher's links."""
        site_languages = self.views[None].config.all_languages
        default = site_languages[0]
        own = next(lang for lang in site_languages if lang.code == (job.lang or default.code))
        source = job.source
        if shown is None and isinstance(source, Document):  # a redirect: the page it goes to
            shown = self.view.shown(source)
        fallback = bool(job.lang) and (
            (isinstance(source, Document) and shown.lang != job.lang)
            or (isinstance(source, Package) and job.lang not in self.view.translated(source))
        )
        several = (len(site_languages) > 1 and job.url != "404.html"  # one 404 for all
                   and job.template != REDIRECT_TEMPLATE)  # fmt: skip
        found = self.versions(job) if several else {}
        switcher = []
        for language in site_languages:
            if language.code == own.code:
                continue
            target = found.get(language.code)
            home = "" if language.code == default.code else f"{language.code}/"
            switcher.append({"language": language, "url": target if target is not None else home,
                             "home": target is None})  # fmt: skip
        base = self.view.config.base_url
        content_attributes = self.default_attributes if fallback else Markup("")
        return {
            "language": own,
            "content_lang": default if fallback else None,
            "content_attributes": content_attributes,
            "alternates": [] if fallback or len(found) < 2 else
                          [(code, base + url) for code, url in found.items()],
            "x_default": base + found[default.code] if default.code in found else None,
            "switcher": switcher,
            "canonical_url": found.get(default.code) if fallback else None,
        }  # fmt: skip

    def render(self, job: PageJob) -> Rendered:
        """Render one page, noting everything it reads."""
        if job.package_id is not None:
            job = replace(job, source=self.site.package_by_id(job.package_id))
        self.reads.start()
        self.env.showed_parts = False
        self.use(job.lang)
        self.skipped = []
        findings: list[Finding] = []
        page = None
        if self.fragments is not None:
            self.fragments.start(job.url)
        try:
            page = self._render(job, findings)
        finally:
            reads = self.reads.stop()
            findings += self.catalogues.missing_since(display(self.templates_dir))
            if self.fragments is not None:
                self.fragments.finish(job.url, page is not None)
        return Rendered(page, findings, reads, tuple(self.skipped), self.env.showed_parts)

    def hold_reports(self) -> Any:
        held = (self.catalogues.missing, self.skipped)
        self.catalogues.missing, self.skipped = set(), []
        return held

    def merge_reports(self, held: Any) -> bool:
        """Add back what `hold_reports` set aside; whether anything was reported since."""
        missing, skipped = held
        reported = bool(self.catalogues.missing or self.skipped)
        missing |= self.catalogues.missing
        skipped += self.skipped
        self.catalogues.missing, self.skipped = missing, skipped
        return reported

    def _render(self, job: PageJob, findings: list[Finding]) -> RenderedPage | None:
        view = self.view
        self.page_url = job.url
        if job.url == "robots.txt":
            sitemap = view.config.base_url + "sitemap.xml"
            text = f"User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n"
            return RenderedPage.of(job.url, text.encode(), job.template)
        if job.url == HEADERS_FILE:
            text = headers_file(urlsplit(view.config.base_url).path)
            return RenderedPage.of(job.url, text.encode(), job.template)
        context = page_context(view, job, self.gettext)
        if isinstance(job.source, Document) and job.template != REDIRECT_TEMPLATE:
            body, found, sections = self.markdown(context["doc"].body, job.url, context["doc"])
            context["body"], context["sections"] = body, sections
            findings += found
        context.update(self.languages_context(job, context.get("doc")))
        context.update(self.translation_notes(job, context.get("doc")))
        context.setdefault("root_links", False)
        context.setdefault("review_due", None)
        context.setdefault("sections", [])
        context["page_url"] = job.url
        # The page's address within its language: "" is each language's home page.
        context["page_path"] = job.url.removeprefix(f"{job.lang}/") if job.lang else job.url
        evidence = context.get("evidence")
        context["page_evidence"] = view.evidence.get(evidence) if evidence else None
        context["disclaimer_html"], found = self.disclaimer_for(job.url, context["root_links"])
        findings += found
        try:
            html = self.env.get_template(job.template).render(context)
        except jinja2.TemplateSyntaxError as exc:
            path = display(Path(exc.filename)) if exc.filename else job.template
            findings.append(
                error(path, exc.lineno, 1, "template", f"expected valid Jinja, found {exc.message}")
            )
            return None
        except RefusedTemplateError as exc:
            findings.append(error(display_link(Path(exc.path)), 1, 1, "symlink", exc.problem))
            return None
        except jinja2.TemplateNotFound as exc:
            where = display(self.templates_dir / job.template)
            message = f"expected a template file, found none named '{exc.name}'"
            findings.append(error(where, 1, 1, "template", message))
            return None
        except Exception as exc:  # a template bug: report it where it happened
            findings.append(self.template_bug(exc, job, context))
            return None
        return RenderedPage.of(job.url, html.encode("utf-8"), job.template, evidence)

    def template_bug(self, exc: Exception, job: PageJob, context: dict[str, Any]) -> Finding:
        """A template that failed while rendering, reported at its file and line: a
        name or field it read that does not exist says what is there instead, and a
        function printed where its value was meant says so."""
        path, line = template_position(exc, self.templates_dir)
        shown = display(path or self.templates_dir / job.template)
        if isinstance(exc, UnprintableError):
            col, message = exc.where(template_line(path, line))
            return error(shown, line, col, "template", message)
        if not isinstance(exc, MissingValueError) or not isinstance(exc.name, (str, int)):
            message = f"expected the template to render, found {type(exc).__name__}: {exc}"
            return error(shown, line, 1, "template", message)
        given = sorted({*context, *self.env.globals} - set(jinja2.defaults.DEFAULT_NAMESPACE))
        col, message = missing_in_template(exc.owner, exc.name, template_line(path, line),
                                           given if exc.variable else None)  # fmt: skip
        return error(shown, line, col, "template", message)


def template_line(path: Path | None, line: int) -> str:
    """The text of a template's `line` ("" if it cannot be read)."""
    try:
        return path.read_text("utf-8").splitlines()[line - 1] if path else ""
    except (OSError, UnicodeDecodeError, IndexError):
        return ""


def default_words_attributes(config: SiteConfig, lang: str | None) -> Markup:
    """The attributes of an element of a page in `lang` that holds the default
    language's words: its `lang` and, where the two are written in different
    directions, its `dir` (nothing for a page in the default language)."""
    if not lang:
        return Markup("")
    languages = config.all_languages
    default = languages[0]
    own = next((language for language in languages if language.code == lang), default)
    attributes = Markup(' lang="{}"').format(default.code)
    if default.direction != own.direction:
        attributes += Markup(' dir="{}"').format(default.direction)
    return attributes


def page_context(view: SiteView, job: PageJob, _: Callable[[str], str]) -> dict[str, Any]:
    """The template context of one page, read through the recording view (`_`: the
    interface's words in the page's language)."""
    config = view.config
    source = job.source
    if job.template == REDIRECT_TEMPLATE:
        return redirect_context(view, source, _)  # type: ignore[arg-type]
    if isinstance(source, Package):
        package = view.package(source)
        return {"evidence": package.evidence, "package": package, "title": package.name,
                "review_due": package_review_due(package, config),  # type: ignore[arg-type]
                "description": package.summary
                or _("What the %(name)s includes and its known risks.")
                % {"name": package.name}}  # fmt: skip
    if isinstance(source, Document):
        doc = view.shown(source)
        meta = doc.meta
        if source.kind == "condition":
            return {"evidence": meta.evidence, "doc": doc, "title": meta.title,
                    "description": meta.summary, "packages": view.packages_for(source.slug),
                    "review_due": meta.next_review}  # fmt: skip
        return {"doc": doc, "review_due": meta.next_review, "title": meta.title,
                "description": meta.summary}  # fmt: skip
    page = job.url.removeprefix(f"{job.lang}/") if job.lang else job.url
    if page == "sitemap.xml":
        return {"entries": sitemap_entries(view)}
    if page == "feed.xml":
        return feed_context(view, job.lang)  # type: ignore[arg-type]
    title = {"title": config.title}
    return {
        "": lambda: {"title": config.title, "description": config.description},
        "conditions/": lambda: {"title": _("Conditions"),
                                "description": _("Conditions described on %(title)s.") % title},
        "packages/": lambda: {"title": _("Treatment packages"), "description": _(
            "Treatment packages on %(title)s, with the evidence for each.") % title},
        "search/": lambda: {"title": _("Search"), "description": _(
            "Search %(title)s, or see every condition and treatment package it describes."
        ) % title},
        "404.html": lambda: {"root_links": True, "title": _("Page not found"),
                             "description": _("The page you asked for does not exist.")},
    }[page]()  # fmt: skip


def redirect_context(
    view: SiteView, source: Document | Package, _: Callable[[str], str]
) -> dict[str, Any]:
    """An alias's page: the page it sends readers to, in the page's language (its
    aliases are read, so the redirect is made again when they change)."""
    if isinstance(source, Package):
        target = view.package(source)
        title, _aliases = target.name, target.aliases
    else:
        meta = view.shown(source).meta
        title, _aliases = meta.title, view.document(source).meta.aliases
    named = {"title": title}
    return {"title": _("Moved: %(title)s") % named, "target_url": source.url,
            "target_title": title,
            "description": _("This page has moved. %(title)s is now at a new address.")
            % named}  # fmt: skip


SitemapEntry = tuple[str, "date | None", list[tuple[str, str]]]


def language_versions(view: SiteView, source: Any, url: str) -> dict[str, str]:
    """The site URL of one page (`url`: its default language's) in each language it is
    written in, by language code, default first: a document's where it has a
    translation, a package's where the catalogue gives its words, any other page's in
    every language (its words are the interface's and the settings')."""
    languages = view.languages
    found = {languages[0].code: url}
    translated = view.translated(source) if isinstance(source, Package) else {}
    for language in languages[1:]:
        code = language.code
        if isinstance(source, Document):
            exists = view.translation(source, code) is not None
        elif isinstance(source, Package):
            exists = code in translated
        else:
            exists = True
        if exists:
            found[code] = f"{code}/{url}"
    return found


def sitemap_entries(view: SiteView) -> list[SitemapEntry]:
    """Each page's absolute URL, the date it was last reviewed (lists: their newest
    item) and, on a site in more than one language, its versions in each language
    (`hreflang` and the absolute URL, with `x-default`, the default language's)."""
    conditions, pages, packages = view.conditions, view.pages, view.packages
    newest: Callable[..., date | None] = lambda dates: max(  # noqa: E731
        (d for d in dates if d), default=None
    )
    listed: list[tuple[str, date | None, Any]] = [
        ("conditions/", newest(d.meta.last_reviewed for d in conditions), None)
    ]
    listed += [(d.url, d.meta.last_reviewed, d) for d in conditions]
    listed.append(("packages/", newest(p.last_reviewed for p in packages), None))
    listed += [(p.url, p.last_reviewed, p) for p in packages]
    listed += [(d.url, d.meta.last_reviewed, d) for d in pages]
    listed.append(("search/", None, None))
    home = newest(reviewed for _, reviewed, _ in listed)
    base = view.config.base_url
    several = len(view.config.all_languages) > 1
    entries: list[SitemapEntry] = []
    for url, reviewed, source in [("", home, None), *listed]:
        if not several:
            entries.append((base + url, reviewed, []))
            continue
        found = language_versions(view, source, url)
        alternates = [(code, base + at) for code, at in found.items()]
        alternates.append(("x-default", base + url))
        for code, at in found.items():
            day = reviewed
            if isinstance(source, Document) and at != url:
                translated = view.translation(source, code)
                day = translated.meta.last_reviewed if translated is not None else None
            entries.append((base + at, day, alternates))
    return entries
