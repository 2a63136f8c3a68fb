"""Siamese network for authentication: a gait embedding learnt from pairs."""

import numpy as np
import torch
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet
from skorch.utils import to_tensor
from torch import nn

from ..losses import contrastive_pair_loss
from ..models._base import _GaitNeuralNet
from ..models.networks import CNNLSTM
from ._pairs import make_pairs

__all__ = ["SiameseVerifier"]


class _PairContrastiveLoss(nn.Module):
    """Mean contrastive loss of a batch of pairs.

    The batch holds the first members of ``n`` pairs, then their second
    members (``2 * n`` embeddings); ``same`` says which pairs are of one
    subject.
    """

    def __init__(self, margin):
        super().__init__()
        self.margin = margin

    def forward(self, embeddings, same):
        n = len(same)
        return contrastive_pair_loss(embeddings[:n], embeddings[n:], same, self.margin).mean()


class _PairBatches:
    """Training batches of pairs, drawn afresh at every epoch.

    Each batch is the windows of ``batch_size`` pairs drawn by
    :func:`make_pairs` (first members, then second members) and whether
    each pair is of one subject. The windows are moved to ``device`` once
    and gathered there.
    """

    def __init__(self, dataset, batch_size, n_pairs, sessions, device):
        self.X = dataset.X_tensor.to(device)
        self.subjects = dataset.y
        self.batch_size = batch_size
        self.n_pairs = n_pairs
        self.sessions = sessions
        # Drawn from PyTorch's generator, which the estimator seeds from
        # random_state: the pairs are as repeatable as the weights.
        self.rng = np.random.RandomState(int(torch.randint(2**31 - 1, ())))

    def __len__(self):
        return -(-self.n_pairs // self.batch_size)

    def __iter__(self):
        pairs, same = make_pairs(
            self.subjects, self.n_pairs, sessions=self.sessions, random_state=self.rng
        )
        pairs = torch.as_tensor(pairs, device=self.X.device)
        same = torch.as_tensor(same, device=self.X.device)
        for start in range(0, len(pairs), self.batch_size):
            idx = pairs[start : start + self.batch_size]
            yield self.X[torch.cat((idx[:, 0], idx[:, 1]))], same[start : start + self.batch_size]


class SiameseVerifier(_GaitNeuralNet, NeuralNet):
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
    module : torch.nn.Module class or instance, default=CNNLSTM
        Embedding network, built in ``fit`` as ``module(n_channels=...,
        n_timepoints=..., n_outputs=embedding_dim, **module__params)``:
        other arguments are given as ``module__name=value``
        (``module__n_hidden=32``).
    criterion : torch loss class or None, default=None
        ``None`` is the contrastive loss of the pairs with ``margin``.
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
    **kwargs
        Other parameters of skgait's skorch networks (see
        :class:`~skgait.models.GaitCNNClassifier`): ``callbacks``,
        ``optimizer``, ``optimizer__weight_decay``, ``module__*``,
        ``verbose``... ``train_split`` must stay None: the training pairs
        are drawn afresh every epoch, and a held-out check belongs to
        held-out people (:func:`~skgait.verification.evaluate_authentication`).

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained embedding network.
    n_channels_, n_timepoints_ : int
        Shape of one window.
    mean_, scale_ : ndarray of shape (n_channels,)
        Per-channel standardisation learnt on the training windows.
    history_ : skorch.history.History
        Per-epoch mean training loss (``train_loss``) and timings; an
        epoch's loss that is not finite or explodes stops the fit (see
        :class:`~skgait.models.FiniteLossCheck`).
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
    >>> ver = SiameseVerifier(module__n_hidden=8, embedding_dim=8,
    ...                       n_pairs=100, max_epochs=2, random_state=0)
    >>> ver = ver.fit(X[who < 6], who[who < 6])
    >>> ver = ver.enroll(X[who >= 6][::2], who[who >= 6][::2])
    >>> ver.decision_function(X[who >= 6][1::2], who[who >= 6][1::2]).shape
    (10,)
    """

    def __init__(
        self,
        module=CNNLSTM,
        *,
        criterion=None,
        embedding_dim=64,
        margin=1.0,
        n_pairs=2000,
        max_epochs=20,
        batch_size=64,
        threshold=0.5,
        **kwargs,
    ):
        super().__init__(
            module, criterion=criterion, max_epochs=max_epochs, batch_size=batch_size, **kwargs
        )
        self.embedding_dim = embedding_dim
        self.margin = margin
        self.n_pairs = n_pairs
        self.threshold = threshold

    def _validate_fit_params(self):
        super()._validate_fit_params()
        owner = type(self).__name__
        for name in ("embedding_dim", "n_pairs", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{owner}: {name} must be a positive integer; got {value!r}.")
        if not 0 < self.margin <= 2:
            raise ValueError(
                f"{owner}: margin must be in (0, 2] (distance between unit "
                f"vectors); got {self.margin!r}."
            )
        if self.train_split is not None:
            raise ValueError(
                f"{owner} trains on pairs drawn every epoch and has no validation "
                f"split; got train_split={self.train_split!r}, use None."
            )

    def _check_X(self, X, reset):
        X = super()._check_X(X, reset)
        if reset:
            self.mean_ = X.mean(axis=(0, 2))
            self.scale_ = X.std(axis=(0, 2)) + 1e-6
        return X

    def _fit_target(self, y):
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must hold one subject per window: shape {y.shape}.")
        return self.embedding_dim

    def _transform_target(self, y):
        # The loss sees pair labels; the dataset keeps the subjects (y).
        return torch.as_tensor(np.unique(np.asarray(y), return_inverse=True)[1].ravel())

    def initialize_criterion(self):
        """Build the criterion; ``criterion=None`` is the contrastive loss of the pairs."""
        if self.criterion is not None:
            return super().initialize_criterion()
        self.criterion_ = _PairContrastiveLoss(self.margin)
        return self

    def fit(self, X, y, sessions=None, **fit_params):
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
        **fit_params : dict
            As in skorch (passed to the module's ``forward``).

        Returns
        -------
        self : object

        Raises
        ------
        TrainingDivergedError
            If the training loss becomes NaN or infinite (see
            :class:`~skgait.models.FiniteLossCheck`).
        """
        if sessions is not None and np.shape(sessions) != np.shape(y):
            raise ValueError(
                f"sessions must hold one session per window: shape {np.shape(sessions)}, "
                f"y has shape {np.shape(y)}."
            )
        super().fit(X, y, sessions=sessions, **fit_params)
        self.templates_ = {}
        return self

    def get_split_datasets(self, X, y=None, sessions=None, **fit_params):
        """The training windows, with the ``sessions`` that shape their pairs."""
        dataset, _ = super().get_split_datasets(X, y, **fit_params)
        dataset.sessions = None if sessions is None else np.asarray(sessions)
        return dataset, None

    def get_iterator(self, dataset, training=False):
        """Pairs drawn every epoch for training; windows for :meth:`embed`."""
        if not training:
            return super().get_iterator(dataset, training=False)
        return _PairBatches(
            dataset,
            self.batch_size,
            self.n_pairs,
            getattr(dataset, "sessions", None),
            self.device,
        )

    def infer(self, x, **fit_params):
        """Unit-length embedding of a batch of windows, standardised as in ``fit``."""
        fit_params.pop("sessions", None)
        x = to_tensor(x, device=self.device)
        mean = torch.as_tensor(self.mean_, device=x.device)[:, None]
        scale = torch.as_tensor(self.scale_, device=x.device)[:, None]
        return nn.functional.normalize(super().infer((x - mean) / scale, **fit_params), dim=1)

    def embed(self, X):
        """Unit-length embedding of each window.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)

        Returns
        -------
        embedding : ndarray of shape (n_windows, embedding_dim)
        """
        self.check_is_fitted()
        return self._forward_numpy(X)

    # An embedding, not a predictor: hide skorch's predict and predict_proba
    # (whose output would be the embedding) so that neither is mistaken for
    # a decision; decision_function and verify compare with templates.
    predict = available_if(lambda self: False)(NeuralNet.predict)
    predict_proba = available_if(lambda self: False)(NeuralNet.predict_proba)

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
