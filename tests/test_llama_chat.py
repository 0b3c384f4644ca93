"""The local model's LangChain chat model (reportqa.answer.llama_chat) on a fake llama.cpp client."""

from __future__ import annotations

from reportqa.answer.generation import ChatGenerator
from reportqa.answer.llama_chat import LlamaCppChat


class FakeLlama:
    """Streams a fixed answer a few characters at a time, recording what it was asked."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def create_chat_completion(self, **request):
        self.calls.append(request)
        for piece in ("新增养老床位", "774张", "[1]。"):
            yield {"choices": [{"delta": {"content": piece}}]}
        yield {"choices": [{"delta": {}}]}


def fake_model() -> tuple[LlamaCppChat, FakeLlama]:
    model = LlamaCppChat(model_path="unused.gguf", max_tokens=64)
    fake = FakeLlama()
    model._llama = fake
    return model, fake


def test_it_streams_the_pieces_with_the_roles_llama_cpp_expects():
    model, fake = fake_model()
    chunks = model.stream([("system", "只根据资料回答。"), ("human", "嘉定新增几张床位？")])
    pieces = [chunk.content for chunk in chunks if chunk.content]  # LangChain may close with an empty chunk
    assert pieces == ["新增养老床位", "774张", "[1]。"]
    (call,) = fake.calls
    assert call["messages"] == [{"role": "system", "content": "只根据资料回答。"},
                                {"role": "user", "content": "嘉定新增几张床位？"}]
    assert call["stream"] and call["temperature"] == 0.0 and call["repeat_penalty"] == 1.0 and call["max_tokens"] == 64


def test_invoke_joins_the_pieces_and_the_generator_interface_uses_it():
    model, _ = fake_model()
    assert model.invoke("问题").content == "新增养老床位774张[1]。"
    assert ChatGenerator("local", model).name == "local"
