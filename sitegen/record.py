"""What a page reads while it renders, and whether what it read has changed since.

Templates and the Markdown stage reach the site only through the objects made
here (`SiteView` and the values it hands out), and each of them notes what is
read as a key on the page being rendered (`Reads`), as Lektor's
`record_dependency` does. The keys name values, not files:

- `config:title`: one field of the site settings; `config.es:title`: one field
  of them as pages in another language see them (`SiteConfig.in_language`)
- `doc:conditions/glaucoma.md#title`, `…#body`: one field of a document
- `pkg:<id>#name`: one field of a catalogue entry; `pkg:es/<id>#name`: as pages
  in another language see it (`Package.in_language`)
- `tr:conditions/glaucoma.md@es`: which file translates a document into a language
- `given:es:contact`: whether `site.yaml` gives a setting in a language (else pages
  in it show the default language's words, marked as such)
- `list:conditions`, `list:pages`, `list:packages`: which items a listing
  has, in its order; `offered:<slug>`: the packages offered for a condition
- `slug:<slug>`: which condition file a slug names
- `url:<content path>`, `page:<url>`, `image:<path>`, `urls`: what a link
  in a body resolves to (a content file's page, whether a page or an image
  exists, every page: for a "did you mean")
- `unchecked:<url>`: which file with errors would give a page a link names
  (such links are not checked until it is fixed)
- `theme:<name>`: a theme file's hashed name; `template:<name>`: a template's
  source (every template a page extends, includes or imports is read through
  the environment, so it is noted too)
- `published:doc:<content path>`, `published:pkg:<id>`: whether a page is
  published today, or a draft, scheduled or expired (shown only by `serve`)
- `withheld:<url>`: whether a page a link names is not published today, and why
  and until when (a link to it is reported)
- `today`: the date itself; `today:lt:2027-01-15` and its kin: the answer of
  one comparison of the date with a date (a page that only compares the date
  is rendered again on a later day only when an answer changes)

`Values.print_of(key)` gives a key's value now as a short print. The build
keeps each page's keys and each key's print; a page is rendered again when a
key it read prints differently. Nothing is declared by hand, so a template
written tomorrow is tracked as exactly as today's.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import jinja2.sandbox
import pydantic_core

from .fs import short_print

if TYPE_CHECKING:  # the views wrap the models without needing their code
    from .models import Document, Language, Package, Site

ABSENT = "-"  # the print of a key whose value does not exist


def value_print(value: Any) -> str:
    """A short print of any value a template can read: models, lists, text, dates."""
    return short_print(pydantic_core.to_json(in_order(value), fallback=str))


def in_order(value: Any) -> Any:
    """A set as a list in order, anything else as it is. Each Python process lists a
    set of text in an order of its own (a model's `model_fields_set`), and a page
    listing it, and the print of what it read, must be the same in every build."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return value


class Reads:
    """The keys the page being rendered has read so far (none between pages)."""

    def __init__(self) -> None:
        self.keys: set[str] | None = None

    def note(self, key: str) -> None:
        if self.keys is not None:
            self.keys.add(key)

    def start(self) -> None:
        self.keys = set()

    def stop(self) -> frozenset[str]:
        keys, self.keys = self.keys or set(), None
        return frozenset(keys)


# The recording views ------------------------------------------------------------


class Recorded:
    """A model as templates see it: reading a field notes `prefix + field`; printing
    or comparing the whole model notes every field. Its private names are not offered
    (`__dict__` would hand out every field unnoted)."""

    __slots__ = ("_prefix", "_reads", "_target")

    def __init__(self, target: Any, prefix: str, reads: Reads) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_prefix", prefix)
        object.__setattr__(self, "_reads", reads)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self._target, name)
        self._reads.note(self._prefix + name)
        return value

    def _fragment_identity(self) -> Any:
        """What tells this view from another in a kept part (`fragments`)."""
        return (type(self), self._prefix)

    def _whole(self) -> Any:
        """The model itself, each of its fields noted as read."""
        target = self._target
        for name in getattr(type(target), "model_fields", ()):
            self._reads.note(self._prefix + name)
        return target

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # isinstance() sees the model's own class
        return type(self._target)

    def __eq__(self, other: object) -> bool:
        return self._whole() == (other._whole() if isinstance(other, Recorded) else other)

    def __hash__(self) -> int:
        return hash(self._target)

    def __str__(self) -> str:
        return str(self._whole())

    def __repr__(self) -> str:
        return f"Recorded({self._whole()!r})"

    def __iter__(self) -> Iterator[Any]:
        """What iterating the model gives (a pydantic model: each field's name and
        value), every field noted: `{% for name, value in doc.meta %}`."""
        return iter(self._whole())


