"""Deep multi-task estimator: identity, gender and age from one network.

:class:`GaitMultiTaskNet` trains :class:`~skgait.models.networks.MultiTaskNetwork`
with ``L = L_main + Σ_t λ_t L_t`` (Marín-Jiménez et al., 2017), reusing the shape inference,
seeding, transfer and batching of the estimators' skorch base,
:class:`~skgait.models._base._GaitNeuralNet`.
"""

import math

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    mean_absolute_error,
    r2_score,
)
from sklearn.utils import ClassifierTags, RegressorTags
from skorch import NeuralNet
from skorch.utils import is_dataset, to_numpy

from ..losses import ContrastiveLoss, MultiTaskLoss
from ..utils._aggregate import aggregate_predictions
from ._base import _GaitNeuralNet
from ._multitask_targets import _TaskTargetsMixin
from ._task_early_stopping import VERIFICATION, TaskEarlyStopping
from ._training import GroupValidSplit, WindowDataset
from .networks import MultiTaskNetwork

__all__ = ["GaitMultiTaskNet"]


class GaitMultiTaskNet(_TaskTargetsMixin, _GaitNeuralNet):
    """Deep multi-task network: identity, gender and age from gait windows.

    One network (:class:`~skgait.models.networks.MultiTaskNetwork`: shared
    convolutional features, a compact shared embedding, a linear head per
    task) trained with the loss of the deep multi-task model of Marín-Jiménez et al. (2017)::

        L = L_main + Σ_t λ_t · L_t

    ``fit(X, Y)`` takes a table ``Y`` with one column per task, e.g.
    ``meta[["subject", "sex", "age"]]``: identity as the main task, gender
    and age as auxiliary tasks. Classification tasks get a softmax head and
    categorical cross-entropy (the "softmax log-loss" of Marín-Jiménez et al. (2017)) or a
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
        Built in ``fit`` with ``n_channels``, ``n_timepoints`` and
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
        (Marín-Jiménez et al., 2017) on the embedding, with the main task's labels as
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
        Chatzitzisi et al. (2020) (``1/(1−p)``, ``1/p``) for two classes, eq. 11
        (``n_max/n_i``) for more. With two classes the softmax forms equal
        the binary ones (BCE, WBCE, BFL, WBFL) of Chatzitzisi et al. (2020).
    margin : float, default=1.0
        Margin ``m`` of the verification loss.
    task_patience : int or None, default=None
        Task-wise early stopping (:class:`~skgait.models.TaskEarlyStopping`): an auxiliary
        task whose validation loss has not improved for this many epochs is
        dropped from the loss and its head is frozen; training
        stops when the main task stops. A patience rule, not the criterion
        of Zhang et al. (2014) that Marín-Jiménez et al. (2017) cite.
        Needs a validation split by group:
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
iterator_train, iterator_valid, dataset, use_caching, warm_start_from, freeze, \
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
    n_channels_, n_timepoints_, n_outputs_, module_, history_
        As in :class:`~skgait.models.GaitCNNClassifier`.

    See Also
    --------
    skgait.models.networks.MultiTaskNetwork : The default network.
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
    >>> net.embed(X[:2]).shape  # the gait signature
    (2, 64)
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
        batch_size=32,
        **kwargs,
    ):
        super().__init__(module, criterion=criterion, batch_size=batch_size, **kwargs)
        self.tasks = tasks
        self.main_task = main_task
        self.task_weights = task_weights
        self.losses = losses
        self.margin = margin
        self.task_patience = task_patience
        self.validation_size = validation_size

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

    def initialize_criterion(self):
        """Build the multi-task loss from ``losses``, ``task_weights`` and ``margin``."""
        if not hasattr(self, "tasks_"):
            # skorch may initialise before fit (e.g. net.initialize()); the
            # loss needs the tasks, so it is built again in fit.
            self.criterion_ = None
            return self
        losses = {t: self._task_loss(t, k) for t, k in self.tasks_.items()}
        verification = None
        if self.task_weights_.get(VERIFICATION, 0) > 0:
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

    def get_default_callbacks(self):
        """The base's default callbacks, and task-wise early stopping if set."""
        callbacks = super().get_default_callbacks()
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
        X : array-like of shape (n_windows, n_channels, n_timepoints)
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
        out = self._forward_numpy(X).astype(np.float64)
        columns, start = {}, 0
        for task, width in self.task_outputs_.items():
            columns[task] = out[:, start : start + width]
            start += width
        return columns

    def embed(self, X):
        """The shared embedding of each window: the learned gait signature.

        The output of ``MultiTaskNetwork.embedding`` (after its ReLU; dropout
        is off outside training), the input of every task's head: the "gait
        signature" of Marín-Jiménez et al. (2017), which
        :class:`~skgait.models.GaitSignatureClassifier` classifies.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)

        Returns
        -------
        signature : ndarray of shape (n_windows, n_embedding)
        """
        self.check_is_fitted()
        X = self._check_X(X, reset=False)
        out = [to_numpy(yp[1]) for yp in self.forward_iter(X, training=False)]
        return np.concatenate(out, axis=0).astype(np.float64)

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
        X : array-like of shape (n_windows, n_channels, n_timepoints)

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
        X : array-like of shape (n_windows, n_channels, n_timepoints)

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
                f"{type(self).__name__} has no classes_: not fitted, or the main task is a "
                "regression."
            ) from exc

    def predict_aggregated(self, X, groups, *, method="product_proba", regression_method="mean"):
        """One prediction per group (recording or subject) for every task.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
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
        X : array-like of shape (n_windows, n_channels, n_timepoints)
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
        X : array-like of shape (n_windows, n_channels, n_timepoints)
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
