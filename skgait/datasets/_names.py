"""Dataset names: the one resolver of aliases, for loaders, downloads and protocols."""

__all__ = ["DATASET_ALIASES", "canonical_name"]

#: Alias → canonical name.
DATASET_ALIASES = {"ipol_healthy_gait": "ipol"}


def canonical_name(name):
    """The canonical name of a dataset name or alias.

    Parameters
    ----------
    name : str
        A dataset name (``"ipol"``) or one of :data:`DATASET_ALIASES`
        (``"ipol_healthy_gait"``).

    Returns
    -------
    name : str
        ``name`` itself unless it is an alias; whether it names a dataset is
        for the caller to check.

    Examples
    --------
    >>> from skgait.datasets import canonical_name
    >>> canonical_name("ipol_healthy_gait"), canonical_name("sisfall")
    ('ipol', 'sisfall')
    """
    return DATASET_ALIASES.get(name, name) if isinstance(name, str) else name
