"""Cross-validation splitters for gait: subject-wise, cross-session and leaky.

Windows of one person are strongly correlated: a model that has seen some
of them recognises the others by the person's gait signature, whatever the
target is. Every splitter here except :class:`LeakyWindowKFold` keeps each
subject (``groups``) on one side of every split.
"""

import numbers
import warnings

import numpy as np
from sklearn.model_selection import BaseCrossValidator, KFold, StratifiedGroupKFold
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target

from ..utils._docstring import fill_doc
from ..utils._sklearn_compat import _num_samples

__all__ = [
    "CrossSessionSplit",
    "LeakyWindowKFold",
    "LeaveOneDatasetOut",
    "SubjectKFold",
    "SubjectRegressionKFold",
    "TargetDatasetKFold",
    "check_subject_wise",
]

_GROUPS_HINT = (
    "Pass one subject id per window, for example groups = meta['dataset'] + ':' + meta['subject']."
)


def _check_groups(groups, n_samples, owner, hint=_GROUPS_HINT):
    """Return ``groups`` as a 1-D array, or raise a clear error."""
    if groups is None:
        raise ValueError(f"{owner} needs `groups` and got None. {hint}")
    groups = np.asarray(groups)
    if groups.ndim != 1:
        raise ValueError(
            f"{owner}: `groups` must be 1-D (one label per window); got shape {groups.shape}."
        )
    if groups.shape[0] != n_samples:
        raise ValueError(
            f"{owner}: `groups` has {groups.shape[0]} labels for {n_samples} "
            "windows; they must have the same length."
        )
    if groups.dtype.kind == "f" and np.isnan(groups).any():
        raise ValueError(f"{owner}: `groups` contains NaN. {hint}")
    if groups.dtype == object and any(g is None for g in groups):
        raise ValueError(f"{owner}: `groups` contains None. {hint}")
    return groups


def _check_label_pairs(groups, n_samples, owner, hint, allow_1d):
    """Split ``(subject, label)`` pairs into two string arrays.

    With ``allow_1d``, 1-D ``groups`` are labels alone and the subjects are
    ``None``. Raises a clear error for missing groups, another shape or
    another length than ``n_samples``.
    """
    if groups is None:
        raise ValueError(f"{owner} needs `groups` and got None. {hint}")
    groups = np.asarray(groups)
    if groups.ndim == 2 and groups.shape[1] == 2:
        subjects, labels = groups[:, 0].astype(str), groups[:, 1].astype(str)
    elif groups.ndim == 1 and allow_1d:
        subjects, labels = None, groups.astype(str)
    else:
        expected = "(n_windows,) or (n_windows, 2)" if allow_1d else "(n_windows, 2)"
        raise ValueError(
            f"{owner}: `groups` must have shape {expected}; got {groups.shape}. {hint}"
        )
    if groups.shape[0] != n_samples:
        raise ValueError(
            f"{owner}: `groups` has {groups.shape[0]} rows for {n_samples} "
            "windows; they must have the same length."
        )
    return subjects, labels


def _check_y_length(y, n_samples, owner):
    if y is None:
        return None
    y = np.asarray(y)
    if y.shape[0] != n_samples:
        raise ValueError(
            f"{owner}: `y` has {y.shape[0]} labels for {n_samples} windows; "
            "they must have the same length."
        )
    return y


def _check_n_groups(n_splits, groups, owner):
    n_groups = len(np.unique(groups))
    if n_splits > n_groups:
        raise ValueError(
            f"{owner}: n_splits={n_splits} is greater than the number of "
            f"subjects ({n_groups}); use n_splits <= {n_groups}."
        )


def _assert_disjoint(train, test, groups, owner, fold):
    """Raise if a group has windows on both sides of a split."""
    shared = np.intersect1d(groups[train], groups[test])
    if shared.size:
        raise RuntimeError(
            f"{owner}: fold {fold} puts groups {shared[:10].tolist()} on both "
            "the train and the test side. This is a bug in the splitter; "
            "please report it."
        )