class RecordedDocument(Recorded):
    """A document: what its path tells (kind, slug, language, paths, URL) is read
    freely, as a renamed file is another document; `meta` is recorded field by
    field (`title` is `meta.title`), `body` as one. Nothing else of it is offered:
    a name outside `OFFERED` is undefined, as on any model."""

    __slots__ = ()
    FREE = frozenset({"kind", "slug", "lang", "url", "content_path", "display_path",
                      "source_path"})  # fmt: skip
    OFFERED = FREE | {"meta", "title", "body", "body_line"}

    def __getattr__(self, name: str) -> Any:
        target = self._target
        if name == "meta":
            return Recorded(target.meta, self._prefix, self._reads)
        if name == "title":
            self._reads.note(self._prefix + "title")
        elif name in ("body", "body_line"):
            self._reads.note(self._prefix + "body")
        elif name not in self.FREE:
            raise AttributeError(name)
        return getattr(target, name)


def document_key(doc: Document) -> str:
    return f"doc:{doc.content_path}#"


def package_key(package: Package) -> str:
    return f"pkg:{package.id}#"


class RecordedSet:
    """A set of names (`prefix + name` noted for each one asked about; `whole` when
    the set is listed, as a "did you mean" does)."""

    def __init__(self, names: Mapping[str, Any] | frozenset[str], prefix: str, whole: str,
                 reads: Reads) -> None:  # fmt: skip
        self._names, self._prefix, self._whole, self._reads = names, prefix, whole, reads

    def _fragment_identity(self) -> Any:
        return (RecordedSet, self._prefix)

    def __contains__(self, name: object) -> bool:
        self._reads.note(f"{self._prefix}{name}")
        return name in self._names

    def __getitem__(self, name: str) -> Any:
        self._reads.note(f"{self._prefix}{name}")
        return self._names[name]  # type: ignore[index]

    def get(self, name: str, default: Any = None) -> Any:
        self._reads.note(f"{self._prefix}{name}")
        return self._names.get(name, default)  # type: ignore[union-attr]

    def __iter__(self) -> Iterator[str]:
        """In order of the names: a set of text is listed in another order by each
        Python process, and a page listing it must come out the same in every build."""
        self._reads.note(self._whole)
        return iter(sorted(self._names))

    def __len__(self) -> int:
        self._reads.note(self._whole)
        return len(self._names)


