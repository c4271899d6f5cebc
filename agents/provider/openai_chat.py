"""``ChatOpenAI`` with requests that llama.cpp, vLLM and Ollama accept as OpenAI does.

``langchain-openai`` sends an assistant turn that carries tool calls with
``"content": null``; OpenAI accepts that, but llama.cpp's server answers HTTP 500
(``content: Input should be a valid string``). The library has no switch for it, so the
request payload is rewritten here, one place, before it is sent: every message's content
is a string. Its ``max_retries`` is set to 0 by ``agents.models.tiers``: Baton's own retry
(``agents.calls``) is the only retry layer.
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import LanguageModelInput
from langchain_openai import ChatOpenAI


def string_contents(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with every message's null content replaced by ``""``."""
    for message in payload.get("messages", []):
        if isinstance(message, dict) and message.get("content") is None:
            message["content"] = ""
    return payload


class PortableChatOpenAI(ChatOpenAI):
    """A ``ChatOpenAI`` whose messages always carry string content."""

    def _get_request_payload(
        self,
        input_: LanguageModelInput,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        return string_contents(payload)
