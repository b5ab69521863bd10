"""Time `serve`'s title edits when it starts from the store, with and without the
warm-up of the pages that show parts (a measurement, not a test).

    python bench/first_title_edit.py --content DIR [--edits 3]

DIR is a content folder (`bench/generate.py --pages 10000 --out DIR`); the site is
built beside it, its store in `.cache/` beside it. A command-line build fills the
store first. Then twice, in one process each time as `serve` is: a session built
from the store (it renders nothing), `Session.warm()` or not, then `--edits` edits
of one condition's title, each printed with its CPU seconds. The title is put back
at the end.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SESSION = """
import gc, sys, time
from pathlib import Path
from sitegen.build import BuildOptions, Session
from sitegen.cli import COLLECTION_THRESHOLDS

gc.set_threshold(*COLLECTION_THRESHOLDS)
content, warm, edits = Path(sys.argv[1]), sys.argv[2] == "warm", int(sys.argv[3])
options = BuildOptions(content, content.parent / "site", Path(sys.argv[4]), cache=True,
                       keep_search_index=True, keep_fragments=True)
session = Session(options)
print(f"  from the store: rendered {len(session.build().rendered)} pages")
if warm:
    cpu = time.process_time()
    result = session.warm()
    print(f"  warm-up: {time.process_time() - cpu:.2f} s of CPU, "
          f"{len(session.warmed)} pages with parts rendered")
target = sorted((content / "conditions").glob("*.md"))[9]
original = target.read_text("utf-8")
try:
    for edit in range(edits):
        target.write_text(original.replace("\\ntitle: ", f"\\ntitle: Edit {edit} ", 1), "utf-8")
        gc.collect()
        gc.freeze()  # as serve keeps what its builds keep
        cpu = time.process_time()
        result = session.build()
        print(f"  title edit {edit + 1}: {time.process_time() - cpu:.2f} s of CPU, "
              f"{len(result.rendered)} pages rendered")
finally:
    target.write_text(original, "utf-8")
    session.build()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, required=True)
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args()
    content = args.content.resolve()
    templates = ROOT / "templates"
    build = [sys.executable, str(ROOT / "build.py"), "build", "--content", str(content),
             "--out", str(content.parent / "site"), "--templates", str(templates)]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(build, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"store filled by a build: {time.perf_counter() - started:.1f} s")
    for mode in ("cold", "warm"):
        print(f"serve started from the store, {'with' if mode == 'warm' else 'without'} warm-up:")
        command = [sys.executable, "-c", SESSION, str(content), mode, str(args.edits),
                   str(templates)]  # fmt: skip
        subprocess.run(command, check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
