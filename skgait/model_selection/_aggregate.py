"""Window → recording / subject aggregation of predictions, and scorers for it.

A gait recording is cut into many short windows; a decision about a person
(gender, age) is usually made from all of their windows. These helpers
combine window-level predictions per group and score the combined decision.
"""

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.metadata_routing import MetadataRequest

from ..utils._aggregate import (
    _PROBA_METHODS,
    AGGREGATION_METHODS,
    _check_method,
    _group_index,
    aggregate_predictions,
)

__all__ = ["AGGREGATION_METHODS", "aggregate_predictions", "make_aggregated_scorer"]


def _group_targets(y_true, inv, n_groups, owner):
    """One target per group; raise if a group has more than one."""
    y_true = np.asarray(y_true)
    _, first = np.unique(inv, return_index=True)
    targets = y_true[first]
    if np.any(y_true != targets[inv]):
        bad = np.unique(inv[y_true != targets[inv]])
        raise ValueError(
            f"{owner}: the target varies within {len(bad)} group(s); "
            "aggregation needs one target per group (aggregate by subject or "
            "recording for age and gender)."
        )
    return targets


class _AggregatedScorer:
    """Scorer ``(estimator, X, y_true, groups=...)`` of group-level decisions.

    Built by :func:`make_aggregated_scorer`; see there.
    """

    def __init__(self, score_func, method, level, sign, kwargs):
        self._score_func = score_func
        self._method = method
        self._level = level
        self._sign = sign
        self._kwargs = kwargs

    def __repr__(self):
        name = getattr(self._score_func, "__name__", repr(self._score_func))
        sign = "" if self._sign > 0 else ", greater_is_better=False"
        kwargs = "".join(f", {k}={v!r}" for k, v in self._kwargs.items())
        return (
            f"make_aggregated_scorer({name}, method={self._method!r}, "
            f"level={self._level!r}{sign}{kwargs})"
        )

    def _routing_repr(self):
        return repr(self)

    def _accept_sample_weight(self):
        return False

    def set_score_request(self, *, groups=None):
        """Choose the metadata key whose values are the aggregation groups.

        Equivalent to ``level`` of :func:`make_aggregated_scorer`: ``True``
        reads ``groups``; a string reads that key of ``params``.

        Parameters
        ----------
        groups : True or str
            Key (alias) of the aggregation groups in ``params``.

        Returns
        -------
        self : object
        """
        if groups is not None:
            if groups is not True and not isinstance(groups, str):
                raise ValueError(f"groups must be True or a metadata key, got {groups!r}.")
            self._level = "groups" if groups is True else groups
        return self

    def get_metadata_routing(self):
        """Metadata request: the scorer always asks for ``groups``.

        Returns
        -------
        request : MetadataRequest
        """
        request = MetadataRequest(owner=self)
        alias = True if self._level == "groups" else self._level
        request.score.add_request(param="groups", alias=alias)
        return request

    def __call__(self, estimator, X, y_true, groups=None, **kwargs):
        owner = repr(self)
        if groups is None:
            raise ValueError(
                f"{owner} received no groups. Scorers only receive groups "
                "through metadata routing: call "
                "sklearn.set_config(enable_metadata_routing=True) (or use "
                "sklearn.config_context) and pass the groups as metadata, for "
                f"example cross_val_score(..., params={{{self._level!r}: ...}}), "
                "or call scorer(estimator, X, y, groups=...) directly."
            )
        if kwargs:
            raise TypeError(f"{owner} got unexpected metadata {sorted(kwargs)}.")
        unique_groups, inv = _group_index(groups, len(y_true), owner)
        y_group = _group_targets(y_true, inv, len(unique_groups), owner)
        if self._method in _PROBA_METHODS or (self._method == "vote" and is_classifier(estimator)):
            if self._method in _PROBA_METHODS:
                window = estimator.predict_proba(X)
            else:
                window = estimator.predict(X)
            _, agg = aggregate_predictions(window, groups, method=self._method)
            if agg.ndim == 2:
                agg = np.asarray(estimator.classes_)[np.argmax(agg, axis=1)]
        else:
            _, agg = aggregate_predictions(estimator.predict(X), groups, method=self._method)
        return self._sign * self._score_func(y_group, agg, **self._kwargs)


