"""Named evaluation protocols: ``"subject"`` (default), ``"cross_session"``, ``"leaky_window"``."""

from ._split import CrossSessionSplit, LeakyWindowKFold, SubjectKFold, SubjectRegressionKFold

__all__ = ["evaluation_protocols", "get_protocol"]

_PROTOCOLS = {
    "subject": (
        "Subject-wise K-fold (default, honest): test subjects are never seen in "
        "training; stratified by class (SubjectKFold) or by binned target "
        "(SubjectRegressionKFold). Measures recognition in new people."
    ),
    "cross_session": (
        "Cross-session (CrossSessionSplit): train on one session/trial, test on "
        "another session of the same subjects. Measures transfer across "
        "sessions for known people, not generalisation to new people; on the "
        "shared data the sessions are consecutive trials with the device left in "
        "place (cross-trial, same mounting)."
    ),
    "leaky_window": (
        "Window-level shuffled K-fold (LeakyWindowKFold): windows of every "
        "subject on both sides. Measures re-identification; exists only to "
        "reproduce papers that used it."
    ),
}


def evaluation_protocols():
    """Return the named evaluation protocols and what each one measures.

    Returns
    -------
    protocols : dict of str to str
        Protocol name → description. The first, ``"subject"``, is the
        default everywhere in skgait.

    See Also
    --------
    get_protocol : Build the splitter of a named protocol.

    Examples
    --------
    >>> from skgait.model_selection import evaluation_protocols
    >>> list(evaluation_protocols())
    ['subject', 'cross_session', 'leaky_window']
    """
    return dict(_PROTOCOLS)


def get_protocol(
    protocol="subject",
    *,
    task="classification",
    n_splits=5,
    shuffle=True,
    random_state=None,
    train=None,
    test=None,
):
    """Return the cross-validation splitter of a named protocol.

    Parameters
    ----------
    protocol : str or splitter, default="subject"
        A name from :func:`evaluation_protocols`, or a splitter instance,
        which is returned unchanged.
    task : {"classification", "regression"}, default="classification"
        Picks :class:`SubjectKFold` or :class:`SubjectRegressionKFold` for
        ``"subject"``.
    n_splits : int, default=5
        Number of folds of ``"subject"`` and ``"leaky_window"``.
    shuffle : bool, default=True
        Shuffle subjects (``"subject"``) or windows (``"leaky_window"``).
    random_state : int or None, default=None
        Seed of the shuffling.
    train, test : label or list of labels, default=None
        Sessions of ``"cross_session"``; both None means
        leave-one-session-out.

    Returns
    -------
    cv : cross-validation splitter

    Raises
    ------
    ValueError
        If ``protocol`` or ``task`` is unknown.

    Examples
    --------
    >>> from skgait.model_selection import get_protocol
    >>> get_protocol("subject", task="regression", random_state=0)
    SubjectRegressionKFold(bins=4, n_splits=5, random_state=0, shuffle=True)
    >>> get_protocol("cross_session", train="D01", test="D02")
    CrossSessionSplit(test='D02', train='D01')
    """
    if task not in ("classification", "regression"):
        raise ValueError(f"Unknown task {task!r}; expected 'classification' or 'regression'.")
    if not isinstance(protocol, str):
        if not hasattr(protocol, "split"):
            raise TypeError(
                f"protocol must be a name from evaluation_protocols() or a "
                f"splitter with a split method; got {protocol!r}."
            )
        return protocol
    if protocol == "subject":
        cls = SubjectKFold if task == "classification" else SubjectRegressionKFold
        return cls(n_splits=n_splits, shuffle=shuffle, random_state=random_state)
    if protocol == "cross_session":
        return CrossSessionSplit(train=train, test=test)
    if protocol == "leaky_window":
        return LeakyWindowKFold(n_splits=n_splits, shuffle=shuffle, random_state=random_state)
    raise ValueError(
        f"Unknown protocol {protocol!r}; expected one of "
        f"{', '.join(repr(p) for p in _PROTOCOLS)} or a splitter instance."
    )
