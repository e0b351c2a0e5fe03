"""LLM mode: a model implements business rules written in prose, inside a sandbox."""
