"""Cache of parsed recordings, one entry per source file.

An entry is an uncompressed ``.npz`` (read without pickle) whose key is the
source file's absolute path, the SHA-256 of its bytes and the loader's
version string (which includes the loader's options), kept in a folder per
source file and version (so a load need not list the dataset's thousands
of other entries to find a file's stale one): a changed source file
misses the cache and its stale entry is removed, even when the change kept
its size and modification time (``cp -p``, ``rsync -a``, unzip); entries for
other options of the same file are kept. The digest is also the one the
download registries list, so checking a file against its registry costs
nothing more.
"""

import hashlib
import json
import os
import tempfile
import threading
import warnings
import zipfile
from pathlib import Path

import numpy as np

from ..utils._cache import get_cache_home
from ._base import _RECORDING_IDS, Recording

__all__ = ["cached_recordings", "file_sha256", "get_cache_home"]

_SCALARS = ("channels", "rate", *_RECORDING_IDS, "segments", "info")


def _entry_folder(source_file, dataset, version):
    # One folder per source file and loader version, which carries the
    # loader's options (SisFall's accelerometer, UMAFall's rate): entries of
    # different options live side by side, and the stale entries of a file
    # are found without listing the dataset's thousands of others.
    key = f"{Path(source_file).resolve()}|{version}"
    return get_cache_home() / dataset / hashlib.sha1(key.encode()).hexdigest()[:16]


def file_sha256(path):
    """Return the hex SHA-256 of a file's bytes (the registries' digest).

    Hashing runs at about 0.5 GB/s on one core and releases the GIL, so the
    files of a dataset are hashed in parallel by the loading threads.
    """
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _entry_path(source_file, dataset, version, digest, depends=()):
    key = digest[:32]
    if depends:
        # Files read along with ``source_file``: any change of theirs misses too.
        stamps = [(str(Path(f).resolve()), file_sha256(f)) for f in depends]
        key += "-d" + hashlib.sha1(json.dumps(stamps).encode()).hexdigest()[:12]
    return _entry_folder(source_file, dataset, version) / f"{key}.npz"


def _save(entry, recordings):
    arrays = {}
    header = []
    for i, rec in enumerate(recordings):
        arrays[f"signal_{i}"] = rec.signal
        arrays[f"activity_{i}"] = rec.activity
        for name, events in rec.events.items():
            arrays[f"events_{i}_{name}"] = events
        fields = {k: getattr(rec, k) for k in _SCALARS}
        fields["events"] = list(rec.events)
        header.append(fields)
    arrays["header"] = np.array(json.dumps(header))
    entry.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
    os.close(fd)
    try:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, entry)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


#: Loaders read files in threads. NumPy parses each array header of an .npz
#: with ``ast.literal_eval``, and CPython 3.11's AST conversion is not safe
#: from two threads at once ("SystemError: AST constructor recursion depth
#: mismatch", seen here once while loading HuGaDB from the cache): cache
#: entries are read one at a time.
_READ_LOCK = threading.Lock()

#: What reading a damaged entry raises: a truncated or garbage file
#: (``BadZipFile``, ``EOFError``, ``ValueError``), a missing array
#: (``KeyError``), a header that is not the expected JSON (``ValueError``,
#: ``TypeError``, ``AttributeError``), an unreadable file (``OSError``).
_DAMAGED = (OSError, EOFError, zipfile.BadZipFile, ValueError, KeyError, TypeError, AttributeError)


def _load(entry):
    with _READ_LOCK:
        return _read_entry(entry)


def _read_entry(entry):
    with np.load(entry, allow_pickle=False) as npz:
        header = json.loads(str(npz["header"]))
        recordings = []
        for i, fields in enumerate(header):
            events = {name: npz[f"events_{i}_{name}"] for name in fields.pop("events")}
            fields["segments"] = {k: tuple(v) for k, v in fields["segments"].items()}
            recordings.append(
                Recording(
                    signal=npz[f"signal_{i}"],
                    activity=npz[f"activity_{i}"],
                    events=events,
                    **fields,
                )
            )
    return recordings


def cached_recordings(source_file, dataset, version, parse, cache=True, depends=(), check=None):
    """Return ``parse(source_file)`` (from the cache when the file is unchanged) and its SHA-256.

    "Unchanged" means the same bytes: the key holds the file's SHA-256, not
    its size and modification time.

    Parameters
    ----------
    source_file : str or Path
        The file the recordings are parsed from.
    dataset : str
        Dataset name (a sub-folder of the cache).
    version : int
        Parser version; bump it when a loader's output changes.
    parse : callable
        ``parse(source_file) -> list of Recording``. ``info`` and
        ``segments`` of the recordings must be JSON-serialisable.
    cache : bool, default=True
        If False, always parse and leave the cache untouched.
    depends : sequence of str or Path, default=()
        Other files ``parse`` reads (IPOL's sensor files next to a trial's
        JSON); their digests are part of the key.
    check : callable, optional
        ``check(source_file, sha256)``, called with the file's digest after
        a successful parse and on every cache hit (a registry check); it
        raises to refuse the file. A parse error is raised first, since it
        names the line.

    Returns
    -------
    recordings : list of Recording
    sha256 : str
        The file's digest (loaders refuse two files with the same one).

    Warns
    -----
    UserWarning
        If the file's cache entry cannot be read (truncated, empty, not an
        ``.npz``, a missing array): the file is parsed again and the entry
        replaced.
    """
    digest = file_sha256(source_file)
    if not cache:
        recordings = parse(source_file)
        if check is not None:
            check(source_file, digest)
        return recordings, digest
    entry = _entry_path(source_file, dataset, version, digest, depends)
    if entry.exists():
        if check is not None:
            check(source_file, digest)
        try:
            return _load(entry), digest
        except _DAMAGED as error:
            warnings.warn(
                f"the cache entry {entry} of {source_file} cannot be read "
                f"({type(error).__name__}: {error}); the file is parsed again and "
                "the entry replaced.",
                UserWarning,
                stacklevel=2,
            )
            entry.unlink(missing_ok=True)
    recordings = parse(source_file)
    if check is not None:
        check(source_file, digest)
    if entry.parent.is_dir():
        for stale in entry.parent.glob("*.npz"):
            stale.unlink(missing_ok=True)
    try:
        _save(entry, recordings)
    except OSError:
        pass  # a read-only or full cache folder must not stop a load
    return recordings, digest
