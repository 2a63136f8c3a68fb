"""The MLflow store behind grids and searches: one client on one experiment.

Both trackers talk to the store through an explicit
:class:`mlflow.tracking.MlflowClient` (no fluent ``mlflow.start_run``
global state), so they work the same with the embedded SQLite store
(``sqlite:///mlflow.db``), a file store or a remote ``mlflow server``.
Every call that talks to the store is wrapped so that a failure surfaces as
one :class:`~skgait.exceptions.TrackingError` naming the tracking URI.
"""

from __future__ import annotations

import contextlib
import math
import re
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

from ..exceptions import TrackingError
from ._context import context_tags

__all__ = ["DEFAULT_TRACKING_URI", "check_tracking_server"]

#: The embedded store used when no tracking URI is given: a SQLite file in
#: the working directory, no server needed.
DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"

# MLflow's limits (mlflow.utils.validation); values are truncated to fit.
_MAX_PARAM_VALUE = 6000
_MAX_TAG_VALUE = 8000
_MAX_KEY = 250
_MAX_PARAMS_TAGS_PER_BATCH = 100
_MAX_ENTITIES_PER_BATCH = 1000


def _truncate(text, limit):
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_finite(value):
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _metric_history(key, values, timestamp, steps=None):
    """``values`` as the history of metric ``key`` at ``steps`` (default 0, 1, ...).

    Non-finite values (and values that are not numbers) are left out:
    MLflow stores them, but they are no score.
    """
    from mlflow.entities import Metric

    steps = range(len(values)) if steps is None else steps
    return [
        Metric(key, float(value), timestamp, int(step))
        for step, value in zip(steps, values)
        if _is_finite(value)
    ]


def _sqlite_path(tracking_uri):
    """The database file of a ``sqlite:///`` URI, or None for other stores."""
    prefix = "sqlite:///"
    if not tracking_uri.startswith(prefix) or len(tracking_uri) == len(prefix):
        return None
    return Path(tracking_uri[len(prefix) :]).resolve()


def _local_artifact_location(tracking_uri, experiment):
    """Artifacts next to a SQLite store (``<db folder>/mlruns/<experiment>``).

    MLflow's own default is ``./mlruns`` in the working directory, wherever
    the database is; keeping them beside the database keeps a store in one
    folder. None (MLflow's default) for servers and other stores.
    """
    path = _sqlite_path(tracking_uri)
    if path is None:
        return None
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", experiment)
    return (path.parent / "mlruns" / name).as_uri()


@contextlib.contextmanager
def _store_lock(tracking_uri):
    """Hold ``<database>.lock`` beside a SQLite store while it is opened.

    MLflow creates and migrates a new SQLite store's tables when a client
    first opens it; two processes doing so at once both fail (``duplicate
    column name``, an Alembic error). The lock serialises opening the store
    and creating the experiment; other stores (servers) are not locked.
    """
    path = _sqlite_path(tracking_uri)
    if path is None or fcntl is None or not path.parent.is_dir():
        yield
        return
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def check_tracking_server(tracking_uri, timeout=5.0):
    """Fail in seconds if an HTTP tracking server does not answer.

    MLflow's own client retries an unreachable server for minutes before it
    gives up; grids and searches check the server with this first, before
    they load data or start a study. Any HTTP answer (even an error status)
    counts as reachable; only URIs starting with ``http://`` or
    ``https://`` are checked.

    Parameters
    ----------
    tracking_uri : str
        MLflow tracking URI.
    timeout : float, default=5.0
        Seconds to wait for an answer.

    Raises
    ------
    TrackingError
        If the server refuses the connection, cannot be resolved or does not
        answer within ``timeout`` seconds.
    """
    import urllib.error
    import urllib.request

    if not tracking_uri.startswith(("http://", "https://")):
        return
    url = tracking_uri.rstrip("/") + "/health"
    try:
        with urllib.request.urlopen(url, timeout=timeout):  # noqa: S310 (http(s) only)
            pass
    except urllib.error.HTTPError:
        return  # it answered
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TrackingError(
            f"The MLflow tracking server {tracking_uri!r} is not reachable "
            f"({type(reason).__name__}: {reason}; waited at most {timeout:g} s). Start "
            "the server, give another tracking URI (the default sqlite:///mlflow.db "
            "needs no server), or turn tracking off (skgait grid --no-tracking; "
            "skgait search without tracking_uri)."
        ) from exc


