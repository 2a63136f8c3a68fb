"""One trial of :class:`~skgait.model_selection.OptunaSearchCV`: its folds, and the results table.

:class:`_Objective` fits and scores a trial's candidate on the fixed
subject-wise folds, reporting the running mean (or, for skorch networks, the
validation score after each epoch) so that the pruner can stop it early.
"""

import dataclasses
import logging
import numbers
import time
import warnings

import numpy as np
import optuna
import pandas as pd
from optuna.trial import TrialState
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.utils import get_tags

from ..utils._sklearn_compat import _check_method_params, _safe_indexing
from ._trials import STOP, _find_net, _make_epoch_pruning, _make_stop_check, suggest_params

_logger = logging.getLogger(__name__)


def _input_tags(estimator):
    """Input tags of ``estimator``; a pipeline takes the input of its first step.

    scikit-learn's :class:`~sklearn.pipeline.Pipeline` keeps the default
    ``two_d_array=True`` whatever its first step reads, so the search of an
    ``ACFTransformer`` pipeline would claim 2-D input.
    """
    tags = get_tags(estimator).input_tags
    steps = [s for _, s in getattr(estimator, "steps", []) if s not in (None, "passthrough")]
    if steps:
        first = _input_tags(steps[0])
        tags = dataclasses.replace(
            tags,
            two_d_array=first.two_d_array,
            three_d_array=first.three_d_array,
            allow_nan=first.allow_nan,
        )
    return tags


class _FixedSplits:
    """A list of (train, test) index pairs with a ``split`` method."""

    def __init__(self, splits):
        self.splits = splits

    def split(self, X=None, y=None, groups=None):
        yield from self.splits

    def get_n_splits(self, X=None, y=None, groups=None):
        return len(self.splits)


class _Objective:
    """Cross-validated score of one trial, with intermediate reports."""

    def __init__(self, search, X, y, splits, dists, fit_params, score_params, epoch_net):
        self.search = search
        self.X, self.y, self.splits = X, y, splits
        self.dists = dists
        self.fit_params, self.score_params = fit_params, score_params
        self.epoch_net = epoch_net
        self.running = None
        self.retry = None  # the storage's RetryFailedTrialCallback, if any

    def __call__(self, trial):
        self.running = trial
        try:
            STOP.check()
            value = self._cross_validate(trial)
            STOP.check()
        except (Exception, KeyboardInterrupt):
            self.running = None  # Optuna ends the trial itself
            raise
        # Anything else (SystemExit) leaves ``running`` set for fail_running.
        self.running = None
        return value

    def fail_running(self, study):
        """Mark the trial interrupted by a non-Exception FAILED, and retry it.

        Optuna itself fails a trial on an ``Exception`` or
        ``KeyboardInterrupt``, but leaves it RUNNING on ``SystemExit``
        (how ``skgait search`` stops on SIGTERM). The trial did not fail on
        its own merits: it is enqueued again like a trial whose worker died,
        when the storage has heartbeats (``self.retry``).
        """
        trial, self.running = self.running, None
        if trial is None:
            return
        try:
            storage = study._storage
            if storage.get_trial(trial._trial_id).state != TrialState.RUNNING:
                return
            study.tell(trial, state=TrialState.FAIL)
            if self.retry is not None:
                self.retry(study, storage.get_trial(trial._trial_id))
        except Exception as exc:  # noqa: BLE001 - on the way out; report, keep the original error
            _logger.warning("could not mark interrupted trial %d FAILED: %s", trial.number, exc)

    def _cross_validate(self, trial):
        search = self.search
        params = suggest_params(trial, self.dists)
        base = clone(search.estimator).set_params(**params)
        scores, fold_seconds = [], []
        trial.set_user_attr("n_splits", len(self.splits))
        for fold, (train, test) in enumerate(self.splits):
            STOP.check()
            estimator = clone(base)
            reporter = None
            prefix, net = _find_net(estimator)
            if net is not None:
                # a network also stops between epochs when asked (SIGTERM)
                callbacks = [*(net.callbacks or []), ("stop_request", _make_stop_check())]
                if self.epoch_net is not None:
                    reporter = _make_epoch_pruning(
                        trial,
                        search.epoch_monitor,
                        search.epoch_monitor.endswith("_loss"),
                        fold * self.epoch_net[1],
                    )
                    callbacks.append(("optuna_pruning", reporter))
                    trial.set_user_attr("epochs_per_fold", int(net.max_epochs))
                estimator.set_params(**{f"{prefix}callbacks": callbacks})
            t0 = time.perf_counter()
            try:
                score = self._fit_and_score(estimator, train, test)
            except optuna.TrialPruned:
                fold_seconds.append(time.perf_counter() - t0)
                self._record(trial, scores, fold_seconds, reporter, pruned_in_fold=fold)
                raise
            except Exception as exc:
                if search.error_score == "raise":
                    raise
                warnings.warn(
                    f"Trial {trial.number}, fold {fold}: fit or scoring failed "
                    f"with params {params}; its score is set to "
                    f"error_score={search.error_score}. {type(exc).__name__}: {exc}",
                    FitFailedWarning,
                    stacklevel=2,
                )
                score = float(search.error_score)
            fold_seconds.append(time.perf_counter() - t0)
            scores.append(score)
            self._record(trial, scores, fold_seconds, reporter)
            if self.epoch_net is None:
                trial.report(float(np.mean(scores)), step=fold)
                if trial.should_prune():
                    raise optuna.TrialPruned(f"pruned after fold {fold}")
        return float(np.mean(scores))

    @staticmethod
    def _record(trial, scores, fold_seconds, reporter, pruned_in_fold=None):
        trial.set_user_attr("split_test_scores", [float(s) for s in scores])
        trial.set_user_attr("fold_seconds", [float(s) for s in fold_seconds])
        if reporter is not None:
            run = trial.user_attrs.get("epochs_run", 0) + reporter.epochs_run
            trial.set_user_attr("epochs_run", int(run))
            secs = [s for s in reporter.epoch_seconds if np.isfinite(s)]
            if secs:
                trial.set_user_attr("epoch_seconds", float(np.mean(secs)))
        if pruned_in_fold is not None:
            trial.set_user_attr("pruned_in_fold", int(pruned_in_fold))

    def _fit_and_score(self, estimator, train, test):
        X, y = self.X, self.y
        X_train, X_test = _safe_indexing(X, train), _safe_indexing(X, test)
        y_train = None if y is None else _safe_indexing(y, train)
        y_test = None if y is None else _safe_indexing(y, test)
        fit_params = _check_method_params(X, params=self.fit_params, indices=train)
        score_params = _check_method_params(X, params=self.score_params, indices=test)
        estimator.fit(X_train, y_train, **fit_params)
        score = self.search.scorer_(estimator, X_test, y_test, **score_params)
        if not isinstance(score, numbers.Number):
            raise TypeError(f"scoring must return a number; got {score!r}.")
        return float(score)


