"""Drawn documents as files: YAML (block or mixed flow style), or a Markdown PRP.

`span` finds where a node of the document was written, so a test can check that an
error points at the mistake that was injected there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st
from yaml.nodes import MappingNode, Node, SequenceNode


class DupKey(str):
    """A key written a second time: equal to no other key, so a dict can hold both."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(DupKey, lambda dumper, key: dumper.represent_str(str(key)))


def dump(data: Any, *, flow: bool = False) -> str:
    """YAML text; `flow` writes innermost collections inline (`{type: str, ...}`)."""
    text: str = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=1000,
        default_flow_style=None if flow else False,
    )
    return text


@dataclass(frozen=True)
class Rendered:
    """A document's file: its text, its suffix, and the file line its YAML starts at."""

    text: str
    suffix: str
    yaml_text: str
    first_line: int  # 0-based line of the file where the YAML text begins

    def write(self, directory: Path, stem: str = "feature") -> Path:
        path = directory / f"{stem}{self.suffix}"
        path.write_text(self.text, encoding="utf-8")
        return path


def render(data: Any, form: str = "yaml", *, flow: bool = False) -> Rendered:
    """`form`: yaml (a .yaml file), block (a PRP's fenced block) or front (front matter)."""
    text = dump(data, flow=flow)
    if form == "yaml":
        return Rendered(text, ".yaml", text, 0)
    if form == "block":
        head = "# PRP: a random feature\n\nPeople read this part.\n\n```yaml backsmith\n"
        return Rendered(head + text + "```\n\nMore prose.\n", ".md", text, head.count("\n"))
    head = "---\n"
    return Rendered(head + text + "---\n\n# PRP\n\nProse after the front matter.\n", ".md", text, 1)


forms = st.sampled_from(("yaml", "yaml", "block", "front"))


@dataclass(frozen=True)
class Span:
    """From a key's start to its value's end, 1-based lines and columns of the file."""

    start: tuple[int, int]
    end: tuple[int, int]

    def __contains__(self, point: object) -> bool:
        return isinstance(point, tuple) and self.start <= point <= self.end


def span(rendered: Rendered, path: tuple[str | int, ...]) -> Span:
    """Where the entry at `path` (mapping keys and list indexes) is written.

    A key written twice resolves to its last occurrence (the duplicate).
    """
    node = yaml.compose(rendered.yaml_text, Loader=yaml.SafeLoader)
    assert node is not None, "an empty document"
    key_node: Node | None = None
    for step in path:
        if isinstance(node, MappingNode):
            pairs = [(k, v) for k, v in node.value if k.value == step]
            if not pairs:
                raise KeyError(f"{step!r} not found on the way to {path}")
            key_node, node = pairs[-1]
        elif isinstance(node, SequenceNode) and isinstance(step, int):
            key_node, node = None, node.value[step]
        else:
            raise KeyError(f"{step!r} not found on the way to {path}")
    first = key_node or node
    offset = rendered.first_line
    return Span(
        (first.start_mark.line + offset + 1, first.start_mark.column + 1),
        (node.end_mark.line + offset + 1, node.end_mark.column + 1),
    )
