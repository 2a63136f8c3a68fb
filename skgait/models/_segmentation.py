"""Per-time-step labelling of gait signals (walking extraction).

Zou et al. (2020) first extract the walking parts of smartphone recordings
made "in the wild" with a network that labels every time step as walking
or not, and only then cut gait windows. This module holds

- :class:`GaitSegmenter`: the skorch estimator that trains
  :class:`~skgait.models.networks.WalkingFCN` (in :mod:`skgait.models.networks`) on windows
  ``X`` of shape ``(n, n_channels, n_timepoints)`` and per-step labels ``y`` of
  shape ``(n, n_timepoints)``. It shares shape inference, seeding and fast
  batches with :class:`~skgait.models.GaitCNNClassifier`.

:class:`~skgait.models.WalkingExtractor` applies a fitted segmenter to whole
datasets.
"""

import contextlib
import functools

import numpy as np
import torch
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length
from torch import nn

from ..utils._validation import check_fitted_channels, check_windows
from ._base import _GaitNeuralNet, _LabelEncodedMixin
from .networks import WalkingFCN

__all__ = ["GaitSegmenter"]


class GaitSegmenter(_LabelEncodedMixin, _GaitNeuralNet):
    """Label every time step of gait windows (walking / not walking, or activities).

    A skorch :class:`~skorch.NeuralNet` that builds :class:`~skgait.models.networks.WalkingFCN` (or
    any module mapping ``(n, n_channels, n_timepoints)`` to
    ``(n, n_classes, n_timepoints)``) for the channels of ``X`` and the classes
    of ``y``, and trains it with a per-step cross-entropy. Labels of any
    type are encoded with a :class:`~sklearn.preprocessing.LabelEncoder`.
    Being fully convolutional, a fitted segmenter predicts windows of any
    length, a whole recording included.

    Parameters
    ----------
    module : torch.nn.Module class or instance, default=WalkingFCN
        The network; ``n_channels`` and ``n_outputs`` are inferred.
    criterion : torch loss class, default=torch.nn.CrossEntropyLoss
        Per-step loss on logits ``(n, n_classes, n_timepoints)``.
    optimizer : torch optimizer class, default=torch.optim.Adam
    lr : float, default=1e-3
    max_epochs : int, default=20
    batch_size : int, default=32
    train_split : callable or None, default=None
        Internal validation split (:class:`~skgait.models.GroupValidSplit`
        with ``groups`` for a subject-wise one).
    callbacks : list or None, default=None
    warm_start_from, freeze, fine_tune_epochs :
        Transfer of ``features.*`` weights, as in
        :class:`~skgait.models.GaitCNNClassifier`.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation and shuffling.
    device : str, default="cpu"
    verbose : int, default=0
    **kwargs
        Other skorch parameters (``module__dilations=(1, 2, 4)``, ...).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Step labels, in the order of the second axis of
        :meth:`predict_proba`.
    n_channels_ : int
        Channels of the training windows.
    module_ : torch.nn.Module
        The trained network.

    See Also
    --------
    skgait.models.WalkingExtractor : Relabels whole datasets with a segmenter.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.models import GaitSegmenter
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(8, 3, 200)).astype(np.float32)
    >>> y = np.where(np.arange(200) < 100, "still", "walk")[None].repeat(8, 0)
    >>> X[:, :, 100:] += np.sin(np.arange(100) / 3)
    >>> seg = GaitSegmenter(max_epochs=2, random_state=0).fit(X, y)
    >>> seg.predict(X[:2]).shape
    (2, 200)
    >>> seg.predict(X[:1, :, :150]).shape  # any length
    (1, 150)
    """

    def __init__(
        self,
        module=WalkingFCN,
        *,
        criterion=nn.CrossEntropyLoss,
        max_epochs=20,
        batch_size=32,
        **kwargs,
    ):
        super().__init__(
            module, criterion=criterion, max_epochs=max_epochs, batch_size=batch_size, **kwargs
        )

    def _check_fitted_shape(self, X):
        # Fully convolutional: any length, but the training channels.
        check_fitted_channels(X, self)

    def _check_y(self, y, n_timepoints=None):
        y = np.asarray(y)
        if y.ndim != 2:
            raise ValueError(
                f"{type(self).__name__} labels every time step: y must have shape "
                f"(n_windows, n_timepoints); got {y.shape}."
            )
        if n_timepoints is not None and y.shape[1] != n_timepoints:
            raise ValueError(
                f"y has {y.shape[1]} labels per window but X has {n_timepoints} time "
                "points; give one label per time step."
            )
        return y

    def fit(self, X, y, groups=None, **fit_params):
        """Build the network for ``X`` and ``y`` and train it.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
            Windows.
        y : array-like of shape (n_windows, n_timepoints)
            One label per time step.
        groups : array-like of shape (n_windows,), optional
            Subject of each window, for ``train_split`` only.
        **fit_params : dict
            As in skorch.

        Returns
        -------
        self : object
        """
        X = check_windows(X, dtype=(np.float32, np.float64), estimator=self)
        if y is None:
            raise ValueError(f"{type(self).__name__} needs y to fit; got y=None.")
        self._check_y(y, X.shape[2])
        check_consistent_length(X, y)
        return super().fit(X, y, groups=groups, **fit_params)

    def _fit_target(self, y):
        y = self._check_y(y)
        check_classification_targets(y.ravel())
        encoder = LabelEncoder().fit(y.ravel())
        if len(encoder.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 step labels; y holds only "
                f"{encoder.classes_[0]!r}."
            )
        self.label_encoder_ = encoder
        return len(encoder.classes_)

    def _transform_target(self, y):
        y = self._check_y(y)
        codes = self.label_encoder_.transform(y.ravel()).reshape(y.shape)
        return torch.as_tensor(codes, dtype=torch.int64)

    def _conv_backend(self):
        # Dilated convolutions: PyTorch's native CPU kernels are several
        # times slower than oneDNN's at every batch size, so keep oneDNN.
        return contextlib.nullcontext()

    def predict_proba(self, X):
        """Probability of each label at each time step.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
            Windows of any length the network accepts.

        Returns
        -------
        proba : ndarray of shape (n_windows, n_classes, n_timepoints)
        """
        self.check_is_fitted()
        return self._forward_numpy(X, functools.partial(torch.softmax, dim=1))

    def predict(self, X):
        """Most probable label at each time step.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)

        Returns
        -------
        y_pred : ndarray of shape (n_windows, n_timepoints)
        """
        proba = self.predict_proba(X)  # raises NotFittedError before fit
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X, y):
        """Accuracy over all time steps.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
        y : array-like of shape (n_windows, n_timepoints)

        Returns
        -------
        accuracy : float
        """
        return float(np.mean(self.predict(X) == np.asarray(y)))
