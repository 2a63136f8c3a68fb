"""Download public gait datasets, pinned to a commit and checked by SHA-256.

Each downloadable dataset has a registry, ``registry/<name>.csv`` in this
package, with one row per file: ``path`` (relative to the dataset folder),
``url`` (a ``raw.githubusercontent.com`` address that names the origin
commit, so the bytes can never change under the same address), ``sha256``
and ``size``. The loaders read the subject table from where the release
keeps it (a read-me, which is always downloaded, or the data files'
headers), so a download is the release's own files and nothing else.

Files are fetched with pooch (Uieda et al., 2020), which downloads to a
temporary file next to the destination and moves it into place only when
its SHA-256 matches the registry; a mismatching download is deleted. Files already present are not
downloaded again; the loaders check each file the registry lists against its
size and SHA-256 when they read it (:func:`registry_check`), so a truncated
or edited copy is refused rather than read.
"""

import csv
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path

import pooch
import requests

from ..exceptions import ChecksumError, DataFormatError, DownloadError
from ..utils._docstring import fill_doc
from ._home import get_data_home
from ._names import canonical_name

__all__ = [
    "DOWNLOAD_URL_ENV",
    "RegistryEntry",
    "dataset_registry",
    "download_dataset",
    "downloadable_datasets",
]

#: Environment variable naming a mirror of ``https://raw.githubusercontent.com``.
DOWNLOAD_URL_ENV = "SKGAIT_DOWNLOAD_URL"

#: Host of every registry URL; a mirror replaces it (see ``base_url``).
DEFAULT_BASE_URL = "https://raw.githubusercontent.com"

_CHUNK = 1 << 20
_WORKERS = 4
_logger = logging.getLogger(__name__)

#: Registry name → folder under the data home (the loaders' ``SOURCE.folder``).
_FOLDERS = {
    "hugadb": "HuGaDB",
    "ipol": "IPOL_HealthyGait",
    "sisfall": "SisFall",
    "umafall": "UMAFall",
}

#: Files downloaded whatever ``files`` selects: the read-me holding the
#: subject table.
_SUBJECT_TABLES = {"hugadb": "ReadMe.txt", "sisfall": "Readme.txt"}


@dataclass(frozen=True)
class RegistryEntry:
    """One file of a dataset registry.

    Parameters
    ----------
    path : str
        Path relative to the dataset folder, with ``/`` separators.
    url : str
        Address pinned to a commit of the origin repository.
    sha256 : str
        Hex SHA-256 of the file's bytes.
    size : int
        Size in bytes.
    """

    path: str
    url: str
    sha256: str
    size: int


def downloadable_datasets():
    """Return the names of the datasets that can be downloaded.

    Returns
    -------
    names : list of str
        Names accepted by :func:`download_dataset`, which are also the
        ``dataset`` names of the loaded recordings.

    Examples
    --------
    >>> from skgait.datasets import downloadable_datasets
    >>> downloadable_datasets()
    ['hugadb', 'ipol', 'sisfall', 'umafall']
    """
    return sorted(_FOLDERS)


def _registry_file(name):
    return resources.files("skgait.datasets") / "registry" / name


def _check_name(name):
    """The canonical name of a downloadable dataset (aliases accepted), or ValueError."""
    canonical = canonical_name(name)
    if canonical not in _FOLDERS:
        raise ValueError(
            f"no download registry for {name!r}; datasets that can be downloaded: "
            f"{', '.join(downloadable_datasets())}."
        )
    return canonical


