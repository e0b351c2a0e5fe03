"""LLM mode, offline: a scripted model through our interface, real gates as the judge."""

from __future__ import annotations

import json
from pathlib import Path

from backsmith.llm.client import Message, ModelTurn, ToolCall, ToolSpec
from backsmith.llm.loop import LoopStatus
from backsmith.pipeline import implement_feature, load_rules_left
from tests.llm.conftest import RULES_BROKEN, RULES_FIXED, RULES_TESTS


class ScriptedModel:
    """Answers with prepared turns; each may first look at what the loop sent."""

    def __init__(self, turns: list[ModelTurn]) -> None:
        self.turns = turns
        self.seen: list[list[Message]] = []

    def complete(self, system: str, messages: list[Message], tools: list[ToolSpec]) -> ModelTurn:
        assert {t.name for t in tools} == {"list_files", "read_file", "write_file", "finish"}
        self.seen.append(list(messages))
        return self.turns.pop(0)


def _write(call_id: str, path: str, content: str) -> ToolCall:
    return ToolCall(id=call_id, name="write_file", arguments={"path": path, "content": content})


def _finish(call_id: str) -> ToolCall:
    return ToolCall(id=call_id, name="finish", arguments={"summary": "done"})


def test_a_rule_is_implemented_after_a_failing_round(project: tuple[Path, Path]) -> None:
    root, document = project
    model = ScriptedModel(
        [
            ModelTurn(
                text="Reading the service first.",
                tool_calls=[
                    ToolCall(id="r1", name="read_file", arguments={"path": "app/notes/service.py"})
                ],
            ),
            ModelTurn(
                tool_calls=[
                    _write("w1", "app/notes/rules.py", RULES_BROKEN),
                    _write("w2", "tests/notes/test_rules.py", RULES_TESTS),
                    _write("w3", "app/notes/service.py", "# taking over the service\n"),
                    _write("w4", "../escape.py", "print('out')\n"),
                    _finish("f1"),
                ]
            ),
            ModelTurn(tool_calls=[_write("w5", "app/notes/rules.py", RULES_FIXED), _finish("f2")]),
        ]
    )
    result = implement_feature(root, document, model=model, max_rounds=3)

    assert result.llm is not None and result.llm.status is LoopStatus.IMPLEMENTED
    assert result.rules_left == []
    first, second = result.llm.rounds
    assert not first.gates_passed and second.gates_passed
    assert any("[types]" in failure and "rules.py" in failure for failure in first.failures)
    # The failure went back to the model before its second round.
    feedback = model.seen[2][-1]
    assert feedback.role == "user" and "The quality gates failed" in feedback.text
    assert "No return value expected" in feedback.text
    # Writes outside the sandbox were refused and left no trace.
    assert len(first.refused) == 2
    assert any("service.py: writes are allowed only to" in refusal for refusal in first.refused)
    assert any("outside the project" in refusal for refusal in first.refused)
    assert "taking over" not in (root / "app/notes/service.py").read_text()
    assert not (root.parent / "escape.py").exists()
    assert (root / "app/notes/rules.py").read_text() == RULES_FIXED
    assert load_rules_left(root) == []


def test_the_round_limit_stops_a_model_that_never_succeeds(project: tuple[Path, Path]) -> None:
    root, document = project
    never = [
        ModelTurn(
            tool_calls=[_write(f"w{n}", "app/notes/rules.py", RULES_BROKEN), _finish(f"f{n}")]
        )
        for n in range(2)
    ]
    result = implement_feature(root, document, model=ScriptedModel(never), max_rounds=2)

    assert result.llm is not None and result.llm.status is LoopStatus.ROUND_LIMIT
    assert len(result.llm.rounds) == 2
    assert "after 2 round(s)" in result.llm.message
    assert [rule.text for rule in result.rules_left] == [
        'A note\'s title must not start with "draft" (any case), on create and on update.'
    ]
    (left,) = load_rules_left(root)
    assert left.endswith('must not start with "draft" (any case), on create and on update.')
    assert json.loads((root / ".backsmith/rules_left.json").read_text())["notes"] == [left]
