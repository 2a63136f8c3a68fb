"""Age groups and the multi-label gender + age-group target."""

import math

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..utils._sklearn_compat import StrOptions, _fit_context

__all__ = ["AGE_GROUP_PRESETS", "AgeGroups", "make_gender_age_target"]

#: Preset edges: a group is ``[edge_{k-1}, edge_k)`` in whole years.
#: "peta": <16, 16–30, 31–45, 46–60, >60 (PETA, as in Chatzitzisi et al., 2020);
#: "riaz": <40, 40–50, >50;
#: "sisfall": young (19–30) and elderly (60–75), split at 45.
AGE_GROUP_PRESETS = {
    "peta": ((16, 31, 46, 61), ("<16", "16-30", "31-45", "46-60", ">60")),
    "riaz": ((40, 51), ("<40", "40-50", ">50")),
    "sisfall": ((45,), ("young", "elderly")),
}


class AgeGroups(TransformerMixin, BaseEstimator):
    """Map ages (years) to age-group labels.

    Group ``k`` holds ages ``a`` with ``edges[k-1] <= a < edges[k]``; ages
    are compared as given (``30.5`` is in ``"16-30"`` only if the next edge
    is above it: the presets use whole-year edges, 16–30 meaning ``[16, 31)``).
    Usable on its own (``AgeGroups("peta").fit_transform(meta["age"])``) or
    to build an age-group classification target.

    Parameters
    ----------
    edges : str or sequence of float, default="peta"
        A preset name from :data:`AGE_GROUP_PRESETS` (``"peta"``,
        ``"riaz"``, ``"sisfall"``) or increasing inner edges.
    labels : sequence of str, optional
        One label per group (``len(edges) + 1``); presets bring theirs,
        custom edges default to ``"[a, b)"`` strings.

    Attributes
    ----------
    edges_ : ndarray of shape (n_groups - 1,)
    labels_ : ndarray of shape (n_groups,)
    classes_ : ndarray of shape (n_groups,)
        Same as ``labels_``, in age order.
    counts_ : ndarray of shape (n_groups,)
        Ages per group seen in ``fit`` (to spot imbalance or empty groups).

    Examples
    --------
    >>> from skgait.targets import AgeGroups
    >>> groups = AgeGroups("peta").fit([12, 25, 31, 45, 70])
    >>> groups.transform([12, 25, 31, 45, 70]).tolist()
    ['<16', '16-30', '31-45', '31-45', '>60']
    >>> groups.inverse_transform(["31-45"]).tolist()
    [(31.0, 46.0)]
    >>> AgeGroups("sisfall").fit_transform([22, 68]).tolist()
    ['young', 'elderly']
    """

    _parameter_constraints: dict = {
        "edges": [StrOptions(set(AGE_GROUP_PRESETS)), "array-like"],
        "labels": ["array-like", None],
    }

    def __init__(self, edges="peta", labels=None):
        self.edges = edges
        self.labels = labels

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, y, *args, **kwargs):
        """Resolve edges and labels, and count the ages of each group.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Ages in years.

        Returns
        -------
        self : object
        """
        if isinstance(self.edges, str):
            edges, labels = AGE_GROUP_PRESETS[self.edges]
        else:
            edges, labels = self.edges, None
        edges = np.asarray(edges, dtype=np.float64).ravel()
        if edges.size == 0 or np.any(np.diff(edges) <= 0) or not np.all(np.isfinite(edges)):
            raise ValueError(f"AgeGroups: edges must be finite and increasing; got {self.edges!r}.")
        if self.labels is not None:
            labels = list(self.labels)
        if labels is None:
            bounds = [-math.inf, *edges.tolist(), math.inf]
            labels = [f"[{a:g}, {b:g})" for a, b in zip(bounds[:-1], bounds[1:])]
        if len(labels) != edges.size + 1:
            raise ValueError(
                f"AgeGroups: {edges.size} edges make {edges.size + 1} groups but "
                f"{len(labels)} labels were given."
            )
        self.edges_ = edges
        self.labels_ = np.asarray(labels, dtype=object)
        self.classes_ = self.labels_
        codes = self._codes(y)
        self.counts_ = np.bincount(codes[codes >= 0], minlength=len(labels))
        return self

    def _codes(self, y):
        y = pd.to_numeric(pd.Series(np.asarray(y).ravel()), errors="raise").to_numpy(float)
        codes = np.searchsorted(self.edges_, y, side="right")
        return np.where(np.isnan(y), -1, codes)

    def transform(self, y):
        """Age-group label of each age (``None`` for a missing age).

        Parameters
        ----------
        y : array-like of shape (n_samples,)

        Returns
        -------
        labels : ndarray of shape (n_samples,), dtype object
        """
        check_is_fitted(self, "edges_")
        codes = self._codes(y)
        out = self.labels_[np.maximum(codes, 0)].copy()
        out[codes < 0] = None
        return out

    def inverse_transform(self, labels):
        """Age range ``(low, high)`` of each group label (high excluded).

        Parameters
        ----------
        labels : array-like of shape (n_samples,)

        Returns
        -------
        ranges : ndarray of shape (n_samples,), dtype object
            Tuples of floats; the outer groups are open (``-inf``, ``inf``).
        """
        check_is_fitted(self, "edges_")
        bounds = [-math.inf, *self.edges_.tolist(), math.inf]
        index = {label: k for k, label in enumerate(self.labels_)}
        out = np.empty(len(labels), dtype=object)
        for i, label in enumerate(labels):
            if label not in index:
                raise ValueError(
                    f"AgeGroups: unknown group label {label!r}; groups are {list(self.labels_)}."
                )
            k = index[label]
            out[i] = (float(bounds[k]), float(bounds[k + 1]))
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Like LabelEncoder: the input is one 1-D array of ages, not a table.
        tags.input_tags.two_d_array = False
        tags.target_tags.one_d_labels = True
        # A missing age is allowed (its label is None); labels are strings.
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = []
        tags.requires_fit = True
        return tags


