"""The workspace writes all or nothing and never overwrites a hand edit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backsmith.errors import WorkspaceConflict
from backsmith.workspace import MANIFEST, Action, Workspace


def test_stage_classifies_and_commit_writes_with_a_manifest(tmp_path: Path) -> None:
    (tmp_path / "same.py").write_text("x = 1\n")
    workspace = Workspace(tmp_path)
    assert workspace.stage("pkg/new.py", "y = 2\n", "new").action is Action.CREATE
    assert workspace.stage("same.py", "x = 1\n", "same").action is Action.UNCHANGED

    written = workspace.commit()

    assert [c.path for c in written] == ["pkg/new.py"]
    assert (tmp_path / "pkg/new.py").read_text() == "y = 2\n"
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert set(manifest["files"]) == {"pkg/new.py"}


def test_regenerating_an_untouched_file_is_allowed(tmp_path: Path) -> None:
    first = Workspace(tmp_path)
    first.stage("gen.py", "a = 1\n", "gen")
    first.commit()
    second = Workspace(tmp_path)
    assert second.stage("gen.py", "a = 2\n", "gen").action is Action.UPDATE
    second.commit()
    assert (tmp_path / "gen.py").read_text() == "a = 2\n"


def test_a_hand_edited_file_is_a_conflict_and_nothing_is_written(tmp_path: Path) -> None:
    first = Workspace(tmp_path)
    first.stage("gen.py", "a = 1\n", "gen")
    first.commit()
    (tmp_path / "gen.py").write_text("a = 1  # my edit\n")

    second = Workspace(tmp_path)
    second.stage("gen.py", "a = 2\n", "gen")
    second.stage("other.py", "b = 1\n", "gen")
    with pytest.raises(WorkspaceConflict, match=r"gen\.py"):
        second.commit()

    assert (tmp_path / "gen.py").read_text() == "a = 1  # my edit\n"
    assert not (tmp_path / "other.py").exists()


def test_edits_of_user_files_are_not_conflicts(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("app = 1\n")
    workspace = Workspace(tmp_path)
    workspace.stage("main.py", "app = 1\nmore = 2\n", "register", generated=False)
    workspace.commit()
    assert (tmp_path / "main.py").read_text().endswith("more = 2\n")
    assert "main.py" not in json.loads((tmp_path / MANIFEST).read_text())["files"]


def test_a_failed_write_restores_every_file(tmp_path: Path) -> None:
    (tmp_path / "keep.py").write_text("original\n")
    (tmp_path / "blocker").write_text("a file where a directory is needed\n")
    workspace = Workspace(tmp_path)
    workspace.stage("keep.py", "changed\n", "edit", generated=False)
    workspace.stage("fresh/new.py", "new\n", "new")
    workspace.stage("blocker/inner.py", "cannot be written\n", "new")

    with pytest.raises(OSError):
        workspace.commit()

    assert (tmp_path / "keep.py").read_text() == "original\n"
    assert not (tmp_path / "fresh").exists()
    assert not (tmp_path / MANIFEST).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "keep.py"]


def test_diff_shows_creations_and_updates(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("old\n")
    workspace = Workspace(tmp_path)
    workspace.stage("a.py", "new\n", "edit", generated=False)
    workspace.stage("b.py", "born\n", "new")
    diff = workspace.diff()
    assert "--- a/a.py" in diff and "-old" in diff and "+new" in diff
    assert "--- /dev/null" in diff and "+born" in diff


def test_a_file_no_longer_generated_is_removed_unless_edited(tmp_path: Path) -> None:
    first = Workspace(tmp_path)
    first.stage("gen/old.py", "old = 1\n", "gen")
    first.stage("gen/edited.py", "edited = 1\n", "gen")
    first.commit()

    second = Workspace(tmp_path)
    deletion = second.stage_delete("gen/old.py", "gone")
    assert deletion is not None and deletion.action is Action.DELETE
    assert second.stage_delete("gen/never-there.py", "gone") is None
    assert "--- a/gen/old.py" in second.diff() and "+++ /dev/null" in second.diff()
    second.commit()
    assert not (tmp_path / "gen/old.py").exists()
    assert "gen/old.py" not in json.loads((tmp_path / MANIFEST).read_text())["files"]

    (tmp_path / "gen/edited.py").write_text("edited = 2  # mine\n")
    third = Workspace(tmp_path)
    third.stage_delete("gen/edited.py", "gone")
    with pytest.raises(WorkspaceConflict, match="edited"):
        third.commit()
    assert (tmp_path / "gen/edited.py").read_text() == "edited = 2  # mine\n"
