"""Hypothesis strategies for feature documents: valid ones, and ones with one mistake."""

from tests.strategies.documents import Drawn, feature_documents
from tests.strategies.mistakes import Mistake, invalid_documents
from tests.strategies.render import Rendered, forms, render, span

__all__ = [
    "Drawn",
    "Mistake",
    "Rendered",
    "feature_documents",
    "forms",
    "invalid_documents",
    "render",
    "span",
]
