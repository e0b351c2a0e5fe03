"""What a project's CLAUDE.md says about itself: stack, directory trees, conventions.

The page is prose written for people, so it is read for a few kinds of statement only:
what the stack is (async or sync, SQLModel, the pagination and error styles), where
things go (directory trees and `paths/like/<feature>.py` in code spans), and the
conventions listed under a "Conventions" or "Rules" heading. Code remains the first
source: these claims corroborate detected facts, and settle what the code leaves open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FILE_NAME = "CLAUDE.md"

# Placeholders people write for "the new feature's name".
PLACEHOLDER = re.compile(r"<[a-z_ -]+>|\{[a-z_]+\}|\[[a-z_]+\]|\*", re.IGNORECASE)
TREE_CHARS = "│├└─┬┼|`+- \t"
PATH_TOKEN = re.compile(r"^[\w.<>{}\[\]*-]+(/[\w.<>{}\[\]*-]*)*/?$")
CODE_SPAN = re.compile(r"`([^`]+)`")
CONVENTION_HEADINGS = re.compile(r"convention|rule|guideline|practice|style|thumb|do'?s", re.I)
# Fences that may hold a directory tree: no language, or plain text.
TREE_FENCES = {"", "text", "txt", "tree", "plain", "plaintext"}
NEGATION = re.compile(r"\b(don'?t|do not|never|not|no|avoid)\b", re.I)


@dataclass(frozen=True)
class Statement:
    """A bullet or paragraph line of the page, with the heading it sits under."""

    line: int
    text: str
    section: str


@dataclass(frozen=True)
class TreePath:
    """A path named by a directory tree or a code span; `{feature}` marks the placeholder."""

    line: int
    path: str


@dataclass(frozen=True)
class Claim:
    value: str
    line: int
    text: str


@dataclass
class ClaudeMd:
    file: str
    statements: list[Statement] = field(default_factory=list)
    paths: list[TreePath] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def conventions(self) -> list[Statement]:
        return [s for s in self.statements if CONVENTION_HEADINGS.search(s.section)]

    def mentions(self, *needles: str) -> list[int]:
        """Lines (or statements, which may wrap) where every needle occurs, as written."""
        found = {
            number
            for number, text in enumerate(self.lines, start=1)
            if all(needle in text for needle in needles)
        }
        found |= {s.line for s in self.statements if all(n in s.text for n in needles)}
        return sorted(found)

    def claims(self) -> dict[str, Claim]:
        """Facts the page states, keyed like profile facts; the first statement wins."""
        found: dict[str, Claim] = {}
        for statement in self.statements:
            for key, value in _claims_in(statement.text):
                found.setdefault(key, Claim(value, statement.line, statement.text))
        for key, claim in self._path_claims().items():
            found.setdefault(key, claim)
        return found

    def _path_claims(self) -> dict[str, Claim]:
        found: dict[str, Claim] = {}
        for item in self.paths:
            if "{feature}" not in item.path:
                continue
            role = _role_of(item.path)
            if role:
                found.setdefault(f"paths.{role}", Claim(item.path, item.line, item.path))
            if role and role != "tests":
                layout = "domain" if "/{feature}/" in item.path else "layer"
                found.setdefault("layout", Claim(layout, item.line, item.path))
        return found


def read_claude_md(root: Path) -> ClaudeMd | None:
    path = root / FILE_NAME
    if not path.is_file():
        return None
    return parse_claude_md(path.read_text(encoding="utf-8"), FILE_NAME)


def parse_claude_md(text: str, file: str = FILE_NAME) -> ClaudeMd:
    page = ClaudeMd(file=file, lines=text.splitlines())
    section = ""
    fence: str | None = None
    tree_fence = False
    tree_stack: list[tuple[int, str]] = []
    current: tuple[int, list[str]] | None = None

    def flush() -> None:
        nonlocal current
        if current:
            number, parts = current
            page.statements.append(Statement(number, " ".join(parts), section))
            current = None

    for number, raw in enumerate(page.lines, start=1):
        stripped = raw.strip()
        if stripped.startswith(("```", "~~~")):
            flush()
            if fence:
                fence = None
            else:
                fence = stripped[:3]
                tree_fence = stripped[3:].strip().lower() in TREE_FENCES
            tree_stack = []
            continue
        if fence:
            if tree_fence:
                page.paths += _tree_line(raw, number, tree_stack)
            continue
        if stripped.startswith("#"):
            flush()
            section = stripped.lstrip("#").strip()
            continue
        if not stripped:
            flush()
            continue
        bullet = re.match(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$", raw)
        if bullet:
            flush()
            current = (number, [bullet.group(1).strip()])
        elif current is not None:
            current[1].append(stripped)
        else:
            current = (number, [stripped])
        for span in CODE_SPAN.findall(raw):
            candidate = span.strip()
            if "/" in candidate and PATH_TOKEN.match(candidate):
                page.paths.append(TreePath(number, _normalise(candidate)))
    flush()
    return page


def _normalise(path: str) -> str:
    return PLACEHOLDER.sub("{feature}", path.strip())


def _tree_line(raw: str, number: int, stack: list[tuple[int, str]]) -> list[TreePath]:
    """Paths on one line of a directory tree, indented or drawn with box characters."""
    body = raw.rstrip()
    depth = 0
    while depth < len(body) and body[depth] in TREE_CHARS:
        depth += 1
    tokens = body[depth:].split()
    if not tokens or not PATH_TOKEN.match(tokens[0]):
        return []
    head = tokens[0]
    while stack and stack[-1][0] >= depth:
        stack.pop()
    prefix = "/".join(name.rstrip("/") for _, name in stack)
    full = f"{prefix}/{head}" if prefix else head
    found = []
    if head.endswith("/"):
        stack.append((depth, head))
        # `app/<feature>/   models.py schemas.py ...`: the files of a folder on one line
        for token in tokens[1:]:
            name = token.rstrip(",;")
            if re.fullmatch(r"[\w.{}<>-]+\.py", name):
                found.append(TreePath(number, _normalise(f"{full}{name}")))
        if not found:
            found.append(TreePath(number, _normalise(full)))
    elif "." in head or "/" in head:
        found.append(TreePath(number, _normalise(full)))
    return found


def _role_of(path: str) -> str | None:
    """Which layer a module path is for: by its file name, else by its folders."""
    parts = path.split("/")
    name = parts[-1]
    if not name.endswith(".py"):
        return None
    if parts[0] == "tests" or name.startswith("test_"):
        return "tests"
    stem_words = set(re.split(r"[_.]", name))
    folder_words = set(parts[:-1])
    for words in (stem_words, folder_words):
        for role, names in (
            ("models", {"models", "model", "tables"}),
            ("schemas", {"schemas", "schema"}),
            ("service", {"service", "services", "crud", "repository"}),
            ("router", {"router", "routers", "routes", "endpoints", "views", "api"}),
        ):
            if words & names:
                return role
    return None


def _negated(lowered: str, word: str) -> bool:
    """Whether the clause that names `word` says not to use it ("don't raise X")."""
    for clause in re.split(r"[.;:]\s", lowered):
        if word in clause and NEGATION.search(clause.split(word)[0]):
            return True
    return False


def _claims_in(text: str) -> list[tuple[str, str]]:
    found = []
    lowered = text.lower()
    if "sqlmodel" in lowered:
        found.append(("orm", "sqlmodel"))
    elif "sqlalchemy" in lowered:
        found.append(("orm", "sqlalchemy"))
    about_db = re.search(r"sqlalchemy|sqlmodel|session|database|\borm\b", lowered)
    if about_db:
        if re.search(r"\b(synchronous|sync)\b", lowered):
            found.append(("io", "sync"))
        elif re.search(r"\b(async|asyncio|asynchronous|asyncsession)\b", lowered):
            found.append(("io", "async"))
    if re.search(r"domain[- ]first|by domain|per domain|by feature|feature[- ]first", lowered):
        found.append(("layout", "domain"))
    elif re.search(r"layer[- ]first|layered|by layer", lowered):
        found.append(("layout", "layer"))
    if re.search(r"keyset|next_cursor|cursor pagination", lowered):
        found.append(("pagination", "keyset"))
    elif re.search(r"\bskip\b.*\blimit\b", lowered):
        found.append(("pagination", "offset"))
    elif re.search(r"\bpage=|\bpage\b.*\bsize\b", lowered) and "pagination" in lowered:
        found.append(("pagination", "page"))
    elif re.search(r"\blimit\b.*\boffset\b|\boffset\b.*\blimit\b", lowered):
        found.append(("pagination", "offset"))
    if re.search(r"problem\+json|problem details|rfc ?(9457|7807)", lowered):
        found.append(("errors", "problem_json"))
    elif "httpexception" in lowered and not _negated(lowered, "httpexception"):
        found.append(("errors", "http_exception"))
    if "alembic" in lowered:
        found.append(("migrations", "alembic"))
    if "pytest" in lowered:
        found.append(("test_framework", "pytest"))
    return found
