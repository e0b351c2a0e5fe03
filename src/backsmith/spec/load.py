"""Find the machine-readable part of a feature document and compose it as YAML nodes.

The parser (`parse.py`) works on composed nodes, not on loaded Python values, because only
nodes remember where they came from: every error can then name the line and column of the
original file, even when the YAML sits in a fenced block in the middle of a Markdown PRP.
This module also owns the few YAML helpers the parser needs (mapping entries with duplicate
detection, scalar construction, friendly descriptions of what YAML made of a value).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from backsmith.errors import Location, SpecError

YAML_SUFFIXES = frozenset({".yaml", ".yml"})
INFO_STRING = ("yaml", "backsmith")

STR_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"
_TAG_NAMES = {
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:null": "empty (null)",
    "tag:yaml.org,2002:timestamp": "a date",
}

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")


@dataclass(frozen=True)
class Source:
    """Maps positions in a piece of YAML text back to the file it was cut from.

    `first_line` is the 0-based file line where the YAML text starts, `first_column` the
    0-based column its first line starts at (non-zero only for YAML cut out of a scalar,
    such as the `= DEFAULT` of a field short form), and `column_shifts` the indentation
    removed from each line of an indented fenced block.
    """

    file: str
    first_line: int = 0
    first_column: int = 0
    column_shifts: tuple[int, ...] = ()

    def location(self, mark: yaml.Mark | None) -> Location:
        if mark is None:
            return Location(self.file, self.first_line + 1, self.first_column + 1)
        return self.at(mark.line, mark.column)

    def at(self, line: int, column: int) -> Location:
        """Location of a 0-based (line, column) of the YAML text."""
        shift = self.column_shifts[line] if line < len(self.column_shifts) else 0
        if line == 0:
            shift += self.first_column
        return Location(self.file, self.first_line + line + 1, column + shift + 1)

    def of(self, node: Node) -> Location:
        return self.location(node.start_mark)

    def fail(self, node: Node, message: str, hint: str | None = None) -> NoReturn:
        raise SpecError(message, self.of(node), hint=hint)


@dataclass(frozen=True)
class Block:
    """The YAML text of a document and where in the file it starts."""

    text: str
    source: Source


@dataclass(frozen=True)
class Document:
    """A composed feature document: its root node and how to locate its nodes."""

    path: str
    root: Node
    source: Source
    # Items of a Markdown `## Business rules` section: (1-based line, text).
    business_rules: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Entry:
    """One `key: value` pair of a YAML mapping, with the key already checked to be text."""

    key: str
    key_node: Node
    value: Node


_HOW_TO = (
    "put the feature in a fenced block opened with ```yaml backsmith, "
    "starting with `feature: NAME` and `entities:`"
)


def load_document(path: str | Path) -> Document:
    """Read a PRP or YAML file, find its machine block and compose it."""
    text = read_text(path)
    block = find_block(text, str(path), is_yaml=Path(path).suffix.lower() in YAML_SUFFIXES)
    root = compose(block.text, block.source)
    if root is None:
        raise SpecError("the feature document is empty", block.source.at(0, 0), hint=_HOW_TO)
    is_markdown = Path(path).suffix.lower() not in YAML_SUFFIXES
    rules = business_rules_section(text) if is_markdown else ()
    return Document(path=str(path), root=root, source=block.source, business_rules=rules)


_RULES_HEADING = re.compile(r"^(#{1,6})\s+business\s+rules\s*#*\s*$", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s")
_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+(?P<text>.+)$")


def business_rules_section(text: str) -> tuple[tuple[int, str], ...]:
    """The list items under a `Business rules` heading of a PRP, with their lines.

    An item's continuation lines (indented, not a new item) join it; the section ends at
    the next heading of the same or a higher level. Fenced code is not prose.
    """
    items: list[tuple[int, str]] = []
    level: int | None = None
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        fenced = _FENCE.match(line)
        if fenced:
            marker = fenced.group(2)[:3]
            fence = None if fence == marker else (fence or marker)
            continue
        if fence:
            continue
        heading = _RULES_HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            continue
        other = _HEADING.match(line)
        if other and level is not None and len(other.group(1)) <= level:
            level = None
        if level is None:
            continue
        item = _ITEM.match(line)
        if item:
            items.append((number, item["text"].strip()))
        elif line.strip() and items and line.startswith((" ", "\t")):
            start, previous = items[-1]
            items[-1] = (start, f"{previous} {line.strip()}")
    return tuple(items)


# --------------------------------------------------------------------------- reading


def read_text(path: str | Path) -> str:
    """The file's text; every way reading can fail becomes a SpecError."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise SpecError(f"no such file: {name}", None, hint="check the path") from None
    except IsADirectoryError:
        raise SpecError(f"{name} is a directory, not a feature document", None) from None
    except OSError as exc:
        raise SpecError(f"cannot read {name}: {exc.strerror or exc}", None) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _byte_position(raw, exc.start)
        raise SpecError(
            "the file is not valid UTF-8 text",
            Location(name, line, column),
            hint="save it as UTF-8",
        ) from None


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, offset - line_start + 1