def _subject_strata(strata, groups):
    """Subject index of each window and one stratum per subject.

    A subject's stratum is its most frequent one (ties: the smallest); for
    gender, age group or an age bin it is simply the subject's.
    """
    _, subject = np.unique(groups, return_inverse=True)
    _, stratum = np.unique(strata, return_inverse=True)
    counts = np.zeros((subject.max() + 1, stratum.max() + 1), dtype=np.intp)
    np.add.at(counts, (subject, stratum), 1)
    return subject, np.argmax(counts, axis=1)


def _deal_subjects(subject_strata, n_splits, shuffle, random_state):
    """Fold of each subject: subjects of each stratum dealt round-robin.

    Subjects are ordered by stratum (in sorted order within a stratum, or
    in random order with ``shuffle``) and dealt to folds 0, 1, ..., n_splits
    - 1, 0, 1, ... without restarting at each stratum. So every fold gets
    ``floor`` or ``ceil(n / n_splits)`` of the ``n`` subjects of each
    stratum, folds differ by at most one subject, and every seed draws
    its own partition.

    Unlike :class:`~sklearn.model_selection.StratifiedGroupKFold`, whose
    greedy assignment processes groups in a fixed order (sorted by the
    spread of their class counts) and so gives the same folds for most
    seeds when every group has a single class, the shuffling here reaches
    every stratified partition.
    """
    rng = check_random_state(random_state) if shuffle else None
    order = []
    for stratum in np.unique(subject_strata):
        members = np.flatnonzero(subject_strata == stratum)
        order.append(rng.permutation(members) if rng is not None else members)
    fold = np.empty(len(subject_strata), dtype=np.intp)
    fold[np.concatenate(order)] = np.arange(len(subject_strata)) % n_splits
    return fold


class _SubjectStratifiedKFold(StratifiedGroupKFold):
    """Shared test-fold generation of the subject-wise stratified splitters.

    ``_iter_test_indices`` receives the strata (class labels, or target
    bins) as ``y``; the parameters and the input checks of
    :class:`~sklearn.model_selection.StratifiedGroupKFold` are reused.
    """

    def _check_input(self, X, y, groups):
        """``(owner, groups, y)``: ``groups`` and ``y`` checked against ``X``'s length."""
        owner = type(self).__name__
        n_samples = _num_samples(X)
        groups = _check_groups(groups, n_samples, owner)
        return owner, groups, _check_y_length(y, n_samples, owner)

    def _subject_splits(self, X, strata, groups):
        """The parent's splits of validated input, each checked subject-wise."""
        with warnings.catch_warnings():
            # Window counts per stratum below n_splits only mean weaker
            # stratification (SubjectKFold warns per subject instead); the
            # subject-wise guarantee is unaffected.
            warnings.filterwarnings("ignore", "The least populated class", UserWarning)
            splits = list(super().split(X, strata, groups))
        for fold, (train, test) in enumerate(splits):
            _assert_disjoint(train, test, groups, type(self).__name__, fold)
            yield train, test

    def _iter_test_indices(self, X, y, groups):
        subject, strata = _subject_strata(y, groups)
        fold = _deal_subjects(strata, self.n_splits, self.shuffle, self.random_state)[subject]
        for k in range(self.n_splits):
            yield np.flatnonzero(fold == k)


