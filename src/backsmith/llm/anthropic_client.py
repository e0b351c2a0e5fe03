"""The Anthropic adapter of `ModelClient` (the optional `llm` extra installs the SDK).

The API key comes from `ANTHROPIC_API_KEY` only; it is never logged or reported.
"""

from __future__ import annotations

import os
from typing import Any

from backsmith.llm.client import Message, ModelTurn, ModelUnavailable, ToolCall, ToolSpec

MAX_TOKENS = 8192


class AnthropicClient:
    def __init__(self, model: str, sdk_client: Any) -> None:
        self.model = model
        self._sdk = sdk_client

    @classmethod
    def from_environment(cls, model: str, **sdk_options: Any) -> AnthropicClient:
        try:
            import anthropic
        except ImportError:
            raise ModelUnavailable(
                "the Anthropic SDK is not installed", hint="pip install 'backsmith[llm]'"
            ) from None
        key = os.environ.get("ANTHROPIC_API_KEY")
        if not key:
            raise ModelUnavailable(
                "ANTHROPIC_API_KEY is not set", hint="export ANTHROPIC_API_KEY=... to use --llm"
            )
        return cls(model, anthropic.Anthropic(api_key=key, **sdk_options))

    def complete(self, system: str, messages: list[Message], tools: list[ToolSpec]) -> ModelTurn:
        response = self._sdk.messages.create(
            model=self.model,
            max_tokens=MAX_TOKENS,
            system=system,
            messages=[_to_anthropic(message) for message in messages],
            tools=[
                {"name": t.name, "description": t.description, "input_schema": t.parameters}
                for t in tools
            ],
        )
        text: list[str] = []
        calls: list[ToolCall] = []
        for block in response.content:
            if block.type == "text":
                text.append(block.text)
            elif block.type == "tool_use":
                calls.append(ToolCall(id=block.id, name=block.name, arguments=dict(block.input)))
        return ModelTurn(text="\n".join(text), tool_calls=calls)


def _to_anthropic(message: Message) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    # Tool results answer the previous turn's calls and come first; any text follows.
    for result in message.tool_results:
        content.append(
            {
                "type": "tool_result",
                "tool_use_id": result.call_id,
                "content": result.content,
                "is_error": result.is_error,
            }
        )
    if message.text:
        content.append({"type": "text", "text": message.text})
    for call in message.tool_calls:
        content.append(
            {"type": "tool_use", "id": call.id, "name": call.name, "input": call.arguments}
        )
    return {"role": message.role, "content": content}
