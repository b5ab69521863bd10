"""The command line as editors use it: `python build.py ...` in a real process."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, TEMPLATES, run_cli
from sitegen import __version__, cli


def test_default_command_builds_content_into_site(content: Path):
    (content.parent / "templates").symlink_to(TEMPLATES)
    result = run_cli(cwd=content.parent)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"Built 10 pages into site/ in \d+\.\d\d s\.\n", result.stdout)
    assert (content.parent / "site" / "index.html").is_file()


def test_build_options(content: Path, tmp_path: Path):
    result = run_cli(
        "build",
        "--content",
        str(content),
        "--out",
        str(tmp_path / "out"),
        "--templates",
        str(TEMPLATES),
        "--strict",
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "conditions" / "alpha" / "index.html").is_file()


def test_options_without_a_command_mean_build(content: Path, tmp_path: Path):
    result = run_cli(
        "--content", str(content), "--out", str(tmp_path / "o"), "--templates", str(TEMPLATES)
    )
    assert result.returncode == 0, result.stderr


def test_the_exit_code_and_every_line_survive_ending_without_teardown(
    content: Path, tmp_path: Path
):
    """`run_and_exit` ends the process at once: what was written still arrives through
    a pipe (written in blocks unless PYTHONUNBUFFERED is set, so it is not here), and
    the code is the command's, from `build.py` and from `python -m sitegen`."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    args = ("--content", str(content), "--out", str(tmp_path / "o"), "--templates", str(TEMPLATES))

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *command, *args], capture_output=True, text=True,
                              env={**env, "PYTHONPATH": str(ROOT)}, cwd=ROOT, timeout=120)  # fmt: skip

    for index in range(30):  # a finding each
        (content / "conditions" / f"broken-{index}.md").write_text("---\ntitle: [\n---\n")
    for result in (run(str(ROOT / "build.py")), run("-m", "sitegen")):
        assert result.returncode == 1
        assert len(re.findall(r"broken-\d+\.md:3:1: yaml: ", result.stderr)) == 30
        assert re.search(r"Build failed: \d+ errors; \S+ was left as it was\.\n$", result.stderr)
    for broken in (content / "conditions").glob("broken-*.md"):
        broken.unlink()
    for result in (run(str(ROOT / "build.py")), run("-m", "sitegen")):
        assert result.returncode == 0, result.stderr
        assert re.fullmatch(r"Built 10 pages into \S+ in [\d.]+ s\.\n", result.stdout)


def test_version_and_help():
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"sitegen {__version__}"
    helped = run_cli("--help")
    assert helped.returncode == 0 and "build" in helped.stdout
    build_help = run_cli("build", "--help")
    for option in ("--content", "--out", "--strict", "--templates"):
        assert option in build_help.stdout


def test_usage_errors_exit_2_without_traceback(content: Path, tmp_path: Path):
    cases = [
        (["build", "--nonsense"], "unrecognized arguments"),
        (["build", "--content", str(tmp_path / "nowhere")], "content folder not found"),
        (
            ["build", "--content", str(content), "--out", str(content)],
            "would replace the content folder",
        ),
        (
            [
                "build",
                "--content",
                str(content),
                "--templates",
                str(TEMPLATES),
                "--out",
                str(TEMPLATES),
            ],
            "would replace the templates folder",
        ),
    ]
    for args, message in cases:
        result = run_cli(*args)
        assert result.returncode == 2, args
        assert message in result.stderr
        assert "Traceback" not in result.stderr


def test_warnings_are_printed_and_counted(content: Path, tmp_path: Path):
    beta = content / "conditions" / "beta.md"
    beta.write_text(beta.read_text("utf-8") + "\n<script>x()</script>\n", "utf-8")
    result = run_cli(
        "build",
        "--content",
        str(content),
        "--out",
        str(tmp_path / "o"),
        "--templates",
        str(TEMPLATES),
    )
    assert result.returncode == 0
    assert "warning: html: expected safe HTML, found <script>; it was removed" in result.stderr
    assert result.stdout.rstrip().endswith("s, 1 warning.")
    strict = run_cli(
        "build",
        "--strict",
        "--content",
        str(content),
        "--out",
        str(tmp_path / "p"),
        "--templates",
        str(TEMPLATES),
    )
    assert strict.returncode == 1
    assert "Build failed: 1 error;" in strict.stderr


def test_console_script_is_declared():
    text = (Path(__file__).parent.parent / "pyproject.toml").read_text()
    assert 'sitegen = "sitegen.cli:main"' in text


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_line_shows_each_stage_once_the_build_has_taken_a_second(monkeypatch):
    clock = iter([100.0, 100.5, 101.2, 101.3, 101.4, 101.5])
    monkeypatch.setattr(cli.time, "perf_counter", lambda: next(clock))
    terminal = Terminal()
    show = cli.progress_line(terminal)
    assert show is not None
    show("Reading content", 250, 500)  # half a second in: nothing yet
    show("Reading content", 500, 500)
    show("Rendering pages", 1, 2)
    show("Rendering pages", 2, 2)
    show("Indexing search shards", 1, 1)
    assert terminal.getvalue() == (
        "\rReading content: 500/500\n\rRendering pages: 1/2\rRendering pages: 2/2\n"
        "\rIndexing search shards: 1/1\n"
    )
    assert cli.progress_line(io.StringIO()) is None  # not a terminal: quiet


def test_serve_passes_jobs_and_no_cache_to_its_builds(content: Path, tmp_path: Path, monkeypatch):
    """`serve --jobs N` and `serve --no-cache` reach the session that rebuilds after each
    save (they were once accepted and ignored): with --no-cache, no .cache folder."""
    from sitegen import serve as serving
    from sitegen.build import Session

    given = []

    def serve(options, session_of, host, port):  # the server itself is tested in test_serve.py
        assert session_of is Session
        given.append(options)
        session = session_of(options)
        try:
            return 0 if session.build().ok else 1
        finally:
            session.close()

    monkeypatch.setattr(serving, "serve", serve)
    paths = ["--content", str(content), "--templates", str(TEMPLATES), "--out", str(tmp_path / "o")]
    assert cli.main(["serve", "--jobs", "1", "--no-cache", *paths]) == 0
    assert (given[0].jobs, given[0].cache) == (1, False)
    assert (given[0].drafts, given[0].keep_fragments, given[0].keep_search_index) == (True,) * 3
    assert not (content.parent / ".cache").exists()
    assert (tmp_path / "o/index.html").is_file()
    assert cli.main(["serve", *paths]) == 0
    assert (given[1].jobs, given[1].cache) == (None, True)
    assert (content.parent / ".cache").is_dir()
