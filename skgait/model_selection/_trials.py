"""Optuna plumbing of :class:`~skgait.model_selection.OptunaSearchCV`.

Parameter spaces (:func:`suggest_params`), per-epoch pruning of skorch
networks, stop requests (:data:`STOP`, set by a signal handler and honoured
at safe points), and the creation of studies in a storage shared by several
worker processes.
"""

import contextlib
import sys
import time
import warnings

import numpy as np
import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from sklearn.pipeline import Pipeline

__all__ = ["suggest_params"]


# ----------------------------------------------------------------------
# stop requests
# ----------------------------------------------------------------------
class StopRequested(SystemExit):
    """Raised at a safe point of a trial after a stop was requested (SIGTERM).

    A ``SystemExit``: Optuna leaves the trial RUNNING, and the search marks
    it FAILED and queues it again before the exception goes on.
    """


class _StopRequest:
    """A stop asked for by a signal handler, honoured at the next safe point.

    A handler only calls :meth:`request` (one assignment): raising from the
    handler itself would interrupt whatever Python code runs at that moment,
    a garbage-collection finaliser included, where the exception is printed
    and ignored. The trial checks (:meth:`check`) when it starts, between
    folds, after its last fold and after every epoch of a skorch network.
    """

    def __init__(self):
        self.code = None

    def request(self, code):
        """Ask the running search to stop; ``code`` becomes the exit status."""
        self.code = code

    def clear(self):
        """Forget any request (a new search starts)."""
        self.code = None

    def check(self):
        """Raise :class:`StopRequested` if a stop was requested."""
        if self.code is not None:
            raise StopRequested(self.code)


#: The process's stop request.
STOP = _StopRequest()


# ----------------------------------------------------------------------
# parameter spaces
# ----------------------------------------------------------------------
def _as_distribution(name, value):
    if isinstance(value, BaseDistribution):
        return value
    if isinstance(value, (list, tuple)) and len(value) > 0:
        return CategoricalDistribution(list(value))
    raise TypeError(
        f"param_distributions[{name!r}] must be an optuna distribution "
        "(IntDistribution, FloatDistribution, CategoricalDistribution) or a "
        f"non-empty list of choices; got {value!r}."
    )


def suggest_params(trial, param_distributions):
    """Sample one value per parameter from ``trial`` (public Optuna API).

    Parameters
    ----------
    trial : optuna.trial.Trial
        The trial that records the values.
    param_distributions : dict of str to distribution or list
        Parameter name → :class:`~optuna.distributions.IntDistribution`,
        :class:`~optuna.distributions.FloatDistribution`,
        :class:`~optuna.distributions.CategoricalDistribution`, or a list
        of choices (shorthand for a categorical distribution).

    Returns
    -------
    params : dict
        Parameter name → sampled value.

    Examples
    --------
    >>> import optuna
    >>> from optuna.distributions import IntDistribution
    >>> from skgait.model_selection import suggest_params
    >>> study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    >>> trial = study.ask()
    >>> params = suggest_params(trial, {"acf__lags": IntDistribution(2, 30),
    ...                                 "rf__max_depth": [4, 8, None]})
    >>> sorted(params)
    ['acf__lags', 'rf__max_depth']
    """
    params = {}
    for name, value in param_distributions.items():
        dist = _as_distribution(name, value)
        if isinstance(dist, IntDistribution):
            params[name] = trial.suggest_int(
                name, dist.low, dist.high, step=dist.step, log=dist.log
            )
        elif isinstance(dist, FloatDistribution):
            params[name] = trial.suggest_float(
                name, dist.low, dist.high, step=dist.step, log=dist.log
            )
        elif isinstance(dist, CategoricalDistribution):
            params[name] = trial.suggest_categorical(name, dist.choices)
        else:
            raise TypeError(
                f"param_distributions[{name!r}]: unsupported distribution "
                f"{type(dist).__name__}; use IntDistribution, "
                "FloatDistribution or CategoricalDistribution."
            )
    return params


def _example_value(dist):
    if isinstance(dist, CategoricalDistribution):
        return dist.choices[0]
    return dist.low


# ----------------------------------------------------------------------
# skorch networks: per-epoch pruning
# ----------------------------------------------------------------------
def _find_net(estimator):
    """Return ``(param_prefix, net)`` of a skorch net (bare or last step)."""
    try:
        from skorch import NeuralNet
    except ImportError:  # pragma: no cover - skorch is a dependency
        return None, None
    if isinstance(estimator, NeuralNet):
        return "", estimator
    if isinstance(estimator, Pipeline) and isinstance(estimator.steps[-1][1], NeuralNet):
        return f"{estimator.steps[-1][0]}__", estimator.steps[-1][1]
    return None, None


def _make_stop_check():
    """A skorch callback that honours a stop request (:data:`STOP`) after each epoch."""
    from skorch.callbacks import Callback

    class _StopCheck(Callback):
        def on_epoch_end(self, net, **kwargs):
            STOP.check()

    return _StopCheck()


