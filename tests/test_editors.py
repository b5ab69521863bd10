"""What an editor sees after one mistake: the real mistake first, every problem of a
file at once, nothing empty published, and YAML read as it was written (issue 18).
Each test edits a real content folder and runs a real build or the real command."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, TEMPLATES, build_site, run_cli

ALPHA = "content/conditions/alpha.md"
CATALOGUE = "content/packages.yaml"


def edit(content: Path, relative: str, old: str, new: str) -> None:
    path = content / relative
    text = path.read_text("utf-8")
    assert old in text, f"fixture changed: {old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def check(content: Path, *options: str) -> list[str]:
    """`build.py check` on the folder, as an editor runs it: the finding lines, in the
    order printed."""
    result = run_cli("check", "--no-cache", "--content", "content", "--templates",
                     str(TEMPLATES), *options, cwd=content.parent)  # fmt: skip
    assert "Traceback" not in result.stdout + result.stderr
    return [line for line in result.stdout.splitlines() if re.match(r"^\S+:\d+:\d+: ", line)]


def link_to_the_package(content: Path) -> None:
    """Two files that link to the package's page, as conditions do."""
    edit(content, "conditions/alpha.md", "Alpha has symptoms [1].",
         "Alpha has symptoms [1]. See [the package](/packages/test-package/).")  # fmt: skip
    edit(content, "conditions/beta.md", "See the [packages](/packages/).",
         "See the [packages](/packages/) and [the test one](../packages/test-package/).")  # fmt: skip


NOT_CHECKED = (
    f"{CATALOGUE}:1:1: note: unchecked links: 2 links to its packages, in 2 files, were not "
    "checked because this file has errors; they are checked once it is fixed"
)


# Errors that lead to the real mistake -------------------------------------------------


def test_a_packages_yaml_indented_wrong_is_the_one_error_and_links_to_it_are_counted_once(
    content: Path,
):
    link_to_the_package(content)
    edit(content, "packages.yaml", "    conditions: [beta]", "   conditions: [beta]")
    assert check(content) == [
        f"{CATALOGUE}:5:4: yaml: expected this line to line up with the line above (4 spaces) "
        "or with one further up, found 3 spaces: the fields of one item line up under each "
        "other, and each item of a list starts with '- '",
        NOT_CHECKED,
    ]


def test_a_package_missing_a_required_field_gives_no_false_link_error(content: Path):
    link_to_the_package(content)
    edit(content, "packages.yaml", "    known_risks: [Headache, Infection]\n", "")
    assert check(content) == [
        f"{CATALOGUE}:2:5: packages[1].known_risks: expected a value (this field is "
        "required), found nothing",
        NOT_CHECKED,
    ]


def test_a_misspelt_condition_of_a_package_gives_no_false_link_error(content: Path):
    link_to_the_package(content)
    edit(content, "packages.yaml", "conditions: [beta]", "conditions: [btea]")
    assert check(content) == [
        f"{CATALOGUE}:5:18: packages[1].conditions[1]: expected the name of a condition file "
        "in content/conditions/ (alpha, beta) (did you mean 'beta'?), found 'btea'",
        NOT_CHECKED,
    ]


def test_a_navigation_link_to_a_package_of_a_broken_packages_yaml_is_counted_too(
    content: Path,
):
    edit(content, "site.yaml", "  - {title: About, url: /about/}",
         "  - {title: About, url: /about/}\n  - {title: Offer, url: /packages/test-package/}")  # fmt: skip
    edit(content, "packages.yaml", "    conditions: [beta]", "   conditions: [beta]")
    lines = check(content)
    assert lines[0].startswith(f"{CATALOGUE}:5:4: yaml: expected this line to line up")
    assert lines[1:] == [
        f"{CATALOGUE}:1:1: note: unchecked links: 1 link to its packages, in 1 file, was not "
        "checked because this file has errors; it is checked once it is fixed"
    ]


def test_once_packages_yaml_is_fixed_a_really_broken_link_is_reported(content: Path):
    edit(content, "conditions/alpha.md", "Alpha has symptoms [1].",
         "Alpha has symptoms [1]. See [the package](/packages/test-pakage/).")  # fmt: skip
    assert check(content) == [
        f"{ALPHA}:17:43: link: expected a link to a page or file of this site (did you mean "
        "'/packages/test-package/'?), found '/packages/test-pakage/'"
    ]


