"""Authentication of unseen people with a threshold chosen on other unseen people."""

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from ..metrics import equal_error_rate
from ..utils._validation import check_windows

__all__ = ["evaluate_authentication"]


def _embed(estimator, X):
    method = getattr(estimator, "transform", None) or getattr(estimator, "embed", None)
    if method is None:
        raise TypeError(
            f"evaluate_authentication: {type(estimator).__name__} has neither transform "
            "nor embed; pass an estimator that maps windows to embedding vectors."
        )
    E = np.asarray(method(X), dtype=np.float64).reshape(len(X), -1)
    return E / np.maximum(np.linalg.norm(E, axis=1, keepdims=True), 1e-12)


def _claims(E, subjects, sessions):
    """Every probe window claims every identity of the people given.

    Each person is enrolled with the mean embedding of their first session
    (sorted order); every window of their other sessions is a probe.
    Returns (score, genuine, probe subject, claimed subject) of each claim.
    """
    people = np.unique(subjects)
    first = {p: np.sort(np.unique(sessions[subjects == p]))[0] for p in people}
    enrol = sessions == np.array([first[s] for s in subjects])
    templates = np.stack([E[enrol & (subjects == p)].mean(axis=0) for p in people])
    templates /= np.maximum(np.linalg.norm(templates, axis=1, keepdims=True), 1e-12)
    probe_subjects = subjects[~enrol]
    score = E[~enrol] @ templates.T
    return {
        "score": score.ravel(),
        "genuine": (probe_subjects[:, None] == people[None]).ravel(),
        "probe_subject": np.repeat(probe_subjects, len(people)),
        "claimed_subject": np.tile(people, len(probe_subjects)),
    }


def _choose_threshold(claims):
    """Equal error rate and its threshold on the (validation) claims."""
    return equal_error_rate(claims["genuine"], claims["score"], return_threshold=True)


def _split_people(people, n_splits, validation_size, rng):
    """(train, validation, test) people of each fold; test parts cover everyone once."""
    order = people[rng.permutation(len(people))]
    for test in np.array_split(order, n_splits):
        rest = order[~np.isin(order, test)]
        rest = rest[rng.permutation(len(rest))]
        n_val = max(2, round(validation_size * len(rest)))
        yield rest[n_val:], rest[:n_val], test


