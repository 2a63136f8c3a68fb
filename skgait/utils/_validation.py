"""Validation of 3-D window arrays ``(n_windows, n_channels, n_timepoints)``."""

import functools
import numbers
import os
import warnings

import numpy as np
from sklearn.utils.validation import check_array, check_is_fitted

from ._sklearn_compat import _fit_context

__all__ = ["WindowTransformerMixin", "check_windows", "to_samples"]


def check_windows(
    X,
    *,
    dtype=(np.float64, np.float32),
    min_timepoints=1,
    allow_2d=False,
    ensure_finite=True,
    estimator=None,
):
    """Validate windows and return them as a C-contiguous 3-D float array.

    Parameters
    ----------
    X : array-like of shape (n_windows, n_channels, n_timepoints)
        Windows of multichannel signal.
    dtype : dtype or tuple of dtypes, default=(np.float64, np.float32)
        Accepted dtypes; other inputs are converted to the first one.
    min_timepoints : int, default=1
        Smallest accepted ``n_timepoints``.
    allow_2d : bool, default=False
        Accept ``(n_windows, n_timepoints)`` as a single channel and return
        it as ``(n_windows, 1, n_timepoints)``.
    ensure_finite : bool, default=True
        Reject NaN and infinity. A caller whose own pass over the data
        detects them (the ACF kernel) sets it to False to save a full read.
    estimator : estimator instance or str, optional
        Named in error messages.

    Returns
    -------
    X : ndarray of shape (n_windows, n_channels, n_timepoints)

    Raises
    ------
    ValueError
        If ``X`` has the wrong number of dimensions, is empty, is too short,
        or contains NaN or infinity.
    """
    name = (
        estimator
        if isinstance(estimator, str)
        else type(estimator).__name__
        if estimator is not None
        else "skgait"
    )
    X = np.asarray(X) if not hasattr(X, "__array__") else X
    ndim = np.ndim(X)
    if ndim == 2 and allow_2d:
        X = np.asarray(X)[:, np.newaxis, :]
    elif ndim != 3:
        raise ValueError(
            f"{name} expects windows of shape (n_windows, n_channels, "
            f"n_timepoints); got an array with {ndim} dimension(s) of shape "
            f"{np.shape(X)}."
        )
    X = np.asarray(X)
    n_windows, n_channels, n_timepoints = X.shape
    if n_windows == 0 or n_channels == 0:
        raise ValueError(
            f"{name}: empty input of shape {X.shape}; need at least one window and one channel."
        )
    if n_timepoints < min_timepoints:
        raise ValueError(
            f"{name}: windows have {n_timepoints} time points; at least "
            f"{min_timepoints} are needed."
        )
    flat = check_array(
        X.reshape(n_windows, -1),
        dtype=dtype,
        ensure_all_finite=ensure_finite,
        input_name="X",
        estimator=estimator,
        order="C",
    )
    return flat.reshape(n_windows, n_channels, n_timepoints)


def check_fitted_window_shape(X, estimator):
    """Raise when windows differ in shape from those ``estimator`` was fitted on.

    Parameters
    ----------
    X : ndarray of shape (n_windows, n_channels, n_timepoints)
        Validated windows.
    estimator : estimator instance
        Fitted; has ``n_channels_`` and ``n_timepoints_``.

    Raises
    ------
    ValueError
        Naming both shapes.
    """
    fitted = (estimator.n_channels_, estimator.n_timepoints_)
    if X.shape[1:] != fitted:
        raise ValueError(
            f"Windows of shape {X.shape[1:]}, but {type(estimator).__name__} was "
            f"fitted on {fitted}."
        )


def check_fitted_length(X, estimator):
    """Warn when windows have another length than those ``estimator`` was fitted on.

    For per-window feature transformers, which can describe windows of any
    length but whose lags and frequency bands count samples: windows of
    another length, or cut at another rate, give features that mean other
    times than the ones a downstream model learnt from.

    Parameters
    ----------
    X : ndarray of shape (n_windows, n_channels, n_timepoints)
        Validated windows.
    estimator : estimator instance
        Fitted; has ``n_timepoints_`` (an estimator fitted before it had
        one is not checked).

    Warns
    -----
    UserWarning
        Naming both lengths.
    """
    fitted = getattr(estimator, "n_timepoints_", None)
    if fitted is not None and X.shape[2] != fitted:
        warnings.warn(
            f"{type(estimator).__name__}: windows of {X.shape[2]} time points, but it "
            f"was fitted on windows of {fitted}. Its lags and frequencies count "
            "samples, so windows of another length or rate give features that mean "
            "other times; cut windows as for fit (same rate and length) or crop "
            "them with WindowCrop.",
            UserWarning,
            stacklevel=3,
        )


def check_fitted_channels(X, estimator):
    """Raise when windows have another number of channels than at fit time.

    For estimators that accept windows of any length but not any channels
    (per-window transformers, fully convolutional networks).

    Parameters
    ----------
    X : ndarray of shape (n_windows, n_channels, n_timepoints)
        Validated windows.
    estimator : estimator instance
        Fitted; has ``n_channels_``.

    Raises
    ------
    ValueError
        Naming both numbers of channels.
    """
    if X.shape[1] != estimator.n_channels_:
        kind = "transformer" if hasattr(estimator, "transform") else "estimator"
        raise ValueError(
            f"{type(estimator).__name__}: X has {X.shape[1]} channels, but the {kind} "
            f"was fitted on {estimator.n_channels_}."
        )


