"""The exceptions and warnings skgait raises, in one module (as :mod:`sklearn.exceptions`).

Each derives from the built-in class a caller would already catch (a format
error is a :class:`ValueError`, missing data a :class:`FileNotFoundError`), and
its message names what is wrong and what to do.

Examples
--------
>>> from skgait.exceptions import DataFormatError
>>> issubclass(DataFormatError, ValueError)
True
"""

__all__ = [
    "ChecksumError",
    "ConfigError",
    "ConstantSeriesWarning",
    "DataFormatError",
    "DatasetNotFoundError",
    "DownloadError",
    "ImplausibleSignalWarning",
    "TrackingError",
    "TrainingDivergedError",
]


class DatasetNotFoundError(FileNotFoundError):
    """A dataset's files are not where skgait looked for them.

    The message says which files were expected, where, and where the data
    can be obtained.
    """


class DownloadError(DatasetNotFoundError):
    """A dataset file could not be downloaded.

    The message names the URL, the destination and how to place the file by
    hand. It is a :class:`~skgait.exceptions.DatasetNotFoundError`, so code that handles missing
    data handles a failed download too.
    """


class ChecksumError(DownloadError):
    """A downloaded file does not have the SHA-256 of the registry.

    The message names the file, the expected and the actual hash; the
    downloaded bytes are deleted.
    """


class DataFormatError(ValueError):
    """A data file does not have the documented format.

    The message names the file and, where it applies, the line and column.
    """


class ImplausibleSignalWarning(UserWarning):
    """A recording's values are implausible for a body-worn IMU in SI units.

    Non-finite values, accelerations or angular rates beyond any body-worn
    sensor's range, or a mean acceleration that is not gravity (a unit
    mix-up: g, mg, °/s). The message names the file and what is wrong.
    """


class ConstantSeriesWarning(UserWarning):
    """Some series were constant; their autocorrelation was set to 0."""


class ConfigError(ValueError):
    """A configuration (of a grid or a search) is invalid; ``errors`` lists every problem.

    Parameters
    ----------
    errors : list of str
        One message per problem, each naming its key and value.
    source : str, default="configuration"
        The file or what else the configuration came from.
    kind : str, default="grid"
        What is configured, for the message (``"grid"``, ``"search config"``).

    Attributes
    ----------
    errors : list of str
    source : str
    """

    def __init__(self, errors, source="configuration", kind="grid"):
        self.errors = list(errors)
        self.source = source
        lines = "\n".join(f"  - {e}" for e in self.errors)
        super().__init__(f"Invalid {kind} {source} ({len(self.errors)} problem(s)):\n{lines}")


class TrackingError(RuntimeError):
    """The tracking store could not be reached or refused a write.

    Attributes
    ----------
    results : DataFrame or None
        The grid's table when the error is raised at the end of a grid (the
        cells kept running and their rows are also in the local CSV).
    """

    def __init__(self, message, results=None):
        super().__init__(message)
        self.results = results


class TrainingDivergedError(FloatingPointError):
    """Training produced a NaN, infinite or exploding loss.

    Raised by :class:`~skgait.models.FiniteLossCheck` (a default callback of every skgait
    network, :class:`~skgait.verification.SiameseVerifier` included) at the
    end of the epoch whose loss is not finite or has exploded. The
    network's weights are then NaN or useless: a fit that went on would
    predict one class everywhere. Usual causes are a too large (or
    infinite) learning rate, unscaled inputs, or pretrained weights holding
    NaN.

    Attributes
    ----------
    epoch : int
        The epoch (counted from 1) whose loss diverged.
    key : str
        The history key of that loss (``"train_loss"``, ``"valid_loss"``).
    value : float
        The loss.
    """

    def __init__(self, message, epoch=None, key=None, value=None):
        super().__init__(message)
        self.epoch = epoch
        self.key = key
        self.value = value
