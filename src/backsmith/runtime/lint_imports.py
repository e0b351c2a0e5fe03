"""Run import-linter on one configuration file (the architecture gate).

`python lint_imports.py CONFIG`, with the project's source root on PYTHONPATH; the exit
status is import-linter's.
"""

from __future__ import annotations

import os
import sys

from importlinter.cli import lint_imports

if __name__ == "__main__":
    sys.path[0] = os.getcwd()  # the project, where `python -c` would have put it
    sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))