# --------------------------------------------------------------------------- finding


@dataclass(frozen=True)
class _Fence:
    start: int  # 0-based line of the opening fence
    end: int | None  # 0-based line of the closing fence; None when never closed
    indent: int
    info: str


def find_block(text: str, file: str, *, is_yaml: bool) -> Block:
    """The YAML part of a document: the whole file, a `yaml backsmith` fence or front matter."""
    if is_yaml:
        return Block(text, Source(file))
    # Split on the line breaks editors count; str.splitlines would also split on form
    # feeds and other separators and shift every line number after them.
    lines = re.split(r"\r\n|\r|\n", text)
    fences = _fences(lines)
    ours = [f for f in fences if f.info.split()[:2] == list(INFO_STRING)]
    if len(ours) > 1:
        first, second = ours[0].start + 1, ours[1].start + 1
        raise SpecError(
            f"two ```yaml backsmith blocks, at lines {first} and {second}",
            Location(file, second, 1),
            hint="a feature document has exactly one; merge them or change one info string",
        )
    if ours:
        return _fenced_block(lines, ours[0], file)
    front = _front_matter(lines, file)
    if front is not None:
        return front
    raise SpecError(
        "no ```yaml backsmith block and no front matter with a `feature` key",
        Location(file, 1, 1),
        hint=_missing_block_hint(lines, fences),
    )


def _fences(lines: list[str]) -> list[_Fence]:
    """Every fenced code block of a Markdown text, following CommonMark's fence rules."""
    fences: list[_Fence] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None or (opening[2][0] == "`" and "`" in opening[3]):
            index += 1
            continue
        indent, marker, info = len(opening[1]), opening[2], opening[3].strip()
        end = _closing_fence(lines, index + 1, marker)
        fences.append(_Fence(index, end, indent, info))
        index = len(lines) if end is None else end + 1
    return fences


def _closing_fence(lines: list[str], start: int, marker: str) -> int | None:
    for index in range(start, len(lines)):
        closing = _FENCE.match(lines[index])
        if (
            closing
            and closing[2][0] == marker[0]
            and len(closing[2]) >= len(marker)
            and not closing[3].strip()
        ):
            return index
    return None


def _fenced_block(lines: list[str], fence: _Fence, file: str) -> Block:
    if fence.end is None:
        raise SpecError(
            f"the ```yaml backsmith block opened at line {fence.start + 1} is never closed",
            Location(file, fence.start + 1, 1),
            hint="end it with a line of ``` (as long as the opening fence)",
        )
    body = lines[fence.start + 1 : fence.end]
    # CommonMark removes up to the fence's own indentation from each content line.
    shifts = tuple(min(fence.indent, len(line) - len(line.lstrip(" "))) for line in body)
    text = "\n".join(line[shift:] for line, shift in zip(body, shifts, strict=True)) + "\n"
    return Block(text, Source(file, first_line=fence.start + 1, column_shifts=shifts))


def _front_matter(lines: list[str], file: str) -> Block | None:
    """YAML front matter (`---` ... `---` at the very top) that has a `feature` key."""
    if not lines or lines[0].rstrip() != "---":
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return None
    body = lines[1:end]
    # A plain text check, so that a page whose front matter is for another tool (and may
    # not even be YAML we understand) is ignored instead of failing to parse.
    if not any(re.match(r"feature\s*:", line) for line in body):
        return None
    return Block("\n".join(body) + "\n", Source(file, first_line=1))