def make_aggregated_scorer(
    score_func, *, method="vote", level="groups", greater_is_better=True, **kwargs
):
    """Make a scorer that aggregates window predictions per group, then scores.

    The returned scorer predicts every test window, combines the windows of
    each group with :func:`aggregate_predictions` (probabilities are turned
    into the most probable class), and calls
    ``score_func(y_true_per_group, y_pred_per_group, **kwargs)``.

    Parameters
    ----------
    score_func : callable
        Metric ``score_func(y_true, y_pred, **kwargs)``, for example
        :func:`~sklearn.metrics.accuracy_score` or
        :func:`~sklearn.metrics.mean_absolute_error`.
    method : {"vote", "mean_proba", "product_proba", "mean", "median"}, \
            default="vote"
        Aggregation, see :func:`aggregate_predictions`. ``"mean_proba"`` and
        ``"product_proba"`` need ``predict_proba``; ``"mean"`` and
        ``"median"`` are for regressors.
    level : str, default="groups"
        Metadata key that holds the aggregation groups. ``"groups"`` reuses
        the groups of the splitter (subject ids → subject-level score). Any
        other name, say ``"recording"``, is read from
        ``params={"groups": subjects, "recording": recordings}``.
    greater_is_better : bool, default=True
        If False the score is negated, as in
        :func:`~sklearn.metrics.make_scorer` (use it for errors such as MAE).
    **kwargs
        Extra keyword arguments of ``score_func``.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y_true, groups=...)``. It requests ``groups``
        through scikit-learn's metadata routing.

    Notes
    -----
    **How groups reach the scorer.** ``cross_val_score`` and
    ``cross_validate`` pass ``groups`` only to the splitter; scorers receive
    metadata only through metadata routing (scikit-learn ≥ 1.4). So:

    1. enable routing: ``sklearn.set_config(enable_metadata_routing=True)``
       or, locally, ``with sklearn.config_context(enable_metadata_routing=True):``;
    2. pass groups as ``params={"groups": groups}`` (``groups=`` is refused
       by scikit-learn while routing is on). The splitter and this scorer
       both read ``groups``; scikit-learn slices it to the test windows of
       each fold before calling the scorer.

    The scorer requests ``groups`` by default (no ``set_score_request``
    needed). Without routing it receives no groups and raises a
    ``ValueError`` that says the above, rather than silently scoring
    windows (``cross_validate`` turns it into NaN scores and a warning with
    the same message unless ``error_score="raise"``).
    :func:`skgait.model_selection.evaluate` does all this for you.

    The target must be constant within a group (true for age and gender by
    subject or recording).

    Examples
    --------
    >>> import numpy as np
    >>> import sklearn
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.metrics import accuracy_score
    >>> from sklearn.model_selection import GroupKFold, cross_val_score
    >>> from skgait.model_selection import make_aggregated_scorer
    >>> rng = np.random.default_rng(0)
    >>> groups = np.repeat(np.arange(8), 10)
    >>> y = groups % 2
    >>> X = rng.normal(size=(80, 3)) + 3 * y[:, None]
    >>> scorer = make_aggregated_scorer(accuracy_score, method="mean_proba")
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     scores = cross_val_score(LogisticRegression(), X, y,
    ...                              cv=GroupKFold(n_splits=4),
    ...                              scoring=scorer, params={"groups": groups})
    >>> scores
    array([1., 1., 1., 1.])
    """
    _check_method(method, "make_aggregated_scorer")
    if not callable(score_func):
        raise TypeError(f"make_aggregated_scorer: score_func must be callable, got {score_func!r}.")
    if not isinstance(level, str):
        raise TypeError(f"make_aggregated_scorer: level must be a str, got {level!r}.")
    return _AggregatedScorer(score_func, method, level, 1 if greater_is_better else -1, kwargs)
