"""TOML configurations: reading, errors, and the keys grids and searches share.

A grid (``skgait grid``) and a search (``skgait search``) are configured in
one format whose keys are the Python parameter names: top-level ``tasks``,
``n_splits``, ``random_state``, ``tracking``, ``tracking_uri`` and
``experiment``, a ``[windows]`` table (the fields of
:class:`~skgait.experiments.WindowSpec`) and ``[[datasets]]`` entries are
written and checked the same way in both, by :class:`ConfigChecker`. Every
problem is collected and reported at once in one :class:`~skgait.exceptions.ConfigError`, each
naming its key and value (``windows.rate = -1: ...``).
"""

import math
import numbers
from pathlib import Path

from ...datasets import CHANNELS, PLACEMENTS, get_loader
from ...exceptions import ConfigError
from .._vocabulary import TASK_TARGETS
from .._windows import WindowSpec

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as the tomli package
    import tomli as tomllib

__all__ = ["TRACKING_KEYS", "ConfigChecker", "read_toml"]


def read_toml(path, kind="grid"):
    """The table of a TOML file; :class:`~skgait.exceptions.ConfigError` if it is not valid TOML.

    Parameters
    ----------
    path : path-like
        An existing file.
    kind : str, default="grid"
        As in :class:`~skgait.exceptions.ConfigError`.

    Returns
    -------
    config : dict
    """
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"<toml> = {Path(path).name!r}: {exc}"], str(path), kind) from exc


def is_int(value):
    """An integer, not a bool (TOML's ``true`` is not 1)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value):
    """A finite real number (TOML also has ``inf`` and ``nan``)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


#: Seeds NumPy accepts (``np.random.RandomState``): 0 to 2**32 - 1.
MAX_SEED = 2**32 - 1

_DATASET = {"dataset", "placement", "label"}
#: Tracking keys (the grid's parameters of the same names) → check, message.
TRACKING_KEYS = {
    "tracking": (lambda v: isinstance(v, bool), "expected true or false."),
    "tracking_uri": (lambda v: isinstance(v, str) and v, "expected a tracking URI string."),
    "experiment": (lambda v: isinstance(v, str) and v, "expected a name."),
    "results_path": (lambda v: isinstance(v, str) and v, "expected a CSV path."),
    "recompute": (lambda v: isinstance(v, bool), "expected true or false."),
    "register_name": (lambda v: isinstance(v, str) and v, "expected a model name."),
    "log_models": (
        lambda v: (
            isinstance(v, bool) or (isinstance(v, list) and all(isinstance(p, str) for p in v))
        ),
        "expected true, false or a list of cell-key patterns.",
    ),
}
#: Keys of the former ``[tracking]`` table → the top-level key that replaced it.
_TRACKING_MOVED = {
    "enabled": "tracking",
    "uri": "tracking_uri",
    "experiment": "experiment",
    "results": "results_path",
    "recompute": "recompute",
    "log_models": "log_models",
}


