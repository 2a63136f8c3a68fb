"""Training plumbing shared by the skorch estimators.

- :class:`WindowDataset` holds windows and targets as tensors, once;
- :class:`TensorBatchLoader` yields mini-batches by slicing those tensors
  (one gather per epoch for shuffling) instead of collating samples one by
  one as :class:`torch.utils.data.DataLoader` does. For a network of a few
  thousand parameters, per-sample collation dominates training time;
- :class:`GroupValidSplit` is a subject-wise internal validation split for
  early stopping without subject leakage;
- :class:`FiniteLossCheck` stops a diverged training (NaN, infinite or
  exploding loss) with a :class:`~skgait.exceptions.TrainingDivergedError` instead of letting
  it go on and predict one class everywhere.
"""

import math
import numbers

import numpy as np
import torch
from sklearn.model_selection import GroupShuffleSplit
from sklearn.utils.metadata_routing import MetadataRequest
from skorch.callbacks import Callback
from skorch.dataset import Dataset as SkorchDataset
from torch.utils.data import DataLoader, Subset

from ..exceptions import TrainingDivergedError

__all__ = [
    "FiniteLossCheck",
    "GroupValidSplit",
    "TensorBatchLoader",
    "WindowDataset",
]


# Defaults of FiniteLossCheck.
MAX_LOSS = 1e6
MAX_GROWTH = 1e3


def check_epoch_loss(
    owner, epoch, key, value, first, max_loss=MAX_LOSS, max_growth=MAX_GROWTH, lr=None
):
    """Raise :class:`~skgait.exceptions.TrainingDivergedError` if an epoch's mean loss diverged.

    Diverged means: not finite; above ``max_loss``; or above ``max_growth``
    times the first epoch's loss (``first``; at least 1, so that a loss
    that starts near 0 may still rise a little). ``max_loss`` or
    ``max_growth`` None skips that test.

    Parameters
    ----------
    owner : str
        Name of the estimator, for the message.
    epoch : int
        The epoch, counted from 1.
    key : str
        Name of the loss (``"train_loss"``...).
    value : float
        The epoch's mean loss.
    first : float or None
        The first epoch's value of the same loss (None at the first epoch).
    max_loss : float or None, default=MAX_LOSS
        Absolute bound.
    max_growth : float or None, default=MAX_GROWTH
        Bound relative to ``max(abs(first), 1)``.
    lr : float or None, default=None
        Learning rate, for the message.
    """
    if not math.isfinite(value):
        reason = f"{key} is {value}"
    elif max_loss is not None and value > max_loss:
        reason = f"{key} is {value:.3g}, above max_loss={max_loss:g}"
    elif (
        max_growth is not None
        and first is not None
        and math.isfinite(first)
        and value > max_growth * max(abs(first), 1.0)
    ):
        reason = (
            f"{key} is {value:.3g}, more than max_growth={max_growth:g} times the "
            f"first epoch's {first:.3g}"
        )
    else:
        return
    raise TrainingDivergedError(
        f"{owner}: training diverged at epoch {epoch}: {reason}. The weights are "
        f"no longer usable. Lower the learning rate (lr={lr!r}), scale the inputs, "
        "or check pretrained weights (warm_start_from) for NaN.",
        epoch=epoch,
        key=key,
        value=value,
    )


class FiniteLossCheck(Callback):
    """Raise :class:`~skgait.exceptions.TrainingDivergedError` when an epoch's loss diverges.

    Every skgait skorch estimator includes it in its default callbacks
    (after the loss scorers, so that the epoch's losses are in the
    history). At the end of each epoch it reads the epoch's mean losses
    from the history (no work per batch) and stops the fit when one is NaN
    or infinite, or has exploded: above ``max_loss``, or above
    ``max_growth`` times its first epoch's value. skgait's criteria
    (cross-entropy, losses on targets scaled to [0, 1], their multi-task
    sum) start within a few units, so the defaults leave orders of
    magnitude for an ordinary training whose loss rises a little at
    first; a criterion of another scale can set them through the
    estimator (``callbacks__finite_loss__max_loss=None`` switches that
    test off).

    Parameters
    ----------
    keys : tuple of str, default=("train_loss", "valid_loss")
        History keys checked (those absent in an epoch, such as
        ``valid_loss`` without a validation split, are skipped).
    max_loss : float or None, default=1e6
        An epoch loss above it has diverged.
    max_growth : float or None, default=1e3
        An epoch loss above ``max_growth * max(|first epoch's loss|, 1)``
        has diverged.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.exceptions import TrainingDivergedError
    >>> from skgait.models import GaitCNNClassifier
    >>> X = np.random.default_rng(0).normal(size=(20, 3, 8)).astype(np.float32)
    >>> y = np.arange(20) % 2
    >>> try:
    ...     GaitCNNClassifier(lr=1e8, max_epochs=2).fit(X, y)
    ... except TrainingDivergedError as exc:
    ...     print(exc.key, exc.epoch)
    train_loss 1
    """

    def __init__(self, keys=("train_loss", "valid_loss"), max_loss=MAX_LOSS, max_growth=MAX_GROWTH):
        self.keys = keys
        self.max_loss = max_loss
        self.max_growth = max_growth

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        first_row = net.history[0]
        for key in self.keys:
            value = row.get(key)
            if value is None:
                continue
            check_epoch_loss(
                type(net).__name__,
                row.get("epoch", len(net.history)),
                key,
                value,
                first_row.get(key) if len(net.history) > 1 else None,
                self.max_loss,
                self.max_growth,
                getattr(net, "lr", None),
            )


