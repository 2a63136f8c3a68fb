"""Cache of parsed recordings, one entry per source file.

An entry is an uncompressed ``.npz`` (read without pickle) whose key is the
source file's absolute path, size and modification time and the loader's
version string (which includes the loader's options): a changed source file
misses the cache and its stale entry is removed; entries for other options of
the same file are kept.
"""

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from ._base import Recording

__all__ = ["cached_recordings", "get_cache_home"]

#: Environment variable naming the cache folder.
CACHE_HOME_ENV = "SKGAIT_CACHE"

_SCALARS = ("channels", "rate", "dataset", "subject", "recording", "trial",
            "placement", "source_placement", "segments", "info")


def get_cache_home():
    """Return the cache folder: ``SKGAIT_CACHE``, else ``$XDG_CACHE_HOME/skgait``.

    The default falls back to ``~/.cache/skgait``; the data folder itself may
    be read-only, so the cache never lives there.
    """
    if os.environ.get(CACHE_HOME_ENV):
        return Path(os.environ[CACHE_HOME_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "skgait"


def _entry_prefix(source_file, dataset, version):
    # The loader version carries the loader's options (SisFall's accelerometer,
    # UMAFall's rate): entries of different options live side by side.
    key = f"{Path(source_file).resolve()}|{version}"
    return get_cache_home() / dataset / hashlib.sha1(key.encode()).hexdigest()[:16]


def _entry_path(source_file, dataset, version, depends=()):
    stat = os.stat(source_file)
    prefix = _entry_prefix(source_file, dataset, version)
    key = f"{prefix.name}-{stat.st_size}-{stat.st_mtime_ns}"
    if depends:
        # Files read along with ``source_file``: any change of theirs misses too.
        stamps = [(str(Path(f).resolve()), os.stat(f).st_size, os.stat(f).st_mtime_ns)
                  for f in depends]
        key += "-d" + hashlib.sha1(json.dumps(stamps).encode()).hexdigest()[:12]
    return prefix.with_name(f"{key}.npz")


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


def _load(entry):
    with np.load(entry, allow_pickle=False) as npz:
        header = json.loads(str(npz["header"]))
        recordings = []
        for i, fields in enumerate(header):
            events = {name: npz[f"events_{i}_{name}"] for name in fields.pop("events")}
            fields["segments"] = {k: tuple(v) for k, v in fields["segments"].items()}
            recordings.append(
                Recording(signal=npz[f"signal_{i}"], activity=npz[f"activity_{i}"],
                          events=events, **fields)
            )
    return recordings


def cached_recordings(source_file, dataset, version, parse, cache=True, depends=()):
    """Return ``parse(source_file)``, from the cache when the file is unchanged.

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
        JSON); their size and modification time are part of the key.

    Returns
    -------
    recordings : list of Recording
    """
    if not cache:
        return parse(source_file)
    entry = _entry_path(source_file, dataset, version, depends)
    if entry.exists():
        try:
            return _load(entry)
        except (OSError, ValueError, KeyError):
            entry.unlink(missing_ok=True)  # unreadable entry: parse again
    recordings = parse(source_file)
    prefix = _entry_prefix(source_file, dataset, version).name
    for stale in entry.parent.glob(prefix + "-*.npz"):
        stale.unlink(missing_ok=True)
    try:
        _save(entry, recordings)
    except OSError:
        pass  # a read-only or full cache folder must not stop a load
    return recordings
