"""Build the site: `python build.py --help` lists the commands."""

import sys

from sitegen.cli import main

if __name__ == "__main__":
    sys.exit(main())