def _cv_results(study, n_splits):
    rows = []
    names = sorted({p for t in study.trials for p in t.params})
    for t in study.trials:
        split = list(t.user_attrs.get("split_test_scores", []))
        row = {"number": t.number, "state": t.state.name}
        for name in names:
            row[f"param_{name}"] = t.params.get(name, np.nan)
        for k in range(n_splits):
            row[f"split{k}_test_score"] = split[k] if k < len(split) else np.nan
        complete = t.state == TrialState.COMPLETE
        row["mean_test_score"] = t.value if complete else (np.mean(split) if split else np.nan)
        row["std_test_score"] = np.std(split) if split else np.nan
        row["n_folds_run"] = len(split)
        fold_seconds = t.user_attrs.get("fold_seconds", [])
        row["mean_fit_time"] = float(np.mean(fold_seconds)) if fold_seconds else np.nan
        row["duration_s"] = t.duration.total_seconds() if t.duration is not None else np.nan
        rows.append(row)
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    # Rank completed trials only; pruned and failed ones rank last.
    score = df["mean_test_score"].where(df["state"] == "COMPLETE")
    df["rank_test_score"] = score.rank(ascending=False, method="min", na_option="bottom").astype(
        int
    )
    return df


def _pruning_summary(study, n_splits):
    trials = study.trials
    summary = {
        "n_trials": len(trials),
        "n_complete": sum(t.state == TrialState.COMPLETE for t in trials),
        "n_pruned": sum(t.state == TrialState.PRUNED for t in trials),
        "n_failed": sum(t.state == TrialState.FAIL for t in trials),
        "folds_run": 0,
        "folds_not_run": 0,
        "epochs_not_run": 0,
        "seconds_run": 0.0,
        "seconds_saved": 0.0,
    }
    for t in trials:
        fold_seconds = t.user_attrs.get("fold_seconds", [])
        summary["folds_run"] += len(fold_seconds)
        summary["seconds_run"] += float(np.sum(fold_seconds))
        if t.state != TrialState.PRUNED or not fold_seconds:
            continue
        per_fold = t.user_attrs.get("epochs_per_fold")
        if per_fold is not None and "epochs_run" in t.user_attrs:
            # Pruned during an epoch: the rest of that fold and later folds.
            planned = per_fold * t.user_attrs.get("n_splits", n_splits)
            skipped = max(0, planned - t.user_attrs["epochs_run"])
            summary["epochs_not_run"] += skipped
            summary["folds_not_run"] += t.user_attrs.get("n_splits", n_splits) - len(fold_seconds)
            epoch_s = t.user_attrs.get("epoch_seconds")
            if epoch_s is None:
                epoch_s = float(np.sum(fold_seconds)) / max(1, t.user_attrs["epochs_run"])
            summary["seconds_saved"] += skipped * epoch_s
        else:
            skipped = t.user_attrs.get("n_splits", n_splits) - len(fold_seconds)
            summary["folds_not_run"] += skipped
            summary["seconds_saved"] += skipped * float(np.mean(fold_seconds))
    summary["seconds_run"] = round(summary["seconds_run"], 3)
    summary["seconds_saved"] = round(summary["seconds_saved"], 3)
    return summary