class SiteView:
    """The validated site as templates and page helpers see it, noting each read."""

    def __init__(self, site: Site, reads: Reads, theme_names: Mapping[str, str],
                 lang: str | None = None) -> None:  # fmt: skip
        """`lang`: the language of the pages this view is for (None: the default)."""
        self._site = site  # templates read it only through what follows
        self._reads = reads
        self.lang = lang
        self._config_prefix = f"config.{lang}:" if lang else "config:"
        self.config = Recorded(site.config_in(lang) if lang else site.config,
                               self._config_prefix, reads)  # fmt: skip
        self.config_path = site.config_path
        self.known_urls = RecordedSet(site.known_urls, "page:", "urls", reads)
        self.content_urls = RecordedSet(site.content_urls, "url:", "urls", reads)
        self.assets = RecordedSet(site.assets, "image:", "urls", reads)
        self.unchecked = RecordedSet(site.unchecked, "unchecked:", "unchecked", reads)
        self.withheld = RecordedSet(site.withheld, "withheld:", "withheld", reads)
        self.theme = RecordedSet(theme_names, "theme:", "theme", reads)
        self._documents: dict[str, RecordedDocument] = {}
        self._packages: dict[str, Recorded] = {}

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # isinstance() sees the site's own class
        return type(self._site)

    def _fragment_identity(self) -> Any:
        return (SiteView, self.lang)

    def document(self, doc: Document) -> RecordedDocument:
        view = self._documents.get(doc.content_path)
        if view is None:
            view = self._documents[doc.content_path] = RecordedDocument(
                doc, document_key(doc), self._reads
            )
        return view

    def package(self, package: Package) -> Recorded:
        view = self._packages.get(package.id)
        if view is None:
            if self.lang:
                shown, key = package.in_language(self.lang), f"pkg:{self.lang}/{package.id}#"
            else:
                shown, key = package, package_key(package)
            view = self._packages[package.id] = Recorded(shown, key, self._reads)
        return view

    def translation(self, doc: Document, lang: str) -> RecordedDocument | None:
        """The translation of `doc` (a page in the default language) into `lang`."""
        self._reads.note(f"tr:{doc.content_path}@{lang}")
        translated = self._site.translation(doc.content_path, lang)
        return None if translated is None else self.document(translated)

    def translated(self, package: Package) -> dict[str, Any]:
        """The catalogue's words for `package` in other languages, by language code."""
        package_id = getattr(package, "_target", package).id  # a view of it: not a read
        self._reads.note(f"pkg:{package_id}#translations")
        source = self._site.package_by_id(package_id)
        return source.translations if source is not None else {}

    def shown(self, doc: Document) -> RecordedDocument:
        """`doc` as this view's language shows it: its translation, or itself."""
        translated = self.translation(doc, self.lang) if self.lang else None
        return translated if translated is not None else self.document(doc)

    def gives(self, field: str) -> bool:
        """Whether `site.yaml`'s `translations` give the setting `field` in this view's
        language (pages in it show the default language's words where they do not)."""
        self._reads.note(f"given:{self.lang}:{field}")
        return given(self._site, self.lang, field)

    @property
    def languages(self) -> list[Language]:
        """Every language the site is published in, the default first."""
        self._reads.note("config:all_languages")
        return self._site.languages

    @property
    def conditions(self) -> list[RecordedDocument]:
        self._reads.note("list:conditions")
        if not self.lang:
            return [self.document(doc) for doc in self._site.conditions]
        shown = [self.shown(doc) for doc in self._site.conditions]
        return sorted(shown, key=lambda doc: doc.meta.title.lower())

    @property
    def pages(self) -> list[RecordedDocument]:
        self._reads.note("list:pages")
        return [self.shown(doc) for doc in self._site.pages]

    @property
    def packages(self) -> list[Recorded]:
        self._reads.note("list:packages")
        return [self.package(package) for package in self._site.packages]

    @property
    def evidence(self) -> dict[str, Any]:
        self._reads.note(self._config_prefix + "evidence_levels")
        if not self.lang:
            return self._site.evidence
        return {level.id: level for level in self._site.config_in(self.lang).evidence_levels}

    def condition_titles(self) -> dict[str, str]:
        """Every condition's title by its slug."""
        return {doc.slug: doc.meta.title for doc in self.conditions}

    def packages_for(self, slug: str) -> list[Recorded]:
        self._reads.note(f"offered:{slug}")
        return [self.package(package) for package in self._site.packages_for(slug)]

    def publication_state(self, item: Any) -> str:
        """Whether a page is published today ("published"), or shown while serving as a
        "draft", "scheduled" or "expired" page."""
        key = workflow_key(item)
        self._reads.note(f"published:{key}")
        state = self._site.states.get(key, "published")
        if state == "published" and getattr(item, "lang", None):  # a translation: its page's
            source = f"doc:{item.source_path}"
            self._reads.note(f"published:{source}")
            state = self._site.states.get(source, "published")
        return state

    def condition_by_slug(self, slug: str) -> RecordedDocument | None:
        """The condition whose file is `<slug>.md`, if there is one."""
        self._reads.note(f"slug:{slug}")
        doc = self._site.condition_by_slug(slug)
        return None if doc is None else self.shown(doc)


def given(site: Site, lang: str | None, field: str) -> bool:
    text = site.config.translations.get(lang) if lang else None
    return text is not None and getattr(text, field, None) is not None


def workflow_key(item: Any) -> str:
    """The key of a document or package in the editorial workflow (`site.states`): a
    document is known by its content path, a package, which has none, by its id."""
    path = getattr(item, "content_path", None)
    return f"doc:{path}" if path is not None else f"pkg:{item.id}"