class SubjectKFold(_SubjectStratifiedKFold):
    """Subject-wise K-fold, stratified by a class label where possible.

    The honest default protocol for classification (gender, age group): each
    subject's windows are all in one test fold, so a score measures how well
    the model does on people it has never seen. Folds are stratified by
    subject: the subjects of each class (a subject's most frequent label in
    ``y``) are dealt round-robin to the folds, so every fold holds
    ``floor`` or ``ceil`` of ``n / n_splits`` of the ``n`` subjects of each
    class. Window counts are not balanced (subjects have different numbers
    of windows).

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2 and at most the number of subjects.
    shuffle : bool, default=False
        Shuffle the subjects of each class before dealing them to folds, so
        that each seed draws its own stratified partition (without shuffle,
        subjects are dealt in sorted order). Subjects are never split.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffling when ``shuffle=True``. For repeated
        cross-validation, use one seed per repetition.

    See Also
    --------
    SubjectRegressionKFold : The same for a continuous target such as age.
    CrossSessionSplit : Train on one session, test on another of the same subjects.
    LeakyWindowKFold : Window-level split that reproduces inflated paper numbers.

    Notes
    -----
    ``groups`` is required. ``y`` may be None, in which case the folds are
    only balanced in size. A continuous ``y`` is rejected: use
    :class:`SubjectRegressionKFold`.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.model_selection import SubjectKFold
    >>> X = np.zeros((12, 3, 128))
    >>> y = np.array(list("FFFMMMFFFMMM"))
    >>> groups = np.repeat(["s1", "s2", "s3", "s4"], 3)
    >>> cv = SubjectKFold(n_splits=2)
    >>> for train, test in cv.split(X, y, groups):
    ...     print(np.unique(groups[test]).tolist(), np.unique(y[test]).tolist())
    ['s1', 's2'] ['F', 'M']
    ['s3', 's4'] ['F', 'M']
    """

    @fill_doc
    def split(self, X, y=None, groups=None):
        """Generate indices to split windows into training and test set.

        Parameters
        ----------
        {X_split}
        y : array-like of shape (n_windows,), default=None
            Class labels to stratify by.
        {groups_subjects}

        Yields
        ------
        {split_yields}
        """
        owner, groups, y = self._check_input(X, y, groups)
        if y is None:
            y = np.zeros(len(groups), dtype=int)
        elif type_of_target(y) not in ("binary", "multiclass"):
            raise ValueError(
                f"{owner} stratifies by class labels; got a "
                f"{type_of_target(y)!r} target. For a continuous target such "
                "as age use SubjectRegressionKFold."
            )
        _check_n_groups(self.n_splits, groups, owner)
        self._warn_few_subjects_per_class(y, groups)
        yield from self._subject_splits(X, y, groups)

    def _warn_few_subjects_per_class(self, y, groups):
        classes, y_inv = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            return
        pairs = np.unique(
            np.column_stack([y_inv, np.unique(groups, return_inverse=True)[1]]), axis=0
        )
        n_groups = np.bincount(pairs[:, 0], minlength=len(classes))
        few = [(c, n) for c, n in zip(classes, n_groups) if n < self.n_splits]
        if few:
            desc = ", ".join(f"{c!r}: {n}" for c, n in few)
            warnings.warn(
                f"{type(self).__name__}: some classes have fewer subjects than "
                f"n_splits={self.n_splits} ({desc}), so some test folds lack "
                "them and fold-wise balanced accuracy is ill-defined there; "
                "use n_splits <= the smallest count.",
                UserWarning,
                stacklevel=3,
            )


