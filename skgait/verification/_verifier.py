"""Enrolment and verification with a pair classifier."""

import numbers
from collections import namedtuple

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..utils._sklearn_compat import HasMethods, Interval, StrOptions, _fit_context
from ..utils._validation import check_fitted_window_shape, check_windows, set_window_tags
from ._pairs import ALIGNMENTS, align_pairs, make_pairs

__all__ = ["Verification", "Verifier"]

#: Result of :meth:`Verifier.verify`: the mean same-person probability and
#: whether it reaches the threshold.
Verification = namedtuple("Verification", ["score", "accepted"])


def _default_pair_classifier(random_state):
    from ..models import GaitCNNLSTMClassifier

    return GaitCNNLSTMClassifier(max_epochs=20, random_state=random_state)


class Verifier(BaseEstimator):
    """Authenticate a walker: enroll templates, then verify claimed identities.

    ``fit`` learns a *pair* classifier — is this pair of windows from the
    same person? — on balanced pairs of the training subjects' windows
    (:func:`~skgait.verification.make_pairs`), each pair joined by
    ``alignment`` (:func:`~skgait.verification.align_pairs`). The people to
    verify need not be among the training subjects, and for an honest
    evaluation must not be: :meth:`enroll` stores a few windows of a new
    person, and :meth:`verify` scores probe windows against them.

    Parameters
    ----------
    estimator : classifier or None, default=None
        Binary classifier of aligned pairs with ``predict_proba`` (labels 1
        = same person, 0 = different). None uses
        ``GaitCNNLSTMClassifier(max_epochs=20)``, the paper's "CNN+LSTM"
        authentication network; pass ``GaitCNNLSTMClassifier(mode=
        "cnn_fix", warm_start_from=cnn.feature_weights())`` for
        "CNNfix+LSTM".
    alignment : {"time", "channels"}, default="time"
        Side by side along time (horizontal) or stacked along channels
        (vertical).
    n_pairs : int, default=4000
        Balanced training pairs drawn in ``fit``.
    threshold : float, default=0.5
        Decision threshold of :meth:`verify` on the same-person probability.
        Set it, for example, to the ``eer_threshold`` of
        :func:`~skgait.metrics.verification_report` on held-out subjects.
    max_comparisons : int, default=200
        At most this many (probe, template) pairs are scored by
        :meth:`verify` (a seeded random subset beyond that).
    random_state : int, RandomState instance or None, default=None
        Seeds the pairs, the subset of comparisons and, when ``estimator``
        is None, the network.

    Attributes
    ----------
    estimator_ : classifier
        The fitted pair classifier.
    templates_ : dict
        Subject id → enrolled windows.
    n_channels_, n_timepoints_ : int
        Shape of one window.

    See Also
    --------
    skgait.verification.pair_train_test_split : Subject-disjoint pairs.
    skgait.metrics.verification_report : ROC AUC, EER, accuracy at EER.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from skgait.verification import Verifier
    >>> rng = np.random.default_rng(0)
    >>> level = np.repeat(np.arange(6.0), 10)
    >>> X = (level[:, None, None] + 0.1 * rng.normal(size=(60, 2, 8))).astype(np.float32)
    >>> gap = FunctionTransformer(lambda P: np.abs(P[:, :, :8] - P[:, :, 8:]).mean((1, 2))[:, None])
    >>> ver = Verifier(make_pipeline(gap, LogisticRegression()), n_pairs=200,
    ...                random_state=0).fit(X, level)
    >>> new_person = 9.0 + 0.1 * rng.normal(size=(4, 2, 8)).astype(np.float32)
    >>> ver = ver.enroll("zoe", new_person[:2])
    >>> ver.verify("zoe", new_person[2:]).accepted, ver.verify("zoe", X[:2]).accepted
    (True, False)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "alignment": [StrOptions(set(ALIGNMENTS))],
        "n_pairs": [Interval(numbers.Integral, 1, None, closed="left")],
        "threshold": [Interval(numbers.Real, 0, 1, closed="both")],
        "max_comparisons": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        alignment="time",
        n_pairs=4000,
        threshold=0.5,
        max_comparisons=200,
        random_state=None,
    ):
        self.estimator = estimator
        self.alignment = alignment
        self.n_pairs = n_pairs
        self.threshold = threshold
        self.max_comparisons = max_comparisons
        self.random_state = random_state

    def __sklearn_tags__(self):
        return set_window_tags(super().__sklearn_tags__())

    def _check_X(self, X, reset):
        X = check_windows(X, dtype=(np.float32, np.float64), estimator=self)
        if not reset:
            check_fitted_window_shape(X, self)
        return X

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sessions=None):
        """Train the pair classifier on pairs of the subjects in ``y``.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
            Windows of the training subjects.
        y : array-like of shape (n_windows,)
            Subject of each window.
        sessions : array-like of shape (n_windows,), optional
            Session or recording of each window: same-person pairs then join
            two sessions (see :func:`~skgait.verification.make_pairs`).

        Returns
        -------
        self : object
        """
        X = self._check_X(X, reset=True)
        rng = check_random_state(self.random_state)
        pairs, same = make_pairs(y, self.n_pairs, sessions=sessions, random_state=rng)
        estimator = (
            _default_pair_classifier(self.random_state)
            if self.estimator is None
            else clone(self.estimator)
        )
        X_pairs = align_pairs(X[pairs[:, 0]], X[pairs[:, 1]], self.alignment)
        self.estimator_ = estimator.fit(X_pairs, same)
        self.n_channels_, self.n_timepoints_ = X.shape[1:]
        self.templates_ = {}
        return self

    def score_pairs(self, X_a, X_b):
        """Probability that each pair of windows comes from one person.

        Both orders of each pair are scored and averaged, so the score is
        symmetric even for the (ordered) side-by-side alignment.

        Parameters
        ----------
        X_a, X_b : array-like of shape (n_pairs, n_channels, n_timepoints)

        Returns
        -------
        score : ndarray of shape (n_pairs,)
        """
        check_is_fitted(self, "estimator_")
        X_a, X_b = self._check_X(X_a, False), self._check_X(X_b, False)
        column = list(self.estimator_.classes_).index(1)
        both = align_pairs(np.concatenate((X_a, X_b)), np.concatenate((X_b, X_a)), self.alignment)
        proba = self.estimator_.predict_proba(both)[:, column]
        return 0.5 * (proba[: len(X_a)] + proba[len(X_a) :])

    def enroll(self, subject_id, windows):
        """Store template windows of a person (added to any already enrolled).

        Parameters
        ----------
        subject_id : hashable
            Who the windows belong to.
        windows : array-like of shape (n_windows, n_channels, n_timepoints)

        Returns
        -------
        self : object
        """
        check_is_fitted(self, "estimator_")
        windows = self._check_X(windows, reset=False)
        previous = self.templates_.get(subject_id)
        self.templates_[subject_id] = (
            windows if previous is None else np.concatenate((previous, windows))
        )
        return self

    def verify(self, subject_id, windows):
        """Does ``windows`` come from the enrolled person ``subject_id``?

        Every probe window is compared with every template (at most
        ``max_comparisons`` pairs, a seeded random subset beyond that).

        Parameters
        ----------
        subject_id : hashable
            The claimed identity; must have been enrolled.
        windows : array-like of shape (n_windows, n_channels, n_timepoints)
            Probe windows.

        Returns
        -------
        result : Verification
            ``score``: mean same-person probability; ``accepted``:
            ``score >= threshold``.
        """
        check_is_fitted(self, "estimator_")
        if subject_id not in self.templates_:
            raise KeyError(
                f"{subject_id!r} is not enrolled; call enroll({subject_id!r}, "
                f"windows) first. Enrolled: {sorted(map(str, self.templates_))[:10]}."
            )
        probes = self._check_X(windows, reset=False)
        templates = self.templates_[subject_id]
        i, j = np.meshgrid(np.arange(len(probes)), np.arange(len(templates)), indexing="ij")
        i, j = i.ravel(), j.ravel()
        if len(i) > self.max_comparisons:
            keep = check_random_state(self.random_state).choice(
                len(i), self.max_comparisons, replace=False
            )
            i, j = i[keep], j[keep]
        score = float(np.mean(self.score_pairs(probes[i], templates[j])))
        return Verification(score, bool(score >= self.threshold))
