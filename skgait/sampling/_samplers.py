"""Window- and subject-level random samplers on 3-D windows."""

import numbers

import numpy as np
from imblearn.base import BaseSampler
from imblearn.over_sampling import RandomOverSampler
from imblearn.under_sampling import RandomUnderSampler
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length

from ..utils._docstring import fill_doc
from ..utils._sklearn_compat import Interval, StrOptions
from ..utils._validation import check_windows

__all__ = [
    "SubjectRandomUnderSampler",
    "WindowRandomOverSampler",
    "WindowRandomUnderSampler",
]


class _WindowSamplerBase(BaseSampler):
    """Resample 3-D windows by choosing indices; subclasses pick them."""

    _parameter_constraints = {"random_state": ["random_state"]}

    def _check_windows_y(self, X, y):
        X = check_windows(X, dtype=(np.float32, np.float64), estimator=self)
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(
                f"{type(self).__name__} expects y of shape (n_windows,); got {y.shape}."
            )
        check_consistent_length(X, y)
        check_classification_targets(y)
        return X, y

    def fit(self, X, y, **params):
        """Validate the inputs; use :meth:`fit_resample`."""
        self.fit_resample(X, y, **params)
        return self

    def _fit_resample(self, X, y, **params):  # pragma: no cover - see fit_resample
        raise NotImplementedError

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags


class _ImblearnWindowSampler(_WindowSamplerBase):
    _sampler = None

    _parameter_constraints = {
        "sampling_strategy": [Interval(numbers.Real, 0, 1, closed="right"), str, dict, callable],
        "random_state": ["random_state"],
    }

    def __init__(self, sampling_strategy="auto", random_state=None):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state

    def fit_resample(self, X, y, **params):
        """Resample windows by class.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
        y : array-like of shape (n_windows,)

        Returns
        -------
        X_resampled : ndarray of shape (n_resampled, n_channels, n_timepoints)
        y_resampled : ndarray of shape (n_resampled,)
        """
        self._validate_params()
        X, y = self._check_windows_y(X, y)
        sampler = self._sampler(
            sampling_strategy=self.sampling_strategy, random_state=self.random_state
        )
        sampler.fit_resample(np.arange(len(y))[:, None], y)
        self.sampling_strategy_ = sampler.sampling_strategy_
        self.sample_indices_ = sampler.sample_indices_
        return X[self.sample_indices_], y[self.sample_indices_]


@fill_doc
class WindowRandomOverSampler(_ImblearnWindowSampler):
    """Random over-sampling of windows by class (duplicates minority windows).

    :class:`imblearn.over_sampling.RandomOverSampler` on 3-D windows: the
    chosen windows are copied whole.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        As in imbalanced-learn (``"auto"``: every class up to the majority).
    {random_state}

    Attributes
    ----------
    sampling_strategy_ : dict
        Windows added per class.
    sample_indices_ : ndarray
        Indices of the resampled windows in the input.

    See Also
    --------
    SubjectRandomUnderSampler : Balance by subject instead of window.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.sampling import WindowRandomOverSampler
    >>> X, y = np.zeros((6, 3, 8)), np.array([0, 0, 0, 0, 1, 1])
    >>> Xr, yr = WindowRandomOverSampler(random_state=0).fit_resample(X, y)
    >>> Xr.shape, np.bincount(yr).tolist()
    ((8, 3, 8), [4, 4])
    """

    _sampling_type = "over-sampling"
    _sampler = RandomOverSampler


@fill_doc
class WindowRandomUnderSampler(_ImblearnWindowSampler):
    """Random under-sampling of windows by class (drops majority windows).

    :class:`imblearn.under_sampling.RandomUnderSampler` on 3-D windows.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        As in imbalanced-learn (``"auto"``: every class down to the minority).
    {random_state}

    Attributes
    ----------
    sampling_strategy_ : dict
    sample_indices_ : ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.sampling import WindowRandomUnderSampler
    >>> X, y = np.zeros((6, 3, 8)), np.array([0, 0, 0, 0, 1, 1])
    >>> Xr, yr = WindowRandomUnderSampler(random_state=0).fit_resample(X, y)
    >>> np.bincount(yr).tolist()
    [2, 2]
    """

    _sampling_type = "under-sampling"
    _sampler = RandomUnderSampler


