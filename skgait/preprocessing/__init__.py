"""Transformers of feature tables ``(n_samples, n_features)``."""

from ._domain import DomainStandardScaler

__all__ = ["DomainStandardScaler"]