class ConfigChecker:
    """Checks of a configuration's keys, collecting every problem before raising.

    Grids and searches check the sections they share (``tasks``,
    ``n_splits``, ``random_state``, ``[windows]``, ``[[datasets]]``,
    ``[tracking]``) with the same methods, so that the same bad value gets
    the same message in both.

    Attributes
    ----------
    errors : list of str
        One ``"key = value: problem"`` per problem found so far.

    Examples
    --------
    >>> from skgait.experiments import ConfigChecker
    >>> checker = ConfigChecker()
    >>> checker.windows({"windows": {"rate": -1}})
    {'rate': -1}
    >>> checker.errors
    ['windows.rate = -1: expected a finite positive number of Hz, at most 10000.']
    """

    is_int = staticmethod(is_int)
    is_number = staticmethod(is_number)

    def __init__(self):
        self.errors = []

    def error(self, key, value, message):
        """Record that ``key = value`` is wrong, and why."""
        self.errors.append(f"{key} = {value!r}: {message}")

    def raise_errors(self, source, kind="grid"):
        """Raise one :class:`~skgait.exceptions.ConfigError` listing every problem, if any."""
        if self.errors:
            raise ConfigError(self.errors, source, kind)

    def unknown(self, table, allowed, prefix=""):
        """Record every key of ``table`` not in ``allowed``."""
        for key in table:
            if key not in allowed:
                self.error(
                    f"{prefix}{key}",
                    table[key],
                    f"unknown key; expected one of {', '.join(sorted(allowed))}.",
                )

    def names(self, key, value, allowed):
        """A non-empty list of names from ``allowed`` (a string is a list of one), or None."""
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.error(key, value, "expected a non-empty list of names.")
            return None
        ok = True
        for i, v in enumerate(value):
            if v not in allowed:
                self.error(
                    f"{key}[{i}]", v, f"unknown; expected one of {', '.join(map(repr, allowed))}."
                )
                ok = False
        return value if ok else None

    def table(self, config, key):
        """``config[key]``, a table (empty if absent)."""
        value = config.get(key, {})
        if not isinstance(value, dict):
            self.error(key, value, "expected a table.")
            return {}
        return value

    def tasks(self, config, default=("gender", "age")):
        """The ``tasks`` names, or None; with ``default=None`` the key is required."""
        value = config.get("tasks", None if default is None else list(default))
        return self.names("tasks", value, list(TASK_TARGETS))

    def n_splits(self, config):
        """``n_splits``, an integer >= 2 (default 5)."""
        value = config.get("n_splits", 5)
        if not is_int(value) or value < 2:
            self.error("n_splits", value, "expected an integer >= 2.")
        return value

    def seed(self, key, value):
        """Whether ``value`` is a seed NumPy accepts; records the problem if not."""
        if is_int(value) and 0 <= value <= MAX_SEED:
            return True
        self.error(key, value, f"expected an integer seed in [0, {MAX_SEED}] (NumPy's range).")
        return False

    def device(self, key, value):
        """A torch device this machine has (``"auto"`` always); records the problem if not."""
        from ...utils._validation import check_device, resolve_device

        if not isinstance(value, str):
            self.error(key, value, "expected a device name: 'cpu', 'cuda', 'cuda:N' or 'auto'.")
            return value
        try:
            check_device(resolve_device(value), "the networks")
        except ValueError as exc:
            self.error(key, value, str(exc))
        return value

    def windows(self, config):
        """The ``[windows]`` table as a :class:`~skgait.experiments.WindowSpec`'s fields."""
        windows = self.table(config, "windows")
        self.unknown(windows, set(WindowSpec.names()), "windows.")
        params = {k: v for k, v in windows.items() if k in WindowSpec.names()}
        for name, value, message in WindowSpec(**params).problems():
            if name in params and name != "channels":
                self.error(f"windows.{name}", value, message)
        if "channels" in params:
            channels = self.names("windows.channels", params["channels"], list(CHANNELS))
            params["channels"] = tuple(channels) if channels is not None else params["channels"]
        return params

    def datasets(self, config, files=None, folder=None):
        """The ``[[datasets]]`` entries, each ``{"dataset", "placement"[, "label"]}``.

        An entry may instead read a folder of the user's own recordings in
        :func:`~skgait.datasets.load_directory`'s layout: ``directory =
        "<folder>"`` (relative to ``folder``), with ``placement``, ``label``
        and load_directory's ``activity``, ``rate``, ``subjects`` and
        ``pattern``; kept as ``{"directory": path, ...}``.

        Parameters
        ----------
        config : dict
        files : path-like, optional
            A folder: an entry may then name a file of windows instead of a
            dataset (``windows = "<file.npz>"``, relative to the folder),
            kept as ``{"windows": path}``.
        folder : path-like, optional
            The configuration file's folder, against which a relative
            ``directory`` is read (default: ``files``, else the working
            directory).
        """
        folder = Path(folder if folder is not None else files if files is not None else ".")
        datasets = config.get("datasets")
        entries = []
        if not isinstance(datasets, list) or not datasets:
            self.error(
                "datasets",
                datasets,
                "expected a non-empty array of tables "
                "([[datasets]] with dataset = ... and placement = ...).",
            )
            return entries
        allowed = _DATASET if files is None else _DATASET | {"windows"}
        for i, entry in enumerate(datasets):
            key = f"datasets[{i}]"
            if not isinstance(entry, dict):
                self.error(key, entry, "expected a table with dataset and placement.")
                continue
            if "directory" in entry:
                entries.append(self._directory(key, entry, folder))
                continue
            self.unknown(entry, allowed, f"{key}.")
            if files is not None and "windows" in entry:
                entries.append(self._windows_file(key, entry, Path(files)))
                continue
            name = entry.get("dataset")
            try:
                get_loader(name)
            except ValueError as exc:
                self.error(f"{key}.dataset", name, str(exc))
            placement, label = self._placement_and_label(key, entry)
            spec = {"dataset": name, "placement": placement}
            if label is not None:
                spec["label"] = label
            entries.append(spec)
        return entries

    def _placement_and_label(self, key, entry):
        """An entry's ``placement`` (of PLACEMENTS, or None) and ``label`` (str or None)."""
        placement = entry.get("placement")
        if placement is not None and placement not in PLACEMENTS:
            self.error(
                f"{key}.placement",
                placement,
                f"unknown placement; expected one of {', '.join(PLACEMENTS)}.",
            )
        label = entry.get("label")
        if label is not None and not isinstance(label, str):
            self.error(f"{key}.label", label, "expected a string.")
        return placement, label

    def _directory(self, key, entry, folder):
        from .._entries import DIRECTORY_OPTIONS

        self.unknown(entry, {"directory", "placement", "label", *DIRECTORY_OPTIONS}, f"{key}.")
        path = entry["directory"]
        if not isinstance(path, str) or not (folder / path).is_dir():
            self.error(f"{key}.directory", path, f"no such folder (relative to {folder}).")
            return {"directory": path}
        self._placement_and_label(key, entry)
        return {**entry, "directory": str((folder / path).resolve())}

    def _windows_file(self, key, entry, folder):
        file = entry["windows"]
        others = sorted(set(entry) & {"dataset", "placement"})
        if others:
            self.error(
                f"{key}.windows",
                file,
                f"give either windows or dataset and placement, not both ({', '.join(others)}).",
            )
        if not isinstance(file, str) or not (folder / file).is_file():
            self.error(f"{key}.windows", file, f"no such file (relative to {folder}).")
            return {"windows": file}
        return {"windows": folder / file}

    def tracking(self, config, keys=tuple(TRACKING_KEYS)):
        """The tracking keys of ``config`` (``tracking``, ``tracking_uri``...), checked.

        A ``[tracking]`` table (the former format) is refused, naming the
        top-level key each of its keys is now.

        Parameters
        ----------
        config : dict
        keys : sequence of str
            The keys allowed (a search has no ``results_path``,
            ``recompute`` nor ``log_models``).
        """
        if isinstance(config.get("tracking"), dict):
            for key, value in config["tracking"].items():
                moved = _TRACKING_MOVED.get(key)
                if moved in keys:
                    self.error(
                        f"tracking.{key}",
                        value,
                        f"moved: write {moved} = {value!r} at the top level.",
                    )
                else:
                    self.error(f"tracking.{key}", value, "unknown key.")
            return {}
        params = {}
        for key in keys:
            if key in config:
                check, message = TRACKING_KEYS[key]
                if not check(config[key]):
                    self.error(key, config[key], message)
                params[key] = config[key]
        return params
