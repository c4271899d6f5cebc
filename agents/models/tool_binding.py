"""A chat model base that binds tools the way ``ChatOpenAI`` does (OpenAI format), and streams.

``BaseChatModel.bind_tools`` raises ``NotImplementedError``, and a model without
``_stream`` never streams; the offline stand-in and the test doubles share this one
implementation of both, so a chat client sees their replies arrive in chunks as it would
a real model's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool


class ToolBindingChatModel(BaseChatModel):
    """Binds tools as OpenAI-format dicts, passed to ``_generate`` as ``tools``."""

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools in OpenAI format, as ``ChatOpenAI`` does."""
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """The reply ``_generate`` gives, its text in chunks of up to three words.

        Tool calls and token usage ride on the last chunk, as OpenAI's streaming API sends
        them at the end.
        """
        message = self._generate(messages, stop, None, **kwargs).generations[0].message
        assert isinstance(message, AIMessage)
        text = message.text if isinstance(message.text, str) else ""
        pieces = re.findall(r"\S+\s*(?:\S+\s*)?(?:\S+\s*)?", text) or [text]
        calls = [
            {"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": i}
            for i, c in enumerate(message.tool_calls)
        ]
        for number, piece in enumerate(pieces):
            last = number == len(pieces) - 1
            chunk = AIMessageChunk(
                content=piece,
                tool_call_chunks=calls if last else [],
                usage_metadata=message.usage_metadata if last else None,
                response_metadata=message.response_metadata if last else {},
            )
            yield ChatGenerationChunk(message=chunk)
