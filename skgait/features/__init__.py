"""Feature transformers for windows ``(n_windows, n_channels, n_timepoints)``."""

from ._acf import ACFTransformer, ConstantSeriesWarning

__all__ = ["ACFTransformer", "ConstantSeriesWarning"]
