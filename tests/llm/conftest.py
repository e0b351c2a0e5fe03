"""A generated project with a prose rule, and the code a model would write for it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

NOTES = """\
# Notes

## Business rules

- A note's title must not start with "draft" (any case), on create and on update.

```yaml backsmith
feature: notes
entities:
  Note:
    owned: true
    fields:
      title: str(1..80)
      body: text?
```
"""

RULES_HEAD = '''"""Business rules of the notes feature."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.core.errors import InvalidInput
from app.notes.models import Note


def _refuse_drafts(title: object) -> None:
    if isinstance(title, str) and title.lower().startswith("draft"):
        raise InvalidInput(["body", "title"], "A title cannot start with 'draft'.")

'''

RULES_BROKEN = (
    RULES_HEAD
    + '''
async def before_create_note(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    _refuse_drafts(values.get("title"))
    return values  # a type error the types gate must catch


async def before_update_note(
    session: AsyncSession, user: User | None, note: Note, changes: dict[str, Any]
) -> None:
    _refuse_drafts(changes.get("title"))


async def before_delete_note(session: AsyncSession, user: User | None, note: Note) -> None:
    """Deleting a note has no rule."""
'''
)

RULES_FIXED = RULES_BROKEN.replace(
    "    return values  # a type error the types gate must catch\n", ""
)

RULES_TESTS = '''"""The notes feature's business rules."""

from httpx import AsyncClient

from tests.conftest import AuthUser


async def test_a_draft_title_is_refused_on_create_and_update(
    client: AsyncClient, user: AuthUser
) -> None:
    refused = await client.post("/notes", json={"title": "Draft: plan"}, headers=user.headers)
    assert refused.status_code == 422
    created = await client.post("/notes", json={"title": "Plan"}, headers=user.headers)
    assert created.status_code == 201
    url = f"/notes/{created.json()['id']}"
    patched = await client.patch(url, json={"title": "DRAFT again"}, headers=user.headers)
    assert patched.status_code == 422
    assert (await client.patch(url, json={"body": "text"}, headers=user.headers)).status_code == 200
    assert (await client.delete(url, headers=user.headers)).status_code == 204
'''


@pytest.fixture(scope="session")
def generated_notes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    parent = tmp_path_factory.mktemp("llm")
    document = parent / "notes.md"
    document.write_text(NOTES)
    subprocess.run(
        [sys.executable, "-m", "backsmith", "new", "demo", "-C", str(parent)],
        check=True,
        capture_output=True,
    )
    return parent / "demo", document


@pytest.fixture
def project(generated_notes: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    base, document = generated_notes
    copy = tmp_path / "demo"
    shutil.copytree(base, copy)
    return copy, document