YAML_MISTAKES = {  # what the editor wrote in site.yaml -> the line the build prints
    "a tab": (
        "language: en\n",
        "language: en\n\tpublisher: x\n",
        "content/site.yaml:4:1: yaml: expected spaces to indent, found a tab (YAML allows "
        "only spaces: replace it)",
    ),
    "a missing colon": (
        "language: en\n",
        "language: en\npublisher The test suite\n",
        "content/site.yaml:4:1: yaml: expected 'name: value', found no ': ' in 'publisher The "
        "test suite' (a field's name ends with a colon and a space)",
    ),
    "no space after the colon": (
        "language: en\n",
        "language:en\n",
        "content/site.yaml:3:1: yaml: expected a space after the ':' in 'language:en', found "
        "none (a field is written 'name: value')",
    ),
    "an unclosed quote": (
        "title: Test Site\n",
        'title: "Test Site\n',
        'content/site.yaml:1:8: yaml: expected a closing " for the quote that starts here, '
        "found the end of the text (close it, or leave the quotes out)",
    ),
    "a value holding ': '": (
        "description: A small site used by the tests.",
        "description: Tests: a small site.",
        "content/site.yaml:4:19: yaml: expected the value in quotes, as it holds ': ' (write "
        'description: "Tests: a small site."), found it without',
    ),
    "an unclosed list": (
        "  - {title: Home, url: /}",
        "  - {title: Home, url: /",
        "content/site.yaml:7:5: yaml: expected a '}' closing the fields that start here (and "
        "', ' between them), found none",
    ),
}


def test_yaml_syntax_errors_are_said_in_an_editor_s_words_with_the_likely_fix(content: Path):
    for name, (old, new, expected) in YAML_MISTAKES.items():
        path = content / "site.yaml"
        good = path.read_text("utf-8")
        edit(content, "site.yaml", old, new)
        assert check(content) == [expected], name
        path.write_text(good, "utf-8")


# All at once ----------------------------------------------------------------------------


def test_every_check_runs_on_a_file_whatever_else_failed_in_it(content: Path):
    edit(content, "conditions/alpha.md", "evidence: established", "evidence: estabished")
    edit(content, "conditions/alpha.md", "last_reviewed: 2026-01-15", "last_reviewed: 2026-02-30")
    edit(content, "conditions/alpha.md", "Alpha has symptoms [1].",
         "Alpha has symptoms [1] [2]. See [gamma](gamma.md).")  # fmt: skip
    assert check(content) == [
        f"{ALPHA}:5:11: evidence: expected one of the evidence levels defined in site.yaml "
        "(established, investigational) (did you mean 'established'?), found 'estabished'",
        f"{ALPHA}:6:16: last_reviewed: expected a date whose day is from 01 to 28 (February "
        "2026 has 28 days), found '2026-02-30'",
        f"{ALPHA}:17:24: sources: expected [1], the only source listed, found [2]",
        f"{ALPHA}:17:41: link: expected a link to a page or file of this site, found 'gamma.md'",
    ]