class WindowDataset(SkorchDataset):
    """Windows and targets held in memory as tensors.

    A :class:`skorch.dataset.Dataset`, so that skorch's scoring callbacks
    find ``X`` and ``y`` in it, that converts the data once instead of at
    every ``__getitem__``.

    Parameters
    ----------
    X : ndarray of shape (n_windows, n_channels, n_timepoints)
        Windows, ideally already ``float32`` and C-contiguous (no copy is
        made then).
    y : array-like of shape (n_windows,) or (n_windows, n_targets), optional
        Targets in the user's units and labels (``"F"``, ``"M"``, years):
        what scoring callbacks such as :class:`skorch.callbacks.EpochScoring`
        compare with ``net.predict``.
    target : array-like or tensor, optional
        What the loss sees (encoded labels, scaled values). Defaults to
        ``y`` as a tensor.

    Attributes
    ----------
    X : ndarray
        The windows (read by skorch's ``data_from_dataset``).
    y : ndarray or None
        The targets in the user's units.
    X_tensor : torch.Tensor
        The windows as a tensor sharing memory with ``X``.
    target_tensor : torch.Tensor or None
        The targets seen by the loss.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.models import WindowDataset
    >>> ds = WindowDataset(np.zeros((4, 6, 10), dtype=np.float32), np.array([0, 1, 0, 1]))
    >>> len(ds), ds[1][0].shape
    (4, torch.Size([6, 10]))
    """

    def __init__(self, X, y=None, target=None):  # pylint: disable=super-init-not-called
        self.X = X
        self.y = y
        self.X_tensor = torch.as_tensor(X)
        if target is None and y is not None:
            target = y
        self.target_tensor = None if target is None else torch.as_tensor(target)

    def __len__(self):
        return len(self.X_tensor)

    def __getitem__(self, i):
        target = torch.zeros(()) if self.target_tensor is None else self.target_tensor[i]
        return self.X_tensor[i], target


def _tensors_of(dataset):
    """``(X, target)`` tensors of an in-memory dataset, or None if unknown."""
    if isinstance(dataset, WindowDataset):
        return dataset.X_tensor, dataset.target_tensor
    if isinstance(dataset, torch.utils.data.TensorDataset) and 1 <= len(dataset.tensors) <= 2:
        tensors = dataset.tensors
        return tensors[0], tensors[1] if len(tensors) == 2 else None
    if isinstance(dataset, Subset):
        inner = _tensors_of(dataset.dataset)
        if inner is None:
            return None
        index = torch.as_tensor(np.asarray(dataset.indices, dtype=np.int64))
        X, target = inner
        return X[index], None if target is None else target[index]
    return None


class TensorBatchLoader:
    """Mini-batches sliced from in-memory tensors; a drop-in for DataLoader.

    Accepts the :class:`torch.utils.data.DataLoader` arguments that skorch
    passes (``iterator_train__shuffle``, ``batch_size``, ...). Datasets it
    cannot slice (anything but :class:`WindowDataset`,
    :class:`torch.utils.data.TensorDataset` and their
    :class:`torch.utils.data.Subset`) are handed to a ``DataLoader`` with
    the same arguments.

    Shuffling draws one permutation per epoch with :func:`torch.randperm`
    from ``generator`` (or PyTorch's global generator, which the estimators
    seed from ``random_state``), gathers the epoch's data once and yields
    contiguous slices.

    Parameters
    ----------
    dataset : torch.utils.data.Dataset
        Usually a :class:`WindowDataset` or a ``Subset`` of one.
    batch_size : int, default=1
        Windows per batch.
    shuffle : bool, default=False
        Reshuffle at every epoch.
    drop_last : bool, default=False
        Drop the last incomplete batch.
    generator : torch.Generator, optional
        Source of the permutations.
    device : str or torch.device, optional
        Move the tensors there once, so that batches need no copy.
    **kwargs
        Other ``DataLoader`` arguments, used only by the fallback.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.models import TensorBatchLoader, WindowDataset
    >>> ds = WindowDataset(np.zeros((25, 6, 10), dtype=np.float32), np.zeros(25))
    >>> [len(xb) for xb, yb in TensorBatchLoader(ds, batch_size=10)]
    [10, 10, 5]
    """

    def __init__(
        self,
        dataset,
        batch_size=1,
        shuffle=False,
        drop_last=False,
        generator=None,
        device=None,
        **kwargs,
    ):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.generator = generator
        tensors = _tensors_of(dataset)
        self._fallback = None
        if tensors is None:
            self._fallback = DataLoader(
                dataset,
                batch_size=batch_size,
                shuffle=shuffle,
                drop_last=drop_last,
                generator=generator,
                **kwargs,
            )
            return
        X, target = tensors
        if device is not None:
            X = X.to(device)
            target = None if target is None else target.to(device)
        self._X, self._target = X, target

    def __len__(self):
        if self._fallback is not None:
            return len(self._fallback)
        n = len(self._X)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        if self._fallback is not None:
            yield from self._fallback
            return
        X, target = self._X, self._target
        n = len(X)
        if self.shuffle and n > 1:
            perm = torch.randperm(n, generator=self.generator).to(X.device)
            X = X[perm]
            target = None if target is None else target[perm]
        stop = n - n % self.batch_size if self.drop_last else n
        step = self.batch_size
        for start in range(0, stop, step):
            yield (
                X[start : start + step],
                None if target is None else target[start : start + step],
            )