def make_gender_age_target(meta, age_groups="peta", *, sex="sex", age="age", positive="F"):
    """Multi-label gender + age-group target of Chatzitzisi et al. (2020), §2.3.

    Each window gets an ``M + 1`` binary vector: the first element is
    gender (1 for ``positive``), the others the one-hot age group. Train it
    with :class:`~skgait.losses.WeightedBCELoss` / ``BinaryFocalLoss``
    (sums over labels, eq. 13–16) and the weights of
    :func:`~skgait.losses.multilabel_class_weight` (eq. 17).

    Parameters
    ----------
    meta : DataFrame
        Window metadata with ``sex`` and ``age`` columns (from
        :func:`skgait.datasets.make_windows`).
    age_groups : str, sequence of float or AgeGroups, default="peta"
        Preset, edges, or a (fitted or unfitted) :class:`AgeGroups`.
    sex, age : str
        Column names.
    positive : str, default="F"
        The gender encoded as 1 (the paper's proportion of females).

    Returns
    -------
    Y : DataFrame of shape (n_windows, M + 1), dtype int
        Columns ``"sex=F"`` then ``"age=<group>"`` for every group, in age order.

    Raises
    ------
    ValueError
        If a window has no sex or no age (``NaN``/``None``): a missing sex
        would become "not ``positive``" and a missing age an all-zero row,
        labels the data do not hold. Drop those windows first
        (``meta.dropna(subset=["sex", "age"])``), or train the tasks
        separately with :class:`~skgait.models.GaitMultiTaskNet`, which
        leaves a missing label out of its task's loss. Also if ``sex`` has
        more than two values.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgait.targets import make_gender_age_target
    >>> meta = pd.DataFrame({"sex": ["F", "M"], "age": [22, 70]})
    >>> make_gender_age_target(meta, "sisfall").values.tolist()
    [[1, 1, 0], [0, 0, 1]]
    """
    for column in (sex, age):
        if column not in meta:
            raise ValueError(
                f"make_gender_age_target: meta has no {column!r} column; columns are "
                f"{list(meta.columns)}."
            )
    for column in (sex, age):
        missing = np.flatnonzero(pd.isna(meta[column]).to_numpy())
        if len(missing):
            rows = meta.index[missing[:5]].tolist()
            raise ValueError(
                f"make_gender_age_target: {len(missing)} window(s) have no {column!r} "
                f"(rows {rows}{'...' if len(missing) > 5 else ''}); a binary target "
                "cannot encode a missing label. Drop them (meta.dropna(subset="
                f"[{sex!r}, {age!r}])) or use GaitMultiTaskNet, which masks missing "
                "labels out of the loss."
            )
    values = pd.unique(meta[sex])
    if len(values) > 2:
        raise ValueError(
            f"make_gender_age_target: {sex!r} has {len(values)} values "
            f"{sorted(map(str, values))}; the gender label is binary "
            f"({positive!r} or not)."
        )
    groups = age_groups if isinstance(age_groups, AgeGroups) else AgeGroups(age_groups)
    if not hasattr(groups, "edges_"):
        groups = groups.fit(meta[age])
    labels = groups.transform(meta[age])
    out = {f"{sex}={positive}": (np.asarray(meta[sex]) == positive).astype(int)}
    for label in groups.labels_:
        out[f"{age}={label}"] = (labels == label).astype(int)
    return pd.DataFrame(out, index=meta.index)