class SubjectRegressionKFold(_SubjectStratifiedKFold):
    """Subject-wise K-fold for a continuous target, stratified by binned target.

    The honest default protocol for regression (age): subjects never cross
    a split, and each fold gets a similar mix of target bins (for example
    young, middle-aged and older subjects), so no fold is tested on an age
    range it never trained on.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2 and at most the number of subjects.
    bins : int or array-like of float, default=4
        If an int, the number of quantile bins of the per-subject target
        (reduced when there are too few subjects for every bin to hold
        ``n_splits`` of them). If an array, the inner bin edges in target
        units, for example ``[30, 45, 60]`` for age groups
        <30, 30–45, 45–60 and ≥60.
    shuffle : bool, default=False
        Shuffle the subjects of each bin before dealing them round-robin to
        the folds (as in :class:`SubjectKFold`), so that each seed draws its
        own partition.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffling when ``shuffle=True``.

    See Also
    --------
    SubjectKFold : The same for class labels.

    Notes
    -----
    The target of a subject is the mean of ``y`` over its windows (age is
    constant within a subject). Bins are computed over subjects, not
    windows, so a subject with many windows does not shift the edges.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.model_selection import SubjectRegressionKFold
    >>> ages = np.repeat([21.0, 23.0, 25.0, 62.0, 66.0, 70.0], 2)
    >>> groups = np.repeat(["s1", "s2", "s3", "s4", "s5", "s6"], 2)
    >>> cv = SubjectRegressionKFold(n_splits=3, bins=[40.0])
    >>> for train, test in cv.split(np.zeros((12, 1)), ages, groups):
    ...     print(np.unique(ages[test]).tolist())
    [21.0, 62.0]
    [23.0, 66.0]
    [25.0, 70.0]
    """

    def __init__(self, n_splits=5, *, bins=4, shuffle=False, random_state=None):
        super().__init__(n_splits=n_splits, shuffle=shuffle, random_state=random_state)
        self.bins = bins

    def _bin_subjects(self, y, groups):
        """Return a bin index per window, computed from per-subject targets."""
        owner = type(self).__name__
        uniq, inv = np.unique(groups, return_inverse=True)
        sums = np.bincount(inv, weights=y, minlength=len(uniq))
        counts = np.bincount(inv, minlength=len(uniq))
        subject_y = sums / counts
        if isinstance(self.bins, numbers.Integral) and not isinstance(self.bins, bool):
            if self.bins < 1:
                raise ValueError(f"{owner}: bins={self.bins} must be >= 1.")
            n_bins = int(min(self.bins, max(1, len(uniq) // self.n_splits)))
            edges = np.quantile(subject_y, np.linspace(0, 1, n_bins + 1)[1:-1])
            edges = np.unique(edges)
        else:
            edges = np.asarray(self.bins, dtype=float)
            if edges.ndim != 1 or not np.all(np.diff(edges) > 0):
                raise ValueError(
                    f"{owner}: bins must be an int or an increasing 1-D array "
                    f"of bin edges; got {self.bins!r}."
                )
        subject_bin = np.searchsorted(edges, subject_y, side="right")
        return subject_bin[inv]

    @fill_doc
    def split(self, X, y, groups=None):
        """Generate indices to split windows into training and test set.

        Parameters
        ----------
        {X_split}
        y : array-like of shape (n_windows,)
            Continuous target, for example age in years.
        {groups_subjects}

        Yields
        ------
        {split_yields}
        """
        owner, groups, y = self._check_input(X, y, groups)
        if y is None:
            raise ValueError(f"{owner} stratifies by the target and needs `y`.")
        y = np.asarray(y, dtype=float)
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{owner}: `y` contains NaN or infinity.")
        _check_n_groups(self.n_splits, groups, owner)
        yield from self._subject_splits(X, self._bin_subjects(y, groups), groups)


def _as_label_list(value):
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or np.ndim(value) == 0:
        return [value]
    return list(value)


class CrossSessionSplit(BaseCrossValidator):
    """Train on one session (trial) and test on another of the same subjects.

    Measures how well a model transfers across sessions, days or walking
    speeds for people it has seen: SisFall ``"D01"`` (slow walk) → ``"D02"``
    (fast walk), IPOL trial ``"1"`` → ``"2"``, HuGaDB file → file.
    No session is ever on both sides of a split. On these shared datasets
    the "sessions" are consecutive trials with the device left in place
    (cross-trial, same mounting): the sensor's orientation alone can tell
    the people apart (see :class:`~skgait.features.GravityDirection` and
    :func:`~skgait.datasets.random_remount`).

    Parameters
    ----------
    train : label or list of labels, default=None
        Session label(s) to train on.
    test : label or list of labels, default=None
        Session label(s) to test on. ``train`` and ``test`` are given
        together (one split) or both left None: then every session is the
        test set once and the model trains on all other sessions
        (leave-one-session-out).

    See Also
    --------
    SubjectKFold : Subject-wise protocol: test on unseen people.

    Notes
    -----
    The session labels arrive through ``groups``, so the splitter works with
    ``cross_val_score(..., groups=...)`` and with metadata routing
    (``params={"groups": ...}``). ``groups`` is either

    - an array of shape ``(n_windows,)`` of session labels
      (``meta["trial"]``): the split is purely by session; or
    - an array of shape ``(n_windows, 2)`` of ``(subject, session)`` pairs
      (``meta[["subject", "trial"]]``): in addition, each split keeps only
      the subjects that have windows on both sides, so the test set holds
      exactly the people seen in training, in another session.

    Because the same subjects are on both sides, a high score is expected:
    it is an upper bound for re-identification across sessions, not a
    measure of generalisation to new people.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.model_selection import CrossSessionSplit
    >>> subject = np.array(["a", "a", "b", "b", "c"])
    >>> session = np.array(["D01", "D02", "D01", "D02", "D01"])
    >>> cv = CrossSessionSplit(train="D01", test="D02")
    >>> groups = np.column_stack([subject, session])
    >>> for train, test in cv.split(np.zeros((5, 1)), groups=groups):
    ...     print(train, test)
    [0 2] [1 3]
    """

    # Request ``groups`` by default under metadata routing, like GroupKFold.
    __metadata_request__split = {"groups": True}  # noqa: RUF012 (sklearn convention)

    def __init__(self, train=None, test=None):
        self.train = train
        self.test = test

    def _check_params(self):
        owner = type(self).__name__
        if (self.train is None) != (self.test is None):
            raise ValueError(
                f"{owner}: give both `train` and `test` sessions, or neither "
                "(leave-one-session-out)."
            )
        if self.train is not None:
            overlap = set(_as_label_list(self.train)) & set(_as_label_list(self.test))
            if overlap:
                raise ValueError(
                    f"{owner}: sessions {sorted(map(str, overlap))} are in both `train` and `test`."
                )

    def _check_session_groups(self, X, groups):
        owner = type(self).__name__
        hint = (
            "Pass the session label of each window, for example "
            "groups=meta['trial'], or (subject, session) pairs, for example "
            "groups=meta[['subject', 'trial']]."
        )
        return _check_label_pairs(groups, _num_samples(X), owner, hint, allow_1d=True)

    def _session_pairs(self, sessions):
        owner = type(self).__name__
        present = np.unique(sessions)
        if self.train is None:
            if len(present) < 2:
                raise ValueError(f"{owner}: need at least two sessions; got {present.tolist()}.")
            return [([s for s in present if s != t], [t]) for t in present]
        train = [str(s) for s in _as_label_list(self.train)]
        test = [str(s) for s in _as_label_list(self.test)]
        missing = sorted(set(train + test) - set(present))
        if missing:
            raise ValueError(
                f"{owner}: sessions {missing} do not occur in `groups`; present "
                f"sessions are {present.tolist()}."
            )
        return [(train, test)]

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return the number of splits.

        Parameters
        ----------
        X, y : object
            Ignored.
        groups : array-like, default=None
            Session labels (or ``(subject, session)`` pairs); needed only for
            leave-one-session-out.

        Returns
        -------
        n_splits : int
        """
        self._check_params()
        if self.train is not None:
            return 1
        if groups is None:
            raise ValueError(
                f"{type(self).__name__}: with train=None and test=None the "
                "number of splits is the number of sessions; pass `groups`."
            )
        groups = np.asarray(groups)
        sessions = groups[:, 1] if groups.ndim == 2 else groups
        return len(np.unique(np.asarray(sessions).astype(str)))

    @fill_doc
    def split(self, X, y=None, groups=None):
        """Generate indices to split windows into training and test set.

        Parameters
        ----------
        {X_split}
        {y_ignored}
        groups : array-like of shape (n_windows,) or (n_windows, 2)
            Session labels, or ``(subject, session)`` pairs.

        Yields
        ------
        {split_yields}
        """
        self._check_params()
        owner = type(self).__name__
        subjects, sessions = self._check_session_groups(X, groups)
        for fold, (train_sessions, test_sessions) in enumerate(self._session_pairs(sessions)):
            train_mask = np.isin(sessions, train_sessions)
            test_mask = np.isin(sessions, test_sessions)
            if subjects is not None:
                both = np.intersect1d(subjects[train_mask], subjects[test_mask])
                train_mask &= np.isin(subjects, both)
                test_mask &= np.isin(subjects, both)
            train = np.flatnonzero(train_mask)
            test = np.flatnonzero(test_mask)
            if train.size == 0 or test.size == 0:
                raise ValueError(
                    f"{owner}: split {fold} (train {train_sessions} → test "
                    f"{test_sessions}) is empty: no subject has windows in "
                    "both sessions."
                )
            _assert_disjoint(train, test, sessions, owner, fold)
            yield train, test


def _dataset_of(groups):
    """Dataset label of each window: the part of ``groups`` before the first ``:``."""
    return np.array([str(g).split(":", 1)[0] for g in groups], dtype=object)


class LeaveOneDatasetOut(BaseCrossValidator):
    """Train on the other datasets pooled, test on the one left out.

    The cross-dataset protocol: a score measures how well a model carries
    over to people recorded with another device, protocol and population,
    as a new user's data would be. No dataset (and so no subject) is ever on
    both sides of a split. Window the datasets in the same body frame and
    placement (``make_windows([...], placement="waist")``) and, when their
    native rates differ, keep the model to the band they share (see
    :class:`~skgait.features.BandLimit` and the ``native_rate`` column of
    the window metadata).

    Parameters
    ----------
    test : str, list of str or None, default=None
        Dataset(s) to hold out, one split each. None holds out every
        dataset in turn.

    See Also
    --------
    SubjectKFold : New people from the same datasets.

    Notes
    -----
    ``groups`` is the dataset of each window, or the usual subject groups
    ``meta["group"]`` (``"<dataset>:<subject>"``): the dataset is the part
    before the first ``:``. So one ``groups`` array serves both this
    splitter and a per-subject scorer such as
    :func:`make_aggregated_scorer`, also under metadata routing
    (``params={"groups": meta["group"]}``).

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.model_selection import LeaveOneDatasetOut
    >>> groups = np.array(["sisfall:SA01", "sisfall:SA02", "ipol:1", "ipol:2"])
    >>> for train, test in LeaveOneDatasetOut().split(np.zeros((4, 1)), groups=groups):
    ...     print(groups[train].tolist(), "->", groups[test].tolist())
    ['sisfall:SA01', 'sisfall:SA02'] -> ['ipol:1', 'ipol:2']
    ['ipol:1', 'ipol:2'] -> ['sisfall:SA01', 'sisfall:SA02']
    """

    __metadata_request__split = {"groups": True}  # noqa: RUF012 (sklearn convention)

    def __init__(self, test=None):
        self.test = test

    def _held_out(self, datasets):
        owner = type(self).__name__
        present = np.unique(datasets)
        if len(present) < 2:
            raise ValueError(
                f"{owner}: need windows of at least two datasets; got {present.tolist()}. "
                "Pass the dataset of each window, or meta['group'] ('<dataset>:<subject>')."
            )
        if self.test is None:
            return present.tolist()
        test = [str(t) for t in _as_label_list(self.test)]
        missing = sorted(set(test) - set(present))
        if missing:
            raise ValueError(
                f"{owner}: datasets {missing} do not occur in `groups`; present "
                f"datasets are {present.tolist()}."
            )
        return test

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return the number of splits.

        Parameters
        ----------
        X, y : object
            Ignored.
        groups : array-like, default=None
            Dataset (or ``"<dataset>:<subject>"``) of each window; needed
            when ``test`` is None.

        Returns
        -------
        n_splits : int
        """
        if self.test is not None:
            return len(_as_label_list(self.test))
        if groups is None:
            raise ValueError(
                f"{type(self).__name__}: with test=None the number of splits is "
                "the number of datasets; pass `groups`."
            )
        return len(np.unique(_dataset_of(np.asarray(groups))))

    @fill_doc
    def split(self, X, y=None, groups=None):
        """Generate indices to split windows into training and test set.

        Parameters
        ----------
        {X_split}
        {y_ignored}
        groups : array-like of shape (n_windows,)
            Dataset, or ``"<dataset>:<subject>"``, of each window.

        Yields
        ------
        train : ndarray
            Windows of the other datasets.
        test : ndarray
            Windows of the held-out dataset.
        """
        owner = type(self).__name__
        hint = "Pass the dataset of each window, or meta['group'] ('<dataset>:<subject>')."
        groups = _check_groups(groups, _num_samples(X), owner, hint)
        datasets = _dataset_of(groups)
        for fold, held_out in enumerate(self._held_out(datasets)):
            test_mask = datasets == held_out
            train, test = np.flatnonzero(~test_mask), np.flatnonzero(test_mask)
            _assert_disjoint(train, test, datasets, owner, fold)
            yield train, test


class TargetDatasetKFold(BaseCrossValidator):
    """Subject-wise K-fold over one dataset, with the other datasets always in training.

    The protocol of pooled training: a model for the people of one dataset
    (the *target*, for example a small clinical cohort) is trained on its
    training people *and* on every window of other datasets, and is scored
    on the target's test people only. The target's subjects are split as
    by :class:`SubjectKFold` (stratified by class label, shuffled with
    ``random_state``); the windows of the other datasets are in every
    training fold and in no test fold.

    As the inner splitter of :func:`evaluate_nested` it makes the choice
    among candidates by the same criterion as the reported score (the
    target's people), where a plain :class:`SubjectKFold` over the pooled
    subjects would also score the other datasets' people.

    Parameters
    ----------
    target : str
        The dataset whose subjects are split and scored.
    n_splits : int, default=5
        Number of folds, at least 2 and at most the number of target subjects.
    shuffle : bool, default=False
        Shuffle the target's subjects of each class before dealing them to folds.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffling when ``shuffle=True``.

    See Also
    --------
    SubjectKFold : The same within one dataset.
    LeaveOneDatasetOut : Train on other datasets only, test on the one left out.

    Notes
    -----
    ``groups`` is ``meta["group"]`` (``"<dataset>:<subject>"``): the
    dataset is the part before the first ``:``, the subject the whole label.
    The folds of the target are those of ``SubjectKFold(n_splits, shuffle=shuffle,
    random_state=random_state)`` on the target's windows alone.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.model_selection import TargetDatasetKFold
    >>> groups = np.array(["sisfall:SA01", "sisfall:SA02", "ipol:1", "ipol:2", "ipol:3", "ipol:4"])
    >>> y = np.array(list("FMFMFM"))
    >>> for train, test in TargetDatasetKFold("ipol", n_splits=2).split(y, y, groups):
    ...     print(groups[train].tolist(), "->", groups[test].tolist())
    ['sisfall:SA01', 'sisfall:SA02', 'ipol:3', 'ipol:4'] -> ['ipol:1', 'ipol:2']
    ['sisfall:SA01', 'sisfall:SA02', 'ipol:1', 'ipol:2'] -> ['ipol:3', 'ipol:4']
    """

    __metadata_request__split = {"groups": True}  # noqa: RUF012 (sklearn convention)

    def __init__(self, target, n_splits=5, *, shuffle=False, random_state=None):
        self.target = target
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return the number of splits.

        Parameters
        ----------
        X, y, groups : object
            Ignored.

        Returns
        -------
        n_splits : int
        """
        return self.n_splits

    @fill_doc
    def split(self, X, y=None, groups=None):
        """Yield the folds: each one's target test subjects against all other windows.

        Parameters
        ----------
        {X_split}
        y : array-like of shape (n_windows,), default=None
            Class labels to stratify the target's subjects by.
        groups : array-like of shape (n_windows,)
            ``"<dataset>:<subject>"`` of each window (``meta["group"]``).

        Yields
        ------
        train : ndarray
            Windows of the other datasets and of the target's training subjects.
        test : ndarray
            Windows of the target's test subjects.
        """
        owner = type(self).__name__
        hint = "Pass meta['group'] ('<dataset>:<subject>') of each window."
        groups = _check_groups(groups, _num_samples(X), owner, hint)
        datasets = _dataset_of(groups)
        is_target = datasets == str(self.target)
        if not is_target.any():
            raise ValueError(
                f"{owner}: target dataset {self.target!r} does not occur in `groups`; "
                f"present datasets are {np.unique(datasets).tolist()}."
            )
        target, others = np.flatnonzero(is_target), np.flatnonzero(~is_target)
        y_target = None if y is None else np.asarray(y)[target]
        inner = SubjectKFold(self.n_splits, shuffle=self.shuffle, random_state=self.random_state)
        for fold, (train, test) in enumerate(inner.split(target, y_target, groups[target])):
            train, test = np.sort(np.concatenate([others, target[train]])), target[test]
            _assert_disjoint(train, test, groups, owner, fold)
            yield train, test


class LeakyWindowKFold(KFold):
    """Window-level shuffled K-fold: **leaky**, for reproducing papers only.

    Windows are assigned to folds at random, so windows of the same person
    (often overlapping windows of the same recording) are on both sides of
    every split. A classifier then recognises the *person* from their gait
    signature and reads off the label it memorised for them: near-perfect
    gender accuracies on real datasets with ACF features and a random
    forest (the evaluation page of the user guide), which fall to chance
    once subjects are kept apart (:class:`SubjectKFold`). The score measures re-identification, not
    recognition of age or gender in new people.

    It exists so that skgait can reproduce the numbers of papers that used
    this protocol and show the gap next to the honest one. Do not use it to
    report how well a model recognises age or gender.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds.
    shuffle : bool, default=True
        Shuffle windows before splitting (as papers do).
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffling.

    See Also
    --------
    SubjectKFold : The honest subject-wise protocol.

    Notes
    -----
    ``groups`` is accepted and ignored, which is exactly the leak; it lets
    this splitter be swapped for :class:`SubjectKFold` in the same
    ``cross_val_score(..., groups=groups)`` call, also under metadata
    routing.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.model_selection import LeakyWindowKFold
    >>> groups = np.repeat(["s1", "s2"], 4)
    >>> cv = LeakyWindowKFold(n_splits=2, random_state=0)
    >>> train, test = next(cv.split(np.zeros((8, 1)), groups=groups))
    >>> np.intersect1d(groups[train], groups[test]).tolist()  # the leak
    ['s1', 's2']
    """

    __metadata_request__split = {"groups": True}  # noqa: RUF012 (sklearn convention)

    def __init__(self, n_splits=5, *, shuffle=True, random_state=None):
        super().__init__(n_splits=n_splits, shuffle=shuffle, random_state=random_state)

    @fill_doc
    def split(self, X, y=None, groups=None):
        """Generate indices to split windows into training and test set.

        Parameters
        ----------
        {X_split}
        {y_ignored}
        groups : object
            Ignored: subjects end up on both sides (the leak).

        Yields
        ------
        {split_yields}
        """
        return super().split(X, y, None)


@fill_doc
def check_subject_wise(cv, X, y=None, groups=None):
    """Check that no group has windows on both sides of any split of ``cv``.

    Use it on a splitter of your own before reporting subject-wise results.

    Parameters
    ----------
    cv : cross-validation splitter
        Object with a ``split(X, y, groups)`` method.
    {X_split}
    y : array-like of shape (n_windows,), default=None
        Target, passed on to ``cv.split``.
    {groups_subjects}

    Returns
    -------
    n_splits : int
        Number of splits checked.

    Raises
    ------
    ValueError
        If ``groups`` is missing, or if a split puts a group on both sides;
        the message names the fold and the groups.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.model_selection import (
    ...     LeakyWindowKFold, SubjectKFold, check_subject_wise)
    >>> X, groups = np.zeros((8, 1)), np.repeat(["s1", "s2", "s3", "s4"], 2)
    >>> check_subject_wise(SubjectKFold(n_splits=2), X, groups=groups)
    2
    >>> check_subject_wise(LeakyWindowKFold(n_splits=2, random_state=0), X,
    ...                    groups=groups)
    Traceback (most recent call last):
    ...
    ValueError: LeakyWindowKFold is not subject-wise: ...
    """
    n_samples = _num_samples(X)
    groups = _check_groups(groups, n_samples, "check_subject_wise")
    n = 0
    for fold, (train, test) in enumerate(cv.split(X, y, groups)):
        shared = np.intersect1d(groups[train], groups[test])
        if shared.size:
            raise ValueError(
                f"{type(cv).__name__} is not subject-wise: fold {fold} puts "
                f"{shared.size} group(s) on both sides, e.g. "
                f"{shared[:5].tolist()}."
            )
        n += 1
    return n
