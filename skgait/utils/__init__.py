"""Shared helpers: input validation for 3-D window arrays."""

from ._validation import check_windows

__all__ = ["check_windows"]
