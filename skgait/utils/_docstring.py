"""Parameter descriptions shared by several docstrings, written once.

:func:`fill_doc` replaces a line ``{name}`` of a docstring with the entry
``name`` of :data:`DOCS`, as imbalanced-learn's ``Substitution`` and
braindecode's docstring templates do, so that a parameter many functions
share (``data_home``, ``cache``, ...) is described in one place while each
docstring still names it where it stands in the source.
"""

import re

__all__ = ["DOCS", "fill_doc"]

#: Parameter name -> its numpydoc entry (type line, then the description
#: indented by four spaces).
DOCS = {
    "data_home": """data_home : str or Path, optional
    See :func:`~skgait.datasets.get_data_home`.""",
    "cache": """cache : bool, default=True
    Reuse parsed files from the cache.""",
    "download": """download : bool, default=False
    Download the files of the public copy that are missing (pinned to
    a commit and checked by SHA-256) into ``path`` or the dataset's
    folder in the data home first; see
    :func:`~skgait.datasets.download_dataset`.""",
    "random_state": """random_state : int, RandomState instance or None, default=None
    Seed of the random draws; an int makes them repeatable.""",
    # Methods of estimators and splitters.
    "X_windows": """X : array-like of shape (n_windows, ...)
    Windows.""",
    "X_split": """X : array-like of shape (n_windows, ...)
    Windows; only their number is used.""",
    "y_ignored": """y : object
    Ignored.""",
    "groups_subjects": """groups : array-like of shape (n_windows,)
    Subject id of each window.""",
    "split_yields": """train : ndarray
    Training-set indices for that split.
test : ndarray
    Test-set indices for that split.""",
    "X_groups": """X : ndarray of shape (n_windows, n_channels, n_timepoints)
    Windows.
groups : array-like of shape (n_windows,)
    Subject (or recording) of each window.""",
    "unique_groups": """unique_groups : ndarray of shape (n_groups,)
    Sorted group labels.""",
    # Networks (skgait.models.networks).
    "n_outputs_network": """n_outputs : int
    Number of outputs (1 for a binary problem with a single logit).""",
    "lstm_dropout": """dropout : float, default=0.5
    Dropout before the output layer (and between the two layers of a
    ``"two_layer"`` LSTM).""",
    "conv_features": """features : torch.nn.Sequential
    Convolution, ReLU and max-pooling layers (same parameter names and
    shapes as ``BioDeepCNN.features``).""",
    # Window transformers (skgait.features).
    "n_channels_": """n_channels_ : int
    Number of channels seen in :meth:`fit`.""",
    "X_transform": """X : ndarray of shape (n_windows, n_channels, n_timepoints)
    Windows with the channels seen in :meth:`fit`.""",
    "fit_y": """y : None
    Ignored.""",
    "fit_returns": """Returns
-------
self : object
    The fitted transformer.""",
    "feature_names_out": """Parameters
----------
input_features : array-like of str, optional
    Channel names.

Returns
-------
names : ndarray of str
    Output feature names.""",
    "feature_names_out_fixed": """Parameters
----------
input_features : None
    Ignored.

Returns
-------
names : ndarray of str
    Output feature names.""",
}

_PLACEHOLDER = re.compile(r"^([ \t]*)\{(\w+)\}[ \t]*$", flags=re.MULTILINE)


def fill_doc(obj):
    """Replace each ``{name}`` line of ``obj``'s docstring with ``DOCS[name]``.

    Only whole lines holding one placeholder are replaced (other braces, such
    as ``{"mean", "sum"}``, stay as written); the entry takes the
    placeholder's indentation.

    Parameters
    ----------
    obj : function or class
        Its ``__doc__`` is rewritten in place (nothing to do under
        ``python -OO``).

    Returns
    -------
    obj : function or class

    Raises
    ------
    KeyError
        For a placeholder that names no entry of :data:`DOCS`.

    Examples
    --------
    >>> from skgait.utils._docstring import fill_doc
    >>> @fill_doc
    ... def load(cache=True):
    ...     '''Load.
    ...
    ...     Parameters
    ...     ----------
    ...     {cache}
    ...     '''
    >>> print(load.__doc__.strip())
    Load.
    <BLANKLINE>
        Parameters
        ----------
        cache : bool, default=True
            Reuse parsed files from the cache.
    """

    def entry(match):
        indent, name = match.groups()
        if name not in DOCS:
            raise KeyError(f"{obj.__qualname__}'s docstring names {{{name}}}, not in DOCS.")
        return "\n".join(indent + line if line else line for line in DOCS[name].split("\n"))

    if obj.__doc__:
        obj.__doc__ = _PLACEHOLDER.sub(entry, obj.__doc__)
    return obj
