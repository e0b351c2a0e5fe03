"""LLM mode through the real Anthropic SDK, its HTTP answered by a mock transport."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest

from backsmith.gates.runner import run_gates
from backsmith.llm.anthropic_client import AnthropicClient
from backsmith.llm.client import ModelUnavailable, client_for
from backsmith.llm.loop import LoopStatus, implement_rules
from backsmith.spec import load_feature
from tests.llm.conftest import RULES_BROKEN, RULES_FIXED, RULES_TESTS

API_KEY = "sk-ant-test-0123456789-never-in-reports"


def _message(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": list(blocks),
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 10},
    }


def _tool(call_id: str, name: str, **arguments: Any) -> dict[str, Any]:
    return {"type": "tool_use", "id": call_id, "name": name, "input": arguments}


def test_the_sdk_carries_the_loop_and_the_failure_goes_back(
    project: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, document = project
    from backsmith.pipeline import implement_feature

    implement_feature(root, document)  # the feature first, without LLM mode
    answers = [
        _message(
            {"type": "text", "text": "Writing the rule and its tests."},
            _tool("t1", "write_file", path="app/notes/rules.py", content=RULES_BROKEN),
            _tool("t2", "write_file", path="tests/notes/test_rules.py", content=RULES_TESTS),
            _tool("t3", "finish", summary="done"),
        ),
        _message(
            _tool("t4", "write_file", path="app/notes/rules.py", content=RULES_FIXED),
            _tool("t5", "finish", summary="fixed"),
        ),
    ]
    requests: list[dict[str, Any]] = []
    keys: list[str] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        assert request.url.path == "/v1/messages"
        keys.append(request.headers.get("x-api-key") or request.headers["authorization"])
        requests.append(json.loads(request.content))
        return httpx2.Response(200, json=answers.pop(0))

    monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
    client = AnthropicClient.from_environment(
        "claude-test", http_client=httpx2.Client(transport=httpx2.MockTransport(answer))
    )
    rules = list(load_feature(document).prose_rules)
    result = implement_rules(
        root, "notes", rules, client, verify=lambda: run_gates(root, ["lint", "types"])
    )

    assert result.status is LoopStatus.IMPLEMENTED
    assert [r.gates_passed for r in result.rounds] == [False, True]
    assert all(API_KEY in key for key in keys) and len(keys) == 2
    second = requests[1]
    assert second["model"] == "claude-test" and second["tools"]
    last = second["messages"][-1]
    assert last["role"] == "user"
    kinds = [block["type"] for block in last["content"]]
    assert kinds == ["tool_result", "tool_result", "tool_result", "text"]
    assert "No return value expected" in last["content"][-1]["text"]
    assert API_KEY not in result.model_dump_json()
    assert API_KEY not in (root / ".backsmith/gates.json").read_text()


def test_without_a_key_or_with_an_unknown_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(ModelUnavailable, match="ANTHROPIC_API_KEY"):
        client_for("anthropic:claude-test")
    with pytest.raises(Exception, match="unknown model"):
        client_for("openai:gpt")