def evaluate_authentication(
    estimator, X, subjects, sessions, *, n_splits=5, validation_size=0.25, random_state=None
):
    """Authentication of unseen people, the threshold chosen on other unseen people.

    The people are split ``n_splits`` ways; in each fold one part is the
    *test* people and the others are split again into *training* people
    (the embedding ``estimator`` is fitted on their windows, the subject as
    label) and *validation* people. Given a list of candidate embeddings,
    each is fitted and the one with the lowest equal error rate on the
    validation people is kept for the fold. Validation and test people are each
    enrolled with the mean embedding of their first session, and every
    window of their other sessions claims, in turn, every identity of its
    own group (one genuine claim, the others impostor; score: cosine
    similarity to the claimed template). The decision threshold is the
    equal-error threshold of the validation claims, never of the test
    claims. The test claims of all folds are pooled: the false acceptance
    and false rejection rates at each fold's threshold, and one equal error
    rate over all pooled scores.

    Parameters
    ----------
    estimator : estimator with transform or embed, or list of them
        Maps windows to embedding vectors after ``fit(X, subjects)``
        (a pipeline ending in ``LinearDiscriminantAnalysis(solver="eigen")`` or
        :class:`~skgait.preprocessing.WithinClassWhitening`,
        :class:`~skgait.verification.SiameseVerifier`, or the untrained
        :class:`~skgait.features.GravityDirection` as the mounting control).
        Cloned in every fold. A list is a set of candidates, chosen per fold
        on the validation people.
    X : array-like of shape (n_windows, n_channels, n_timepoints)
        Windows. To test a re-mounted device, turn the probe sessions'
        windows first (:func:`~skgait.datasets.random_remount`).
    subjects : array-like of shape (n_windows,)
        Person of each window.
    sessions : array-like of shape (n_windows,)
        Session (trial, recording) of each window. People with a single
        session cannot be probed and are left out.
    n_splits : int, default=5
        Number of folds of the people; every person is a test person once.
    validation_size : float, default=0.25
        Fraction of the non-test people used as validation people (at least
        2).
    random_state : int, RandomState instance or None, default=None
        Seed of the split of the people.

    Returns
    -------
    result : dict
        ``eer`` (pooled test claims), ``far`` and ``frr`` (pooled test
        claims at the validation thresholds), ``n_genuine``,
        ``n_impostor``, ``n_people``; ``claims``: the pooled test claims
        (``score``, ``genuine``, ``accepted``, ``probe_subject``,
        ``claimed_subject``, ``fold``); ``folds``: per fold the
        ``train``, ``validation`` and ``test`` people, the ``threshold``
        and the index of the ``candidate`` chosen (0 for a single
        estimator).

    See Also
    --------
    skgait.metrics.verification_report : ROC AUC and EER of one set of scores.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.features import GravityDirection
    >>> from skgait.verification import evaluate_authentication
    >>> rng = np.random.default_rng(0)
    >>> subjects = np.repeat(np.arange(12), 6)
    >>> sessions = np.tile([1, 1, 1, 2, 2, 2], 12)
    >>> tilt = rng.normal(size=(12, 3))[subjects] + [0, 0, 5]
    >>> X = tilt[:, :, None] + 0.1 * rng.normal(size=(72, 3, 20))
    >>> result = evaluate_authentication(GravityDirection(), X, subjects, sessions,
    ...                                  n_splits=3, random_state=0)
    >>> result["eer"] < 0.1, result["n_people"]
    (True, 12)
    """
    X = check_windows(X, estimator="evaluate_authentication")
    subjects, sessions = np.asarray(subjects), np.asarray(sessions)
    if subjects.shape != (len(X),) or sessions.shape != (len(X),):
        raise ValueError(
            f"evaluate_authentication: subjects and sessions need one value per window "
            f"({len(X)}); got shapes {subjects.shape} and {sessions.shape}."
        )
    people = np.array(
        [p for p in np.unique(subjects) if len(np.unique(sessions[subjects == p])) >= 2]
    )
    if len(people) < 3 * n_splits:
        raise ValueError(
            f"evaluate_authentication: {len(people)} people have two sessions; "
            f"{n_splits} folds need at least {3 * n_splits} (training, validation and "
            "test people in every fold)."
        )
    if not 0.0 < validation_size < 1.0:
        raise ValueError(
            f"evaluate_authentication: validation_size must be in (0, 1); got {validation_size!r}."
        )
    candidates = list(estimator) if isinstance(estimator, (list, tuple)) else [estimator]
    if not candidates:
        raise ValueError("evaluate_authentication: the list of candidate estimators is empty.")
    rng = check_random_state(random_state)

    def claims_of(fitted, group):
        rows = np.isin(subjects, group)
        return _claims(_embed(fitted, X[rows]), subjects[rows], sessions[rows])

    pooled, folds = [], []
    for k, (train, validation, test) in enumerate(
        _split_people(people, n_splits, validation_size, rng)
    ):
        in_train = np.isin(subjects, train)
        fitted = [clone(c).fit(X[in_train], subjects[in_train]) for c in candidates]
        checked = [_choose_threshold(claims_of(f, validation)) for f in fitted]
        best = int(np.argmin([eer for eer, _ in checked]))
        threshold = checked[best][1]
        claims = claims_of(fitted[best], test)
        claims["accepted"] = claims["score"] >= threshold
        claims["fold"] = np.full(len(claims["score"]), k)
        pooled.append(claims)
        folds.append(
            {
                "train": train,
                "validation": validation,
                "test": test,
                "threshold": threshold,
                "candidate": best,
            }
        )
    claims = {key: np.concatenate([c[key] for c in pooled]) for key in pooled[0]}
    genuine = claims["genuine"]
    return {
        "eer": equal_error_rate(genuine, claims["score"]),
        "far": float(np.mean(claims["accepted"][~genuine])),
        "frr": float(np.mean(~claims["accepted"][genuine])),
        "n_genuine": int(genuine.sum()),
        "n_impostor": int((~genuine).sum()),
        "n_people": len(people),
        "claims": claims,
        "folds": folds,
    }
