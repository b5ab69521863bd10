"""The command line: `python build.py [COMMAND] [options]`; with no command, `build`.

Each command is a pair of small functions, `add_<name>` (its options) and
`run_<name>` (what it does), listed once in COMMANDS.
Exit codes: 0 done, 1 content problems (all listed, the old site kept),
2 usage errors, 3 an internal error (a bug: one line asking for a report).
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import gc
import json
import os
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import NoReturn, TextIO

from . import __version__, store, write
from .build import BuildOptions, BuildResult, Session, build
from .findings import Finding, Severity, one_line, sort_findings
from .fs import display
from .urls import is_html
from .write import output_lock, remove_leftovers

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3
# A build keeps many objects to its end (the store's entries, documents, pages), and
# with Python's default thresholds (700, 10, 10) the cyclic garbage collector goes
# over them again and again. Measurements: docs/performance.md.
COLLECTION_THRESHOLDS = (100_000, 20, 10)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def worker_count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, found {text!r}")
    return int(text)


def day_count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number of days, found {text!r}")
    return int(text)


def add_content_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                         help="the content folder (default: content)")  # fmt: skip
    command.add_argument("--templates", type=Path, default=Path("templates"), metavar="DIR",
                         help="the templates folder (default: templates)")  # fmt: skip
    command.add_argument("--strict", action="store_true",
                         help="treat warnings as errors")  # fmt: skip
    command.add_argument("--no-cache", action="store_true",
                         help="ignore the build cache in .cache/ and do not update it")  # fmt: skip
    command.add_argument("--jobs", type=worker_count, default=None, metavar="N",
                         help="worker processes (default: one per core)")  # fmt: skip


def add_build(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser("build", help="build content/ into site/ (the default)")
    add_content_options(command)
    command.add_argument("--out", type=Path, default=Path("site"), metavar="DIR",
                         help="where the site is written (default: site)")  # fmt: skip


def add_check(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "check", help="run every check without writing the site (exit 1 on any error)"
    )
    add_content_options(command)
    command.add_argument("--format", choices=("text", "json"), default="text",
                         help="text lines (default) or JSON for editors' tools")  # fmt: skip
    command.add_argument("--links", action="store_true",
                         help="also fetch every external link and source URL (never done "
                              "by a build): report gone, moved and changed pages")  # fmt: skip
    command.add_argument("--link-jobs", type=worker_count, default=8, metavar="N",
                         help="with --links: requests at a time in all (default: 8)")  # fmt: skip
    command.add_argument("--per-host", type=worker_count, default=2, metavar="N",
                         help="with --links: requests at once to a host (default: 2)")  # fmt: skip
    command.add_argument("--max-age", type=day_count, default=7, metavar="DAYS",
                         help="with --links: reuse a result checked fewer days ago "
                              "(default: 7; 0 fetches everything again)")  # fmt: skip


def usage_problem(options: BuildOptions) -> str | None:
    """Arguments that cannot work, caught before anything is read or written."""
    if not options.content.is_dir():
        return f"content folder not found: {options.content}"
    if not options.templates.is_dir():
        return f"templates folder not found: {options.templates}"
    if not options.write:
        return None
    return out_problem(options.out, {"content": options.content, "templates": options.templates})


def out_problem(out_given: Path, sources: dict[str, Path]) -> str | None:
    """Why `--out` cannot be replaced (or deleted by `clean`), if it cannot."""
    out = out_given.resolve()
    for name, folder in sources.items():
        inner = folder.resolve()
        if out == inner or out in inner.parents:
            return f"--out {out_given} would replace the {name} folder; choose another folder"
        if inner in out.parents:
            return f"--out {out_given} is inside the {name} folder; choose a folder outside it"
    if out == Path(out.anchor) or out == Path.home():
        return f"--out {out_given} is not a folder the site can replace"
    refused = write.replaceable(out_given.absolute())
    return f"--out {out_given} {refused}" if refused else None


def progress_line(stream: TextIO) -> Callable[[str, int, int], None] | None:
    """`Rendering pages: 512/10000`, each stage on a line of its own rewritten as it
    goes, once the build has taken a second; on terminals only."""
    if not stream.isatty():
        return None
    started = time.perf_counter()

    def show(stage: str, done: int, total: int) -> None:
        if time.perf_counter() - started < 1:
            return
        end = "\n" if done == total else ""
        stream.write(f"\r{stage}: {done}/{total}{end}")
        stream.flush()

    return show


def counts(result: BuildResult) -> str:
    warnings = len(result.warnings)
    return f", {plural(warnings, 'warning')}" if warnings else ""


def write_lines(stream: TextIO, findings: list[Finding]) -> None:
    """One line a finding, in one write (a large site has thousands of them)."""
    stream.write("".join(f"{finding}\n" for finding in findings))


def run_build(args: argparse.Namespace) -> int:
    options = BuildOptions(args.content, args.out, args.templates, args.strict,
                           jobs=args.jobs, cache=not args.no_cache,
                           progress=progress_line(sys.stderr), notes=False)  # fmt: skip
    problem = usage_problem(options)
    if problem:
        print(f"sitegen: {problem}", file=sys.stderr)
        return EXIT_USAGE
    started = time.perf_counter()
    result = build(options)
    write_lines(sys.stderr, [f for f in result.findings if f.severity is not Severity.NOTE])
    seconds = time.perf_counter() - started
    if not result.ok:
        print(
            f"Build failed: {plural(len(result.errors), 'error')}{counts(result)}; "
            f"{display(options.out)}/ was left as it was.",
            file=sys.stderr,
        )
        return EXIT_CONTENT
    pages = sum(1 for url in result.urls if is_html(url))
    print(f"Built {pages} pages into {display(options.out)}/ in {seconds:.2f} s{counts(result)}.")
    return EXIT_OK


def findings_json(findings: list[Finding]) -> str:
    return json.dumps([{**asdict(f), "severity": f.severity.value} for f in findings], indent=2)


def summary_table(findings: list[Finding]) -> str:
    """Errors and warnings counted by rule (a claims rule or a field without its
    list positions), most first, each with its first finding as an example: on a
    big site's first run, the place to start reading."""
    rows: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.severity is not Severity.NOTE:
            rows.setdefault(re.sub(r"\[\d+\]", "", finding.field), []).append(finding)
    if not rows:
        return ""
    width = max(len("rule"), *map(len, rows))
    lines = [f"{'rule':<{width}}  count  example"]
    for rule, found in sorted(rows.items(), key=lambda row: (-len(row[1]), row[0])):
        first = found[0]
        said = first.message if len(first.message) <= 60 else first.message[:57] + "..."
        if first.message.startswith('"') and '": ' in first.message:  # a claim: its words
            said = first.message.split('": ')[0] + '"'
        example = one_line(f"{first.path}:{first.line}: {said}")
        lines.append(f"{one_line(rule):<{width}}  {len(found):>5}  {example}")
    return "\n".join(lines)