def dataset_registry(name):
    """Return the files of a dataset's registry.

    Parameters
    ----------
    name : str
        One of :func:`downloadable_datasets`, or an alias of one
        (``"ipol_healthy_gait"`` for ``"ipol"``).

    Returns
    -------
    entries : list of RegistryEntry
        One per file, in the registry's order.

    Examples
    --------
    >>> from skgait.datasets import dataset_registry
    >>> entry = dataset_registry("sisfall")[1]
    >>> entry.path
    'SA01/D01_SA01_R01.txt'
    >>> entry.url.split("/")[3:6]
    ['Brisabrin', 'FallDetectionAlgorithm', '19c3aa2ee86ca75320d6d430db912d621053a652']
    """
    name = _check_name(name)
    with _registry_file(f"{name}.csv").open(encoding="utf-8", newline="") as file:
        return [
            RegistryEntry(row["path"], row["url"], row["sha256"].lower(), int(row["size"]))
            for row in csv.DictReader(file)
        ]


def registry_check(name, folder):
    """Return a check of a dataset's files against its registry, or None.

    Parameters
    ----------
    name : str
        Dataset name; datasets without a registry get ``None``.
    folder : Path
        The dataset folder the registry's paths are relative to.

    Returns
    -------
    check : callable or None
        ``check(file, sha256)``: nothing for a file the registry does not
        list, else raises :class:`~skgait.exceptions.DataFormatError` when the
        file's size or SHA-256 differs from the registry's.
    """
    name = canonical_name(name)
    if name not in _FOLDERS:
        return None
    entries = {entry.path: entry for entry in dataset_registry(name)}
    folder = Path(folder).resolve()

    def check(file, sha256):
        try:
            key = Path(file).resolve().relative_to(folder).as_posix()
        except ValueError:
            return
        entry = entries.get(key)
        if entry is None or sha256 == entry.sha256:
            return
        size = os.stat(file).st_size
        what = (
            f"has {size} bytes, the registry's copy {entry.size}: it is "
            f"{'truncated' if size < entry.size else 'longer'} or edited"
            if size != entry.size
            else f"has the registry's size but another SHA-256 ({sha256}, "
            f"expected {entry.sha256}): it was edited"
        )
        raise DataFormatError(
            f"{file} {what}, so its values cannot be trusted. Delete it and run "
            f"skgait.datasets.download_dataset({name!r}, {str(folder)!r}) to fetch "
            f"the pinned copy ({entry.url})."
        )

    return check


def _mirror_url(url, base_url):
    if base_url is None:
        return url
    if not url.startswith(DEFAULT_BASE_URL + "/"):
        raise ValueError(f"registry URL {url} does not start with {DEFAULT_BASE_URL}/.")
    return base_url.rstrip("/") + url[len(DEFAULT_BASE_URL) :]


def _manual_hint(name, url, destination):
    return (
        f"To install it by hand, fetch {url}\nand save it as {destination} "
        f"(skgait/datasets/registry/{name}.csv lists {name}'s files with their "
        f"addresses and SHA-256), or set {DOWNLOAD_URL_ENV} to a mirror of "
        f"{DEFAULT_BASE_URL}."
    )


def _describe(error):
    response = getattr(error, "response", None)
    if response is not None:
        return f"HTTP {response.status_code} {response.reason}"
    return str(error)


def _fetch(name, entry, destination, base_url, timeout):
    """Download one file with pooch, which checks its SHA-256 before moving it in place."""
    url = _mirror_url(entry.url, base_url)
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        pooch.retrieve(
            url,
            known_hash=f"sha256:{entry.sha256}",
            fname=destination.name,
            path=destination.parent,
            downloader=pooch.HTTPDownloader(timeout=timeout, chunk_size=_CHUNK),
        )
    except ValueError as error:  # pooch: the hash does not match
        raise ChecksumError(
            f"{name}: the download of {entry.path} from {url} is corrupted "
            f"(expected {entry.size} bytes with SHA-256 {entry.sha256}): {error} "
            f"The downloaded bytes were deleted and {destination} was not written. "
            f"Try again later, or see below.\n" + _manual_hint(name, entry.url, destination)
        ) from error
    except (requests.RequestException, OSError) as error:
        raise DownloadError(
            f"{name}: could not download {entry.path} from {url}: "
            f"{_describe(error)}.\n" + _manual_hint(name, entry.url, destination)
        ) from error
    _logger.info("%s: downloaded %s (%d bytes)", name, entry.path, entry.size)
    return destination


