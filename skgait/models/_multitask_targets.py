"""The tasks of a multi-task network: kinds, losses and target encoding.

:class:`_TaskTargetsMixin` gives :class:`~skgait.models.GaitMultiTaskNet`
its targets: a table ``Y`` with one column per task is read into the fitted
attributes ``tasks_``, ``task_classes_``, ``target_mean_`` ... and encoded
into one float column per task (class codes, or standardised values; NaN
for a missing label), which :class:`~skgait.losses.MultiTaskLoss` reads.
"""

import numpy as np
import pandas as pd
import torch
from sklearn.preprocessing import LabelEncoder

from ..losses import (
    CategoricalCrossEntropyLoss,
    CategoricalFocalLoss,
    TukeyBiweightLoss,
    binary_class_weight,
    categorical_class_weight,
)
from ._task_early_stopping import VERIFICATION

_KINDS = ("classification", "regression")
#: Loss names of ``losses``: name -> (kind, loss class, kwargs, weighted).
_LOSSES = {
    "ce": ("classification", CategoricalCrossEntropyLoss, {}, False),
    "weighted_ce": ("classification", CategoricalCrossEntropyLoss, {}, True),
    "focal": ("classification", CategoricalFocalLoss, {"gamma": 2.0}, False),
    "weighted_focal": ("classification", CategoricalFocalLoss, {"gamma": 2.0}, True),
    "tukey": ("regression", TukeyBiweightLoss, {}, False),
    "l1": ("regression", torch.nn.L1Loss, {}, False),
    "mse": ("regression", torch.nn.MSELoss, {}, False),
}
_DEFAULT_LOSS = {"classification": "ce", "regression": "tukey"}


def _infer_kind(name, values):
    if str(name).lower() == "age" or pd.api.types.is_float_dtype(values):
        return "regression"
    return "classification"


