"""Siamese network for authentication: a gait embedding learnt from pairs."""

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..losses import contrastive_pair_loss
from ..models._training import check_epoch_loss
from ..utils._validation import (
    check_device,
    check_fitted_window_shape,
    check_windows,
    resolve_device,
    set_window_tags,
)
from ._pairs import make_pairs

__all__ = ["SiameseVerifier"]


def _default_module():
    from ..models import CNNLSTM

    return CNNLSTM


class SiameseVerifier(BaseEstimator):
    """Authenticate walkers with an embedding trained on pairs (Siamese network).

    One network (by default the parallel CNN+LSTM of Zou et al., 2020, with
    ``embedding_dim`` outputs) maps each window to a unit-length vector.
    ``fit`` draws, every epoch, balanced same / different-subject pairs of
    the training subjects' windows (:func:`~skgait.verification.make_pairs`;
    with ``sessions``, every pair joins two sessions so that the session
    structure says nothing about the label) and trains both members of a
    pair through the same weights with the contrastive loss (Hadsell et al.,
    2006): same-subject pairs are pulled together, different-subject pairs
    pushed at least ``margin`` apart.

    Authentication then needs no retraining for new people: :meth:`enroll`
    stores the mean embedding of a few windows of each person (who must not
    be among the training subjects for an honest evaluation), and
    :meth:`decision_function` / :meth:`verify` compare probe windows with
    the template of the identity they claim.

    Parameters
    ----------
    module : torch.nn.Module class or None, default=None
        Embedding network, called as ``module(n_channels, n_timepoints,
        embedding_dim, **module_params)``; None uses
        :class:`~skgait.models.CNNLSTM`.
    module_params : dict or None, default=None
        Extra keyword arguments of ``module`` (``{"n_hidden": 32}``, ...).
    embedding_dim : int, default=64
        Size of the embedding.
    margin : float, default=1.0
        Contrastive margin, in Euclidean distance between unit vectors
        (between 0 and 2).
    n_pairs : int, default=2000
        Pairs drawn afresh every epoch.
    max_epochs : int, default=20
        Training epochs.
    batch_size : int, default=64
        Pairs per optimisation step.
    lr : float, default=1e-3
        Adam learning rate.
    threshold : float, default=0.5
        :meth:`verify` accepts a claim when the cosine similarity reaches
        it (0.5 is distance 1, the default margin). Set it, for example, to
        the ``eer_threshold`` of :func:`~skgait.metrics.verification_report`
        on held-out subjects.
    random_state : int, RandomState instance or None, default=None
        Seeds the network's initial weights, dropout and the pairs.
    device : str, default="cpu"
        Torch device: ``"cpu"``, ``"cuda"``, ``"cuda:N"``, or ``"auto"``
        (CUDA when available, else the CPU). A CUDA device this machine does
        not have is refused by :meth:`fit` with a ``ValueError``.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained embedding network.
    device_ : str or torch.device
        The device it was trained on (``device`` with ``"auto"`` resolved).
    n_channels_, n_timepoints_ : int
        Shape of one window.
    mean_, scale_ : ndarray of shape (n_channels,)
        Per-channel standardisation learnt on the training windows.
    loss_history_ : list of float
        Mean training loss of every epoch.
    templates_ : dict
        Enrolled subject id → unit-length mean embedding.

    See Also
    --------
    Verifier : A pair classifier on aligned windows instead of an embedding.
    skgait.metrics.verification_report : ROC AUC, EER, accuracy at EER.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.verification import SiameseVerifier
    >>> rng = np.random.default_rng(0)
    >>> who = np.repeat(np.arange(8), 10)
    >>> t = np.arange(32) / 32
    >>> X = np.sin(2 * np.pi * (1 + who[:, None, None]) * t
    ...            + rng.uniform(0, 6, (80, 2, 1))).astype(np.float32)
    >>> ver = SiameseVerifier(module_params={"n_hidden": 8}, embedding_dim=8,
    ...                       n_pairs=100, max_epochs=2, random_state=0)
    >>> ver = ver.fit(X[who < 6], who[who < 6])
    >>> ver = ver.enroll(X[who >= 6][::2], who[who >= 6][::2])
    >>> ver.decision_function(X[who >= 6][1::2], who[who >= 6][1::2]).shape
    (10,)
    """

    def __init__(
        self,
        module=None,
        *,
        module_params=None,
        embedding_dim=64,
        margin=1.0,
        n_pairs=2000,
        max_epochs=20,
        batch_size=64,
        lr=1e-3,
        threshold=0.5,
        random_state=None,
        device="cpu",
    ):
        self.module = module
        self.module_params = module_params
        self.embedding_dim = embedding_dim
        self.margin = margin
        self.n_pairs = n_pairs
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.threshold = threshold
        self.random_state = random_state
        self.device = device

    def __sklearn_tags__(self):
        return set_window_tags(super().__sklearn_tags__())

    def _check_X(self, X, reset):
        X = check_windows(X, dtype=(np.float32, np.float64), estimator=self)
        X = np.ascontiguousarray(X, dtype=np.float32)
        if not reset:
            check_fitted_window_shape(X, self)
        return X

    def _check_params(self):
        owner = type(self).__name__
        check_device(resolve_device(self.device), owner)
        for name in ("embedding_dim", "n_pairs", "max_epochs", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{owner}: {name} must be a positive integer; got {value!r}.")
        if not 0 < self.margin <= 2:
            raise ValueError(
                f"{owner}: margin must be in (0, 2] (distance between unit "
                f"vectors); got {self.margin!r}."
            )

    def _tensor(self, X):
        X = (X - self.mean_[:, None]) / self.scale_[:, None]
        return torch.as_tensor(X, dtype=torch.float32, device=self.device_)

    def _forward(self, X):
        return torch.nn.functional.normalize(self.module_(self._tensor(X)), dim=1)

    def fit(self, X, y, sessions=None):
        """Train the embedding on pairs of the subjects in ``y``.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
            Windows of the training subjects.
        y : array-like of shape (n_windows,)
            Subject of each window.
        sessions : array-like of shape (n_windows,), optional
            Session of each window, labelled alike across subjects: every
            training pair then joins two sessions (see
            :func:`~skgait.verification.make_pairs`).

        Returns
        -------
        self : object

        Raises
        ------
        TrainingDivergedError
            If the training loss becomes NaN or infinite (see
            :class:`~skgait.models.FiniteLossCheck`).
        """
        self._check_params()
        X = self._check_X(X, reset=True)
        y = np.asarray(y)
        if y.shape != (len(X),):
            raise ValueError(
                f"y must hold one subject per window: shape {y.shape}, X has {len(X)} windows."
            )
        rng = check_random_state(self.random_state)
        self.device_ = resolve_device(self.device)
        self.n_channels_, self.n_timepoints_ = X.shape[1:]
        self.mean_ = X.mean(axis=(0, 2))
        self.scale_ = X.std(axis=(0, 2)) + 1e-6
        module = self.module if self.module is not None else _default_module()
        seed = int(rng.randint(2**31 - 1))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.module_ = module(
                self.n_channels_,
                self.n_timepoints_,
                self.embedding_dim,
                **(self.module_params or {}),
            ).to(self.device_)
            optimizer = torch.optim.Adam(self.module_.parameters(), lr=self.lr)
            self.loss_history_ = []
            self.module_.train()
            for epoch in range(self.max_epochs):
                pairs, same = make_pairs(y, self.n_pairs, sessions=sessions, random_state=rng)
                same = torch.as_tensor(same, device=self.device_)
                losses = []
                for start in range(0, len(pairs), self.batch_size):
                    idx = pairs[start : start + self.batch_size]
                    both = self._forward(np.concatenate((X[idx[:, 0]], X[idx[:, 1]])))
                    loss = contrastive_pair_loss(
                        both[: len(idx)],
                        both[len(idx) :],
                        same[start : start + len(idx)],
                        self.margin,
                    ).mean()
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    losses.append(loss.item())
                epoch_loss = float(np.mean(losses))
                check_epoch_loss(
                    type(self).__name__,
                    epoch + 1,
                    "train_loss",
                    epoch_loss,
                    self.loss_history_[0] if self.loss_history_ else None,
                    lr=self.lr,
                )
                self.loss_history_.append(epoch_loss)
        self.module_.eval()
        self.templates_ = {}
        return self

    def embed(self, X):
        """Unit-length embedding of each window.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)

        Returns
        -------
        embedding : ndarray of shape (n_windows, embedding_dim)
        """
        check_is_fitted(self, "module_")
        X = self._check_X(X, reset=False)
        self.module_.eval()
        with torch.no_grad():
            out = [self._forward(X[s : s + 512]).cpu().numpy() for s in range(0, len(X), 512)]
        return np.concatenate(out) if out else np.empty((0, self.embedding_dim), np.float32)

    def enroll(self, X, subject_ids):
        """Store (or replace) each person's template: the mean of their embeddings.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
            Enrolment windows.
        subject_ids : array-like of shape (n_windows,)
            Whose window each one is.

        Returns
        -------
        self : object
        """
        E = self.embed(X)
        subject_ids = np.asarray(subject_ids)
        if subject_ids.shape != (len(E),):
            raise ValueError(
                f"subject_ids must hold one id per window: shape {subject_ids.shape}, "
                f"X has {len(E)} windows."
            )
        for subject in np.unique(subject_ids):
            mean = E[subject_ids == subject].mean(axis=0)
            self.templates_[subject] = mean / max(np.linalg.norm(mean), 1e-12)
        return self

    def decision_function(self, X, claimed_ids):
        """Cosine similarity of each probe window to the claimed person's template.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
            Probe windows.
        claimed_ids : array-like of shape (n_windows,)
            The identity each window claims; all must be enrolled.

        Returns
        -------
        score : ndarray of shape (n_windows,)
            In ``[-1, 1]``; higher means more likely the claimed person.
        """
        check_is_fitted(self, "templates_")
        claimed_ids = np.asarray(claimed_ids)
        missing = sorted({str(c) for c in np.unique(claimed_ids) if c not in self.templates_})
        if missing:
            raise KeyError(
                f"Claimed identities {missing[:10]} are not enrolled; call "
                "enroll(X, subject_ids) first."
            )
        E = self.embed(X)
        if claimed_ids.shape != (len(E),):
            raise ValueError(
                f"claimed_ids must hold one id per window: shape {claimed_ids.shape}, "
                f"X has {len(E)} windows."
            )
        T = np.stack([self.templates_[c] for c in claimed_ids]) if len(E) else E
        return np.sum(E * T, axis=1)

    def verify(self, X, claimed_ids):
        """Accept (True) or reject each probe window's claim.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
        claimed_ids : array-like of shape (n_windows,)

        Returns
        -------
        accepted : ndarray of bool, shape (n_windows,)
            ``decision_function(X, claimed_ids) >= threshold``.
        """
        return self.decision_function(X, claimed_ids) >= self.threshold