@fill_doc
def download_dataset(name, path=None, *, data_home=None, files=None, base_url=None, timeout=60.0):
    """Download a public dataset's files that are missing, checked by SHA-256.

    Every file comes from the origin repository at a pinned commit (see
    :func:`dataset_registry`); its SHA-256 must match the registry or it is
    deleted and :class:`~skgait.exceptions.ChecksumError` raised. Files are written to a
    temporary file first and moved into place once checked, so an
    interrupted download leaves no partial file: running again fetches what
    is missing. Files already present are not downloaded nor hashed again.
    The read-me that holds the subject table (SisFall's and HuGaDB's) is
    always downloaded, whatever ``files`` selects.

    Parameters
    ----------
    name : str
        One of :func:`downloadable_datasets`, for example ``"sisfall"``, or
        an alias of one (``"ipol_healthy_gait"`` for ``"ipol"``).
    path : str or Path, optional
        The dataset folder to fill. Default: ``<data home>/<folder>`` (for
        example ``~/skgait_data/SisFall``), the folder the loader reads.
    {data_home}
    files : str or list of str, optional
        Glob patterns over the registry's paths (``"SA01/*"``): download only
        the files matching one of them (and the read-me with the subject
        table). Default: every file.
    base_url : str, optional
        A mirror of ``https://raw.githubusercontent.com``: file
        ``https://raw.githubusercontent.com/<owner>/<repo>/<commit>/<path>``
        is fetched from ``<base_url>/<owner>/<repo>/<commit>/<path>``.
        Default: the environment variable ``SKGAIT_DOWNLOAD_URL``, else
        GitHub itself.
    timeout : float, default=60.0
        Seconds to wait for the server, per connection attempt and read.

    Returns
    -------
    path : Path
        The dataset folder.

    Raises
    ------
    DownloadError
        If a file cannot be fetched (no network, server error); the message
        names the URL and where to save the file by hand.
    ChecksumError
        If a downloaded file's SHA-256 differs from the registry's; the
        message names the file and both hashes.

    See Also
    --------
    dataset_registry : The pinned files of a dataset.

    Examples
    --------
    >>> from skgait.datasets import download_dataset, load_sisfall
    >>> folder = download_dataset("sisfall", files="SA01/*")  # doctest: +SKIP
    >>> load_sisfall(folder)  # doctest: +SKIP
    """
    name = _check_name(name)
    if path is None:
        path = get_data_home(data_home) / _FOLDERS[name]
    path = Path(path).expanduser()
    if base_url is None:
        base_url = os.environ.get(DOWNLOAD_URL_ENV) or None
    entries = dataset_registry(name)
    if files is not None:
        patterns = [files] if isinstance(files, str) else list(files)
        selected = [e for e in entries if any(fnmatch(e.path, p) for p in patterns)]
        if not selected:
            raise ValueError(
                f"{name}: no registry file matches {patterns}; paths look like "
                f"{dataset_registry(name)[0].path!r}."
            )
        entries = selected + [
            e for e in entries if e.path == _SUBJECT_TABLES.get(name) and e not in selected
        ]
    missing = [e for e in entries if not (path / e.path).is_file()]
    if missing:
        _logger.info(
            "%s: downloading %d files (%.1f MB) into %s",
            name,
            len(missing),
            sum(e.size for e in missing) / 1e6,
            path,
        )
        with ThreadPoolExecutor(max_workers=min(_WORKERS, len(missing))) as pool:
            futures = [
                pool.submit(_fetch, name, e, path / e.path, base_url, timeout) for e in missing
            ]
            errors = [f.exception() for f in futures]
        errors = [error for error in errors if error is not None]
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise type(errors[0])(
                f"{errors[0]}\n{len(errors) - 1} more of the {len(missing)} files "
                f"failed; the {len(missing) - len(errors)} others were saved. Run "
                f"again to fetch what is still missing."
            ) from errors[0]
    return path
