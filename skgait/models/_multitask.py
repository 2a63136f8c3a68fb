"""Deep multi-task estimator: identity, gender and age from one network.

:class:`GaitMultiTaskNet` trains :class:`~skgait.models.MultiTaskNetwork`
with ``L = L_main + Σ_t λ_t L_t`` (seed 002), reusing the shape inference,
seeding, transfer and batching of :class:`~skgait.models._cnn._GaitNetMixin`.
"""

import math

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    mean_absolute_error,
    r2_score,
)
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._tags import ClassifierTags, RegressorTags
from skorch import NeuralNet
from skorch.callbacks import Callback
from skorch.utils import is_dataset, to_numpy

from ..losses import (
    CategoricalCrossEntropyLoss,
    CategoricalFocalLoss,
    ContrastiveLoss,
    MultiTaskLoss,
    TukeyBiweightLoss,
    binary_class_weight,
    categorical_class_weight,
)
from ..model_selection import aggregate_predictions
from ._cnn import _GaitNetMixin
from ._multitask_networks import MultiTaskNetwork
from ._training import GroupValidSplit, TensorBatchLoader, WindowDataset

__all__ = ["GaitMultiTaskNet", "TaskEarlyStopping"]

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
_VERIFICATION = "verification"


def _infer_kind(name, values):
    if str(name).lower() == "age" or pd.api.types.is_float_dtype(values):
        return "regression"
    return "classification"


def _head_parameters(module, task):
    """Parameters of the head of ``task``: those named ``heads.<task>.*``."""
    prefix = f"heads.{task}."
    return [p for name, p in module.named_parameters() if name.startswith(prefix)]


class TaskEarlyStopping(Callback):
    """Task-wise early stopping (Zhang et al., 2014; seed 002).

    At the end of every epoch, averages each task's validation loss over the
    validation batches (recorded as ``valid_<task>_loss`` in the history).
    When an auxiliary task's validation loss has not improved by more than
    ``threshold`` for ``patience`` epochs, the task is left out of the total
    loss, so that it stops shaping the shared features, and its head (the
    module's parameters ``heads.<task>.*``) is frozen: ``requires_grad`` is
    turned off, so that the optimizer's momentum (Adam, SGD with momentum)
    no longer moves it either; its weights stay those of the stopping epoch.
    When the main task stops, training stops. Stopped tasks are listed in
    ``net.stopped_tasks_`` (task → epoch).

    :class:`GaitMultiTaskNet` adds it when ``task_patience`` is set; it needs
    a validation split (by subject or recording, see there).

    Parameters
    ----------
    patience : int, default=5
        Epochs without improvement before a task stops.
    threshold : float, default=1e-4
        Minimal decrease that counts as an improvement.
    """

    def __init__(self, patience=5, threshold=1e-4):
        self.patience = patience
        self.threshold = threshold

    def on_train_begin(self, net, **kwargs):
        self.best_ = {}
        self.wait_ = {}
        if not hasattr(net, "stopped_tasks_"):
            net.stopped_tasks_ = {}
        criterion = net.criterion_
        headless = [
            task for task in criterion.task_outputs
            if task != criterion.main_task and not _head_parameters(net.module_, task)
        ]
        if headless:
            raise ValueError(
                f"task-wise early stopping freezes the head of a stopped task, the "
                f"parameters named 'heads.<task>.*'; {type(net.module_).__name__} has "
                f"none for task(s) {headless}. Give the module a ModuleDict 'heads' "
                "with one head per task (as MultiTaskNetwork), or task_patience=None."
            )

    def on_epoch_end(self, net, **kwargs):
        criterion = net.criterion_
        tasks = list(criterion.task_outputs)
        if criterion.verification is not None and criterion.weight(_VERIFICATION) > 0:
            tasks.append(_VERIFICATION)
        batches = net.history[-1, "batches"]
        epoch = len(net.history)
        for task in tasks:
            key = f"valid_{task}_loss"
            values, sizes = [], []
            for batch in batches:
                value = batch.get(key)
                if value is not None and math.isfinite(value):
                    values.append(value)
                    sizes.append(batch.get("valid_batch_size", 1))
            if not values:
                continue
            mean = float(np.average(values, weights=sizes))
            net.history.record(key, mean)
            if task in net.stopped_tasks_:
                continue
            if mean < self.best_.get(task, math.inf) - self.threshold:
                self.best_[task] = mean
                self.wait_[task] = 0
                continue
            self.wait_[task] = self.wait_.get(task, 0) + 1
            if self.wait_[task] >= self.patience:
                net.stopped_tasks_[task] = epoch
                criterion.stopped.add(task)
                for param in _head_parameters(net.module_, task):
                    param.requires_grad_(False)
                    param.grad = None
                if task == criterion.main_task:
                    if net.verbose:
                        print(f"Main task {task!r} stopped improving; stopping at epoch {epoch}.")
                    raise KeyboardInterrupt


