"""Build the site: `python build.py --help` lists the commands.

Any Python 3.11+ runs it: when the one it was started with lacks sitegen's
packages, it runs itself again with the project's .venv (which `make setup`,
`make build` or `make serve` creates), so the commands work as the README
writes them.
"""

import os
import sys
from pathlib import Path

VENV_PYTHON = Path(__file__).absolute().parent / ".venv" / "bin" / "python"
AGAIN = "SITEGEN_IN_VENV"  # set when this runs itself again, so it does so only once


def main() -> None:
    try:
        from sitegen.cli import main as run
        from sitegen.cli import run_and_exit
    except ModuleNotFoundError as exc:
        if os.access(VENV_PYTHON, os.X_OK) and not os.environ.get(AGAIN):
            os.environ[AGAIN] = "1"
            os.execv(VENV_PYTHON, [str(VENV_PYTHON), __file__, *sys.argv[1:]])
        print(
            f"sitegen: the package '{exc.name}' is not installed for {sys.executable}; "
            "run `make setup` once (it installs everything into .venv), then run this again",
            file=sys.stderr,
        )
        sys.exit(2)
    run_and_exit(run)


if __name__ == "__main__":
    main()
