"""The skorch base of skgait's networks.

:class:`_GaitNeuralNet` is to skgait what braindecode's ``_EEGNeuralNet``
is to braindecode: every estimator (:class:`~skgait.models.GaitCNNClassifier`,
:class:`~skgait.models.GaitCNNRegressor`,
:class:`~skgait.models.GaitCNNLSTMClassifier`,
:class:`~skgait.models.GaitSegmenter`, :class:`~skgait.models.GaitMultiTaskNet`)
derives from it and lists only the defaults it changes. It holds, once:

- input validation (3-D float32 windows, NaN/inf rejected), the fitted-shape
  check and the 3-D scikit-learn tags;
- shape inference: ``n_channels``, ``n_timepoints`` and ``n_outputs`` are read from
  ``X`` and ``y`` and given to the module unless the user set them
  (``module__n_channels=...``);
- seeding: ``random_state`` seeds weight initialisation, dropout and
  shuffling inside :func:`torch.random.fork_rng`, so a fit is reproducible
  and PyTorch's global random state is left as it was;
- transfer learning: ``warm_start_from`` loads the ``features.*`` weights of
  a network trained on another dataset, a fresh head is built for the new
  ``y``, ``freeze="features"`` freezes the copied layers with skorch's
  :class:`~skorch.callbacks.Freezer`, and ``fine_tune_epochs`` epochs are run;
- ``device="auto"``, fast in-memory batches
  (:class:`~skgait.models.TensorBatchLoader`) and ``groups`` routed to a
  subject-wise validation split (:class:`~skgait.models.GroupValidSplit`)
  only, never to the module.

Only skorch's public methods and callbacks are extended; its private
methods and its ``fit_loop`` body are left to skorch. Per batch, skorch's
loop then costs little beside the network: batches are slices of tensors
held whole on the device, the modules are switched to training mode only
when they are not in it, callbacks are called only for the events they
handle, and the divergence check reads the history once per epoch. When
no callback handles batch events or gradients, an epoch writes the
per-batch history rows directly and a step calls the optimizer without
skorch's closure (:meth:`_GaitNeuralNet.run_single_epoch`,
:meth:`_GaitNeuralNet.train_step`); with such a callback, or an optimizer
that needs a closure, the loop is skorch's.
"""

import contextlib
import inspect

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils.metadata_routing import UNUSED, MethodMapping
from sklearn.utils.validation import check_consistent_length
from skorch import NeuralNet
from skorch.callbacks import Callback, EpochScoring, Freezer
from skorch.dataset import get_len, unpack_data
from skorch.history import History
from skorch.utils import is_dataset, to_numpy, to_tensor
from torch import nn

from ..utils._validation import (
    check_device,
    check_fitted_window_shape,
    check_windows,
    resolve_device,
    set_window_tags,
)
from ._training import FiniteLossCheck, TensorBatchLoader, WindowDataset
from ._transfer import _TransferMixin

# Below this training batch size, CPU convolutions skip oneDNN (see _conv_backend).
_ONEDNN_MIN_BATCH = 32


@contextlib.contextmanager
def _onednn_disabled():
    # ``torch.backends.mkldnn.flags`` warns about TF32 on every call; set
    # the one flag directly and restore it.
    previous = torch.backends.mkldnn.enabled
    torch.backends.mkldnn.enabled = False
    try:
        yield
    finally:
        torch.backends.mkldnn.enabled = previous


def _idle_epoch_scoring(callback, net, training):
    """Whether ``callback`` is an ``EpochScoring`` that skips the batches of this pass.

    Its ``on_batch_end`` only caches predictions, and only when caching is
    on (the net's ``use_caching`` unless ``"auto"``, else the callback's)
    and the pass is the one it scores (``on_train``).
    """
    if not isinstance(callback, EpochScoring) or (
        type(callback).on_batch_end is not EpochScoring.on_batch_end
    ):
        return False
    use_caching = callback.use_caching if net.use_caching == "auto" else net.use_caching
    return not use_caching or training != callback.on_train


