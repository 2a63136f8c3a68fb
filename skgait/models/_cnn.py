"""BioDeep CNN estimators: :class:`GaitCNNClassifier` and :class:`GaitCNNRegressor`.

Both wrap :class:`~skgait.models.networks.BioDeepCNN` (or any module with the same
inputs) through the shared skorch base :class:`~skgait.models._base._GaitNeuralNet`.
"""

import functools

import numpy as np
import torch
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array
from skorch import NeuralNet, NeuralNetClassifier, NeuralNetRegressor
from torch import nn

from ._base import _GaitNeuralNet, _LabelEncodedMixin
from .networks import BioDeepCNN

__all__ = ["GaitCNNClassifier", "GaitCNNRegressor"]


_SHARED_PARAMS_DOC = """
    module : torch.nn.Module class or instance, default=BioDeepCNN
        The network. A class is built in ``fit`` with ``n_channels``,
        ``n_timepoints`` and ``n_outputs`` inferred from ``X`` and ``y`` (only
        those its constructor accepts, and never overriding
        ``module__n_channels`` etc. set by the user); other arguments are
        given as ``module__name=value``. Transfer learning needs a
        ``features`` submodule. To load saved parameters into a new
        estimator without fitting it (``net.initialize()`` then
        ``net.load_params(f_params=...)``), give the shapes as
        ``module__n_channels`` and ``module__n_timepoints`` (and ``classes`` for
        a classifier, or ``module__n_outputs``).
    criterion : torch loss class or None, default=None
        ``None`` picks the paper's loss (see the class description).
    optimizer : torch optimizer class, default=torch.optim.Adam
        As in the paper; set its arguments with ``optimizer__name=value``.
    lr : float, default=1e-3
        Learning rate (Adam's usual default; the paper does not state one).
    max_epochs : int, default=30
        Epochs when training from scratch (the paper does not state how
        many).
    batch_size : int, default=10
        Training batch size, as in the paper.
    train_split : callable or None, default=None
        Internal validation split. ``None`` trains on all windows, so no
        subject can leak into a validation part. For early stopping use
        :class:`~skgait.models.GroupValidSplit` and pass ``groups`` to
        ``fit``; skorch's window-wise ``ValidSplit`` would put windows of the
        same subject on both sides.
    callbacks : list of skorch callbacks or None, default=None
        Extra callbacks (``EarlyStopping``, ``Checkpoint``, ...).
    iterator_train, iterator_valid : class, default=TensorBatchLoader
        Batch iterators. :class:`~skgait.models.TensorBatchLoader` slices
        in-memory tensors; pass :class:`torch.utils.data.DataLoader` for
        skorch's usual per-sample loading. Training batches are shuffled
        unless ``iterator_train__shuffle=False``.
    dataset : class, default=WindowDataset
        Dataset class wrapping ``X`` and ``y``.
    use_caching : bool or 'auto', default=False
        skorch's caching of predictions for scoring callbacks. Off by
        default so that scorers compare ``predict`` with ``y`` in the user's
        labels and units (cached targets would be the encoded ones).
    warm_start_from : str, path-like, dict of tensors or None, default=None
        Pretrained weights for transfer learning ("cross-testing"): a file
        written by :meth:`save_weights` (``.safetensors`` or ``.pt``, read
        with ``weights_only=True``) or the dict of
        :meth:`feature_weights`. Only ``features.*`` weights are loaded; the
        head is new and sized for ``y``. Shapes must match (same channels and
        time points / lags).
    freeze : None, "features", str or list of str, default=None
        Parameters frozen during fine-tuning (fnmatch patterns of
        parameter names; ``"features"`` means ``"features.*"``), applied with
        :class:`skorch.callbacks.Freezer`. Needs ``warm_start_from``.
    fine_tune_epochs : int, default=3
        Epochs run instead of ``max_epochs`` when ``warm_start_from`` is set
        (the paper fine-tunes for 2 or 3 epochs).
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout and shuffling. Two fits with the
        same integer give the same weights and predictions. PyTorch's global
        random state is restored after ``fit``.
    device : str, default="cpu"
        PyTorch device; ``"auto"`` uses CUDA when available, else the CPU.
    verbose : int, default=0
        Print skorch's epoch log when positive.
    **kwargs
        Other skorch parameters, such as ``module__n_hidden=32``,
        ``optimizer__weight_decay=1e-4`` or ``iterator_train__shuffle=False``.
"""

