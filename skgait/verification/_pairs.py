"""Pairs of windows for authentication, built without subject leakage.

An authentication sample is a pair of windows labelled "same subject" or
"different subjects" (Zou et al. 2020, datasets #5 and #6). Honest
evaluation keeps the *subjects* of the test pairs out of training
altogether (98 training and 20 test subjects in the paper): a network that
has seen a person's gait in training pairs would otherwise be tested on
recognising that person again.

- :func:`make_pairs`: balanced same/different pairs of window indices,
  reproducible from ``random_state``;
- :func:`pair_train_test_split`: subjects split first, then pairs built
  inside each side;
- :func:`align_pairs`: the paper's two alignments, side by side along time
  ("horizontal") or stacked along channels ("vertical").
"""

import numpy as np
from sklearn.model_selection import GroupShuffleSplit
from sklearn.utils import check_random_state

__all__ = ["ALIGNMENTS", "align_pairs", "make_pairs", "pair_train_test_split"]

#: Alignment name → axis of ``(n, n_channels, n_timepoints)`` the two windows are
#: concatenated on.
ALIGNMENTS = {"time": 2, "channels": 1}


def _check_groups(groups, owner):
    groups = np.asarray(groups)
    if groups.ndim != 1 or len(groups) == 0:
        raise ValueError(
            f"{owner}: groups must be a non-empty 1-D array of subject ids (one "
            f"per window); got shape {groups.shape}."
        )
    return groups


def make_pairs(groups, n_pairs=1000, *, sessions=None, same_fraction=0.5, random_state=None):
    """Draw balanced pairs of windows of the same / of different subjects.

    Only subjects that can form a same-subject pair take part (two windows,
    or windows of two ``sessions`` when given); the others are left out of
    impostor pairs too, so that no subject appears with one label only.
    Same-subject ("genuine") pairs: a subject is drawn uniformly, then two
    distinct windows of theirs (from two different ``sessions`` when given,
    so that a pair never consists of two overlapping windows of one
    recording). Different-subject ("impostor") pairs: two distinct subjects
    uniformly, then one window of each, so that every subject takes the
    same share of impostor pairs as of genuine pairs, however many windows
    it has; with ``sessions``, impostor pairs join two sessions too (the
    second window is drawn from the other subject's windows of another
    session than the first window), so that the session structure of a
    pair says nothing about its label. Drawing is with replacement; the pairs come in
    random order.

    Parameters
    ----------
    groups : array-like of shape (n_windows,)
        Subject of each window. Pairs only ever combine the windows given:
        pass the training subjects' windows for training pairs and the test
        subjects' windows for test pairs (see :func:`pair_train_test_split`).
    n_pairs : int, default=1000
        Number of pairs.
    sessions : array-like of shape (n_windows,), optional
        Session of each window, labelled alike across subjects (SisFall
        ``D01`` / ``D02``, IPOL trial ``1`` / ``2``); every pair then joins
        windows of two different sessions, same-subject and
        different-subject pairs alike.
    same_fraction : float, default=0.5
        Fraction of same-subject pairs (``round(n_pairs * same_fraction)``).
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.

    Returns
    -------
    pairs : ndarray of shape (n_pairs, 2), int
        Window indices of the two members of each pair.
    same : ndarray of shape (n_pairs,), int
        1 for same-subject pairs, 0 for different-subject pairs.

    Raises
    ------
    ValueError
        If fewer than two subjects can form a same-subject pair (two
        windows, or two sessions with ``sessions``).

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.verification import make_pairs
    >>> groups = np.repeat(["a", "b", "c"], 4)
    >>> pairs, same = make_pairs(groups, n_pairs=6, random_state=0)
    >>> pairs.shape, int(same.sum())
    ((6, 2), 3)
    >>> bool(np.all((groups[pairs[:, 0]] == groups[pairs[:, 1]]) == same))
    True
    """
    owner = "make_pairs"
    groups = _check_groups(groups, owner)
    if not isinstance(n_pairs, (int, np.integer)) or n_pairs < 1:
        raise ValueError(f"{owner}: n_pairs must be a positive integer; got {n_pairs!r}.")
    if not 0.0 <= same_fraction <= 1.0:
        raise ValueError(f"{owner}: same_fraction must be in [0, 1]; got {same_fraction!r}.")
    if sessions is not None:
        sessions = np.asarray(sessions)
        if sessions.shape != groups.shape:
            raise ValueError(
                f"{owner}: sessions has shape {sessions.shape}, groups {groups.shape}."
            )
    rng = check_random_state(random_state)
    subjects, inverse = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(inverse == k) for k in range(len(subjects))]
    if sessions is None:
        members = [idx for idx in members if len(idx) >= 2]
    else:
        members = [idx for idx in members if len(np.unique(sessions[idx])) >= 2]
    if len(members) < 2:
        need = "windows of two sessions" if sessions is not None else "two windows"
        raise ValueError(
            f"{owner}: need at least 2 subjects with {need} (a same-subject pair); "
            f"got {len(members)} among {len(subjects)} subject(s)."
        )

    n_same = round(n_pairs * same_fraction)
    pairs = np.empty((n_pairs, 2), dtype=np.int64)
    same = np.zeros(n_pairs, dtype=np.int64)
    for i in range(n_same):
        idx = members[rng.randint(len(members))]
        a = idx[rng.randint(len(idx))]
        if sessions is None:
            others = idx[idx != a]
        else:  # the subject has two sessions, so a has partners in another
            others = idx[sessions[idx] != sessions[a]]
        pairs[i] = a, others[rng.randint(len(others))]
        same[i] = 1
    if sessions is None:
        for i in range(n_same, n_pairs):
            first, second = rng.choice(len(members), size=2, replace=False)
            pairs[i] = (
                members[first][rng.randint(len(members[first]))],
                members[second][rng.randint(len(members[second]))],
            )
    else:
        # Impostor pairs get the genuine pairs' session structure: the second
        # window comes from another session than the first. Otherwise "are
        # the sessions different?" alone separates the classes.
        for i in range(n_same, n_pairs):
            first = rng.randint(len(members))
            a = members[first][rng.randint(len(members[first]))]
            # Every other subject has two sessions, so windows outside a's.
            partners = [idx for k, idx in enumerate(members) if k != first]
            others = partners[rng.randint(len(partners))]
            others = others[sessions[others] != sessions[a]]
            pairs[i] = a, others[rng.randint(len(others))]
    order = rng.permutation(n_pairs)
    return pairs[order], same[order]