def run_check(args: argparse.Namespace) -> int:
    options = BuildOptions(args.content, Path("site"), args.templates, args.strict, write=False,
                           jobs=args.jobs, cache=not args.no_cache)  # fmt: skip
    problem = usage_problem(options)
    if problem:
        print(f"sitegen: {problem}", file=sys.stderr)
        return EXIT_USAGE
    result = build(options)
    if args.links:
        found = external_link_findings(options, args)
        result.findings = sort_findings(result.findings + found)
    if args.format == "json":
        print(findings_json(result.findings))
    else:
        write_lines(sys.stdout, result.findings)
        if table := summary_table(result.findings):
            print(f"\n{table}\n")
        verdict = "failed" if not result.ok else "passed"
        print(
            f"Check {verdict}: {plural(len(result.errors), 'error')}, "
            f"{plural(len(result.warnings), 'warning')}, {plural(len(result.notes), 'note')}."
        )
    return EXIT_OK if result.ok else EXIT_CONTENT


def external_link_findings(options: BuildOptions, args: argparse.Namespace) -> list[Finding]:
    """`check --links`: every http(s) address in the content files, fetched (or its
    result of the last `--max-age` days reused) and reported where it is cited."""
    from .build import list_inputs
    from .fs import display_in
    from .links import CACHE_FILE, check_links, find_links

    names = list_inputs(options).names
    files = [(display_in(options.content, name[8:]), path) for name, path in names.items()
             if name.startswith("content/") and not name.startswith("content/images/")]  # fmt: skip
    links = find_links(files, skip=tuple(site_address(options.content)))
    cache_file = store.cache_path(options.content).parent / CACHE_FILE
    return check_links(links, cache_file, date.today(), args.max_age, args.link_jobs,
                       args.per_host)  # fmt: skip