def _missing_block_hint(lines: list[str], fences: list[_Fence]) -> str:
    for fence in fences:
        words = fence.info.split()
        content = lines[fence.start + 1 : fence.end]
        if words[:1] in (["yaml"], ["yml"]) and any(
            line.startswith("feature:") for line in content
        ):
            return (
                f"the block at line {fence.start + 1} looks like it; open it with ```yaml backsmith"
            )
    return _HOW_TO


# --------------------------------------------------------------------------- composing


def compose(text: str, source: Source) -> Node | None:
    """Compose YAML text into nodes; syntax errors become SpecErrors at the problem mark."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        problem = " ".join(part for part in (exc.problem, exc.context) if part) or "invalid YAML"
        raise SpecError(
            f"YAML syntax error: {_one_line(problem)}",
            source.location(_error_mark(exc, text)),
            hint=_syntax_hint(problem),
        ) from None
    except yaml.reader.ReaderError as exc:
        line, column = _char_position(text, exc.position)
        raise SpecError(
            f"YAML cannot contain the character {exc.character!r}",
            source.at(line, column),
            hint="remove the control character",
        ) from None
    except RecursionError:
        raise SpecError("the YAML is nested too deeply", source.at(0, 0)) from None


def _error_mark(exc: yaml.MarkedYAMLError, text: str) -> yaml.Mark | None:
    """Where to point: the problem, unless PyYAML only noticed it at the end of the text."""
    problem, context = exc.problem_mark, exc.context_mark
    if problem is None or (context is not None and problem.index >= len(text.rstrip())):
        return context
    return problem


def _syntax_hint(problem: str) -> str:
    if "\\t" in problem or "tab" in problem:
        return "YAML indents with spaces only; replace the tabs"
    if "mapping values are not allowed" in problem:
        return 'a value that contains `: ` must be quoted, e.g. "a: b"'
    if "undefined alias" in problem:
        return "define the anchor (&name) before using the alias (*name)"
    if "but got '?'" in problem:
        return 'inside { } and [ ], YAML ends plain text at `?`: quote the value ("text?")'
    if "expected a single document" in problem:
        return "remove the `---` separator; the block holds one document"
    return (
        "check the indentation, and quote values that contain `: ` or ` #`, "
        "or that start with one of { [ * & ! | > ' \" % @ `"
    )


def _char_position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n"), offset - (before.rfind("\n") + 1)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- node helpers


def describe(node: Node) -> str:
    """What YAML made of a node, for messages: 'a boolean', 'a list', 'text'..."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return _TAG_NAMES.get(node.tag, "text" if node.tag == STR_TAG else f"a {node.tag} value")


