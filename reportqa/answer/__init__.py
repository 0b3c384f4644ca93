"""Stage 4, answer: passages → a short answer whose every figure is checked.

``prompts`` holds what the model is told, ``generation`` the generators (local
GGUF model, OpenAI-compatible endpoint, extractive), ``local_llm`` the local
model's weights, ``verify`` checks the answer against the cited passages, and
``pipeline`` runs follow-up rewriting, retrieval, generation and verification.
"""