def site_address(content: Path) -> list[str]:
    """The site's own base URL, if site.yaml names one: links to the site itself are
    not checked (it may not be online yet)."""
    import yaml

    try:
        data = yaml.safe_load((content / "site.yaml").read_text("utf-8"))
        address = data.get("base_url") if isinstance(data, dict) else None
    except (OSError, ValueError, yaml.YAMLError):
        return []
    return [address] if isinstance(address, str) and address.startswith("http") else []


def port_number(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"expected a port number from 1 to 65535, found {text!r}")
    return int(text)


def add_serve(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "serve", help="build, serve with live reload and rebuild what each save changes"
    )
    add_content_options(command)
    command.add_argument("--out", type=Path, default=Path("site"), metavar="DIR",
                         help="where the site is written (default: site)")  # fmt: skip
    command.add_argument("--host", default="127.0.0.1",
                         help="address to listen on (default: 127.0.0.1, loopback)")  # fmt: skip
    command.add_argument("--port", type=port_number, default=8000,
                         help="port to listen on (default: 8000)")  # fmt: skip


def run_serve(args: argparse.Namespace) -> int:
    from .serve import serve  # the server's packages load only when serving

    options = BuildOptions(args.content, args.out, args.templates, args.strict, jobs=args.jobs,
                           cache=not args.no_cache, keep_search_index=True,
                           drafts=True, keep_fragments=True, notes=False)  # fmt: skip
    problem = usage_problem(options)
    if problem:
        print(f"sitegen: {problem}", file=sys.stderr)
        return EXIT_USAGE
    return serve(options, Session, args.host, args.port)


def add_new(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "new", help="start a condition, page or package with every field it needs"
    )
    command.add_argument("kind", choices=("condition", "page", "package"))
    command.add_argument("title", help="its title (for a package, its name)")
    command.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                         help="the content folder (default: content)")  # fmt: skip
    command.add_argument("--slug", help="the file name (a package's id) instead of one "
                                        "made from the title")  # fmt: skip
    command.add_argument("--append", action="store_true",
                         help="package: add it to packages.yaml, not print it")  # fmt: skip
    command.add_argument("--lang", metavar="CODE",
                         help="condition or page: start its translation into this language "
                              "(the page named by its title or --slug must exist)")  # fmt: skip