def _make_epoch_pruning(trial, monitor, lower_is_better, step_offset):
    """A skorch callback reporting ``monitor`` after each epoch to ``trial``."""
    from skorch.callbacks import Callback

    class _OptunaEpochPruning(Callback):
        def __init__(self):
            self.epochs_run = 0
            self.epoch_seconds = []

        def on_epoch_end(self, net, **kwargs):
            row = net.history[-1]
            if monitor not in row:
                raise KeyError(
                    f"pruning='epochs' monitors {monitor!r}, which the net does "
                    f"not record (it records {sorted(row)}); set "
                    "train_split=GroupValidSplit(...) so that a validation "
                    "score exists, or change epoch_monitor."
                )
            self.epochs_run = len(net.history)
            self.epoch_seconds.append(float(row.get("dur", np.nan)))
            value = -float(row[monitor]) if lower_is_better else float(row[monitor])
            trial.report(value, step_offset + self.epochs_run - 1)
            if trial.should_prune():
                raise optuna.TrialPruned(f"pruned at epoch {self.epochs_run}")

    return _OptunaEpochPruning()


# ----------------------------------------------------------------------
# progress
# ----------------------------------------------------------------------
class _Progress:
    """An Optuna callback writing one line per finished trial: trials done, best so far.

    Counts the trials of this worker (out of ``n_trials`` when given); the
    best is the study's, other workers' trials included. Lines go to
    ``sys.stderr`` as it is when each is written (so that pytest's capture
    and redirections see them).
    """

    def __init__(self, n_trials):
        self.n_trials = n_trials
        self.done = 0

    def __call__(self, study, trial):
        self.done += 1
        total = f"/{self.n_trials}" if self.n_trials else ""
        score = "" if trial.value is None else f" {trial.value:.4f}"
        try:
            best = f"best {study.best_value:.4f} (trial {study.best_trial.number})"
        except ValueError:  # no trial complete yet
            best = "no trial complete yet"
        print(
            f"trial {self.done}{total} done (#{trial.number} {trial.state.name.lower()}"
            f"{score}); {best}",
            file=sys.stderr,
            flush=True,
        )


# ----------------------------------------------------------------------
# studies and their storage
# ----------------------------------------------------------------------
@contextlib.contextmanager
def _optuna_verbosity(verbose):
    """Optuna's own per-trial log at ``verbose >= 2``, warnings only below."""
    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.INFO if verbose > 1 else optuna.logging.WARNING)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(previous)


#: A trial whose worker died (no heartbeat) is run again at most this often.
_MAX_RETRY = 1


def _make_storage(storage, heartbeat_interval):
    """``(storage, retry)``: a database URL as Optuna storage with heartbeats.

    With heartbeats, a worker that dies in a trial (killed, machine lost)
    stops beating; after ``2 * heartbeat_interval`` seconds the next worker
    to start a trial marks that trial FAILED and enqueues it again (at most
    :data:`_MAX_RETRY` times) through ``retry``, a
    :class:`~optuna.storages.RetryFailedTrialCallback`. Other storages are
    returned as they are, with ``retry=None``.
    """
    if not isinstance(storage, str) or heartbeat_interval is None:
        return storage, None
    # Optuna 4.9 renamed the callback and its storage argument (the old
    # names are deprecated); heartbeats are marked experimental.
    storages = optuna.storages
    if hasattr(storages, "RetryHeartbeatStaleTrialCallback"):
        callback, name = storages.RetryHeartbeatStaleTrialCallback, "heartbeat_stale_trial_callback"
    else:
        callback, name = storages.RetryFailedTrialCallback, "failed_trial_callback"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        retry = callback(max_retry=_MAX_RETRY)
        rdb = storages.RDBStorage(
            storage, heartbeat_interval=int(heartbeat_interval), **{name: retry}
        )
    return rdb, retry


def _create_study(storage, study_name, sampler, pruner, load_if_exists, attempts=5):
    """``optuna.create_study``, retried when workers race to create the tables.

    Several processes starting at once against an empty PostgreSQL database
    can collide while creating Optuna's tables or the study row; the loser
    gets an integrity error, and simply loads the study on the next attempt.
    ``storage`` may be a function that makes the storage (it creates the
    tables too).
    """
    for attempt in range(attempts):
        try:
            return optuna.create_study(
                storage=storage() if callable(storage) else storage,
                sampler=sampler,
                pruner=pruner,
                study_name=study_name,
                direction="maximize",
                load_if_exists=load_if_exists,
            )
        except optuna.exceptions.DuplicatedStudyError:
            raise
        except Exception as exc:
            if attempt == attempts - 1 or not _is_db_race(exc):
                raise
            time.sleep(0.2 * (attempt + 1) + 0.1 * np.random.default_rng().random())
    raise AssertionError("unreachable")  # pragma: no cover


def _is_db_race(exc):
    module = type(exc).__module__
    return module.startswith("sqlalchemy") or "alembic" in module