class GroupValidSplit:
    """Subject-wise internal validation split for skorch's ``train_split``.

    Holds out a fraction of the *groups* (subjects) so that no subject
    contributes windows to both the training and the validation part, which
    keeps early stopping and validation scores honest. The groups are the
    ``groups`` argument of ``fit``::

        net = GaitCNNClassifier(
            train_split=GroupValidSplit(0.2, random_state=0),
            callbacks=[EarlyStopping(patience=5)],
        )
        net.fit(X, y, groups=meta["subject"])

    In a :class:`~sklearn.pipeline.Pipeline`, pass them as a step parameter:
    ``pipe.fit(X, y, cnn__groups=subjects)``, or in cross-validation
    ``cross_val_score(pipe, X, y, groups=subjects, cv=GroupKFold(),
    params={"cnn__groups": subjects})``.

    With scikit-learn's metadata routing
    (``sklearn.set_config(enable_metadata_routing=True)``) the split
    requests ``groups``, so a network using it asks for them and
    ``groups`` reaches it without any ``set_fit_request``: ``fit(X, y,
    groups=subjects)`` on the network or on a Pipeline, and
    ``cross_validate(est, X, y, cv=GroupKFold(), params={"groups":
    subjects})`` (the same groups split the outer folds and, cut to each
    training fold, the network's validation part).

    Parameters
    ----------
    test_size : float or int, default=0.2
        Fraction (float) or number (int) of groups held out.
    random_state : int, RandomState instance or None, default=None
        Seeds the choice of held-out groups.

    See Also
    --------
    sklearn.model_selection.GroupShuffleSplit : The splitter used.
    skorch.dataset.ValidSplit : skorch's (window-wise) default split.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.models import GroupValidSplit, WindowDataset
    >>> ds = WindowDataset(np.zeros((6, 1, 8), dtype=np.float32), np.arange(6))
    >>> train, valid = GroupValidSplit(0.5, random_state=0)(ds, groups=[1, 1, 2, 2, 3, 3])
    >>> len(train) + len(valid)
    6
    """

    def __init__(self, test_size=0.2, random_state=None):
        self.test_size = test_size
        self.random_state = random_state

    def __call__(self, dataset, y=None, groups=None):
        if groups is None:
            raise ValueError(
                "GroupValidSplit needs the subject of every window: call "
                "fit(X, y, groups=subjects) (in a Pipeline: "
                "fit(X, y, <step>__groups=subjects))."
            )
        groups = np.asarray(groups)
        n = len(dataset)
        if len(groups) != n:
            raise ValueError(
                f"GroupValidSplit: groups has {len(groups)} entries but the data has {n} windows."
            )
        n_groups = len(np.unique(groups))
        if n_groups < 2:
            raise ValueError(f"GroupValidSplit needs at least 2 distinct groups; got {n_groups}.")
        test_size = self.test_size
        if isinstance(test_size, numbers.Integral) and test_size >= n_groups:
            raise ValueError(
                f"GroupValidSplit: test_size={test_size} groups but only "
                f"{n_groups} groups in the data."
            )
        splitter = GroupShuffleSplit(
            n_splits=1, test_size=test_size, random_state=self.random_state
        )
        idx_train, idx_valid = next(splitter.split(np.arange(n), groups=groups))
        return Subset(dataset, idx_train), Subset(dataset, idx_valid)

    def get_metadata_routing(self):
        """Metadata routing: the split consumes ``groups``.

        Returns
        -------
        routing : MetadataRequest
            ``split`` requests ``groups`` (the networks route ``fit``'s
            ``groups`` to it).
        """
        request = MetadataRequest(owner=type(self).__name__)
        request.split.add_request(param="groups", alias=True)
        return request

    def __repr__(self):
        return (
            f"{type(self).__name__}(test_size={self.test_size!r}, "
            f"random_state={self.random_state!r})"
        )