def run_new(args: argparse.Namespace) -> int:
    from .scaffold import (
        ScaffoldError,
        append_package,
        existing_package,
        new_document,
        new_package,
        new_translation,
    )

    if not args.content.is_dir():
        print(f"sitegen: content folder not found: {args.content}", file=sys.stderr)
        return EXIT_USAGE
    if args.append and args.kind != "package":
        print("sitegen: --append is for packages; a condition or page gets its own file",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    if args.lang and args.kind == "package":
        print("sitegen: --lang is for conditions and pages; a package's words in another "
              "language go under its translations: in packages.yaml", file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    try:
        if args.lang:
            path = new_translation(args.kind, args.title, args.lang, args.content, slug=args.slug)
            print(display(path))
            print("Translate its words in place; the build reports what is still missing.",
                  file=sys.stderr)  # fmt: skip
            return EXIT_OK
        if args.kind != "package":
            path = new_document(args.kind, args.title, args.content, slug=args.slug)
            print(display(path))
            print("Fill in the empty fields and the sections; the build lists anything "
                  "still missing.", file=sys.stderr)  # fmt: skip
            return EXIT_OK
        package_id, block = new_package(args.title, args.content, slug=args.slug)
        if not args.append:
            print(block, end="")
            if existing_package(package_id, args.content):
                catalogue = display(args.content / "packages.yaml")
                print(f"sitegen: warning: {catalogue} already has a package '{package_id}'; "
                      "give this one another id (or run again with --slug) before pasting "
                      "it in", file=sys.stderr)  # fmt: skip
                return EXIT_OK
            print(f"Paste this under 'packages:' in {display(args.content / 'packages.yaml')}, "
                  "or run again with --append.", file=sys.stderr)  # fmt: skip
            return EXIT_OK
        path = append_package(block, package_id, args.content)
    except ScaffoldError as exc:
        print(f"sitegen: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(display(path))
    print(f"Added the package '{package_id}'; fill in its empty fields.", file=sys.stderr)
    return EXIT_OK


def add_clean(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser("clean", help="remove the build cache and the built site")
    command.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                         help="whose cache is removed (default: content)")  # fmt: skip
    command.add_argument("--out", type=Path, default=Path("site"), metavar="DIR",
                         help="the built site to remove (default: site)")  # fmt: skip


def run_clean(args: argparse.Namespace) -> int:
    problem = out_problem(args.out, {"content": args.content})
    if problem:
        print(f"sitegen: {problem}; nothing was removed", file=sys.stderr)
        return EXIT_USAGE
    removed = [display(path) for path in store.clean(args.content)]
    with output_lock(args.out.absolute()):
        removed += [display(path) for path in write.clean(args.out)]
        remove_leftovers(args.out.absolute(), keep=None)
        if args.out.is_dir():
            shutil.rmtree(args.out)
            removed.append(f"{display(args.out)}/")
    print(f"Removed {', '.join(removed)}." if removed else "Nothing to remove.")
    return EXIT_OK


COMMANDS: dict[str, tuple[Callable[[argparse._SubParsersAction], None],
                          Callable[[argparse.Namespace], int]]] = {
    "build": (add_build, run_build),
    "check": (add_check, run_check),
    "serve": (add_serve, run_serve),
    "new": (add_new, run_new),
    "clean": (add_clean, run_clean),
}  # fmt: skip


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="sitegen",
        description="Build a health-information site from Markdown and YAML in content/.",
        epilog="With no command, 'build' is run.",
    )
    main.add_argument("--version", action="version", version=f"sitegen {__version__}")
    commands = main.add_subparsers(dest="command", metavar="COMMAND")
    for add, _ in COMMANDS.values():
        add(commands)
    return main


def environment_problem(exc: BaseException) -> str:
    """One line for a failure of the machine's: a full disk, a folder that may not be
    written, a file removed while it was read."""
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot use{where}: {exc.strerror or exc}"
    return str(exc)


def did_you_mean(found: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(found, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def parse(args_list: list[str]) -> argparse.Namespace:
    """The command line read as argparse reads it, with a "did you mean" for a
    misspelt command or option (exit 2, as argparse's own usage errors)."""
    first = args_list[0] if args_list else ""
    if first and not first.startswith("-") and first not in COMMANDS:
        commands = ", ".join(COMMANDS)
        parser().error(f"unknown command '{first}'{did_you_mean(first, list(COMMANDS))}; "
                       f"the commands are {commands}")  # fmt: skip
    if not args_list or args_list[0] not in (*COMMANDS, "-h", "--help", "--version"):
        args_list = ["build", *args_list]
    main_parser = parser()
    args, unknown = main_parser.parse_known_args(args_list)
    if unknown:
        command = command_parsers(main_parser)[args.command]
        known = [name for action in command._actions for name in action.option_strings]
        said = ", ".join(f"'{word}'{did_you_mean(word, known) if word.startswith('-') else ''}"
                         for word in unknown)  # fmt: skip
        command.error(f"unrecognized arguments: {said}")
    return args


def command_parsers(main_parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in main_parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def run_and_exit(main: Callable[[], int]) -> NoReturn:
    """Run `main` and end the process with its exit code, without tearing it down:
    freeing a large build's objects one by one at exit is a good share of a quick
    build of a large site. Everything a command opens it also closes (the store,
    the output folder's lock, worker processes), so only the output is flushed."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream
            stream.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = parse(list(sys.argv[1:] if argv is None else argv))
    gc.set_threshold(*COLLECTION_THRESHOLDS)
    try:
        return COMMANDS[args.command][1](args)
    except KeyboardInterrupt:
        print("sitegen: interrupted; the previous site was left as it was.", file=sys.stderr)
        return 130
    except (OSError, write.OutputError, sqlite3.OperationalError) as exc:  # the machine's, not ours
        print(f"sitegen: {environment_problem(exc)}; the previous site was left as it was.",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    except Exception as exc:  # a bug in sitegen, never the editor's fault
        print(
            f"sitegen: internal error ({type(exc).__name__}: {exc}); please report this "
            "with the command you ran. The previous site was left as it was.",
            file=sys.stderr,
        )
        return EXIT_BUG
