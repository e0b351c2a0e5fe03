"""What backsmith generated in a project: `.backsmith/manifest.json`, path -> sha256.

Read when backsmith writes again (a file changed since is a hand edit) and when the
project is profiled (its conventions are the team's code, not backsmith's own files).
"""

from __future__ import annotations

import json
from pathlib import Path

MANIFEST = ".backsmith/manifest.json"


def generated_files(root: Path) -> dict[str, str]:
    """The files backsmith generated under `root` and their digests; {} if none (or the
    manifest is unreadable, which is then the same as none)."""
    path = root / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    files = data.get("files", {}) if isinstance(data, dict) else {}
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
