"""Cross-trial protocols for person identification.

Identification asks "which of the enrolled people is walking?". The honest
protocol trains on some recordings of every person and tests on *other*
recordings of the same people: windows cut from one recording (often
overlapping by half) never appear on both sides, or the score measures how
well the model recognises a recording, not a person.

- :class:`CrossRecordingSplit`: for every subject, one recording (file) is
  held out for testing and the others train (HuGaDB file → file);
- :func:`identification_protocol`: the split of each shared dataset
  (HuGaDB file → other file, SisFall ``D01`` → ``D02``, IPOL trial ``1`` →
  ``2``) and the ``meta`` columns to pass as ``groups``;
- :func:`score_identification`: window-level and recording-level accuracy
  of an identifier on such a split, beside chance level.
"""

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import check_random_state

from ..datasets import canonical_name
from ..utils._docstring import fill_doc
from ..utils._sklearn_compat import _num_samples
from ._aggregate import aggregate_predictions
from ._split import CrossSessionSplit, _assert_disjoint, _check_label_pairs

__all__ = ["CrossRecordingSplit", "identification_protocol", "score_identification"]


class CrossRecordingSplit(BaseCrossValidator):
    """Hold out one recording of every subject; train on their other recordings.

    For datasets whose sessions are not labelled alike across subjects
    (HuGaDB numbers each subject's files independently), this is the
    cross-recording protocol: split ``k`` tests, for every subject with at
    least two recordings, on one of them and trains on the rest. Subjects
    with a single recording are left out (they cannot be tested on another
    recording). No recording is ever on both sides.

    Parameters
    ----------
    n_splits : int, default=1
        Number of splits. Split ``k`` holds out the ``(k + offset)``-th
        recording (cyclically) of each subject, so with ``n_splits`` at most
        a subject's number of recordings each of them is tested once.
    shuffle : bool, default=False
        Draw each subject's ``offset`` (and the order of its recordings) at
        random instead of holding out the last recording first.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffling.

    See Also
    --------
    CrossSessionSplit : When sessions carry the same labels for everyone.
    identification_protocol : The split of each shared dataset.

    Notes
    -----
    ``groups`` is an array of shape ``(n_windows, 2)`` of
    ``(subject, recording)`` pairs, for example
    ``meta[["subject", "recording"]]``.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.model_selection import CrossRecordingSplit
    >>> groups = np.array([["a", "a1"], ["a", "a1"], ["a", "a2"],
    ...                    ["b", "b1"], ["b", "b2"], ["c", "c1"]])
    >>> train, test = next(CrossRecordingSplit().split(groups, groups=groups))
    >>> train.tolist(), test.tolist()
    ([0, 1, 3], [2, 4])
    """

    __metadata_request__split = {"groups": True}  # noqa: RUF012 (sklearn convention)

    def __init__(self, n_splits=1, *, shuffle=False, random_state=None):
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return ``n_splits``."""
        return self.n_splits

    def _check_groups(self, X, groups):
        owner = type(self).__name__
        hint = "Pass (subject, recording) pairs, for example groups=meta[['subject', 'recording']]."
        subjects, recordings = _check_label_pairs(
            groups, _num_samples(X), owner, hint, allow_1d=False
        )
        if not isinstance(self.n_splits, int) or self.n_splits < 1:
            raise ValueError(
                f"{owner}: n_splits must be a positive integer; got {self.n_splits!r}."
            )
        # A recording id is only unique within its subject.
        return subjects, np.char.add(np.char.add(subjects, "\x1f"), recordings)

    @fill_doc
    def split(self, X, y=None, groups=None):
        """Generate indices to split windows into training and test set.

        Parameters
        ----------
        {X_split}
        {y_ignored}
        groups : array-like of shape (n_windows, 2)
            ``(subject, recording)`` of each window.

        Yields
        ------
        train, test : ndarray
            Window indices.
        """
        subjects, recordings = self._check_groups(X, groups)
        rng = check_random_state(self.random_state)
        per_subject = {}
        for subject in np.unique(subjects):
            own = np.unique(recordings[subjects == subject])
            if len(own) < 2:
                continue
            offset = 0
            if self.shuffle:
                own = own[rng.permutation(len(own))]
                offset = int(rng.randint(len(own)))
            per_subject[subject] = (own, offset)
        if not per_subject:
            raise ValueError(
                f"{type(self).__name__}: no subject has two recordings, so none "
                "can be tested on another recording."
            )
        for k in range(self.n_splits):
            held_out = [
                own[(len(own) - 1 - k - offset) % len(own)] for own, offset in per_subject.values()
            ]
            kept = np.isin(subjects, list(per_subject))
            test_mask = np.isin(recordings, held_out)
            train = np.flatnonzero(kept & ~test_mask)
            test = np.flatnonzero(test_mask)
            _assert_disjoint(train, test, recordings, type(self).__name__, k)
            yield train, test


#: Dataset name → (splitter factory, ``meta`` columns for ``groups``).
_PROTOCOLS = {
    "hugadb": (lambda: CrossRecordingSplit(), ["subject", "recording"]),
    "sisfall": (lambda: CrossSessionSplit(train="D01", test="D02"), ["subject", "trial"]),
    "ipol": (lambda: CrossSessionSplit(train="1", test="2"), ["subject", "trial"]),
}


def identification_protocol(dataset):
    """The cross-trial identification split of a shared dataset.

    The shared datasets hold consecutive trials recorded with the device
    left in place (cross-trial, same mounting), so these splits test a
    change of trial or speed, not a re-mounted device: score the
    :class:`~skgait.features.GravityDirection` mounting control on the same
    split, and the probes turned by :func:`~skgait.datasets.random_remount`.

    Parameters
    ----------
    dataset : {"hugadb", "sisfall", "ipol"}
        Dataset name (``meta["dataset"]``) or an alias of one
        (``"ipol_healthy_gait"``).

    Returns
    -------
    cv : cross-validation splitter
        HuGaDB: :class:`CrossRecordingSplit` (one file of each subject
        tested, the others train); SisFall: ``CrossSessionSplit("D01",
        "D02")`` (slow walk → fast walk); IPOL: ``CrossSessionSplit("1",
        "2")`` (trial 1 → trial 2).
    columns : list of str
        The ``meta`` columns to pass as ``groups``:
        ``groups=meta[columns].to_numpy()``.

    Examples
    --------
    >>> from skgait.model_selection import identification_protocol
    >>> cv, columns = identification_protocol("sisfall")
    >>> cv, columns
    (CrossSessionSplit(test='D02', train='D01'), ['subject', 'trial'])
    """
    name = canonical_name(dataset)
    if name not in _PROTOCOLS:
        raise ValueError(
            f"No identification protocol for dataset {dataset!r}; known: "
            f"{sorted(_PROTOCOLS)}. Use CrossSessionSplit or CrossRecordingSplit."
        )
    factory, columns = _PROTOCOLS[name]
    return factory(), list(columns)


def score_identification(estimator, X, meta, cv=None, columns=None):
    """Window- and recording-level identification accuracy on cross-trial splits.

    The estimator is cloned and fitted on the training windows with the
    subject as label; recording-level predictions average the window
    probabilities of each test recording (``aggregate_predictions`` with
    ``"mean_proba"``).

    Parameters
    ----------
    estimator : classifier with predict_proba
        Identifier (``GaitCNNLSTMClassifier``, an ACF + random-forest
        pipeline, ...).
    X : ndarray of shape (n_windows, n_channels, n_timepoints)
    meta : DataFrame
        From ``make_windows`` / ``make_step_windows``: ``subject``,
        ``recording``, ``trial``, ``dataset``.
    cv : splitter, optional
        Defaults to :func:`identification_protocol` of ``meta["dataset"]``.
    columns : list of str, optional
        ``meta`` columns for ``groups``; defaults with ``cv``.

    Returns
    -------
    scores : dict
        Means over splits of ``window_accuracy`` and ``recording_accuracy``;
        ``chance`` (1 / number of subjects tested), ``n_subjects``,
        ``n_train_windows``, ``n_test_windows``, ``n_test_recordings``;
        ``recording_correct``: whether each test recording of every split
        was identified (for intervals over recordings).
    """
    if cv is None:
        names = meta["dataset"].unique()
        if len(names) != 1:
            raise ValueError(f"meta mixes datasets {names.tolist()}; pass cv= and columns=.")
        cv, columns = identification_protocol(names[0])
    if columns is None:
        raise ValueError("Pass the meta columns for groups with cv (columns=[...]).")
    groups = meta[columns].to_numpy()
    subjects = meta["subject"].to_numpy().astype(str)
    recordings = (meta["subject"].astype(str) + "/" + meta["recording"].astype(str)).to_numpy()
    rows, rec_correct = [], []
    for train, test in cv.split(X, groups=groups):
        if np.intersect1d(recordings[train], recordings[test]).size:
            raise RuntimeError("A recording is on both sides of an identification split.")
        est = clone(estimator).fit(X[train], subjects[train])
        proba = est.predict_proba(X[test])
        classes = np.asarray(est.classes_)
        window_acc = float(np.mean(classes[proba.argmax(1)] == subjects[test]))
        rec_ids, rec_proba = aggregate_predictions(proba, recordings[test], method="mean_proba")
        rec_true = np.array([subjects[test][recordings[test] == r][0] for r in rec_ids])
        rec_correct.append(classes[rec_proba.argmax(1)] == rec_true)
        rec_acc = float(np.mean(rec_correct[-1]))
        n_subjects = len(np.unique(subjects[test]))
        rows.append(
            (window_acc, rec_acc, 1.0 / n_subjects, n_subjects, len(train), len(test), len(rec_ids))
        )
    rows = np.array(rows, dtype=float)
    mean = rows.mean(axis=0)
    return {
        "window_accuracy": mean[0],
        "recording_accuracy": mean[1],
        "chance": mean[2],
        "n_subjects": round(mean[3]),
        "n_train_windows": round(mean[4]),
        "n_test_windows": round(mean[5]),
        "n_test_recordings": round(mean[6]),
        "recording_correct": np.concatenate(rec_correct),
    }
