"""A chat model base that binds tools the way ``ChatOpenAI`` does (OpenAI format).

``BaseChatModel.bind_tools`` raises ``NotImplementedError``; the offline stand-in and the
test doubles share this one implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage
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