class RecordedDate(date):
    """Today's date as the templates see it: each comparison with a date is noted as
    its own key (`today:gt:2027-01-15`), any other use (printing it, `.year`,
    arithmetic) as `today`. A plain date on the left of a comparison still asks
    this one first (Python tries a subclass's reflected method first)."""

    _reads: Reads

    def __new__(cls, day: date, reads: Reads) -> RecordedDate:
        made = super().__new__(cls, day.year, day.month, day.day)
        object.__setattr__(made, "_reads", reads)
        return made

    def __getattribute__(self, name: str) -> Any:
        if name not in OWN_NAMES:  # `.year`, `.strftime`, ...: a use of the whole date
            object.__getattribute__(self, "_reads").note("today")
        return object.__getattribute__(self, name)

    def _compare(self, operation: str, other: object) -> Any:
        reads = object.__getattribute__(self, "_reads")
        if type(other) in (date, RecordedDate):
            reads.note(f"today:{operation}:{plain_date(other).isoformat()}")  # type: ignore[arg-type]
        else:
            reads.note("today")
        return getattr(operator, operation)(plain_date(self), other)

    def __lt__(self, other: object) -> Any:
        return self._compare("lt", other)

    def __le__(self, other: object) -> Any:
        return self._compare("le", other)

    def __gt__(self, other: object) -> Any:
        return self._compare("gt", other)

    def __ge__(self, other: object) -> Any:
        return self._compare("ge", other)

    def __eq__(self, other: object) -> Any:
        return self._compare("eq", other)

    def __ne__(self, other: object) -> Any:
        return self._compare("ne", other)

    def _fragment_identity(self) -> Any:
        return (RecordedDate, None)  # (nothing asked of it: what is asked is recorded)

    def _whole(self) -> date:
        object.__getattribute__(self, "_reads").note("today")
        return plain_date(self)

    def __hash__(self) -> int:
        return hash(self._whole())

    def __str__(self) -> str:
        return str(self._whole())

    def __repr__(self) -> str:
        return repr(self._whole())

    def __format__(self, spec: str) -> str:
        return format(self._whole(), spec)

    def __add__(self, other: Any) -> Any:
        return self._whole() + other

    __radd__ = __add__

    def __sub__(self, other: Any) -> Any:
        return self._whole() - other

    def __rsub__(self, other: Any) -> Any:
        return other - self._whole()

    def __reduce__(self) -> Any:
        return (date.fromordinal, (date.toordinal(self._whole()),))


OWN_NAMES = frozenset({"_reads", "_compare", "_whole"})
COMPARISONS = ("lt", "le", "gt", "ge", "eq", "ne")


def plain_date(day: date) -> date:
    """`day` as a plain date, read without asking a `RecordedDate` anything."""
    return date.fromordinal(date.toordinal(day))


