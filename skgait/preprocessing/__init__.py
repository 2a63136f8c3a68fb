"""Transformers of feature tables ``(n_samples, n_features)``."""

from ._domain import DomainStandardScaler
from ._whitening import WithinClassWhitening

__all__ = ["DomainStandardScaler", "WithinClassWhitening"]
