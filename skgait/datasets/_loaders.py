"""The datasets skgait loads by name: one table for grids, searches and the CLI.

Each dataset has one canonical name, the one grids, searches, downloads,
their tables and ``skgait datasets`` show. A loader's longer name is
accepted as an alias wherever a name is (:func:`canonical_name`).
"""

from ._hugadb import load_hugadb
from ._ipol import load_ipol_healthy_gait
from ._names import DATASET_ALIASES, canonical_name
from ._ou_isir import load_ou_isir
from ._sisfall import load_sisfall
from ._umafall import load_umafall
from ._whu_gait import load_whu_gait

__all__ = ["DATASET_ALIASES", "DATASET_LOADERS", "get_loader"]

#: Canonical dataset name → loader.
DATASET_LOADERS = {
    "hugadb": load_hugadb,
    "ipol": load_ipol_healthy_gait,
    "sisfall": load_sisfall,
    "umafall": load_umafall,
    "ou_isir": load_ou_isir,
    "whu_gait": load_whu_gait,
}


def get_loader(name):
    """The loader of a dataset name or alias.

    Parameters
    ----------
    name : str
        A key of :data:`DATASET_LOADERS` or :data:`DATASET_ALIASES`.

    Returns
    -------
    loader : callable
        ``loader(data_home=None, ...)`` returning a
        :class:`~skgait.datasets.GaitDataset`.

    Raises
    ------
    ValueError
        If ``name`` is neither, listing the names accepted.

    Examples
    --------
    >>> from skgait.datasets import get_loader
    >>> get_loader("ipol").__name__
    'load_ipol_healthy_gait'
    >>> get_loader("ipol_healthy_gait") is get_loader("ipol")
    True
    """
    name = canonical_name(name)
    if isinstance(name, str) and name in DATASET_LOADERS:
        return DATASET_LOADERS[name]
    aliases = ", ".join(f"{a!r} for {c!r}" for a, c in DATASET_ALIASES.items())
    raise ValueError(
        f"unknown dataset {name!r}; expected one of "
        f"{', '.join(map(repr, DATASET_LOADERS))} (alias {aliases})."
    )