def _closure_free(optimizer):
    """Whether ``optimizer.step()`` never needs a closure: PyTorch's own optimizers but LBFGS."""
    cls = type(optimizer)
    return cls.__module__.startswith("torch.optim.") and cls is not torch.optim.LBFGS


def _batch_len(batch):
    """Number of samples of a batch, as skorch records it (``get_len`` of ``X``)."""
    Xi = batch[0] if isinstance(batch, (tuple, list)) else batch
    return len(Xi) if isinstance(Xi, torch.Tensor) else get_len(Xi)


class _GaitNeuralNet(_TransferMixin, NeuralNet):
    """Shape inference, seeding, transfer and fast batches for skorch nets.

    Put it before the skorch class in the bases, as braindecode does:
    ``class GaitCNNClassifier(_GaitNeuralNet, NeuralNetClassifier)``.
    Subclasses implement ``_fit_target(y)`` (learn encoders, return
    ``n_outputs``) and ``_transform_target(y)`` (what the loss sees).
    """

    def __init__(
        self,
        module,
        *,
        criterion,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        max_epochs=30,
        batch_size=10,
        train_split=None,
        callbacks=None,
        iterator_train=TensorBatchLoader,
        iterator_valid=TensorBatchLoader,
        dataset=WindowDataset,
        use_caching=False,
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
            use_caching=use_caching,
            device=device,
            verbose=verbose,
            **kwargs,
        )
        self.warm_start_from = warm_start_from
        self.freeze = freeze
        self.fine_tune_epochs = fine_tune_epochs
        self.random_state = random_state
        # skorch sets these in __init__; scikit-learn's conformance wants only
        # parameters there. Class-level defaults below stand in until fit.
        for name, default in (("history_", None), ("initialized_", False)):
            if vars(self).get(name, default) is default:
                vars(self).pop(name, None)
        if not vars(self).get("virtual_params_", True):
            vars(self).pop("virtual_params_")

    history_ = None
    initialized_ = False

    # ``groups`` is not consumed by the network itself: it is routed to the
    # validation split (see get_metadata_routing).
    __metadata_request__fit = {"groups": UNUSED}
    __metadata_request__partial_fit = {"classes": UNUSED, "groups": UNUSED}

    # ------------------------------------------------------------------
    # parameters, device="auto", pickling, tags
    # ------------------------------------------------------------------
    @property
    def device(self):
        return resolve_device(self.__dict__.get("device", "cpu"))

    @device.setter
    def device(self, value):
        self.__dict__["device"] = value

    @property
    def virtual_params_(self):
        return self.__dict__.setdefault("virtual_params_", {})

    @virtual_params_.setter
    def virtual_params_(self, value):
        self.__dict__["virtual_params_"] = value

    def get_params(self, deep=True, **kwargs):
        """Get parameters, as skorch; ``device`` as set (``"auto"`` stays).

        skorch's bookkeeping set ``_params_to_validate`` is not a parameter:
        ``__init__`` rebuilds it from the keyword arguments.
        """
        params = super().get_params(deep=deep, **kwargs)
        params.pop("_params_to_validate", None)
        if "device" in params:
            params["device"] = self.__dict__.get("device", "cpu")
        return params

    def set_params(self, **params):
        """Set parameters; ``callbacks`` is only stored until ``fit``.

        skorch builds the callbacks as soon as ``callbacks`` is set;
        scikit-learn expects ``set_params`` on an unfitted estimator to only
        store values (invalid ones are reported by ``fit``).
        """
        if "callbacks" in params and not self.initialized_:
            vars(self)["callbacks"] = params.pop("callbacks")
        return super().set_params(**params) if params else self

    def __getstate__(self):
        state = super().__getstate__()
        # skorch maps CUDA tensors by ``state["device"]``: give it the real one.
        state["device_param_"] = state.get("device", "cpu")
        state["device"] = self.device
        state.pop("_plain_step_", None)  # a pickle made during fit (Checkpoint)
        return state

    def __setstate__(self, state):
        requested = state.pop("device_param_", None)
        super().__setstate__(state)
        if requested == "auto":
            self.__dict__["device"] = "auto"

    def __sklearn_tags__(self):
        return set_window_tags(super().__sklearn_tags__())

    # ------------------------------------------------------------------
    # validation
    # ------------------------------------------------------------------
    def _check_X(self, X, reset):
        X = check_windows(X, dtype=(np.float32, np.float64), estimator=self)
        X = np.ascontiguousarray(X, dtype=np.float32)
        if not reset and hasattr(self, "n_channels_"):
            self._check_fitted_shape(X)
        return X

    def _check_fitted_shape(self, X):
        """Raise if windows differ in shape from the training windows."""
        check_fitted_window_shape(X, self)

    def _validate_fit_params(self):
        check_device(self.device, type(self).__name__)
        if not (isinstance(self.callbacks, (list, tuple)) or self.callbacks in (None, "disable")):
            raise ValueError(
                "callbacks must be None, 'disable' or a list of skorch callbacks "
                f"(or (name, callback) tuples); got {self.callbacks!r}."
            )
        if self._freeze_patterns() is None:
            raise ValueError(
                "freeze must be None, 'features', or a (list of) fnmatch "
                f"pattern(s) of parameter names; got {self.freeze!r}."
            )
        if self.freeze is not None and self.warm_start_from is None:
            raise ValueError(
                f"freeze={self.freeze!r} would freeze randomly initialised "
                "layers; set warm_start_from to pretrained weights, or "
                "freeze=None."
            )
        if not isinstance(self.fine_tune_epochs, int) or self.fine_tune_epochs < 1:
            raise ValueError(
                f"fine_tune_epochs must be a positive integer; got {self.fine_tune_epochs!r}."
            )

    # ------------------------------------------------------------------
    # fit
    # ------------------------------------------------------------------
    def fit(self, X, y, groups=None, **fit_params):
        """Build the network for ``X`` and ``y`` and train it.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
            Windows (or ACF features in 3-D form); converted to float32.
        y : array-like of shape (n_windows,)
            Targets.
        groups : array-like of shape (n_windows,), optional
            Subject of each window, passed to ``train_split`` only (see
            :class:`~skgait.models.GroupValidSplit`); never to the module.
        **fit_params : dict
            Passed to ``train_split`` and to the module's ``forward``, as in
            skorch.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        reset = not (self.warm_start and self.initialized_)
        X = self._check_X(X, reset=reset)
        if y is None:
            raise ValueError(f"{type(self).__name__} needs y to fit; got y=None.")
        check_consistent_length(X, y)
        if groups is not None:
            check_consistent_length(X, groups)
            fit_params["groups"] = groups
        if reset:
            self._validate_fit_params()
            self.n_outputs_ = self._fit_target(y)
            self.n_channels_, self.n_timepoints_ = X.shape[1:]
        with self._seeded(offset=0 if reset else len(self.history)), self._conv_backend():
            if reset:
                self.initialize()
            super().partial_fit(X, y, _routing_method="fit", **fit_params)
        return self

    def partial_fit(self, X, y, classes=None, groups=None, **fit_params):
        """Train for ``max_epochs`` more epochs, without re-initialising.

        If the estimator is not fitted yet, this is :meth:`fit`.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
            Windows.
        y : array-like of shape (n_windows,)
            Targets, with labels seen in the first fit.
        classes : None
            Unused; present for scikit-learn compatibility.
        groups : array-like of shape (n_windows,), optional
            Passed to ``train_split``.
        **fit_params : dict
            As in :meth:`fit`.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if not self.initialized_ or not hasattr(self, "n_outputs_"):
            return self.fit(X, y, groups=groups, **fit_params)
        X = self._check_X(X, reset=False)
        check_consistent_length(X, y)
        if groups is not None:
            fit_params["groups"] = groups
        with self._seeded(offset=len(self.history)), self._conv_backend():
            super().partial_fit(X, y, _routing_method="partial_fit", **fit_params)
        return self

    @contextlib.contextmanager
    def _seeded(self, offset=0):
        """Seed PyTorch from ``random_state`` without leaking global state."""
        if self.random_state is None:
            yield
            return
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        seed = (seed + offset) % (2**31 - 1)
        device = torch.device(self.device)
        devices = []
        if device.type == "cuda":
            devices = [device.index if device.index is not None else torch.cuda.current_device()]
        with torch.random.fork_rng(devices=devices):
            # Only the generators that fork_rng restores (torch.manual_seed
            # would also seed every other device's, in about a millisecond).
            torch.default_generator.manual_seed(seed)
            for index in devices:
                with torch.cuda.device(index):
                    torch.cuda.manual_seed(seed)
            yield

    def _conv_backend(self):
        """Use PyTorch's native CPU convolutions for small training batches.

        oneDNN (mkldnn) convolutions are faster for large batches, but for
        BioDeep's batches of 10 short windows their backward pass costs
        several times more than the native kernels. The flag is restored
        when training ends.
        """
        batch_size = self.get_params_for("iterator_train").get("batch_size", self.batch_size)
        small = 0 < batch_size < _ONEDNN_MIN_BATCH
        if small and torch.device(self.device).type == "cpu":
            return _onednn_disabled()
        return contextlib.nullcontext()

    def _training_epochs(self):
        """Epochs of one ``fit``: ``fine_tune_epochs`` when warm-starting."""
        return self.fine_tune_epochs if self.warm_start_from is not None else self.max_epochs

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """skorch's fit loop; ``epochs=None`` runs ``fine_tune_epochs`` epochs
        when warm-starting from pretrained weights, else ``max_epochs``.

        Whether :meth:`train_step` may skip skorch's closure is decided
        once here, for all the batches of the loop.
        """
        if epochs is None:
            epochs = self._training_epochs()
        self._plain_step_ = self._plain_step_possible()
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        finally:
            del self._plain_step_

    def infer(self, x, **fit_params):
        """skorch's forward pass of a batch; ``groups`` is not given to the module.

        A batch that is already a tensor is moved to ``device`` and passed
        to the module, as skorch's ``to_tensor`` would, without its checks
        for the other input types.
        """
        fit_params.pop("groups", None)
        if isinstance(x, torch.Tensor):
            return self.module_(x.to(self.device), **fit_params)
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Loss of a batch: the criterion of ``y_pred`` and ``y_true``, as skorch's.

        A target that is already a tensor (the batches of
        :class:`~skgait.models.TensorBatchLoader` and of a ``DataLoader``
        are) is moved to ``device``, as skorch's ``to_tensor`` would,
        without its checks for the other input types; others go through
        ``to_tensor``. This is :class:`skorch.NeuralNet`'s loss, not
        :class:`skorch.NeuralNetClassifier`'s, which takes the log of the
        outputs for ``NLLLoss``.
        """
        if isinstance(y_true, torch.Tensor):
            y_true = y_true.to(self.device)
        else:
            y_true = to_tensor(y_true, device=self.device)
        return self.criterion_(y_pred, y_true)

    def _validation_split(self):
        """The internal validation split used in ``fit`` (or None)."""
        return self.train_split

    def get_metadata_routing(self):
        """Get the metadata routing of this object.

        As skorch's, plus: a validation split that requests metadata, such
        as :class:`~skgait.models.GroupValidSplit` (``groups``), receives
        it from ``fit`` and ``partial_fit``. So with routing enabled,
        ``groups`` passed to a Pipeline's ``fit`` or through
        ``cross_validate(..., params={"groups": groups})`` reaches the
        subject-wise validation split without ``set_fit_request``.

        Returns
        -------
        routing : MetadataRouter
            A :class:`~sklearn.utils.metadata_routing.MetadataRouter`
            encapsulating routing information.
        """
        router = super().get_metadata_routing()
        split = self._validation_split()
        if (
            split is not None
            and not hasattr(split, "cv")
            and hasattr(split, "get_metadata_routing")
        ):
            router.add(
                splitter=split,
                method_mapping=MethodMapping()
                .add(caller="fit", callee="split")
                .add(caller="partial_fit", callee="split"),
            )
        return router

    def notify(self, method_name, **cb_kwargs):
        """Call ``method_name`` of the net and of the callbacks that define it.

        As skorch's, but a callback whose method is :class:`skorch.callbacks.Callback`'s
        own (which does nothing) is not called: skorch notifies every
        callback three times per batch (``on_batch_begin``,
        ``on_grad_computed``, ``on_batch_end``), and the default callbacks
        handle only epoch events.
        """
        getattr(self, method_name)(self, **cb_kwargs)
        for cb in self._handlers(method_name):
            getattr(cb, method_name)(self, **cb_kwargs)

    def _handlers(self, method_name):
        """The callbacks whose ``method_name`` is not the no-op of skorch's ``Callback``."""
        noop = getattr(Callback, method_name, None)
        return [
            cb
            for _, cb in self.callbacks_
            if getattr(getattr(cb, method_name), "__func__", None) is not noop
        ]

    def _batch_events_handled(self, training):
        """Whether a batch event has a listener besides skorch's own bookkeeping.

        The listeners: the net's ``on_batch_begin`` or ``on_batch_end`` if a
        subclass overrides them, a history other than skorch's
        :class:`~skorch.history.History`, and the callbacks that define
        ``on_batch_begin`` or ``on_batch_end``, except an
        :class:`~skorch.callbacks.EpochScoring` that caches no predictions in
        this pass (its ``on_batch_end`` returns at once then).
        """
        cls = type(self)
        if (
            cls.on_batch_begin is not NeuralNet.on_batch_begin
            or cls.on_batch_end is not NeuralNet.on_batch_end
            or type(self.history) is not History
            or self._handlers("on_batch_begin")
        ):
            return True
        handlers = self._handlers("on_batch_end")
        return any(not _idle_epoch_scoring(cb, self, training) for cb in handlers)

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """One pass over ``iterator``, as skorch's, with less work per batch when no one listens.

        skorch's pass notifies ``on_batch_begin`` and ``on_batch_end`` and
        writes each batch's loss and size through the history's indexing
        and skorch's ``get_len``: Python work that weighs on the small
        batches of BioDeep on a CPU. When nothing handles these events (see
        :meth:`_batch_events_handled`; skgait's default callbacks read the
        history at the end of each epoch only), the pass appends each
        batch's row to the history directly, with the same keys and values
        as skorch (``<prefix>_loss``, ``<prefix>_batch_size``) and in the
        same order, and records ``<prefix>_batch_count``. Otherwise it is
        skorch's pass.

        Parameters
        ----------
        iterator : iterable or None
            The batches; None skips the pass.
        training : bool
            Whether this is the training pass.
        prefix : str
            ``"train"`` or ``"valid"``, the prefix of the history keys.
        step_fn : callable
            Called with each batch and ``fit_params``; returns a dict with
            the batch's ``"loss"``.
        **fit_params : dict
            Passed to ``step_fn``.
        """
        if iterator is None or self._batch_events_handled(training):
            return super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)
        rows = self.history[-1]["batches"]
        loss_key, size_key = prefix + "_loss", prefix + "_batch_size"
        batch_count = 0
        for batch in iterator:
            # The row exists during the step, as with skorch's new_batch(),
            # so that get_loss may record per-batch values in it.
            row = {}
            rows.append(row)
            step = step_fn(batch, **fit_params)
            row[loss_key] = step["loss"].item()
            row[size_key] = _batch_len(batch)
            batch_count += 1
        self.history.record(prefix + "_batch_count", batch_count)
        return None

    def train_step(self, batch, **fit_params):
        """One optimisation step on ``batch``, as skorch's.

        skorch passes a closure to ``optimizer.step``, which a few
        optimizers (:class:`torch.optim.LBFGS`) call several times, and
        notifies ``on_grad_computed`` inside it. When the optimizers are
        PyTorch's own that never need a closure and no callback handles
        ``on_grad_computed``, the gradients are zeroed, computed by
        :meth:`train_step_single`, and the optimizers stepped without one;
        otherwise this is skorch's step.

        Returns
        -------
        step : dict
            ``{"loss": loss, "y_pred": y_pred}``, as skorch's.
        """
        plain = vars(self).get("_plain_step_")
        if not (self._plain_step_possible() if plain is None else plain):
            return super().train_step(batch, **fit_params)
        self._zero_grad_optimizer()
        step = self.train_step_single(batch, **fit_params)
        self._step_optimizer(None)
        return step

    def _plain_step_possible(self):
        """Whether no optimizer needs a closure and no callback handles ``on_grad_computed``."""
        optimizers = [getattr(self, name + "_") for name in self._optimizers]
        return all(map(_closure_free, optimizers)) and not self._handlers("on_grad_computed")

    def train_step_single(self, batch, **fit_params):
        """Forward pass, loss and gradients of one training batch, as skorch's.

        skorch puts every module and criterion in training mode before each
        batch, and :meth:`torch.nn.Module.train` walks every submodule
        (about a tenth of a training step of BioDeep's batch of 10). Here
        the switch is made only when a module is not in training mode (the
        first batch of an epoch, or after a ``predict`` in a callback):
        ``train()`` and ``eval()`` set a module's ``training`` flag with its
        submodules', so the flag tells when the switch is due.

        Returns
        -------
        step : dict
            ``{"loss": loss, "y_pred": y_pred}``, as skorch's.
        """
        modules = (getattr(self, name + "_", None) for name in self._modules + self._criteria)
        if any(isinstance(m, nn.Module) and not m.training for m in modules):
            self._set_training(True)
        Xi, yi = unpack_data(batch)
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    def get_default_callbacks(self):
        """skorch's default callbacks, then a non-finite loss check and ``freeze``."""
        # After skorch's loss scorers, so that the epoch's losses are recorded.
        callbacks = [*super().get_default_callbacks(), ("finite_loss", FiniteLossCheck())]
        patterns = self._freeze_patterns()
        if patterns:
            callbacks.append(("freezer", Freezer(patterns)))
        return callbacks

    def get_params_for_optimizer(self, prefix, named_parameters):
        """Optimizer arguments; Adam and AdamW default to ``fused=True``.

        The fused kernel updates all parameters in one call instead of one
        call per tensor, which is what a small network's step costs.
        Setting ``optimizer__fused`` or ``optimizer__foreach`` overrides it.
        """
        args, kwargs = super().get_params_for_optimizer(prefix, named_parameters)
        optimizer = getattr(self, prefix, None)
        if (
            optimizer in (torch.optim.Adam, torch.optim.AdamW)
            and "fused" not in kwargs
            and "foreach" not in kwargs
            and torch.device(self.device).type in ("cpu", "cuda")
        ):
            kwargs["fused"] = True
        return args, kwargs

    # ------------------------------------------------------------------
    # prediction
    # ------------------------------------------------------------------
    def forward_iter(self, X, training=False, device="cpu"):
        """skorch's batched forward pass; non-finite outputs are an error.

        A network whose weights hold NaN (a diverged training, NaN loaded
        weights) outputs NaN, which ``argmax`` would turn into the first
        class; no prediction is made from such outputs.

        Raises
        ------
        FloatingPointError
            If an output of the module is NaN or infinite.
        """
        for yp in super().forward_iter(X, training=training, device=device):
            for out in yp if isinstance(yp, (tuple, list)) else (yp,):
                if isinstance(out, torch.Tensor) and not bool(torch.isfinite(out).all()):
                    bad = (~torch.isfinite(out.reshape(len(out), -1))).any(dim=1)
                    raise FloatingPointError(
                        f"{type(self).__name__}: the network output NaN or infinite "
                        f"values for {int(bad.sum())} of the {len(out)} windows of a "
                        "batch, so no prediction can be made. Its weights are not "
                        "finite (a diverged training, or NaN weights loaded) or the "
                        "inputs overflow float32."
                    )
            yield yp

    def _forward_numpy(self, X, nonlinearity=None):
        """The module's (first) output for ``X``, through ``nonlinearity``, as NumPy."""
        out = []
        for yp in self.forward_iter(X, training=False):
            yp = yp[0] if isinstance(yp, (tuple, list)) else yp
            out.append(to_numpy(yp if nonlinearity is None else nonlinearity(yp)))
        return np.concatenate(out, axis=0)

    # ------------------------------------------------------------------
    # data
    # ------------------------------------------------------------------
    def check_data(self, X, y=None):
        """Nothing to check: ``fit`` validated ``X`` and encoded ``y``."""

    def get_dataset(self, X, y=None):
        """Wrap validated float32 windows and encoded targets in a dataset."""
        if is_dataset(X):
            return X
        if self.dataset is not WindowDataset:
            return super().get_dataset(X, y)
        X = self._check_X(X, reset=False)
        if y is None:
            return WindowDataset(X)
        y_user = np.asarray(y)
        return WindowDataset(X, y_user, target=self._transform_target(y_user))

    def get_iterator(self, dataset, training=False):
        """Batches for training (shuffled) or evaluation.

        Training batches are shuffled unless ``iterator_train__shuffle=False``.
        With the default :class:`~skgait.models.TensorBatchLoader`, the data
        are moved once to ``device`` and evaluation batches hold at least 512
        windows unless ``iterator_valid__batch_size`` is set (evaluation has
        no dropout, so the batch size does not change predictions).
        """
        prefix = "iterator_train" if training else "iterator_valid"
        kwargs = self.get_params_for(prefix)
        iterator = self.iterator_train if training else self.iterator_valid
        if training:
            kwargs.setdefault("shuffle", True)
        fast = isinstance(iterator, type) and issubclass(iterator, TensorBatchLoader)
        if "batch_size" not in kwargs:
            kwargs["batch_size"] = self.batch_size
            if fast and not training and self.batch_size != -1:
                kwargs["batch_size"] = max(self.batch_size, 512)
        if kwargs["batch_size"] == -1:
            kwargs["batch_size"] = max(len(dataset), 1)
        if fast:
            kwargs.setdefault("device", self.device)
        return iterator(dataset, **kwargs)

    # ------------------------------------------------------------------
    # module, transfer
    # ------------------------------------------------------------------
    def _inferred_module_kwargs(self):
        inferred = {
            "n_channels": getattr(self, "n_channels_", None),
            "n_timepoints": getattr(self, "n_timepoints_", None),
            "n_outputs": getattr(self, "n_outputs_", None),
        }
        inferred = {k: int(v) for k, v in inferred.items() if v is not None}
        try:
            parameters = inspect.signature(self.module).parameters
        except (TypeError, ValueError):
            return inferred
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
            return inferred
        return {k: v for k, v in inferred.items() if k in parameters}

    def initialize_module(self):
        """Build the module with inferred shapes, then load transferred weights.

        Outside ``fit`` (``net.initialize()`` before ``net.load_params``),
        nothing is inferred from data: the shapes come from
        ``module__n_channels``, ``module__n_timepoints`` and
        ``module__n_outputs`` (a classifier's outputs also from
        ``classes``), and set ``n_channels_`` etc. as ``fit`` would.
        """
        kwargs = self.get_params_for("module")
        if not hasattr(self, "n_outputs_"):
            self._init_without_data(kwargs)
        if not isinstance(self.module, nn.Module):
            # Inferred values never override what the user set.
            kwargs = {**self._inferred_module_kwargs(), **kwargs}
        module = self.initialized_instance(self.module, kwargs)
        if self.warm_start_from is not None:
            self._load_pretrained(module)
        self.module_ = module
        return self

    def _init_without_data(self, module_kwargs):
        """Fitted shape attributes from ``module__*`` parameters (no data)."""
        if "n_channels" in module_kwargs and "n_timepoints" in module_kwargs:
            self.n_channels_ = int(module_kwargs["n_channels"])
            self.n_timepoints_ = int(module_kwargs["n_timepoints"])
        if "n_outputs" in module_kwargs:
            self.n_outputs_ = int(module_kwargs["n_outputs"])


class _LabelEncodedMixin:
    """``classes_`` of an estimator whose labels are encoded by ``label_encoder_``."""

    @property
    def classes_(self):
        try:
            return self.label_encoder_.classes_
        except AttributeError as exc:
            raise AttributeError(
                f"{type(self).__name__} is not fitted yet: 'classes_' is set by fit."
            ) from exc
