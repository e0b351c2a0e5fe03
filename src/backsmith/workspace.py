"""The only code that writes into a project: staged changes, written all or nothing.

Changes are staged in memory; `commit` writes each file beside its target and renames it
into place (or removes it), and puts every file back as it was if anything fails. A
manifest (`.backsmith/manifest.json`) keeps the hash of every file backsmith generated, so
that a later run never overwrites or removes a file someone edited by hand.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from backsmith.errors import WorkspaceConflict
from backsmith.project.manifest import MANIFEST, generated_files


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"  # generated earlier, no longer part of what the spec produces
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Change:
    path: str  # relative, POSIX separators
    content: str
    action: Action
    reason: str
    generated: bool  # owned by backsmith (recorded in the manifest), or an edit of a user file


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Workspace:
    root: Path
    changes: dict[str, Change] = field(default_factory=dict)

    def read(self, path: str) -> str | None:
        target = self.root / path
        return target.read_text(encoding="utf-8") if target.is_file() else None

    def manifest(self) -> dict[str, str]:
        return generated_files(self.root)

    def stage(self, path: str, content: str, reason: str, *, generated: bool = True) -> Change:
        current = self.read(path)
        if current is None:
            action = Action.CREATE
        elif current == content:
            action = Action.UNCHANGED
        else:
            action = Action.UPDATE
        change = Change(path, content, action, reason, generated)
        self.changes[path] = change
        return change

    def stage_delete(self, path: str, reason: str) -> Change | None:
        """Remove a generated file that the new spec no longer produces (if it exists)."""
        if self.read(path) is None:
            return None
        change = Change(path, "", Action.DELETE, reason, generated=True)
        self.changes[path] = change
        return change

    def conflicts(self) -> list[str]:
        """Generated files to replace or remove that are not as backsmith wrote them."""
        recorded = self.manifest()
        hand_edited: list[str] = []
        for change in self.changes.values():
            if change.action not in (Action.UPDATE, Action.DELETE) or not change.generated:
                continue
            current = self.read(change.path)
            if current is not None and recorded.get(change.path) != digest(current):
                hand_edited.append(change.path)
        return sorted(hand_edited)

    def diff(self) -> str:
        chunks: list[str] = []
        for change in self.pending():
            before = self.read(change.path) or ""
            chunks.extend(
                difflib.unified_diff(
                    before.splitlines(keepends=True),
                    change.content.splitlines(keepends=True),
                    fromfile="/dev/null" if change.action is Action.CREATE else f"a/{change.path}",
                    tofile="/dev/null" if change.action is Action.DELETE else f"b/{change.path}",
                )
            )
        return "".join(chunks)

    def pending(self) -> list[Change]:
        return [c for c in self.changes.values() if c.action is not Action.UNCHANGED]

    def commit(self) -> list[Change]:
        """Write every pending change, or none of them. Returns what was written."""
        conflicts = self.conflicts()
        if conflicts:
            raise WorkspaceConflict(
                "these files were edited by hand since backsmith generated them: "
                + ", ".join(conflicts),
                hint="commit or move your edits, delete the files to regenerate them, "
                "or keep them and leave this feature's spec unchanged",
            )
        pending = self.pending()
        if not pending:
            return []
        manifest = self.manifest()
        for change in pending:
            if change.action is Action.DELETE:
                manifest.pop(change.path, None)
            elif change.generated:
                manifest[change.path] = digest(change.content)
        manifest_text = (
            json.dumps({"version": 1, "files": dict(sorted(manifest.items()))}, indent=2) + "\n"
        )
        writes: list[tuple[str, str | None]] = [
            (c.path, None if c.action is Action.DELETE else c.content) for c in pending
        ]
        writes.append((MANIFEST, manifest_text))
        self._write_all(writes)
        return pending

    def _write_all(self, writes: list[tuple[str, str | None]]) -> None:
        """Write (or, for None, remove) every file; on any failure restore them all."""
        originals: dict[Path, str | None] = {}
        created_dirs: list[Path] = []
        try:
            for path, content in writes:
                target = self.root / path
                originals[target] = target.read_text(encoding="utf-8") if target.exists() else None
                if content is None:
                    target.unlink()
                    continue
                created_dirs += _make_parents(target.parent)
                staging = target.with_name(f".{target.name}.backsmith-tmp")
                staging.write_text(content, encoding="utf-8")
                os.replace(staging, target)
        except BaseException:
            _restore(originals, created_dirs)
            raise


def _restore(originals: dict[Path, str | None], created_dirs: list[Path]) -> None:
    """Put every touched file back as it was; best effort, so one failure does not stop it."""
    for target, original in originals.items():
        with contextlib.suppress(OSError):
            target.with_name(f".{target.name}.backsmith-tmp").unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            if original is None:
                target.unlink(missing_ok=True)
            else:
                target.write_text(original, encoding="utf-8")
    for directory in reversed(created_dirs):
        with contextlib.suppress(OSError):
            directory.rmdir()


def _make_parents(directory: Path) -> list[Path]:
    """Create `directory` and its missing parents; returns those it created, outermost first."""
    missing: list[Path] = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for path in reversed(missing):
        path.mkdir()
    return list(reversed(missing))
