"""Our own small interface to a chat model with tools; adapters implement it.

The loop speaks only these types, so it runs the same against a scripted model in tests
and against a real provider (`anthropic_client.py`).
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from backsmith.errors import BacksmithError


class ToolCall(BaseModel):
    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolResult(BaseModel):
    call_id: str
    content: str
    is_error: bool = False


class Message(BaseModel):
    role: Literal["user", "assistant"]
    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)  # assistant turns
    tool_results: list[ToolResult] = Field(default_factory=list)  # user turns


class ToolSpec(BaseModel):
    name: str
    description: str
    parameters: dict[str, Any]  # JSON Schema of the arguments


class ModelTurn(BaseModel):
    """What the model answered: text, tool calls, or both; `done` when it stopped."""

    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)


class ModelClient(Protocol):
    def complete(
        self, system: str, messages: list[Message], tools: list[ToolSpec]
    ) -> ModelTurn: ...


class ModelUnavailable(BacksmithError):
    """The model cannot be used (no API key, unknown provider, the SDK is not installed)."""


PROVIDERS = ("anthropic",)


def check_model_spec(spec: str) -> tuple[str, str]:
    """`provider:model` split in two; a usage error (exit 2) for anything else."""
    provider, _, model = spec.partition(":")
    if provider not in PROVIDERS or not model:
        raise BacksmithError(
            f"unknown model {spec!r}", hint="use anthropic:MODEL, e.g. anthropic:claude-sonnet-4-5"
        )
    return provider, model


def client_for(spec: str) -> ModelClient:
    """A client for `provider:model`, e.g. `anthropic:claude-sonnet-4-5`."""
    _, model = check_model_spec(spec)
    from backsmith.llm.anthropic_client import AnthropicClient

    return AnthropicClient.from_environment(model)
