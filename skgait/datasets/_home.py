"""Where datasets live: the data home, and a clear error when files are missing."""

import os
from dataclasses import dataclass
from pathlib import Path

from ..exceptions import DatasetNotFoundError

__all__ = ["DatasetSource", "get_data_home", "resolve_dataset_path"]

#: Environment variable naming the data home.
DATA_HOME_ENV = "SKGAIT_DATA"


def get_data_home(data_home=None):
    """Return the folder under which skgait looks for datasets.

    Parameters
    ----------
    data_home : str or Path, optional
        Explicit folder. Without it, the environment variable ``SKGAIT_DATA``
        is used, then ``~/skgait_data``.

    Returns
    -------
    data_home : Path
        The folder, as an absolute path (it may not exist yet). A relative
        path, such as ``SKGAIT_DATA=../shared/data``, is taken relative to
        the current working directory at the time of the call, so that the
        returned folder stays the same for code that later changes directory
        or passes it to a subprocess started elsewhere.
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV) or Path.home() / "skgait_data"
    return Path(os.path.abspath(Path(data_home).expanduser()))


@dataclass(frozen=True)
class DatasetSource:
    """What a dataset's files look like and where to obtain them.

    Parameters
    ----------
    name : str
        Dataset name, for example ``"hugadb"``.
    folder : str
        Folder name under the data home.
    expected : str
        Glob pattern, relative to the dataset folder, that at least one file
        must match.
    layout : str
        Human-readable description of the expected files.
    url : str
        Where the data can be obtained.
    citation : str
        How the dataset's authors ask to be cited.
    """

    name: str
    folder: str
    expected: str
    layout: str
    url: str
    citation: str = ""


def resolve_dataset_path(source, path=None, data_home=None):
    """Return the folder of a dataset, or raise an error saying what is missing.

    Parameters
    ----------
    source : DatasetSource
        Description of the dataset.
    path : str or Path, optional
        Folder given by the user. Without it, ``<data home>/<source.folder>``.
    data_home : str or Path, optional
        Passed to :func:`get_data_home`.

    Returns
    -------
    path : Path
        Existing folder holding at least one file matching ``source.expected``.

    Raises
    ------
    DatasetNotFoundError
        If the folder does not exist or holds none of the expected files.
    """
    if path is None:
        home = get_data_home(data_home)
        path = home / source.folder
        origin = f"(the data home {home}; set {DATA_HOME_ENV} or pass path= to use another folder)"
    else:
        path = Path(path).expanduser()
        origin = "(the path given)"
    if not path.is_dir():
        problem = f"the folder {path} does not exist {origin}"
    elif next(path.glob(source.expected), None) is None:
        problem = f"the folder {path} holds no file matching {source.expected!r} {origin}"
    else:
        return path
    from ._download import downloadable_datasets  # here: _download imports _home

    hint = ""
    if source.name in downloadable_datasets():
        hint = (
            "\nOr pass download=True to the loader to download the public copy "
            "(pinned to a commit, checked by SHA-256)."
        )
    raise DatasetNotFoundError(
        f"{source.name}: {problem}.\nExpected layout: {source.layout}\n"
        f"Obtain the data from: {source.url}{hint}"
    )