def set_window_tags(tags):
    """Tags of an estimator fitted on 3-D windows ``X`` and a target ``y``.

    Parameters
    ----------
    tags : sklearn.utils.Tags
        The tags from ``super().__sklearn_tags__()``.

    Returns
    -------
    tags : sklearn.utils.Tags
        ``tags``, with 3-D input (no 2-D) and a required target.
    """
    tags.input_tags.two_d_array = False
    tags.input_tags.three_d_array = True
    tags.target_tags.required = True
    return tags


class WindowTransformerMixin:
    """The input checks and tags of a transformer that describes each window on its own.

    As scikit-learn's ``validate_data`` for 2-D tables:
    :meth:`_validate_windows` checks the windows (:func:`check_windows`),
    records ``n_channels_`` and ``n_timepoints_`` in ``fit``, and afterwards
    checks that the estimator is fitted and that the windows have its
    channels and, as ``_fitted_length`` says, its length; a subclass with
    more to check (3-axis sensors) extends it. ``fit`` does only that, for
    a transformer that learns nothing else. The tags say: 3-D input (no 2-D,
    no NaN), fitting required (to learn the number of channels), float32 or
    float64 kept.

    Placed before :class:`~sklearn.base.TransformerMixin` in the bases.
    """

    #: Fewest time points a window needs (a property where parameters decide).
    _min_timepoints = 1
    #: Windows of another length than in fit, after fit: "any" (accepted),
    #: "warn" (:func:`check_fitted_length`: lags and bands count samples) or
    #: "raise" (:func:`check_fitted_window_shape`).
    _fitted_length = "any"

    def _validate_windows(self, X, *, reset, ensure_finite=True):
        """Checked windows; ``reset`` in ``fit`` (records their shape), else compared with it."""
        if not reset:
            check_is_fitted(self)
        X = check_windows(
            X, estimator=self, min_timepoints=self._min_timepoints, ensure_finite=ensure_finite
        )
        if reset:
            self.n_channels_, self.n_timepoints_ = X.shape[1:]
        elif self._fitted_length == "raise":
            check_fitted_window_shape(X, self)
        else:
            check_fitted_channels(X, self)
            if self._fitted_length == "warn":
                check_fitted_length(X, self)
        return X

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the windows and record their shape.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        self._validate_windows(X, reset=True)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = False
        tags.requires_fit = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def to_samples(value, rate, *, name, owner, unit="sample"):
    """Number of samples from an int count or a float duration in seconds.

    Parameters
    ----------
    value : int or float
        An int is a count of samples; a float is a duration in seconds.
    rate : float or None
        Sampling rate in Hz, needed for a duration.
    name : str
        Parameter name, for error messages (``"lags"``, ``"length"``).
    owner : str
        Estimator name, for error messages.
    unit : str, default="sample"
        What one step counts, for error messages (``"lag"``).

    Returns
    -------
    n : int
        ``value``, or ``round(value * rate)``.

    Raises
    ------
    ValueError
        If a duration comes without ``rate``, or the result is below one.
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        n = int(value)
        if n < 1:
            raise ValueError(f"{owner}: {name}={value!r} is less than one {unit}.")
        return n
    if rate is None:
        raise ValueError(
            f"{owner}: {name}={value!r} is a float, read as a duration in "
            f"seconds, but rate is None: it needs rate (Hz), e.g. "
            f"{name}={value!r}, rate=50, or give {name} as an int number of {unit}s."
        )
    n = round(float(value) * float(rate))
    if n < 1:
        raise ValueError(
            f"{owner}: {name}={value!r} s at rate={rate!r} Hz is "
            f"{value * rate:g} {unit}s, less than one {unit}; give a longer duration."
        )
    return n


@functools.cache
def _cuda_or_cpu():
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def resolve_device(device):
    """``"auto"`` → ``"cuda"`` when a CUDA device is available, else ``"cpu"``; others as given."""
    return _cuda_or_cpu() if isinstance(device, str) and device == "auto" else device


def check_device(device, owner):
    """Raise a clear ``ValueError`` for a torch device this machine cannot use.

    PyTorch's own message for CUDA on a CPU-only build is an
    ``AssertionError`` raised deep in the first tensor copy; this names the
    estimator, the device asked for and what to do instead.

    Parameters
    ----------
    device : str or torch.device
        The resolved device (``"auto"`` already replaced).
    owner : str
        Estimator name for the message.
    """
    import torch

    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise ValueError(
            f"{owner}: device={device!r} is not a torch device ({exc}); use 'cpu', "
            "'cuda', 'cuda:N' or 'auto' (CUDA when available, else the CPU)."
        ) from None
    if resolved.type != "cuda":
        return
    if not torch.backends.cuda.is_built():
        raise ValueError(
            f"{owner}: device={device!r} asks for CUDA, but this PyTorch build "
            f"({torch.__version__}) has no CUDA support. Install a CUDA build of torch, "
            "or use device='cpu' or device='auto' (CUDA when available, else the CPU)."
        )
    n_devices = torch.cuda.device_count()
    index = resolved.index or 0
    if index >= n_devices:
        raise ValueError(
            f"{owner}: device={device!r} asks for CUDA device {index}, but "
            f"{n_devices} CUDA device(s) are visible (CUDA_VISIBLE_DEVICES="
            f"{os.environ.get('CUDA_VISIBLE_DEVICES', 'unset')}). "
            "Use device='cpu' or device='auto'."
        )