class RecordingEnvironment(jinja2.Environment):
    """A Jinja environment that notes every template a page loads (its own, and
    each one it extends, includes or imports) as `template:<name>`."""

    reads: Reads

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["attr"] = jinja2.pass_environment(
            lambda env, obj, name: env.getattr(obj, name)
        )

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`a.b`, and `a | attr('b')`. A name starting with `_` is never Python's
        attribute (`site._site`, `doc.__class__`): what lies behind the recording
        views would be read without a note, and a page showing it would not be
        rendered again when it changes. It may be a key of data (`a._b` for a['_b'])."""
        if attribute.startswith("_"):
            return self.private(obj, attribute)
        value = super().getattr(obj, attribute)
        if attribute in ("format", "format_map"):  # `'{0._site}'.format(site)`
            formatting = jinja2.sandbox.SandboxedEnvironment.wrap_str_format(self, value)  # type: ignore[arg-type]
            if formatting is not None:  # reads each field it names through `getattr`
                return formatting
        return in_order(value)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """`a['b']`, which Jinja also tries as an attribute (see `getattr`)."""
        if isinstance(argument, str) and argument.startswith("_"):
            return self.private(obj, argument)
        return in_order(super().getitem(obj, argument))

    def private(self, obj: Any, name: str) -> Any:
        if isinstance(obj, jinja2.utils.Namespace):  # made by the template: its own names
            return super().getattr(obj, name)
        try:
            return obj[name]
        except (AttributeError, TypeError, LookupError):
            return self.undefined(obj=obj, name=name)

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> Any:
        if not isinstance(name, jinja2.Template):  # noted before it is looked for: a
            # template missing now (`{% include … ignore missing %}`) may be made later
            self.reads.note(f"template:{self.join_path(name, parent) if parent else name}")
        template = super().get_template(name, parent, globals)
        self.reads.note(f"template:{template.name}")
        return template

    def select_template(self, names: Any, parent: str | None = None, globals: Any = None) -> Any:
        for name in names if not isinstance(names, str) else [names]:
            if isinstance(name, jinja2.Template):
                continue
            self.reads.note(f"template:{self.join_path(name, parent) if parent else name}")
        template = super().select_template(names, parent, globals)
        self.reads.note(f"template:{template.name}")
        return template


# What the keys are worth now ----------------------------------------------------


class Values:
    """The current print of any key, read from the site as this build validated it."""

    def __init__(
        self,
        site: Site,
        templates_dir: Path,
        theme_names: Mapping[str, str],
        today: date,
        template_digest: Callable[[str], str | None],
    ) -> None:
        self.site = site
        self.templates_dir = templates_dir
        self.theme_names = theme_names
        self.today = today
        self.template_digest = template_digest
        self.known: dict[str, str] = {}  # the prints worked out so far (the site is fixed)

    def print_of(self, key: str) -> str:
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = self.work_out(key)
        return found

    def work_out(self, key: str) -> str:
        kind, _, name = key.partition(":")
        site = self.site
        if kind == "config":
            return value_print(getattr(site.config, name, ABSENT))
        if kind.startswith("config."):
            return value_print(getattr(site.config_in(kind[7:]), name, ABSENT))
        if kind == "given":
            lang, _, field = name.partition(":")
            return str(given(site, lang, field))
        if kind == "tr":
            path, _, lang = name.rpartition("@")
            translated = site.translation(path, lang)
            return ABSENT if translated is None else translated.content_path
        if kind == "doc":
            path, _, field = name.rpartition("#")
            doc = site.document_at(path)
            if doc is None:
                return ABSENT
            if field == "body":
                return short_print(f"{doc.body_line}\n{doc.body}")
            return value_print(getattr(doc.meta, field, ABSENT))
        if kind == "pkg":
            package_id, _, field = name.rpartition("#")
            lang, _, package_id = package_id.rpartition("/")
            package = site.package_by_id(package_id)
            if package is not None and lang:
                package = package.in_language(lang)
            return ABSENT if package is None else value_print(getattr(package, field, ABSENT))
        if kind == "list":
            items = {"conditions": site.conditions, "pages": site.pages}.get(name)
            if items is not None:
                return short_print("\n".join(doc.content_path for doc in items))
            return short_print("\n".join(site.packages.ids))
        if kind == "offered":
            return short_print(" ".join(site.package_ids_for(name)))
        if kind == "published":
            return site.states.get(name, "published")
        if kind == "withheld":
            page = site.withheld.get(name)
            return ABSENT if page is None else " ".join(map(str, page))
        if kind == "slug":
            doc = site.condition_by_slug(name)
            return ABSENT if doc is None else doc.content_path
        if kind == "url":
            return site.content_urls.get(name, ABSENT)
        if kind == "page":
            return str(name in site.known_urls)
        if kind == "image":
            return str(name in site.assets)
        if key == "unchecked":
            return short_print("\n".join(f"{k} {v}" for k, v in sorted(site.unchecked.items())))
        if kind == "unchecked":
            return site.unchecked.get(name, ABSENT)
        if kind == "urls":
            return short_print(
                "\n".join(sorted([*site.known_urls, *site.content_urls, *site.assets]))
            )
        if key == "theme":
            return short_print("\n".join(f"{k} {v}" for k, v in sorted(self.theme_names.items())))
        if kind == "theme":
            return self.theme_names.get(name, ABSENT)
        if kind == "template":
            return self.template_digest(name) or ABSENT
        if key == "today":
            return self.today.isoformat()
        if kind == "today":
            operation, _, other = name.partition(":")
            if operation in COMPARISONS:
                with_day = getattr(operator, operation)(self.today, date.fromisoformat(other))
                return str(with_day)
        return ABSENT
