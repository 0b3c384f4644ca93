"""The local model as a LangChain chat model: llama-cpp-python behind ``BaseChatModel``, streamed.

``LlamaCppChat`` loads the GGUF file on first use and answers through
``Llama.create_chat_completion`` (the chat template the file declares), a
piece at a time. One ``Llama`` keeps its KV cache between calls and reuses
the longest prompt prefix it shares with the previous one, so the fixed
system message and chat template are processed once, not for every
question; the prompt is built with the fixed part first for that reason.
Greedy decoding (temperature 0) and no repeat penalty: figures are copied
digit by digit, and a penalty turns 1566 into 1467.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class LlamaCppChat(BaseChatModel):
    """A GGUF model run in this process by llama-cpp-python.

    Attributes:
        model_path: the GGUF file.
        n_threads: threads for generating tokens.
        n_threads_batch: threads for processing the prompt.
        n_ctx: context window in tokens.
        n_batch: prompt tokens processed per step.
        max_tokens: longest answer.
        flash_attn: llama.cpp's flash attention (faster prompt processing on a CPU).
    """

    model_path: str
    n_threads: int = 2
    n_threads_batch: int = 2
    n_ctx: int = 2048
    n_batch: int = 512
    max_tokens: int = 128
    flash_attn: bool = True
    _llama: Any = PrivateAttr(default=None)
    _loading: Any = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "reportqa-llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx, "max_tokens": self.max_tokens}

    def client(self) -> Any:
        """The loaded ``llama_cpp.Llama`` (loaded once, on first use)."""
        with self._loading:
            if self._llama is None:
                from llama_cpp import Llama

                self._llama = Llama(model_path=self.model_path, n_threads=self.n_threads,
                                    n_threads_batch=self.n_threads_batch, n_ctx=self.n_ctx, n_batch=self.n_batch,
                                    flash_attn=self.flash_attn, verbose=False)
            return self._llama

    def prompt_tokens(self, messages: list[BaseMessage]) -> int:
        """How many tokens the chat template makes of ``messages`` (for the answer benchmark)."""
        from llama_cpp.llama_chat_format import format_chatml

        prompt = format_chatml(_chat_messages(messages)).prompt
        return len(self.client().tokenize(prompt.encode("utf-8"), add_bos=False, special=True))

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        text = "".join(str(chunk.message.content) for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        pieces = self.client().create_chat_completion(
            messages=_chat_messages(messages), stream=True, max_tokens=self.max_tokens, temperature=0.0,
            repeat_penalty=1.0, stop=stop or [])
        for piece in pieces:
            text = piece["choices"][0]["delta"].get("content")
            if text:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                if run_manager:
                    run_manager.on_llm_new_token(text, chunk=chunk)
                yield chunk


def _chat_messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
    return [{"role": _ROLES.get(message.type, "user"), "content": str(message.content)} for message in messages]