class GaitMultiTaskNet(_GaitNetMixin, NeuralNet):
    """Deep multi-task network: identity, gender and age from gait windows.

    One network (:class:`~skgait.models.MultiTaskNetwork`: shared
    convolutional features, a compact shared embedding, a linear head per
    task) trained with the loss of the deep multi-task model of seed 002::

        L = L_main + Σ_t λ_t · L_t

    ``fit(X, Y)`` takes a table ``Y`` with one column per task, e.g.
    ``meta[["subject", "sex", "age"]]``: identity as the main task, gender
    and age as auxiliary tasks. Classification tasks get a softmax head and
    categorical cross-entropy (the "softmax log-loss" of seed 002) or a
    weighted / focal form; regression tasks get a linear head on
    standardised targets and Tukey's biweight loss on MAD-scaled residuals.
    A missing label (``NaN``/``None``) leaves a window out of that task's
    loss only.

    With a 1-D ``y`` it is a single-task network with the same
    architecture: ``predict`` returns a 1-D array and ``predict_proba`` an
    array, as for any scikit-learn classifier.

    Parameters
    ----------
    module : torch.nn.Module class or instance, default=MultiTaskNetwork
        Built in ``fit`` with ``n_channels``, ``n_times`` and
        ``task_outputs`` inferred from ``X`` and ``Y``; other arguments as
        ``module__name=value`` (``module__features="separable"``,
        ``module__n_embedding=32``). Must return ``(outputs, embedding)``.
    tasks : dict of str to {"classification", "regression"}, list or None, default=None
        Columns of ``Y`` to learn and their kind. ``None``: every column;
        a list selects columns. Undeclared kinds are inferred: float
        columns and a column named ``age`` are regression, the others
        classification (declare ``{"age_group": "classification"}`` etc. to
        be explicit). With a 1-D ``y``, a one-entry ``tasks`` names it.
        A regression main task makes the estimator a regressor for
        scikit-learn (``score`` is R²); otherwise it is a classifier.
    main_task : str or None, default=None
        The main task (weight 1); defaults to the first task.
    task_weights : dict of str to float or None, default=None
        ``λ_t`` of the auxiliary tasks (default 1 each), plus
        ``"verification"``: the weight of the contrastive verification loss
        (seed 002) on the embedding, with the main task's labels as
        identities (off unless set). A single weight can also be set as
        ``task_weights__<task>=λ``, which overrides the dict and is what
        :class:`~sklearn.model_selection.GridSearchCV` and Optuna tune:
        ``param_grid={"task_weights__age": [0.1, 0.5, 1.0]}``.
    losses : dict of str to str / loss, str or None, default=None
        Loss of each task: ``"ce"``, ``"weighted_ce"``, ``"focal"``,
        ``"weighted_focal"`` (classification; γ = 2), ``"tukey"``, ``"l1"``,
        ``"mse"`` (regression), or an ``nn.Module`` class or instance. A
        string applies to every classification task. Weighted forms take
        their class weights from the training labels in ``fit``: eq. 5 of
        seed 003 (``1/(1−p)``, ``1/p``) for two classes, eq. 11
        (``n_max/n_i``) for more. With two classes the softmax forms equal
        the binary ones (BCE, WBCE, BFL, WBFL) of seed 003.
    margin : float, default=1.0
        Margin ``m`` of the verification loss.
    task_patience : int or None, default=None
        Task-wise early stopping (:class:`TaskEarlyStopping`): an auxiliary
        task whose validation loss has not improved for this many epochs is
        dropped from the loss and its head is frozen; training
        stops when the main task stops. Needs a validation split by group:
        with ``train_split=None`` a :class:`~skgait.models.GroupValidSplit`
        holding out ``validation_size`` of the ``groups`` passed to ``fit``
        is used. Use *subjects* as groups when identity is not a task; with
        identity as the main task use *recordings* (trials), so that every
        validation identity was seen in training.
    validation_size : float, default=0.2
        Fraction of groups held out for task-wise early stopping.
    criterion : class, default=MultiTaskLoss
        Combines the task losses; built from ``losses`` and ``task_weights``.
    optimizer, lr, max_epochs, batch_size, train_split, callbacks, \
iterator_train, iterator_valid, dataset, warm_start_from, freeze, \
fine_tune_epochs, random_state, device, verbose, **kwargs
        As in :class:`~skgait.models.GaitCNNClassifier` (transfer copies
        ``features.*`` weights, e.g. those of a BioDeep classifier).

    Attributes
    ----------
    tasks_ : dict of str to str
        Learnt tasks and their kind, in output order.
    main_task_ : str
    task_outputs_ : dict of str to int
        Outputs of each head.
    task_classes_ : dict of str to ndarray
        Classes of each classification task.
    class_weights_ : dict of str to ndarray
        Class weights of tasks with weighted losses.
    target_mean_, target_scale_ : dict of str to float
        Standardisation of regression targets.
    stopped_tasks_ : dict of str to int
        Tasks stopped by task-wise early stopping, and the epoch.
    n_channels_, n_times_, n_outputs_, module_, history_
        As in :class:`~skgait.models.GaitCNNClassifier`.

    See Also
    --------
    skgait.models.MultiTaskNetwork : The default network.
    skgait.losses.MultiTaskLoss : The combined loss.
    skgait.model_selection.aggregate_predictions : Window → subject decisions.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skgait.models import GaitMultiTaskNet
    >>> rng = np.random.default_rng(0)
    >>> subject = np.repeat(np.arange(6), 10)
    >>> X = rng.normal(size=(60, 3, 64)).astype(np.float32) + subject[:, None, None] % 2
    >>> Y = pd.DataFrame({"subject": subject, "sex": np.where(subject % 2, "F", "M"),
    ...                   "age": 20.0 + 5 * subject})
    >>> net = GaitMultiTaskNet(max_epochs=2, task_weights={"age": 0.5}, random_state=0)
    >>> net.fit(X, Y).predict(X[:2]).columns.tolist()
    ['subject', 'sex', 'age']
    >>> sorted(net.predict_proba(X[:2]))
    ['sex', 'subject']
    >>> net.predict_aggregated(X, subject, method="product_proba").shape
    (6, 3)
    >>> isinstance(net.score(X, Y), float), sorted(net.score_tasks(X, Y))
    (True, ['age', 'sex', 'subject'])
    """

    prefixes_ = [*NeuralNet.prefixes_, "task_weights"]

    def __init__(
        self,
        module=MultiTaskNetwork,
        *,
        tasks=None,
        main_task=None,
        task_weights=None,
        losses=None,
        margin=1.0,
        task_patience=None,
        validation_size=0.2,
        criterion=MultiTaskLoss,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        max_epochs=30,
        batch_size=32,
        train_split=None,
        callbacks=None,
        iterator_train=TensorBatchLoader,
        iterator_valid=TensorBatchLoader,
        dataset=WindowDataset,
        warm_start_from=None,
        freeze=None,
        fine_tune_epochs=3,
        random_state=None,
        device="cpu",
        verbose=0,
        **kwargs,
    ):
        super().__init__(
            module,
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            callbacks=callbacks,
            iterator_train=iterator_train,
            iterator_valid=iterator_valid,
            dataset=dataset,
            use_caching=False,
            device=device,
            verbose=verbose,
            **kwargs,
        )
        self.tasks = tasks
        self.main_task = main_task
        self.task_weights = task_weights
        self.losses = losses
        self.margin = margin
        self.task_patience = task_patience
        self.validation_size = validation_size
        self.warm_start_from = warm_start_from
        self.freeze = freeze
        self.fine_tune_epochs = fine_tune_epochs
        self.random_state = random_state

    def _get_param_names(self):
        # use_caching is fixed (scorers must see predictions in user labels).
        return [k for k in super()._get_param_names() if k != "use_caching"]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self._declared_main_kind() == "regression":
            tags.estimator_type = "regressor"
            tags.regressor_tags = RegressorTags()
        else:
            tags.estimator_type = "classifier"
            tags.classifier_tags = ClassifierTags()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags

    def _declared_main_kind(self):
        tasks = self.tasks if isinstance(self.tasks, dict) else {}
        main = self.main_task
        if main is None and tasks:
            main = next(iter(tasks))
        return tasks.get(main)

    # ------------------------------------------------------------------
    # targets
    # ------------------------------------------------------------------
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
                    f"losses names unknown task(s) {sorted(unknown)}; tasks are {list(self.tasks_)}."
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
        unknown = set(weights) - set(self.tasks_) - {_VERIFICATION}
        if unknown:
            raise ValueError(
                f"task_weights names unknown task(s) {sorted(unknown)}; tasks are "
                f"{list(self.tasks_)} (and 'verification')."
            )
        if any(not (isinstance(w, (int, float)) and w >= 0) for w in weights.values()):
            raise ValueError(f"task_weights must be non-negative numbers; got {weights!r}.")
        if weights.get(_VERIFICATION, 0) > 0 and self.tasks_[main] != "classification":
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
                    raise ValueError(f"loss {loss!r} is for {_LOSSES[loss][0]}, but task {task!r} is {kind}.")
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

    def check_data(self, X, y):
        pass

    def get_dataset(self, X, y=None):
        """Windows and the encoded task columns of ``Y`` (other columns dropped)."""
        if y is None or is_dataset(X) or self.dataset is not WindowDataset:
            return super().get_dataset(X, y)
        X = self._check_X(X, reset=False)
        Y, _ = self._as_frame(y, fitted=True)
        Y = Y[list(self.tasks_)]
        return WindowDataset(X, Y.to_numpy(), target=self._transform_target(Y))

    # ------------------------------------------------------------------
    # module, criterion, training
    # ------------------------------------------------------------------
    def _inferred_module_kwargs(self):
        kwargs = super()._inferred_module_kwargs()
        if hasattr(self, "task_outputs_"):
            kwargs.pop("n_outputs", None)
            kwargs["task_outputs"] = dict(self.task_outputs_)
        return kwargs

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

    def initialize_criterion(self):
        """Build the multi-task loss from ``losses``, ``task_weights`` and ``margin``."""
        if not hasattr(self, "tasks_"):
            # skorch may initialise before fit (e.g. net.initialize()); the
            # loss needs the tasks, so it is built again in fit.
            self.criterion_ = None
            return self
        losses = {t: self._task_loss(t, k) for t, k in self.tasks_.items()}
        verification = None
        if self.task_weights_.get(_VERIFICATION, 0) > 0:
            verification = ContrastiveLoss(margin=self.margin)
        kwargs = {
            "losses": losses,
            "task_outputs": self.task_outputs_,
            "main_task": self.main_task_,
            "task_weights": self.task_weights_,
            "verification": verification,
            **self.get_params_for("criterion"),
        }
        self.criterion_ = self.initialized_instance(self.criterion, kwargs).to(self.device)
        self.stopped_tasks_ = {}
        return self

    def _validate_fit_params(self):
        super()._validate_fit_params()
        if self.task_patience is not None and not (
            isinstance(self.task_patience, int) and self.task_patience >= 1
        ):
            raise ValueError(
                f"task_patience must be None or a positive integer; got {self.task_patience!r}."
            )

    @property
    def _default_callbacks(self):
        callbacks = list(super()._default_callbacks)
        if self.task_patience is not None:
            callbacks.append(("task_early_stopping", TaskEarlyStopping(self.task_patience)))
        return callbacks

    def _validation_split(self):
        if self.train_split is None and self.task_patience is not None:
            return GroupValidSplit(self.validation_size, random_state=self.random_state)
        return self.train_split

    def get_split_datasets(self, X, y=None, **fit_params):
        """Training / validation datasets; a group split for task-wise early stopping."""
        if self.train_split is None and self.task_patience is not None:
            dataset = self.get_dataset(X, y)
            return self._validation_split()(dataset, y, groups=fit_params.get("groups"))
        return super().get_split_datasets(X, y, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Total loss; each task's loss is recorded as ``<train|valid>_<task>_loss``."""
        loss = self.criterion_(y_pred, y_true)
        prefix = "train" if training else "valid"
        if self.history and self.history[-1].get("batches"):
            for task, value in self.criterion_.last_losses.items():
                self.history.record_batch(f"{prefix}_{task}_loss", value)
        return loss

    def fit(self, X, y, groups=None, **fit_params):
        """Build the network for ``X`` and the tasks of ``y`` and train it.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
            Windows.
        y : DataFrame of shape (n_windows, n_tasks) or array-like of shape (n_windows,)
            One column per task (``meta[["subject", "sex", "age"]]``);
            ``NaN``/``None`` marks a missing label.
        groups : array-like of shape (n_windows,), optional
            Subject or recording of each window, for the validation split
            (task-wise early stopping, :class:`GroupValidSplit`).
        **fit_params : dict
            As in skorch.

        Returns
        -------
        self : object
        """
        return super().fit(X, y, groups=groups, **fit_params)

    # ------------------------------------------------------------------
    # prediction
    # ------------------------------------------------------------------
    def _outputs(self, X):
        self.check_is_fitted()
        X = self._check_X(X, reset=False)
        out = []
        for yp in self.forward_iter(X, training=False):
            yp = yp[0] if isinstance(yp, (tuple, list)) else yp
            out.append(to_numpy(yp))
        out = np.concatenate(out, axis=0).astype(np.float64)
        columns, start = {}, 0
        for task, width in self.task_outputs_.items():
            columns[task] = out[:, start : start + width]
            start += width
        return columns

    @staticmethod
    def _softmax(z):
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def _task_predictions(self, outputs):
        pred = {}
        for task, kind in self.tasks_.items():
            z = outputs[task]
            if kind == "classification":
                pred[task] = self.task_classes_[task][np.argmax(z, axis=1)]
            else:
                pred[task] = z[:, 0] * self.target_scale_[task] + self.target_mean_[task]
        return pred

    def predict(self, X):
        """Every task's prediction.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)

        Returns
        -------
        y_pred : DataFrame of shape (n_windows, n_tasks), or ndarray of shape (n_windows,)
            Labels (classification) and values in the training unit
            (regression); 1-D when the estimator was fitted on a 1-D ``y``.
        """
        pred = pd.DataFrame(self._task_predictions(self._outputs(X)))
        return pred.iloc[:, 0].to_numpy() if self.single_output_ else pred

    def predict_proba(self, X):
        """Class probabilities of each classification task.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)

        Returns
        -------
        proba : dict of str to ndarray of shape (n_windows, n_classes), or ndarray
            Columns in the order of ``task_classes_[task]``; an array when
            fitted on a 1-D classification ``y``.
        """
        outputs = self._outputs(X)
        proba = {
            t: self._softmax(outputs[t])
            for t, kind in self.tasks_.items()
            if kind == "classification"
        }
        if self.single_output_:
            if self.main_task_ not in proba:
                raise AttributeError("predict_proba is only available for classification tasks.")
            return proba[self.main_task_]
        return proba

    @property
    def classes_(self):
        """Classes of the main task (scikit-learn's classifier convention)."""
        try:
            return self.task_classes_[self.main_task_]
        except (AttributeError, KeyError) as exc:
            raise AttributeError(
                f"{type(self).__name__} has no classes_: not fitted, or the main task is a regression."
            ) from exc

    def predict_aggregated(self, X, groups, *, method="product_proba", regression_method="mean"):
        """One prediction per group (recording or subject) for every task.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
        groups : array-like of shape (n_windows,)
            Recording (window → sequence) or subject (window → subject) ids.
        method : {"vote", "product_proba", "mean_proba"}, default="product_proba"
            Aggregation of classification tasks (majority vote, product of
            softmax scores, mean): :func:`~skgait.model_selection.aggregate_predictions`.
        regression_method : {"mean", "median"}, default="mean"
            Aggregation of regression tasks.

        Returns
        -------
        y_pred : DataFrame of shape (n_groups, n_tasks)
            Indexed by the sorted group ids.
        """
        outputs = self._outputs(X)
        result, index = {}, None
        for task, kind in self.tasks_.items():
            if kind == "classification":
                classes = self.task_classes_[task]
                if method == "vote":
                    index, agg = aggregate_predictions(
                        classes[np.argmax(outputs[task], axis=1)], groups, method="vote"
                    )
                else:
                    index, p = aggregate_predictions(
                        self._softmax(outputs[task]), groups, method=method
                    )
                    agg = classes[np.argmax(p, axis=1)]
            else:
                values = outputs[task][:, 0] * self.target_scale_[task] + self.target_mean_[task]
                index, agg = aggregate_predictions(values, groups, method=regression_method)
            result[task] = agg
        return pd.DataFrame(result, index=pd.Index(index, name="group"))

    def score(self, X, y, sample_weight=None):
        """Score of the main task: accuracy (classification) or R² (regression).

        Use :meth:`score_tasks` for every task.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
        y : DataFrame or array-like
            As in :meth:`fit` (only the main task's column is read).
        sample_weight : array-like of shape (n_windows,), optional

        Returns
        -------
        score : float
        """
        Y, _ = self._as_frame(y, fitted=True)
        pred = self._task_predictions(self._outputs(X))[self.main_task_]
        true = Y[self.main_task_].to_numpy()
        if self.tasks_[self.main_task_] == "classification":
            return float(accuracy_score(true, pred, sample_weight=sample_weight))
        return float(r2_score(true.astype(float), pred, sample_weight=sample_weight))

    def score_tasks(self, X, y, groups=None, *, method="product_proba"):
        """Metrics of every task, at window level or aggregated per group.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
        y : DataFrame or array-like
            Targets as in :meth:`fit`; windows without a label for a task
            are left out of its metrics.
        groups : array-like of shape (n_windows,), optional
            If given, decisions are aggregated per group first
            (:meth:`predict_aggregated` with ``method``).
        method : str, default="product_proba"
            Aggregation of classification tasks.

        Returns
        -------
        scores : dict of str to dict
            Classification: ``accuracy``, ``balanced_accuracy`` (the mean
            per-class accuracy, mAcc), ``f1_macro``; regression: ``mae``
            (training unit) and ``r2``.
        """
        Y, _ = self._as_frame(y, fitted=True)
        if groups is None:
            pred = pd.DataFrame(self._task_predictions(self._outputs(X)))
            true = Y.reset_index(drop=True)
        else:
            pred = self.predict_aggregated(X, groups, method=method)
            true = Y.groupby(np.asarray(groups), sort=True).first().loc[pred.index]
        scores = {}
        for task, kind in self.tasks_.items():
            t = true[task]
            labelled = t.notna().to_numpy()
            yt, yp = t.to_numpy()[labelled], pred[task].to_numpy()[labelled]
            if kind == "classification":
                scores[task] = {
                    "accuracy": float(accuracy_score(yt, yp)),
                    "balanced_accuracy": float(balanced_accuracy_score(yt, yp)),
                    "f1_macro": float(f1_score(yt, yp, average="macro", zero_division=0)),
                }
            else:
                yt = yt.astype(float)
                scores[task] = {
                    "mae": float(mean_absolute_error(yt, yp)),
                    "r2": float(r2_score(yt, yp)) if len(yt) > 1 else math.nan,
                }
        return scores
