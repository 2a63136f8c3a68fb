"""Window → group aggregation of predictions.

Shared by the estimators (:meth:`~skgait.models.GaitMultiTaskNet.predict_aggregated`)
and by model selection (:func:`~skgait.model_selection.make_aggregated_scorer`);
the public name is :func:`skgait.model_selection.aggregate_predictions`.
"""

import numpy as np

from ._docstring import fill_doc

__all__ = ["AGGREGATION_METHODS", "aggregate_predictions"]

#: Aggregation methods: name → what it expects and does.
AGGREGATION_METHODS = {
    "vote": "majority vote of window labels (ties: smallest label in sorted order)",
    "mean_proba": "mean of window class probabilities",
    "product_proba": (
        "product of window class probabilities (sum of log-probabilities), "
        "renormalised; probabilities are clipped at eps"
    ),
    "mean": "mean of window predictions (regression)",
    "median": "median of window predictions (regression)",
}

_PROBA_METHODS = ("mean_proba", "product_proba")


def _check_method(method, owner):
    if method not in AGGREGATION_METHODS:
        raise ValueError(
            f"{owner}: unknown aggregation method {method!r}; expected one of "
            f"{', '.join(repr(m) for m in AGGREGATION_METHODS)}."
        )


def _group_index(groups, n_samples, owner):
    if groups is None:
        raise ValueError(
            f"{owner} needs `groups` (one recording or subject id per window) and got None."
        )
    groups = np.asarray(groups)
    if groups.ndim != 1:
        raise ValueError(f"{owner}: `groups` must be 1-D; got shape {groups.shape}.")
    if groups.shape[0] != n_samples:
        raise ValueError(
            f"{owner}: {n_samples} predictions but {groups.shape[0]} group "
            "labels; they must have the same length."
        )
    if n_samples == 0:
        raise ValueError(f"{owner}: got no predictions to aggregate.")
    return np.unique(groups, return_inverse=True)


@fill_doc
def aggregate_predictions(y, groups, *, method="vote", eps=1e-12):
    """Combine window-level predictions into one prediction per group.

    Pass recording ids as ``groups`` for window → recording aggregation and
    subject ids for window → subject aggregation.

    Parameters
    ----------
    y : array-like of shape (n_windows,) or (n_windows, n_classes)
        Window predictions: labels or regression values (1-D), or class
        probabilities from ``predict_proba`` (2-D).
    groups : array-like of shape (n_windows,)
        Group (recording or subject) of each window.
    method : {"vote", "mean_proba", "product_proba", "mean", "median"}, \
            default="vote"
        How to combine the windows of a group:

        - ``"vote"``: majority vote. On 1-D labels, returns the most
          frequent label; **ties go to the smallest label in sorted order**
          (``np.unique`` order). On 2-D probabilities, each window votes for
          its most probable class and the vote fractions are returned (the
          argmax of a row is again the majority, ties to the first column).
        - ``"mean_proba"``: mean of the probabilities (2-D input).
        - ``"product_proba"``: product of the probabilities, computed as the
          sum of log-probabilities and renormalised per group (the "product
          of softmax scores" used to turn subsequence decisions into a
          sequence decision). Probabilities are clipped to ``[eps, 1]``
          first, so a window that gives a class probability 0 (common with
          random forests) does not veto it.
        - ``"mean"``, ``"median"``: mean or median of 1-D values
          (regression).
    eps : float, default=1e-12
        Lower clip of probabilities for ``"product_proba"``.

    Returns
    -------
    {unique_groups}
    aggregated : ndarray of shape (n_groups,) or (n_groups, n_classes)
        One prediction per group, in the order of ``unique_groups``: labels
        or values for 1-D input, probabilities (rows sum to one) for 2-D
        input.

    Raises
    ------
    ValueError
        If ``method`` is unknown, does not fit the shape of ``y``, or if
        ``y`` and ``groups`` differ in length.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.model_selection import aggregate_predictions
    >>> groups = ["a", "a", "a", "b", "b"]
    >>> aggregate_predictions(["F", "M", "F", "M", "M"], groups, method="vote")
    (array(['a', 'b'], dtype='<U1'), array(['F', 'M'], dtype='<U1'))
    >>> proba = [[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.5, 0.5], [0.4, 0.6]]
    >>> _, p = aggregate_predictions(proba, groups, method="mean_proba")
    >>> p.round(3)
    array([[0.467, 0.533],
           [0.45 , 0.55 ]])
    >>> _, p = aggregate_predictions(proba, groups, method="product_proba")
    >>> p.round(3)
    array([[0.491, 0.509],
           [0.4  , 0.6  ]])
    """
    owner = "aggregate_predictions"
    _check_method(method, owner)
    y = np.asarray(y)
    if y.ndim not in (1, 2):
        raise ValueError(
            f"{owner}: predictions must be 1-D (labels, values) or 2-D "
            f"(probabilities); got shape {y.shape}."
        )
    unique_groups, inv = _group_index(groups, y.shape[0], owner)
    n_groups = len(unique_groups)

    if method in _PROBA_METHODS and y.ndim != 2:
        raise ValueError(
            f"{owner}: method={method!r} needs class probabilities of shape "
            f"(n_windows, n_classes), from predict_proba; got shape {y.shape}. "
            "Use method='vote' for labels, 'mean' or 'median' for regression."
        )
    if method in ("mean", "median") and y.ndim != 1:
        raise ValueError(
            f"{owner}: method={method!r} aggregates 1-D regression "
            f"predictions; got shape {y.shape}. Use 'mean_proba' or "
            "'product_proba' for probabilities."
        )

    if method == "vote":
        if y.ndim == 2:
            winners = np.argmax(y, axis=1)
            counts = np.zeros((n_groups, y.shape[1]))
            np.add.at(counts, (inv, winners), 1.0)
            return unique_groups, counts / counts.sum(axis=1, keepdims=True)
        labels, label_inv = np.unique(y, return_inverse=True)
        counts = np.zeros((n_groups, len(labels)), dtype=np.intp)
        np.add.at(counts, (inv, label_inv), 1)
        return unique_groups, labels[np.argmax(counts, axis=1)]

    if method in ("mean", "median"):
        values = y.astype(float)
        if method == "mean":
            sums = np.bincount(inv, weights=values, minlength=n_groups)
            return unique_groups, sums / np.bincount(inv, minlength=n_groups)
        order = np.argsort(inv, kind="stable")
        bounds = np.cumsum(np.bincount(inv, minlength=n_groups))[:-1]
        parts = np.split(values[order], bounds)
        return unique_groups, np.array([np.median(p) for p in parts])

    proba = y.astype(float)
    if not np.all(np.isfinite(proba)):
        raise ValueError(f"{owner}: probabilities contain NaN or infinity.")
    if method == "mean_proba":
        sums = np.zeros((n_groups, proba.shape[1]))
        np.add.at(sums, inv, proba)
        return unique_groups, sums / np.bincount(inv, minlength=n_groups)[:, None]
    # product_proba: renormalised exp of the summed log-probabilities.
    log_sums = np.zeros((n_groups, proba.shape[1]))
    np.add.at(log_sums, inv, np.log(np.clip(proba, eps, 1.0)))
    log_sums -= log_sums.max(axis=1, keepdims=True)
    out = np.exp(log_sums)
    return unique_groups, out / out.sum(axis=1, keepdims=True)