def test_a_new_condition_built_as_it_is_lists_everything_left_to_do(tmp_path: Path):
    """With the sample site's own settings (its required sections, 50 words)."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    made = run_cli("new", "condition", "Optic neuritis", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    shown = "content/conditions/optic-neuritis.md"
    lines = [line for line in check(tmp_path / "content") if line.startswith(shown)]
    empty = "section (required by site.yaml), found only its heading"
    assert lines == [
        f"{shown}:3:9: summary: expected text, found nothing",
        f"{shown}:5:10: evidence: expected text, found nothing",
        f"{shown}:9:13: reviewed_by: expected text, found nothing",
        f"{shown}:11:1: sources: expected at least one source (title and url or citation), "
        "found none",
        f"{shown}:20:1: sections: expected text in the '## Symptoms' {empty}",
        f"{shown}:20:1: text: expected at least 50 words of text under the headings "
        "(min_words in site.yaml), found none",
        f"{shown}:22:1: sections: expected text in the '## Causes' {empty}",
        f"{shown}:24:1: sections: expected text in the '## Diagnosis' {empty}",
        f"{shown}:26:1: sections: expected text in the '## Treatment options' {empty}",
        f"{shown}:28:1: sections: expected text in the '## What the evidence says' {empty}",
        f"{shown}:30:1: sections: expected text in the '## Support' {empty}",
    ]


# Nothing empty is published -------------------------------------------------------------


def test_a_required_section_with_only_a_heading_is_an_error(content: Path, tmp_path: Path):
    edit(
        content,
        "site.yaml",
        "min_words: 1",
        "min_words: 1\nrequired_sections: [Symptoms, Treatment]",
    )
    edit(content, "conditions/beta.md", "## Causes", "## Symptoms\n\nBlurred sight.\n\n## Causes")
    edit(
        content,
        "conditions/alpha.md",
        "## Symptoms\n",
        "## Treatment\n\n### Drugs\n\n## Symptoms\n",
    )
    lines = check(content, "--strict")
    assert lines == [
        f"{ALPHA}:15:1: sections: expected text in the '## Treatment' section (required by "
        "site.yaml), found only its heading",
        "content/conditions/beta.md:11:1: sections: expected a '## Treatment' section "
        "(required by site.yaml), found none",
    ]
    result = build_site(content, tmp_path / "site", strict=True)
    assert not result.ok and not (tmp_path / "site").exists()  # nothing is published


def test_a_page_needs_min_words_of_text(content: Path):
    edit(content, "site.yaml", "min_words: 1", "min_words: 7")
    assert check(content) == [
        "content/conditions/beta.md:11:1: text: expected at least 7 words of text under the "
        "headings (min_words in site.yaml), found 6",
        "content/pages/how-we-rate-evidence.md:6:1: text: expected at least 7 words of text "
        "under the headings (min_words in site.yaml), found 5",
    ]


def test_headings_code_and_comments_are_not_text(content: Path):
    path = content / "pages/about.md"
    front = path.read_text("utf-8").split("---\n")[1]
    path.write_text(f"---\n{front}---\n## About us\n\n<!-- to do -->\n\n```\ncode\n```\n")
    assert check(content) == [
        "content/pages/about.md:5:1: text: expected at least 1 word of text under the "
        "headings (min_words in site.yaml), found none",
    ]


# Templates --------------------------------------------------------------------------------


def test_a_template_error_names_the_template_line_and_what_the_object_offers(
    content: Path, templates: Path, tmp_path: Path
):
    template = templates / "condition.html"
    lines = template.read_text("utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if "doc.meta.summary" in line)
    column = lines[number - 1].index("doc.meta.summary") + 1
    template.write_text(template.read_text("utf-8").replace("doc.meta.summary", "doc.summary"))
    result = build_site(content, tmp_path / "site", templates=templates)
    wanted = (
        f"{template}:{number}:{column}: template: expected one of the fields doc offers (body, "
        "body_line, content_path, display_path, kind, lang, meta, slug, source_path, title, url), "
        "found 'summary' (did you mean doc.meta.summary?)"
    )
    assert [str(finding) for finding in result.errors] == [wanted]


def test_a_template_reading_an_unknown_name_is_offered_the_names_it_has(
    content: Path, templates: Path, tmp_path: Path
):
    template = templates / "page.html"
    template.write_text(template.read_text("utf-8").replace("{{ body }}", "{{ bodi }}", 1))
    lines = template.read_text("utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "{{ bodi }}" in text)
    column = lines[line - 1].index("bodi") + 1
    result = build_site(content, tmp_path / "site", templates=templates)
    [finding] = {str(f) for f in result.errors}
    assert finding.startswith(f"{template}:{line}:{column}: template: expected one of the names")
    assert ": template: expected one of the names a template is given (" in finding
    assert finding.endswith("found 'bodi' (did you mean 'body'?)")


def after_body(template: Path, written: str) -> tuple[int, int]:
    """Put `written` in a paragraph after `{{ body }}` in `template`; its line, and the
    column where it starts, counted from 0."""
    text = template.read_text("utf-8")
    template.write_text(text.replace("{{ body }}", "{{ body }}<p>" + written + "</p>", 1))
    line, at = next((number, text.index("{{ body }}")) for number, text
                    in enumerate(template.read_text("utf-8").splitlines(), 1)
                    if "{{ body }}" in text)  # fmt: skip
    return line, at + len("{{ body }}<p>")


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("{{ site.conditions.title }}", "one of the fields site.conditions offers, found "
         "'title': site.conditions is a list, whose items have 'title' (loop over it: "
         "{% for item in site.conditions %}{{ item.title }}{% endfor %}, or take one: "
         "site.conditions[0].title)"),
        ("{{ site.packages.titel }}", "one of the fields site.packages offers, found 'titel': "
         "site.packages is a list (loop over it: {% for item in site.packages %})"),
        ("{{ doc.meta.title.text }}", "one of the fields doc.meta.title offers, found 'text': "
         "doc.meta.title is text, which has no fields"),
        ("{{ today.week }}", "one of the fields today offers, found 'week': today is a date, "
         "which offers year, month and day"),
        ("{{ site.assets.logo }}", "one of the fields site.assets offers, found 'logo': "
         "site.assets is a set of names, which has no fields (ask whether one is in it: '…' in "
         "site.assets)"),
        ("{{ none.title }}", "one of the fields none offers, found 'title': none is empty "
         "(None), which has no fields"),
        ("{{ site.conditions[7].title }}", "an item of site.conditions (it has 2 items, "
         "site.conditions[0] to site.conditions[1]), found none at [7]"),
    ],
)  # fmt: skip
def test_a_field_asked_of_a_list_text_or_a_date_or_a_missing_item_is_told_what_it_is(
    content: Path, templates: Path, tmp_path: Path, written: str, said: str
):
    """A list, a text or a date has no fields to offer: the message says what the
    value is, and for a list how to read its items' fields; an item a list does not
    have, which items it has."""
    template = templates / "page.html"
    line, at = after_body(template, written)
    column = at + len("{{ ") + 1
    result = build_site(content, tmp_path / "site", templates=templates)
    assert [str(finding) for finding in result.errors] == [
        f"{template}:{line}:{column}: template: expected {said}"
    ]


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("{{ url }}", "the function 'url' (did you mean url(…)?)"),
        ("{{ _ }}", "the function '_' (did you mean _(…)?)"),
        ("{{- condition_title -}}", "the function 'condition_title' (did you mean "
         "condition_title(…)?)"),
        ("{% for c in site.conditions %}{{ loop.cycle }}{% endfor %}",
         "the function 'loop.cycle' (did you mean loop.cycle(…)?)"),
        ("{{ site . translation }}", "the function 'site.translation' (did you mean "
         "site.translation(…)?)"),
        ("{% macro note() %}n{% endmacro %}{{ note }}", "the macro 'note' (did you mean note(…)?)"),
        ("{{ site }}", "the whole site 'site' (show one of its parts, such as site.conditions, "
         "site.pages or site.packages)"),
        ("{% set turns = cycler('odd', 'even') %}{{ turns }}",  # no name to point at
         "an object of type 'Cycler' (show one of its fields)"),
        ("{% set pipe = joiner(' | ') %}{{ pipe }}",  # no name to point at
         "an object of type 'Joiner' (call it to show what it gives)"),
        # Turned into text first, they would print the same place in memory.
        ("{{ url | string }}", "the function 'url' (did you mean url(…)?)"),
        ("{{ url('/') }} {{ 'Go to ' ~ url }}", "the function 'url' (did you mean url(…)?)"),
        ("{{ [condition_title] }}", "the function 'condition_title' (did you mean "
         "condition_title(…)?)"),
        ("{{ '%s' | format(_) }}", "the function '_' (did you mean _(…)?)"),
        ("{{ site | e }}", "the whole site 'site' (show one of its parts, such as "
         "site.conditions, site.pages or site.packages)"),
    ],
)  # fmt: skip
def test_a_template_printing_a_function_or_the_whole_site_is_told_what_to_write(
    content: Path, templates: Path, tmp_path: Path, written: str, shown: str
):
    """Printed, a function or the site view would show its place in memory: text no
    reader can use, and different in every build, so no two builds would agree."""
    template = templates / "page.html"
    line, at = after_body(template, written)
    column = at + written.rindex("{{") + 1  # the last {{ … }}
    if "Cycler" in shown or "Joiner" in shown:
        column = 1  # the line's, for want of a name on it
    result = build_site(content, tmp_path / "site", templates=templates)
    assert {str(finding) for finding in result.errors} == {
        f"{template}:{line}:{column}: template: expected a value to show, found {shown}"
    }
    assert not (tmp_path / "site").exists()


def test_a_template_printing_lists_models_and_values_builds(
    content: Path, templates: Path, tmp_path: Path
):
    template = templates / "page.html"
    shown = "{{ site.conditions | map(attribute='title') | join(', ') }} {{ today }} {{ none }}"
    template.write_text(template.read_text("utf-8").replace("{{ body }}", "{{ body }}" + shown))
    assert build_site(content, tmp_path / "site", templates=templates).ok
    about = (tmp_path / "site/about/index.html").read_text("utf-8")
    assert "Alpha condition, Beta condition 2026-" in about


def test_a_page_quoting_what_python_writes_for_a_function_builds_as_written(
    content: Path, tmp_path: Path
):
    """The check is of what templates print, not of what editors write: a page may quote
    Python (its places in memory are not this build's, its objects not sitegen's)."""
    quoted = "`<function url at 0x7f3a2b1c4d50>` and `<foo.Bar object at 0x7f3a2b1c4d50>`"
    edit(content, "pages/about.md", "We test.", f"We test {quoted}.")
    edit(content, "pages/about.md", "title: About", "title: About <function f at 0x7f3a2b1c4d50>")
    result = build_site(content, tmp_path / "site")
    assert result.ok, [str(finding) for finding in result.errors]
    about = (tmp_path / "site/about/index.html").read_text("utf-8")
    assert "<code>&lt;function url at 0x7f3a2b1c4d50&gt;</code>" in about
    assert "<h1>About &lt;function f at 0x7f3a2b1c4d50&gt;</h1>" in about


# Smaller ones -----------------------------------------------------------------------------


def test_an_impossible_month_is_said_so(content: Path):
    edit(content, "conditions/alpha.md", "last_reviewed: 2026-01-15", "last_reviewed: 2026-13-04")
    assert check(content) == [
        f"{ALPHA}:6:16: last_reviewed: expected a date whose month is from 01 to 12 "
        "(YYYY-MM-DD), found '2026-13-04'"
    ]


def test_a_source_marker_with_no_sources_listed_says_there_are_none(content: Path):
    edit(content, "pages/about.md", "We test.", "We test [1].")
    lines = check(content)
    assert lines == [
        "content/pages/about.md:7:9: sources: expected [1] to cite a source listed under "
        "'sources:' in the front matter, found no sources listed (list it there, or remove "
        "the marker)"
    ]


def test_a_misspelt_command_or_option_gets_a_suggestion():
    command = run_cli("buidl")
    assert command.returncode == 2
    assert command.stderr.splitlines()[-1] == (
        "sitegen: error: unknown command 'buidl' (did you mean 'build'?); the commands are "
        "build, check, serve, new, clean"
    )
    option = run_cli("check", "--stirct")
    assert option.returncode == 2
    assert option.stderr.splitlines()[-1] == (
        "sitegen check: error: unrecognized arguments: '--stirct' (did you mean '--strict'?)"
    )


def serve_on_a_taken_port(folder: Path, environment: dict[str, str]) -> str:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port),
             "--templates", str(TEMPLATES)],
            cwd=folder, capture_output=True, text=True, timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT), **environment},
        )  # fmt: skip
    assert result.returncode == 2
    return result.stderr.splitlines()[-1].replace(str(port), "PORT").replace(str(port + 1), "NEXT")


def test_a_taken_port_suggests_what_works_from_make_or_the_command(content: Path):
    folder = content.parent
    said = serve_on_a_taken_port(folder, {"MAKELEVEL": ""})  # run by hand
    assert said == (
        "sitegen: port PORT on 127.0.0.1 is already in use (another server?); choose a free "
        "one, for example --port NEXT"
    )
    said = serve_on_a_taken_port(folder, {"MAKELEVEL": "1"})  # as `make serve` runs it
    assert said == (
        "sitegen: port PORT on 127.0.0.1 is already in use (another server?); choose a free "
        "one, for example make serve PORT=NEXT"
    )


def test_new_package_warns_when_its_id_is_taken(content: Path):
    made = run_cli("new", "package", "Test package", cwd=content.parent)
    assert made.returncode == 0
    assert "  - id: test-package\n" in made.stdout
    assert made.stderr.splitlines() == [
        "sitegen: warning: content/packages.yaml already has a package 'test-package'; give "
        "this one another id (or run again with --slug) before pasting it in"
    ]
    fresh = run_cli("new", "package", "Other package", cwd=content.parent)
    assert "warning" not in fresh.stderr


def test_build_py_works_from_a_python_without_the_packages(tmp_path: Path):
    """`python build.py` as the README writes it: a Python that lacks sitegen's
    packages runs it with the project's .venv."""
    base = subprocess.run([sys.executable, "-c", "import sys; print(sys._base_executable)"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    subprocess.run([base, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True)
    bare = tmp_path / "bare" / "bin" / "python"
    lacks = subprocess.run([bare, "-c", "import pydantic"], capture_output=True)
    assert lacks.returncode != 0  # the Python an editor might have
    shutil.copytree(ROOT / "content", tmp_path / "content")
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "SITEGEN_IN_VENV")}  # fmt: skip
    result = subprocess.run([bare, str(ROOT / "build.py"), "check", "--templates",
                             str(TEMPLATES), "--no-cache"], cwd=tmp_path, capture_output=True,
                            text=True, env=env, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Check passed: 0 errors, 0 warnings" in result.stdout


# YAML means what the editor wrote ----------------------------------------------------------


def built(content: Path, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    result = build_site(content, out)
    assert result.ok, [str(finding) for finding in result.errors]
    return out


def test_yaml_no_is_the_text_no(content: Path, tmp_path: Path):
    """`language: no` (Norwegian) was read as false by YAML 1.1."""
    edit(content, "site.yaml", "language: en", "language: no")
    home = (built(content, tmp_path) / "index.html").read_text("utf-8")
    assert '<html lang="no"' in home


def test_yaml_on_is_the_text_on(content: Path, tmp_path: Path):
    """`title: On` was read as true by YAML 1.1."""
    edit(content, "conditions/alpha.md", "title: Alpha condition", "title: On")
    page = (built(content, tmp_path) / "conditions/alpha/index.html").read_text("utf-8")
    assert "<h1>On</h1>" in page


def test_yaml_1_30_is_the_text_1_30(content: Path, tmp_path: Path):
    """`1:30` was read as the number 90 (base 60) by YAML 1.1."""
    edit(content, "conditions/alpha.md", "summary: Alpha is a test condition.", "summary: 1:30")
    page = (built(content, tmp_path) / "conditions/alpha/index.html").read_text("utf-8")
    assert '<p class="lead">1:30</p>' in page


def test_a_number_where_text_is_expected_is_the_text_written(content: Path, tmp_path: Path):
    """`summary: 0123` stays `0123`, not 123."""
    edit(content, "conditions/alpha.md", "summary: Alpha is a test condition.", "summary: 0123")
    page = (built(content, tmp_path) / "conditions/alpha/index.html").read_text("utf-8")
    assert '<p class="lead">0123</p>' in page


def test_a_merge_key_with_an_override_is_not_a_duplicate_field(content: Path, tmp_path: Path):
    """`<<: *base` then a field of its own: the field of its own wins."""
    path = content / "packages.yaml"
    entry = path.read_text("utf-8").split("packages:\n", 1)[1]
    path.write_text(
        "packages:\n" + entry.replace("  - id: test-package", "  - &base\n    id: test-package", 1)
        + "  - <<: *base\n    id: second-package\n    name: Second package\n",
        "utf-8",
    )  # fmt: skip
    out = built(content, tmp_path)
    second = (out / "packages/second-package/index.html").read_text("utf-8")
    assert "Second package" in second and "Test cells" in second
    assert (out / "packages/test-package/index.html").is_file()