@fill_doc
class SubjectRandomUnderSampler(_WindowSamplerBase):
    """Under-sample windows per subject, then subjects per class.

    1. Every subject keeps the same number of randomly chosen windows
       (``windows_per_subject``), so that subjects with long recordings do
       not dominate;
    2. with ``balance_classes=True``, whole subjects of the larger classes
       are randomly dropped until every class has as many subjects as the
       smallest one (the label must be constant within a subject, as gender
       and age group are).

    **Passing subject ids.** imbalanced-learn samplers receive only ``X``
    and ``y`` from a pipeline unless metadata routing is on. This sampler
    requests ``groups`` for ``fit_resample`` by default, so::

        import sklearn
        from imblearn.pipeline import make_pipeline
        sklearn.set_config(enable_metadata_routing=True)
        pipe = make_pipeline(SubjectRandomUnderSampler(random_state=0),
                             ACFTransformer(lags=10), LogisticRegression())
        pipe.fit(X, y, groups=meta["subject"])
        cross_validate(pipe, X, y, cv=SubjectKFold(5), params={"groups": subjects})

    The same ``groups`` then also reach the splitter. Steps after the
    sampler must not request ``groups`` (they would get the un-resampled
    array): set ``est.set_fit_request(groups=False)`` on a skgait CNN.
    Called directly: ``sampler.fit_resample(X, y, groups=subjects)``.

    Parameters
    ----------
    windows_per_subject : "min", int or None, default="min"
        Windows kept per subject: the smallest subject's count, at most this
        many, or all (``None``).
    balance_classes : bool, default=True
        Then drop whole subjects to balance the classes by subject.
    {random_state}

    Attributes
    ----------
    sample_indices_ : ndarray
        Indices of the kept windows, in input order.
    groups_resampled_ : ndarray
        Subject of each kept window.
    subjects_per_class_ : dict
        Subjects kept per class.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.sampling import SubjectRandomUnderSampler
    >>> groups = np.array(["a"] * 6 + ["b"] * 2 + ["c"] * 3 + ["d"] * 4)
    >>> y = np.array([0] * 6 + [0] * 2 + [0] * 3 + [1] * 4)
    >>> X = np.zeros((15, 3, 8))
    >>> s = SubjectRandomUnderSampler(random_state=0)
    >>> Xr, yr = s.fit_resample(X, y, groups=groups)
    >>> np.bincount(yr).tolist(), s.subjects_per_class_
    ([2, 2], {0: 1, 1: 1})
    """

    __metadata_request__fit_resample = {"groups": True}
    _sampling_type = "under-sampling"
    _parameter_constraints = {
        "windows_per_subject": [
            StrOptions({"min"}),
            Interval(numbers.Integral, 1, None, closed="left"),
            None,
        ],
        "balance_classes": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, windows_per_subject="min", balance_classes=True, random_state=None):
        self.windows_per_subject = windows_per_subject
        self.balance_classes = balance_classes
        self.random_state = random_state

    def fit_resample(self, X, y, groups=None):
        """Resample windows by subject.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
        y : array-like of shape (n_windows,)
        groups : array-like of shape (n_windows,)
            Subject of each window (see the class description for pipelines).

        Returns
        -------
        X_resampled : ndarray
        y_resampled : ndarray
        """
        self._validate_params()
        X, y = self._check_windows_y(X, y)
        if groups is None:
            raise ValueError(
                "SubjectRandomUnderSampler needs the subject of every window: call "
                "fit_resample(X, y, groups=subjects); in an imblearn Pipeline enable "
                "metadata routing (sklearn.set_config(enable_metadata_routing=True)) "
                "and pass pipe.fit(X, y, groups=subjects)."
            )
        groups = np.asarray(groups)
        check_consistent_length(X, groups)
        rng = check_random_state(self.random_state)
        subjects, inv = np.unique(groups, return_inverse=True)
        counts = np.bincount(inv)
        if self.windows_per_subject == "min":
            n_keep = counts.min()
        elif self.windows_per_subject is None:
            n_keep = counts.max()
        else:
            n_keep = self.windows_per_subject
        labels = {}
        for s in range(len(subjects)):
            subject_y = np.unique(y[inv == s])
            if len(subject_y) != 1 and self.balance_classes:
                raise ValueError(
                    f"SubjectRandomUnderSampler: subject {subjects[s]!r} has windows of "
                    f"classes {subject_y.tolist()}; balancing classes by subject needs one "
                    "label per subject (or balance_classes=False)."
                )
            labels[s] = subject_y[0]
        keep_subjects = np.arange(len(subjects))
        if self.balance_classes:
            classes = np.unique(y)
            by_class = {c: [s for s in keep_subjects if labels[s] == c] for c in classes}
            n_min = min(len(v) for v in by_class.values())
            keep_subjects = np.sort(
                np.concatenate(
                    [rng.choice(v, size=n_min, replace=False) for v in by_class.values()]
                )
            )
            self.subjects_per_class_ = {
                (c.item() if hasattr(c, "item") else c): n_min for c in classes
            }
        else:
            self.subjects_per_class_ = {}
            for s in keep_subjects:
                c = labels[s].item() if hasattr(labels[s], "item") else labels[s]
                self.subjects_per_class_[c] = self.subjects_per_class_.get(c, 0) + 1
        index = []
        for s in keep_subjects:
            windows = np.flatnonzero(inv == s)
            if len(windows) > n_keep:
                windows = rng.choice(windows, size=n_keep, replace=False)
            index.append(windows)
        index = np.sort(np.concatenate(index))
        self.sample_indices_ = index
        self.groups_resampled_ = groups[index]
        return X[index], y[index]