class _TaskTargetsMixin:
    """Target encoding of :class:`~skgait.models.GaitMultiTaskNet`."""

    def _as_frame(self, y, fitted):
        """``Y`` as a DataFrame with one column per task name."""
        if isinstance(y, pd.DataFrame):
            return y, False
        if isinstance(y, dict):
            return pd.DataFrame(y), False
        if isinstance(y, pd.Series):
            name = y.name if y.name is not None else None
            y = y.to_numpy()
        else:
            name = None
        y = np.asarray(y)
        if fitted:
            names = list(self.tasks_)
        elif isinstance(self.tasks, (dict, list, tuple)) and len(self.tasks) == (
            1 if y.ndim == 1 else y.shape[1]
        ):
            names = list(self.tasks)
        elif y.ndim == 1:
            names = [name if name is not None else "y"]
        else:
            names = [f"y{i}" for i in range(y.shape[1])]
        if y.ndim == 1:
            return pd.DataFrame({names[0]: y}), True
        if y.ndim != 2 or y.shape[1] != len(names):
            raise ValueError(
                f"{type(self).__name__}: Y must be a DataFrame with one column per "
                f"task, or an array of shape (n_windows,) or (n_windows, "
                f"{len(names)}); got shape {y.shape}."
            )
        return pd.DataFrame(y, columns=names), False

    def _resolve_losses(self):
        losses = self.losses
        if losses is None:
            return {}
        if isinstance(losses, str):
            return {t: losses for t, kind in self.tasks_.items() if kind == "classification"}
        if isinstance(losses, dict):
            unknown = set(losses) - set(self.tasks_)
            if unknown:
                raise ValueError(
                    f"losses names unknown task(s) {sorted(unknown)}; tasks are "
                    f"{list(self.tasks_)}."
                )
            return dict(losses)
        raise ValueError(f"losses must be None, a str or a dict; got {losses!r}.")

    def _fit_target(self, y):
        Y, single = self._as_frame(y, fitted=False)
        tasks = self.tasks
        if tasks is None:
            tasks = {c: None for c in Y.columns}
        elif isinstance(tasks, (list, tuple)):
            tasks = {c: None for c in tasks}
        elif not isinstance(tasks, dict):
            raise ValueError(f"tasks must be None, a list or a dict; got {tasks!r}.")
        missing = [t for t in tasks if t not in Y.columns]
        if missing:
            raise ValueError(
                f"{type(self).__name__}: Y has no column(s) {missing} for the tasks; "
                f"its columns are {list(Y.columns)}."
            )
        self.tasks_ = {}
        for task, kind in tasks.items():
            kind = kind or _infer_kind(task, Y[task])
            if kind not in _KINDS:
                raise ValueError(
                    f"task {task!r} has kind {kind!r}; expected 'classification' or 'regression'."
                )
            self.tasks_[task] = kind
        main = self.main_task if self.main_task is not None else next(iter(self.tasks_))
        if main not in self.tasks_:
            raise ValueError(f"main_task {main!r} is not one of the tasks {list(self.tasks_)}.")
        self.main_task_ = main
        self.single_output_ = single
        weights = {**(self.task_weights or {}), **self.get_params_for("task_weights")}
        unknown = set(weights) - set(self.tasks_) - {VERIFICATION}
        if unknown:
            raise ValueError(
                f"task_weights names unknown task(s) {sorted(unknown)}; tasks are "
                f"{list(self.tasks_)} (and 'verification')."
            )
        if any(not (isinstance(w, (int, float)) and w >= 0) for w in weights.values()):
            raise ValueError(f"task_weights must be non-negative numbers; got {weights!r}.")
        if weights.get(VERIFICATION, 0) > 0 and self.tasks_[main] != "classification":
            raise ValueError("the verification loss needs a classification (identity) main task.")
        self.task_weights_ = weights

        losses = self._resolve_losses()
        self.task_classes_, self.task_outputs_ = {}, {}
        self.target_mean_, self.target_scale_, self.class_weights_ = {}, {}, {}
        for task, kind in self.tasks_.items():
            values = Y[task]
            labelled = values[values.notna()].to_numpy()
            if len(labelled) == 0:
                raise ValueError(f"task {task!r} has no labelled window.")
            loss = losses.get(task, _DEFAULT_LOSS[kind])
            if isinstance(loss, str):
                if loss not in _LOSSES:
                    raise ValueError(
                        f"unknown loss {loss!r} for task {task!r}; expected one of {list(_LOSSES)} "
                        "or an nn.Module."
                    )
                if _LOSSES[loss][0] != kind:
                    raise ValueError(
                        f"loss {loss!r} is for {_LOSSES[loss][0]}, but task {task!r} is {kind}."
                    )
            if kind == "classification":
                encoder = LabelEncoder().fit(labelled)
                classes = encoder.classes_
                if len(classes) < 2:
                    raise ValueError(
                        f"task {task!r} needs samples of at least 2 classes in the data, "
                        f"but the data contains only one class: {classes[0]!r}."
                    )
                self.task_classes_[task] = classes
                self.task_outputs_[task] = len(classes)
                if isinstance(loss, str) and _LOSSES[loss][3]:
                    codes = encoder.transform(labelled)
                    self.class_weights_[task] = (
                        binary_class_weight(codes)
                        if len(classes) == 2
                        else categorical_class_weight(codes, len(classes))
                    )
            else:
                values = labelled.astype(np.float64)
                scale = float(values.std())
                self.target_mean_[task] = float(values.mean())
                self.target_scale_[task] = scale if scale > 0 else 1.0
                self.task_outputs_[task] = 1
        return int(sum(self.task_outputs_.values()))

    def _transform_target(self, y):
        Y, _ = self._as_frame(y, fitted=True)
        out = np.full((len(Y), len(self.tasks_)), np.nan, dtype=np.float32)
        for col, (task, kind) in enumerate(self.tasks_.items()):
            if task not in Y.columns:
                raise ValueError(f"Y has no column {task!r}.")
            values = Y[task]
            labelled = values.notna().to_numpy()
            if kind == "classification":
                classes = self.task_classes_[task]
                v = values[labelled].to_numpy()
                codes = np.searchsorted(classes, v)
                bad = (codes >= len(classes)) | (classes[np.minimum(codes, len(classes) - 1)] != v)
                if bad.any():
                    raise ValueError(
                        f"task {task!r}: labels {np.unique(v[bad])[:5].tolist()} were not "
                        "seen in fit."
                    )
                out[labelled, col] = codes
            else:
                v = values[labelled].to_numpy(dtype=np.float64)
                out[labelled, col] = (v - self.target_mean_[task]) / self.target_scale_[task]
        return torch.as_tensor(out)

    def _task_loss(self, task, kind):
        spec = self._resolve_losses().get(task, _DEFAULT_LOSS[kind])
        if isinstance(spec, torch.nn.Module):
            return spec
        if isinstance(spec, type):
            return spec()
        _, cls, kwargs, weighted = _LOSSES[spec]
        if weighted:
            kwargs = {**kwargs, "class_weight": self.class_weights_[task]}
        return cls(**kwargs)
