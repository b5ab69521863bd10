"""The command line: `python build.py [build] [--content DIR] [--out DIR] [--strict]`.

Exit codes: 0 built, 1 content problems (all listed, the old site kept),
2 usage errors, 3 an internal error (a bug: one line asking for a report).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import __version__
from .build import BuildOptions, build
from .load import display

COMMANDS = ("build",)
EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="sitegen",
        description="Build a health-information site from Markdown and YAML in content/.",
        epilog="With no command, 'build' is run.",
    )
    main.add_argument("--version", action="version", version=f"sitegen {__version__}")
    commands = main.add_subparsers(dest="command", metavar="COMMAND")
    build_cmd = commands.add_parser("build", help="build content/ into site/ (the default)")
    build_cmd.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        metavar="DIR",
        help="the content folder (default: content)",
    )
    build_cmd.add_argument(
        "--out",
        type=Path,
        default=Path("site"),
        metavar="DIR",
        help="where the site is written (default: site)",
    )
    build_cmd.add_argument(
        "--templates",
        type=Path,
        default=Path("templates"),
        metavar="DIR",
        help="the templates folder (default: templates)",
    )
    build_cmd.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings as errors: nothing is written if there are any",
    )
    return main


def usage_problem(options: BuildOptions) -> str | None:
    """Arguments that cannot work, caught before anything is read or written."""
    if not options.content.is_dir():
        return f"content folder not found: {options.content}"
    if not options.templates.is_dir():
        return f"templates folder not found: {options.templates}"
    out = options.out.resolve()
    for name, folder in (("content", options.content), ("templates", options.templates)):
        inner = folder.resolve()
        if out == inner or out in inner.parents:
            return f"--out {options.out} would replace the {name} folder; choose another folder"
    if out == Path(out.anchor) or out == Path.home():
        return f"--out {options.out} is not a folder the site can replace"
    if options.out.exists() and not options.out.is_dir():
        return f"--out {options.out} exists and is not a folder"
    return None


def run_build(args: argparse.Namespace) -> int:
    options = BuildOptions(args.content, args.out, args.templates, args.strict)
    problem = usage_problem(options)
    if problem:
        print(f"sitegen: {problem}", file=sys.stderr)
        return EXIT_USAGE
    started = time.perf_counter()
    result = build(options)
    for finding in result.findings:
        print(finding, file=sys.stderr)
    seconds = time.perf_counter() - started
    warnings = len(result.warnings)
    warned = f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
    if not result.ok:
        errors = len(result.errors)
        print(
            f"Build failed: {errors} error{'s' if errors != 1 else ''}{warned}; "
            f"{display(options.out)}/ was left as it was.",
            file=sys.stderr,
        )
        return EXIT_CONTENT
    count = sum(1 for page in result.pages if page.is_html)
    print(f"Built {count} pages into {display(options.out)}/ in {seconds:.2f} s{warned}.")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (
        args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help", "--version")
    ):
        args_list.insert(0, "build")
    args = parser().parse_args(args_list)
    try:
        return run_build(args)
    except KeyboardInterrupt:
        print("sitegen: interrupted; the previous site was left as it was.", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug in sitegen, never the editor's fault
        print(
            f"sitegen: internal error ({type(exc).__name__}: {exc}); please report this "
            "with the command you ran. The previous site was left as it was.",
            file=sys.stderr,
        )
        return EXIT_BUG