def pair_train_test_split(
    groups,
    *,
    test_size=0.2,
    n_train_pairs=2000,
    n_test_pairs=500,
    sessions=None,
    random_state=None,
):
    """Split subjects, then build training and test pairs on each side.

    The subjects are split first (:class:`~sklearn.model_selection.GroupShuffleSplit`),
    so no subject of a test pair appears in any training pair, as in the
    paper's dataset #5 (98 training subjects, 20 test subjects).

    Parameters
    ----------
    groups : array-like of shape (n_windows,)
        Subject of each window.
    test_size : float or int, default=0.2
        Fraction (float) or number (int) of subjects for the test pairs.
    n_train_pairs, n_test_pairs : int, default=2000, 500
        Number of balanced pairs on each side.
    sessions : array-like of shape (n_windows,), optional
        See :func:`make_pairs`.
    random_state : int, RandomState instance or None, default=None
        Seeds the subject split and the pairs.

    Returns
    -------
    train_pairs, train_same, test_pairs, test_same : ndarray
        Window indices (into the arrays given) of shape ``(n, 2)`` and
        same-subject labels, as returned by :func:`make_pairs`.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.verification import pair_train_test_split
    >>> groups = np.repeat(list("abcdefghij"), 5)
    >>> tr, tr_same, te, te_same = pair_train_test_split(
    ...     groups, test_size=3, n_train_pairs=40, n_test_pairs=10, random_state=0)
    >>> set(groups[tr].ravel()) & set(groups[te].ravel())
    set()
    """
    groups = _check_groups(groups, "pair_train_test_split")
    rng = check_random_state(random_state)
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=rng)
    train_idx, test_idx = next(splitter.split(groups, groups=groups))
    sub = None if sessions is None else np.asarray(sessions)
    train_pairs, train_same = make_pairs(
        groups[train_idx],
        n_train_pairs,
        sessions=None if sub is None else sub[train_idx],
        random_state=rng,
    )
    test_pairs, test_same = make_pairs(
        groups[test_idx],
        n_test_pairs,
        sessions=None if sub is None else sub[test_idx],
        random_state=rng,
    )
    train_pairs, test_pairs = train_idx[train_pairs], test_idx[test_pairs]
    shared = np.intersect1d(groups[train_pairs], groups[test_pairs])
    if shared.size:  # pragma: no cover - guaranteed by the subject split
        raise RuntimeError(f"pair_train_test_split: subjects {shared.tolist()} on both sides.")
    return train_pairs, train_same, test_pairs, test_same


def align_pairs(X_a, X_b, alignment="time"):
    """Join the two windows of each pair into one network input.

    Parameters
    ----------
    X_a, X_b : ndarray of shape (n_pairs, n_channels, n_timepoints)
        First and second member of each pair.
    alignment : {"time", "channels"}, default="time"
        ``"time"``: side by side along the time axis, the paper's horizontal
        alignment, giving ``(n_pairs, n_channels, 2 * n_timepoints)``;
        ``"channels"``: stacked along the channel axis, the paper's vertical
        alignment, giving ``(n_pairs, 2 * n_channels, n_timepoints)``.

    Returns
    -------
    X_pairs : ndarray
        C-contiguous, in the dtype of ``X_a``.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.verification import align_pairs
    >>> a, b = np.zeros((5, 6, 128)), np.ones((5, 6, 128))
    >>> align_pairs(a, b, "time").shape, align_pairs(a, b, "channels").shape
    ((5, 6, 256), (5, 12, 128))
    """
    if alignment not in ALIGNMENTS:
        raise ValueError(
            f"alignment must be one of {sorted(ALIGNMENTS)} (side by side in "
            f"time, or stacked channels); got {alignment!r}."
        )
    X_a, X_b = np.asarray(X_a), np.asarray(X_b)
    if X_a.ndim != 3 or X_a.shape != X_b.shape:
        raise ValueError(
            "align_pairs needs two arrays of the same shape (n_pairs, n_channels, "
            f"n_timepoints); got {X_a.shape} and {X_b.shape}."
        )
    return np.ascontiguousarray(np.concatenate((X_a, X_b), axis=ALIGNMENTS[alignment]))