_SHARED_ATTRIBUTES_DOC = """
    n_channels_ : int
        Channels of the training windows.
    n_timepoints_ : int
        Time points (or lags) of the training windows.
    n_outputs_ : int
        Outputs of the network.
    module_ : torch.nn.Module
        The trained network.
    history_ : skorch.history.History
        Per-epoch and per-batch losses and timings.
"""


class GaitCNNClassifier(_LabelEncodedMixin, _GaitNeuralNet, NeuralNetClassifier):
    __doc__ = (
        """BioDeep CNN classifier (gender, or any label) on gait windows.

    A skorch :class:`~skorch.NeuralNetClassifier` that builds
    :class:`~skgait.models.networks.BioDeepCNN` for the shape of ``X`` and the number
    of classes in ``y``. Labels of any type (``"F"``/``"M"``, integers) are
    encoded with a :class:`~sklearn.preprocessing.LabelEncoder`. Two classes
    give one output with :class:`~torch.nn.BCEWithLogitsLoss` (sigmoid and
    binary cross-entropy as in the paper); more classes give ``n_classes``
    outputs with :class:`~torch.nn.CrossEntropyLoss` (softmax).

    Parameters
    ----------"""
        + _SHARED_PARAMS_DOC
        + """    classes : list or None, default=None
        The class labels (skorch's parameter). ``None`` takes them from
        ``y`` in ``fit``; a list fixes them (and the outputs), so that
        ``y`` may lack some, and lets ``initialize()`` build the network
        without data::

            net = GaitCNNClassifier(classes=["F", "M"], module__n_channels=6,
                                    module__n_timepoints=10).initialize()
            net.load_params(f_params="params.pt")

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, in the column order of :meth:`predict_proba`."""
        + _SHARED_ATTRIBUTES_DOC
        + """
    See Also
    --------
    GaitCNNRegressor : The same network for age regression.
    skgait.models.networks.BioDeepCNN : The network.
    skgait.models.GroupValidSplit : Subject-wise validation for early stopping.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.models import GaitCNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 6, 10)).astype(np.float32)
    >>> y = np.where(X[:, 0, :3].mean(axis=1) > 0, "M", "F")
    >>> clf = GaitCNNClassifier(max_epochs=3, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> clf.classes_.tolist()
    ['F', 'M']
    >>> clf.predict(X[:4]).shape
    (4,)

    Transfer ("cross-testing"): reuse the convolutional features of a
    network trained on another dataset and fine-tune a new head.

    >>> target = GaitCNNClassifier(
    ...     warm_start_from=clf.feature_weights(), freeze="features",
    ...     fine_tune_epochs=2, random_state=0,
    ... ).fit(X[:30], y[:30])
    >>> len(target.history)
    2
    """
    )

    def __init__(self, module=BioDeepCNN, *, criterion=None, **kwargs):
        super().__init__(module, criterion=criterion, **kwargs)

    def _fit_target(self, y):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError(
                f"{type(self).__name__} expects y of shape (n_windows,); got {y.shape}."
            )
        check_classification_targets(y)
        encoder = self._classes_encoder()
        if encoder is None:
            encoder = LabelEncoder().fit(y)
        else:
            unknown = np.setdiff1d(np.unique(y), encoder.classes_)
            if unknown.size:
                raise ValueError(
                    f"y has labels {unknown[:5].tolist()} that are not in "
                    f"classes={list(self.classes)!r}."
                )
        n_classes = len(encoder.classes_)
        if n_classes < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in "
                f"the data, but the data contains only one class: "
                f"{encoder.classes_[0]!r}."
            )
        self.label_encoder_ = encoder
        return 1 if n_classes == 2 and self._single_logit_loss(self.criterion) else n_classes

    def _classes_encoder(self):
        """A LabelEncoder fitted on the ``classes`` parameter, or None."""
        classes = getattr(self, "classes", None)
        if classes is None:
            return None
        classes = np.asarray(classes)
        if classes.ndim != 1 or len(np.unique(classes)) != len(classes):
            raise ValueError(f"classes must be a list of distinct labels; got {self.classes!r}.")
        return LabelEncoder().fit(classes)

    def _init_without_data(self, module_kwargs):
        super()._init_without_data(module_kwargs)
        if not hasattr(self, "label_encoder_"):
            encoder = self._classes_encoder()
            if encoder is not None:
                self.label_encoder_ = encoder
        if not hasattr(self, "n_outputs_") and hasattr(self, "label_encoder_"):
            n_classes = len(self.label_encoder_.classes_)
            single = n_classes == 2 and self._single_logit_loss(self.criterion)
            self.n_outputs_ = 1 if single else n_classes

    @staticmethod
    def _single_logit_loss(criterion):
        """Whether a binary problem is trained with one logit (BCE)."""
        if criterion is None:
            return True
        cls = criterion if isinstance(criterion, type) else type(criterion)
        return issubclass(cls, (nn.BCEWithLogitsLoss, nn.BCELoss))

    def _transform_target(self, y):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        codes = self.label_encoder_.transform(y)
        criterion = getattr(self, "criterion_", self.criterion)
        if len(self.classes_) == 2 and self._single_logit_loss(criterion):
            return torch.as_tensor(codes, dtype=torch.float32)
        return torch.as_tensor(codes, dtype=torch.int64)

    def initialize_criterion(self):
        """Build the criterion; ``criterion=None`` picks BCE or cross-entropy."""
        criterion = self.criterion
        if criterion is None:
            n_classes = len(getattr(self, "classes_", [0, 1]))
            criterion = nn.BCEWithLogitsLoss if n_classes == 2 else nn.CrossEntropyLoss
        self.criterion_ = self.initialized_instance(criterion, self.get_params_for("criterion"))
        return self

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Loss of a batch; single-logit outputs are squeezed for BCE."""
        if (
            isinstance(self.criterion_, nn.BCEWithLogitsLoss)
            and y_pred.ndim == 2
            and y_pred.shape[1] == 1
        ):
            y_pred = y_pred[:, 0]
        return super().get_loss(y_pred, y_true, X=X, training=training)

    def predict_proba(self, X):
        """Class probabilities.

        With ``predict_nonlinearity="auto"``, a single logit (BCE) gives
        ``[1 - p, p]`` and several logits a softmax; any other
        ``predict_nonlinearity`` is applied as in skorch.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
            Windows.

        Returns
        -------
        proba : ndarray of shape (n_windows, n_classes)
            Columns in the order of ``classes_``.
        """
        self.check_is_fitted()
        if self.predict_nonlinearity == "auto":
            if isinstance(self.criterion_, nn.BCEWithLogitsLoss):
                return self._forward_numpy(X, _binary_proba)
            if isinstance(self.criterion_, nn.CrossEntropyLoss):
                return self._forward_numpy(X, functools.partial(torch.softmax, dim=-1))
        return super().predict_proba(X)

    def predict(self, X):
        """Predicted labels, of the same type as the training labels.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
            Windows.

        Returns
        -------
        y_pred : ndarray of shape (n_windows,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


def _binary_proba(logits):
    p = torch.sigmoid(logits.reshape(len(logits), -1)[:, 0])
    return torch.stack((1 - p, p), dim=1)


class GaitCNNRegressor(_GaitNeuralNet, NeuralNetRegressor):
    __doc__ = (
        """BioDeep CNN regressor (age, or any value) on gait windows.

    A skorch :class:`~skorch.NeuralNetRegressor` that builds
    :class:`~skgait.models.networks.BioDeepCNN` for the shape of ``X``. As in the
    paper, the targets are scaled to [0, 1] with the training minimum and
    maximum, the output is linear and the loss is the mean absolute error
    (:class:`~torch.nn.L1Loss`); predictions come back in the original unit
    (years), 1-D when ``y`` was 1-D. Training losses in ``history_`` are in
    the scaled unit.

    Parameters
    ----------"""
        + _SHARED_PARAMS_DOC
        + """
    Attributes
    ----------
    y_min_ : ndarray of shape (n_outputs,)
        Training minimum of each target (maps to 0).
    y_max_ : ndarray of shape (n_outputs,)
        Training maximum of each target (maps to 1)."""
        + _SHARED_ATTRIBUTES_DOC
        + """
    See Also
    --------
    GaitCNNClassifier : The same network for gender classification.
    skgait.models.networks.BioDeepCNN : The network.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.models import GaitCNNRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 6, 10)).astype(np.float32)
    >>> age = 20 + 10 * X[:, 0, 0].clip(-1, 1)
    >>> reg = GaitCNNRegressor(max_epochs=3, random_state=0).fit(X, age)
    >>> reg.predict(X[:3]).shape
    (3,)

    Fine-tune the features of a gender classifier for age:

    >>> from skgait.models import GaitCNNClassifier
    >>> clf = GaitCNNClassifier(max_epochs=2, random_state=0).fit(X, age > 20)
    >>> reg = GaitCNNRegressor(warm_start_from=clf.feature_weights(),
    ...                        random_state=0).fit(X, age)
    >>> len(reg.history)
    3
    """
    )

    def __init__(self, module=BioDeepCNN, *, criterion=nn.L1Loss, **kwargs):
        super().__init__(module, criterion=criterion, **kwargs)

    def _fit_target(self, y):
        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y", estimator=self)
        if y.ndim not in (1, 2):
            raise ValueError(
                f"{type(self).__name__} expects y of shape (n_windows,) or "
                f"(n_windows, n_targets); got {y.shape}."
            )
        self.y_ndim_ = y.ndim
        y2 = y.reshape(len(y), -1)
        self.y_min_ = y2.min(axis=0)
        self.y_max_ = y2.max(axis=0)
        return y2.shape[1]

    def _scale(self):
        scale = self.y_max_ - self.y_min_
        return np.where(scale > 0, scale, 1.0)

    def _transform_target(self, y):
        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        y2 = y.reshape(len(y), -1)
        return torch.as_tensor(((y2 - self.y_min_) / self._scale()).astype(np.float32))

    def predict(self, X):
        """Predicted values in the unit of the training ``y``.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
            Windows.

        Returns
        -------
        y_pred : ndarray of shape (n_windows,) or (n_windows, n_targets)
        """
        self.check_is_fitted()
        if not hasattr(self, "y_min_"):
            raise AttributeError(
                f"{type(self).__name__} predicts in the unit of the training y, "
                "whose range (y_min_, y_max_) fit sets and load_params does not "
                "restore; fit the estimator, or pickle it instead of saving params."
            )
        # skorch's forward pass and predict_nonlinearity (identity by default).
        out = NeuralNet.predict_proba(self, X).astype(np.float64)
        out = out.reshape(len(out), -1)
        out = out * self._scale() + self.y_min_
        return out.ravel() if self.y_ndim_ == 1 else out

    # A regressor has no probabilities; hide skorch's predict_proba so that
    # ``hasattr(reg, "predict_proba")`` is False, as for scikit-learn's.
    predict_proba = available_if(lambda self: False)(NeuralNetRegressor.predict_proba)