def show(value: object, limit: int = 40) -> str:
    """A short one-line rendering of a user's value for a message."""
    text = _one_line(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote_hint(node: Node) -> str | None:
    """When YAML turned words such as `yes`, `on` or `10:30` into something else."""
    if isinstance(node, ScalarNode) and node.tag != STR_TAG and node.style is None and node.value:
        return f'YAML reads {node.value} as {describe(node)}; quote it: "{node.value}"'
    return None


def inside(source: Source, node: Node, index: int) -> Location:
    """Location of character `index` of a one-line scalar's text (parts of a short form)."""
    mark = node.start_mark
    if not isinstance(node, ScalarNode) or "\n" in node.value or mark.line != node.end_mark.line:
        return source.location(mark)
    opening = 1 if node.style in ("'", '"') else 0
    return source.at(mark.line, mark.column + opening + index)


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """'did you mean `x`?' for a close match among `choices`, else None."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean `{matches[0]}`?" if matches else None


def choices_hint(word: str, choices: Sequence[str], label: str = "expected one of") -> str:
    """'did you mean `x`?' for a close match, else the choices listed after `label`."""
    listed = ", ".join(choices)
    return suggest(word, choices) or f"{label}: {listed}"


def check_keys(source: Source, found: Sequence[Entry], allowed: Sequence[str], what: str) -> None:
    """Fail at the first key of a mapping that is not one of `allowed`."""
    for entry in found:
        if entry.key not in allowed:
            source.fail(
                entry.key_node,
                f"unknown key `{show(entry.key)}` in {what}",
                choices_hint(entry.key, allowed),
            )


def text_of(source: Source, node: Node, what: str) -> str:
    """The text of a scalar that must be a string (a name, a type, a grant...)."""
    if isinstance(node, ScalarNode) and node.tag == STR_TAG:
        return str(node.value)
    hint = quote_hint(node)
    source.fail(node, f"{what} must be text, not {describe(node)}", hint)


def items_of(source: Source, node: Node, what: str) -> list[Node]:
    if not isinstance(node, SequenceNode):
        source.fail(node, f"{what} must be a list, not {describe(node)}", f"write {what}: [a, b]")
    return list(node.value)


def entries(source: Source, node: Node, what: str) -> list[Entry]:
    """The entries of a mapping node: keys must be text, duplicates are errors.

    PyYAML would silently keep the last of two equal keys; a feature document that says
    the same thing twice is more likely a mistake than an override, so it is refused.
    Merge keys (`<<: *base`) are honoured: merged entries come first and explicit keys
    override them, as YAML specifies.
    """
    if not isinstance(node, MappingNode):
        source.fail(node, f"{what} must be a mapping, not {describe(node)}")
    found: dict[str, Entry] = {}
    merged: set[str] = set()
    for key_node, value in node.value:
        if key_node.tag == MERGE_TAG:
            for entry in _merged_entries(source, value, what):
                if entry.key not in found:
                    found[entry.key] = entry
                    merged.add(entry.key)
            continue
        key = _key_text(source, key_node, what)
        if key in found and key not in merged:
            first = source.of(found[key].key_node)
            source.fail(
                key_node,
                f"`{key}` appears twice in {what} (first at line {first.line})",
                "remove one; YAML would silently keep only the last",
            )
        merged.discard(key)
        found[key] = Entry(key, key_node, value)
    return list(found.values())


def _merged_entries(source: Source, value: Node, what: str) -> list[Entry]:
    parts = value.value if isinstance(value, SequenceNode) else [value]
    result: list[Entry] = []
    for part in parts:
        if not isinstance(part, MappingNode):
            source.fail(part, "`<<` must merge a mapping or a list of mappings")
        result.extend(entries(source, part, what))
    return result


def _key_text(source: Source, key_node: Node, what: str) -> str:
    if isinstance(key_node, ScalarNode) and key_node.tag == STR_TAG:
        return str(key_node.value)
    if isinstance(key_node, ScalarNode):
        source.fail(
            key_node,
            f"a key in {what} is {describe(key_node)}, not a name",
            quote_hint(key_node) or "keys must be names",
        )
    source.fail(key_node, f"a key in {what} is {describe(key_node)}, not a name")


@dataclass
class ValueBuilder:
    """Builds plain Python values from nodes (for defaults, examples and flags).

    Scalars are constructed with PyYAML's safe constructor, one node at a time; mappings
    go through `entries` so that duplicate keys are refused at any depth. Values built
    from one node are shared, so aliases cannot blow up into exponential copies.
    """

    source: Source
    _built: dict[int, Any] = field(default_factory=dict)
    _building: set[int] = field(default_factory=set)

    def build(self, node: Node) -> Any:
        if id(node) in self._built:
            return self._built[id(node)]
        if id(node) in self._building:
            self.source.fail(node, "a value refers to itself through an alias")
        self._building.add(id(node))
        value = self._build(node)
        self._building.discard(id(node))
        self._built[id(node)] = value
        return value

    def _build(self, node: Node) -> Any:
        if isinstance(node, MappingNode):
            return {e.key: self.build(e.value) for e in entries(self.source, node, "a value")}
        if isinstance(node, SequenceNode):
            return [self.build(item) for item in node.value]
        try:
            return SafeConstructor().construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            self.source.fail(node, f"cannot read this value: {_one_line(problem)}")


def build_value(source: Source, node: Node) -> Any:
    """The plain Python value of a node; see `ValueBuilder`."""
    try:
        return ValueBuilder(source).build(node)
    except RecursionError:
        source.fail(node, "this value is nested too deeply")