class _ExperimentTracker:
    """What both trackers share: a client on one experiment, opened by :meth:`connect`.

    ``tracking_uri`` (None is :data:`DEFAULT_TRACKING_URI`) and
    ``experiment`` are those of the subclass (:class:`MlflowTracker`,
    :class:`SearchTracker`).
    """

    def __init__(self, tracking_uri, experiment):
        self.tracking_uri = tracking_uri or DEFAULT_TRACKING_URI
        self.experiment = experiment
        self.client = None
        self.experiment_id = None
        self.source_tags = {}

    def _call(self, what, func, *args, **kwargs):
        """``func(*args, **kwargs)``; any failure as a :class:`~skgait.exceptions.TrackingError`."""
        try:
            return func(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - any store failure
            raise TrackingError(
                f"MLflow tracking at {self.tracking_uri!r} failed while {what}: "
                f"{type(exc).__name__}: {_truncate(str(exc), 500)}"
            ) from exc

    def connect(self):
        """Open the store and the experiment (creating it if needed); returns ``self``.

        A tracking server (``http(s)://``) that does not answer fails here
        within seconds (:func:`check_tracking_server`). A new experiment on
        a SQLite store keeps its artifacts beside the database
        (``<db folder>/mlruns/<experiment>``), not in the working directory.
        Processes opening one SQLite store at once take turns (a lock file
        ``<database>.lock`` beside it), so that a new store is created once.

        Raises
        ------
        TrackingError
            If the store cannot be opened, or the experiment is deleted.
        """
        from mlflow.tracking import MlflowClient

        check_tracking_server(self.tracking_uri)
        self.source_tags = context_tags()

        def _open():
            client = MlflowClient(tracking_uri=self.tracking_uri)
            experiment = client.get_experiment_by_name(self.experiment)
            if experiment is None:
                experiment_id = client.create_experiment(
                    self.experiment,
                    artifact_location=_local_artifact_location(self.tracking_uri, self.experiment),
                )
            elif experiment.lifecycle_stage != "active":
                raise RuntimeError(
                    f"experiment {self.experiment!r} is deleted; restore it or "
                    "choose another experiment name"
                )
            else:
                experiment_id = experiment.experiment_id
            return client, experiment_id

        with _store_lock(self.tracking_uri):
            self.client, self.experiment_id = self._call(
                f"opening experiment {self.experiment!r}", _open
            )
        return self

    def _log_batch(self, run_id, params=None, metrics=(), tags=None):
        """Log ``params`` and ``tags`` (dicts) and ``metrics`` in as few batches as MLflow allows.

        Keys are cut to 250 characters, param values to 6000 and tag values
        to 8000; a batch holds at most 100 params, 100 tags and 1000
        entities in all.
        """
        from mlflow.entities import Param, RunTag

        params = [
            Param(_truncate(str(k), _MAX_KEY), _truncate(str(v), _MAX_PARAM_VALUE))
            for k, v in (params or {}).items()
        ]
        tags = [
            RunTag(_truncate(str(k), _MAX_KEY), _truncate(str(v), _MAX_TAG_VALUE))
            for k, v in (tags or {}).items()
        ]
        metrics = list(metrics)
        n = _MAX_PARAMS_TAGS_PER_BATCH
        while params or tags or metrics:
            size = _MAX_ENTITIES_PER_BATCH - len(params[:n]) - len(tags[:n])
            self.client.log_batch(run_id, metrics=metrics[:size], params=params[:n], tags=tags[:n])
            params, tags, metrics = params[n:], tags[n:], metrics[size:]
