"""Imbalanced-learn samplers for 3-D gait windows.

- :class:`WindowRandomOverSampler`, :class:`WindowRandomUnderSampler`:
  random over/under-sampling of *windows* by class;
- :class:`SubjectRandomUnderSampler`: the same number of windows from every
  subject, then the same number of *subjects* in every class, so that
  neither a talkative subject nor a crowded class dominates.

They take ``(n_windows, n_channels, n_timepoints)`` arrays and work inside
:class:`imblearn.pipeline.Pipeline` before a CNN or an ACF step. Subject
ids reach a sampler as ``groups`` through scikit-learn's metadata routing
(see :class:`SubjectRandomUnderSampler`).
"""

from ._samplers import (
    SubjectRandomUnderSampler,
    WindowRandomOverSampler,
    WindowRandomUnderSampler,
)

__all__ = [
    "SubjectRandomUnderSampler",
    "WindowRandomOverSampler",
    "WindowRandomUnderSampler",
]
