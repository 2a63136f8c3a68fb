"""skorch estimators wrapping :class:`~skgait.models.BioDeepCNN`.

:class:`GaitCNNClassifier` and :class:`GaitCNNRegressor` share, through
:class:`_GaitNetMixin`:

- input validation (3-D float32 windows, NaN/inf rejected) and shape
  inference: ``n_channels``, ``n_times`` and ``n_outputs`` are read from
  ``X`` and ``y`` and given to the module unless the user set them
  (``module__n_channels=...``);
- seeding: ``random_state`` seeds weight initialisation, dropout and
  shuffling inside :func:`torch.random.fork_rng`, so a fit is reproducible
  and PyTorch's global random state is left as it was;
- transfer learning: ``warm_start_from`` loads the ``features.*`` weights of
  a network trained on another dataset, a fresh head is built for the new
  ``y``, ``freeze="features"`` freezes the copied layers with skorch's
  :class:`~skorch.callbacks.Freezer`, and ``fine_tune_epochs`` epochs are run;
- fast in-memory batches (:class:`~skgait.models.TensorBatchLoader`) and a
  subject-wise validation split (:class:`~skgait.models.GroupValidSplit`).
"""

import contextlib
import functools
import inspect
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import torch
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.metadata_routing import UNUSED, MethodMapping, process_routing
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_consistent_length
from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import Freezer
from skorch.utils import is_dataset, to_numpy
from torch import nn

from ..utils._validation import check_windows
from ._networks import BioDeepCNN
from ._training import FiniteLossCheck, TensorBatchLoader, WindowDataset

__all__ = ["GaitCNNClassifier", "GaitCNNRegressor"]

_INPUT_SHAPE_KEY = "input_shape"
_FEATURES_PREFIX = "features."
# Below this training batch size, CPU convolutions skip oneDNN (see _conv_backend).
_ONEDNN_MIN_BATCH = 32


@functools.lru_cache(maxsize=None)
def _auto_device():
    return "cuda" if torch.cuda.is_available() else "cpu"


def _resolve_device(device):
    if isinstance(device, str) and device == "auto":
        return _auto_device()
    return device


def _to_tensor_dict(state, source):
    out = {}
    for key, value in state.items():
        if not isinstance(key, str):
            raise TypeError(
                f"warm_start_from {source}: keys must be parameter names "
                f"(str); got {key!r}."
            )
        if not isinstance(value, torch.Tensor):
            try:
                value = torch.as_tensor(np.asarray(value))
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"warm_start_from {source}: entry {key!r} is a "
                    f"{type(value).__name__}, not a tensor or array."
                ) from exc
        value = value.detach().cpu()
        if value.is_floating_point() and not bool(torch.isfinite(value).all()):
            n_bad = int((~torch.isfinite(value)).sum())
            raise ValueError(
                f"warm_start_from {source}: {key!r} holds {n_bad} NaN or infinite "
                f"value(s) of {value.numel()}; the source network's training "
                "diverged. Use weights of a network that trained properly."
            )
        out[key] = value
    return out


def _read_weights(source):
    """Read a state dict from a path (.safetensors / .pt) or a mapping."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"warm_start_from: no weights file at {str(path)!r}.")
        if path.suffix == ".safetensors":
            try:
                from safetensors.torch import load_file
            except ImportError as exc:  # pragma: no cover - depends on env
                raise ImportError(
                    f"Reading {path.name} needs the 'safetensors' package: "
                    "pip install safetensors (or save with a .pt suffix)."
                ) from exc
            state = load_file(str(path))
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(state, Mapping):
            raise TypeError(
                f"warm_start_from: {str(path)!r} holds a {type(state).__name__}, "
                "not a state dict of tensors; save it with est.save_weights(path)."
            )
        return _to_tensor_dict(state, repr(str(path)))
    if hasattr(source, "get_params") and hasattr(source, "fit"):
        raise TypeError(
            "warm_start_from takes weights, not an estimator (cloning would "
            "reset it): pass est.feature_weights() or a file written by "
            "est.save_weights(path)."
        )
    if isinstance(source, Mapping):
        return _to_tensor_dict(source, "dict")
    raise TypeError(
        "warm_start_from must be None, a path to a .safetensors or .pt file, or "
        f"a dict of tensors (est.feature_weights()); got {type(source).__name__}."
    )


def _write_weights(state, path):
    path = Path(path)
    state = {key: value.detach().cpu().contiguous().clone() for key, value in state.items()}
    if path.suffix == ".safetensors":
        try:
            from safetensors.torch import save_file
        except ImportError as exc:  # pragma: no cover - depends on env
            raise ImportError(
                "Saving .safetensors needs the 'safetensors' package: pip "
                "install safetensors, or save with a .pt suffix."
            ) from exc
        save_file(state, str(path), metadata={"format": "pt", "library": "skgait"})
    elif path.suffix in (".pt", ".pth"):
        torch.save(state, path)
    else:
        raise ValueError(
            f"save_weights: unknown weights format {path.suffix!r} for "
            f"{str(path)!r}; use a .safetensors or .pt file name."
        )
    return path


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


class _GaitNetMixin:
    """Shape inference, seeding, transfer and fast batches for skorch nets.

    Put it before the skorch class in the bases:
    ``class GaitCNNClassifier(_GaitNetMixin, NeuralNetClassifier)``.
    Subclasses implement ``_fit_target(y)`` (learn encoders, return
    ``n_outputs``) and ``_transform_target(y)`` (what the loss sees).
    """

    # ------------------------------------------------------------------
    # device="auto": the parameter keeps "auto", skorch sees the device.
    # ------------------------------------------------------------------
    @property
    def device(self):
        return _resolve_device(self.__dict__.get("device", "cpu"))

    @device.setter
    def device(self, value):
        self.__dict__["device"] = value

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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

    @property
    def virtual_params_(self):
        return self.__dict__.setdefault("virtual_params_", {})

    @virtual_params_.setter
    def virtual_params_(self, value):
        self.__dict__["virtual_params_"] = value

    def _get_param_names(self):
        # skorch lists its private ``_params_to_validate`` set as a parameter;
        # it is rebuilt from the keyword arguments by __init__ anyway.
        return [k for k in super()._get_param_names() if k != "_params_to_validate"]

    def get_params(self, deep=True, **kwargs):
        params = super().get_params(deep=deep, **kwargs)
        if "device" in params:
            params["device"] = self.__dict__.get("device", "cpu")
        return params

    def __getstate__(self):
        state = super().__getstate__()
        # skorch maps CUDA tensors by ``state["device"]``: give it the real one.
        state["device_param_"] = state.get("device", "cpu")
        state["device"] = self.device
        return state

    def __setstate__(self, state):
        requested = state.pop("device_param_", None)
        super().__setstate__(state)
        if requested == "auto":
            self.__dict__["device"] = "auto"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.target_tags.required = True
        return tags

    # ------------------------------------------------------------------
    # validation
    # ------------------------------------------------------------------
    def _check_X(self, X, reset):
        X = check_windows(X, dtype=(np.float32, np.float64), estimator=self)
        X = np.ascontiguousarray(X, dtype=np.float32)
        if not reset and hasattr(self, "n_channels_"):
            expected = (self.n_channels_, self.n_times_)
            if X.shape[1:] != expected:
                raise ValueError(
                    f"X has windows of shape (n_channels, n_times)="
                    f"{X.shape[1:]}, but {type(self).__name__} was fitted on "
                    f"{expected}."
                )
        return X

    def set_params(self, **params):
        """Set parameters; ``callbacks`` is only stored until ``fit``.

        skorch builds the callbacks as soon as ``callbacks`` is set;
        scikit-learn expects ``set_params`` on an unfitted estimator to only
        store values (invalid ones are reported by ``fit``).
        """
        if "callbacks" in params and not self.initialized_:
            vars(self)["callbacks"] = params.pop("callbacks")
        return super().set_params(**params) if params else self

    def _validate_fit_params(self):
        if not isinstance(self.callbacks, (list, tuple, type(None))):
            raise ValueError(
                "callbacks must be None or a list of skorch callbacks (or "
                f"(name, callback) tuples); got {self.callbacks!r}."
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
        X : array-like of shape (n_windows, n_channels, n_times)
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
            self.n_channels_, self.n_times_ = X.shape[1:]
        with self._seeded(offset=0 if reset else len(self.history)):
            if reset:
                self.initialize()
            super().partial_fit(X, y, _routing_method="fit", **fit_params)
        return self

    def partial_fit(self, X, y, classes=None, groups=None, **fit_params):
        """Train for ``max_epochs`` more epochs, without re-initialising.

        If the estimator is not fitted yet, this is :meth:`fit`.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
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
        with self._seeded(offset=len(self.history)):
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
            torch.manual_seed(seed)
            yield

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
        if split is not None and not hasattr(split, "cv") and hasattr(
            split, "get_metadata_routing"
        ):
            router.add(
                splitter=split,
                method_mapping=MethodMapping()
                .add(caller="fit", callee="split")
                .add(caller="partial_fit", callee="split"),
            )
        return router

    def fit_loop(self, X, y=None, epochs=None, *, _routing_method="fit", groups=None, **fit_params):
        """skorch's fit loop; ``groups`` goes to ``train_split`` only.

        With ``epochs=None`` it runs ``fine_tune_epochs`` epochs when
        warm-starting from pretrained weights, else ``max_epochs``.
        ``groups`` reaches the validation split whether or not metadata
        routing is enabled; other metadata is routed as in skorch (with
        routing, only what the split requests reaches it).
        """
        if epochs is None:
            epochs = self.fine_tune_epochs if self.warm_start_from is not None else self.max_epochs
        from sklearn.utils._metadata_requests import _routing_enabled

        self.check_data(X, y)
        self.check_training_readiness()
        if _routing_enabled():
            routed = process_routing(self, _routing_method, **fit_params)
            split_params = dict(routed.get("splitter", {"split": {}})["split"])
        else:
            split_params = dict(fit_params)
        if groups is not None:
            split_params["groups"] = groups
        dataset_train, dataset_valid = self.get_split_datasets(X, y, **split_params)
        on_epoch_kwargs = {"dataset_train": dataset_train, "dataset_valid": dataset_valid}
        iterator_train = self.get_iterator(dataset_train, training=True)
        iterator_valid = None
        if dataset_valid is not None:
            iterator_valid = self.get_iterator(dataset_valid, training=False)

        with self._conv_backend(iterator_train):
            for _ in range(epochs):
                self.notify("on_epoch_begin", **on_epoch_kwargs)
                self.run_single_epoch(
                    iterator_train, training=True, prefix="train",
                    step_fn=self.train_step, **fit_params,
                )
                self.run_single_epoch(
                    iterator_valid, training=False, prefix="valid",
                    step_fn=self.validation_step, **fit_params,
                )
                self.notify("on_epoch_end", **on_epoch_kwargs)
        return self

    def _conv_backend(self, iterator):
        """Use PyTorch's native CPU convolutions for small batches.

        oneDNN (mkldnn) convolutions are faster for large batches, but for
        BioDeep's batches of 10 short windows their backward pass costs
        several times more than the native kernels. The flag is restored
        when training ends.
        """
        batch_size = getattr(iterator, "batch_size", None)
        small = batch_size is not None and 0 < batch_size < _ONEDNN_MIN_BATCH
        if small and torch.device(self.device).type == "cpu":
            return _onednn_disabled()
        return contextlib.nullcontext()

    def _set_training(self, training=True):
        # skorch switches modes at every batch; ``Module.train`` walks every
        # submodule, which costs as much as a small network's forward pass.
        # Switch only when the root module is in the other mode.
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_")
            if isinstance(module, nn.Module) and module.training != training:
                module.train(training)

    def get_params_for_optimizer(self, prefix, named_parameters):
        """Optimizer arguments; Adam and AdamW default to ``fused=True``.

        The fused kernel updates all parameters in one call, about three
        times faster than the per-tensor loop for a network of this size.
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

    # ------------------------------------------------------------------
    # data
    # ------------------------------------------------------------------
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
            "n_times": getattr(self, "n_times_", None),
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
        ``module__n_channels``, ``module__n_times`` and
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
            self._load_features(module)
        self.module_ = module
        return self

    def _init_without_data(self, module_kwargs):
        """Fitted shape attributes from ``module__*`` parameters (no data)."""
        if "n_channels" in module_kwargs and "n_times" in module_kwargs:
            self.n_channels_ = int(module_kwargs["n_channels"])
            self.n_times_ = int(module_kwargs["n_times"])
        if "n_outputs" in module_kwargs:
            self.n_outputs_ = int(module_kwargs["n_outputs"])

    def _load_features(self, module):
        state = _read_weights(self.warm_start_from)
        source_shape = state.pop(_INPUT_SHAPE_KEY, None)
        target_shape = (getattr(self, "n_channels_", None), getattr(self, "n_times_", None))
        if source_shape is not None and None not in target_shape:
            source_shape = tuple(int(v) for v in source_shape.reshape(-1).tolist())
            if source_shape != target_shape:
                raise ValueError(
                    "warm_start_from weights were trained on windows of shape "
                    f"(n_channels, n_times)={source_shape}, but X has windows of "
                    f"shape {target_shape}. Transfer needs the same channels "
                    "(sensor axes) and the same number of time points or ACF lags."
                )
        source = {k: v for k, v in state.items() if k.startswith(_FEATURES_PREFIX)}
        own = {
            k: v for k, v in module.state_dict().items() if k.startswith(_FEATURES_PREFIX)
        }
        if not own:
            raise ValueError(
                f"warm_start_from: {type(module).__name__} has no 'features' "
                "submodule with parameters; transfer copies 'features.*' weights."
            )
        if not source:
            raise ValueError(
                "warm_start_from holds no 'features.*' weights (keys: "
                f"{sorted(state)[:6]}...); use est.feature_weights() or "
                "est.save_weights(path) of a fitted skgait network."
            )
        missing = sorted(set(own) - set(source))
        unexpected = sorted(set(source) - set(own))
        if missing or unexpected:
            raise ValueError(
                "warm_start_from weights do not match the network's features: "
                f"missing {missing}, unexpected {unexpected}. Use the same module "
                "and module__n_filters/kernel_size/strides as the source network."
            )
        for key, value in own.items():
            if tuple(source[key].shape) != tuple(value.shape):
                raise ValueError(
                    f"warm_start_from: {key!r} has shape {tuple(source[key].shape)} "
                    f"in the source weights but {tuple(value.shape)} in the network "
                    f"built for X with (n_channels, n_times)={target_shape}. The "
                    "source network was trained on other channels or another "
                    "architecture."
                )
        module.load_state_dict(source, strict=False)

    @property
    def _default_callbacks(self):
        # After skorch's loss scorers, so that the epoch's losses are recorded.
        callbacks = [*super()._default_callbacks, ("finite_loss", FiniteLossCheck())]
        patterns = self._freeze_patterns()
        if patterns:
            callbacks.append(("freezer", Freezer(patterns)))
        return callbacks

    def _freeze_patterns(self):
        """``freeze`` as a list of fnmatch patterns, or None if invalid."""
        freeze = self.freeze
        if freeze is None:
            return []
        if isinstance(freeze, str):
            freeze = [freeze]
        try:
            freeze = list(freeze)
        except TypeError:
            return None
        if not freeze or not all(isinstance(p, str) for p in freeze):
            return None
        return [_FEATURES_PREFIX + "*" if p == "features" else p for p in freeze]

    def feature_weights(self):
        """Weights of the convolutional ``features`` for transfer learning.

        Returns
        -------
        weights : dict of str to torch.Tensor
            ``features.*`` tensors (copied to CPU) and an ``"input_shape"``
            entry ``[n_channels, n_times]``. Pass it as ``warm_start_from``
            of a new estimator; it survives :func:`sklearn.base.clone`.
        """
        self.check_is_fitted()
        state = {
            k: v.detach().cpu().clone()
            for k, v in self.module_.state_dict().items()
            if k.startswith(_FEATURES_PREFIX)
        }
        state[_INPUT_SHAPE_KEY] = torch.tensor([self.n_channels_, self.n_times_])
        return state

    def save_weights(self, path):
        """Save the network weights (features and head) to a file.

        Parameters
        ----------
        path : str or path-like
            ``*.safetensors`` (needs the ``safetensors`` package) or
            ``*.pt``. The file can be given as ``warm_start_from``.

        Returns
        -------
        path : pathlib.Path
            The written file.
        """
        self.check_is_fitted()
        state = dict(self.module_.state_dict())
        state[_INPUT_SHAPE_KEY] = torch.tensor([self.n_channels_, self.n_times_])
        return _write_weights(state, path)


_SHARED_PARAMS_DOC = """
    module : torch.nn.Module class or instance, default=BioDeepCNN
        The network. A class is built in ``fit`` with ``n_channels``,
        ``n_times`` and ``n_outputs`` inferred from ``X`` and ``y`` (only
        those its constructor accepts, and never overriding
        ``module__n_channels`` etc. set by the user); other arguments are
        given as ``module__name=value``. Transfer learning needs a
        ``features`` submodule. To load saved parameters into a new
        estimator without fitting it (``net.initialize()`` then
        ``net.load_params(f_params=...)``), give the shapes as
        ``module__n_channels`` and ``module__n_times`` (and ``classes`` for
        a classifier, or ``module__n_outputs``).
    criterion : torch loss class or None, default=None
        ``None`` picks the paper's loss (see the class description).
    optimizer : torch optimizer class, default=torch.optim.Adam
        As in the paper; set its arguments with ``optimizer__name=value``.
    lr : float, default=1e-3
        Learning rate.
    max_epochs : int, default=30
        Epochs when training from scratch.
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
    n_times_ : int
        Time points (or lags) of the training windows.
    n_outputs_ : int
        Outputs of the network.
    module_ : torch.nn.Module
        The trained network.
    history_ : skorch.history.History
        Per-epoch and per-batch losses and timings.
"""



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


class GaitCNNClassifier(_LabelEncodedMixin, _GaitNetMixin, NeuralNetClassifier):
    __doc__ = (
        """BioDeep CNN classifier (gender, or any label) on gait windows.

    A skorch :class:`~skorch.NeuralNetClassifier` that builds
    :class:`~skgait.models.BioDeepCNN` for the shape of ``X`` and the number
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
                                    module__n_times=10).initialize()
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
    skgait.models.BioDeepCNN : The network.
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

    def __init__(
        self,
        module=BioDeepCNN,
        *,
        criterion=None,
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
            raise ValueError(
                f"classes must be a list of distinct labels; got {self.classes!r}."
            )
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

    def check_data(self, X, y):
        # Classes come from the label encoder, fitted in ``fit``.
        pass

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
        return super(NeuralNetClassifier, self).get_loss(y_pred, y_true, X=X, training=training)

    def _get_predict_nonlinearity(self):
        if self.predict_nonlinearity == "auto":
            self.check_is_fitted()
            if isinstance(self.criterion_, nn.BCEWithLogitsLoss):
                return _binary_proba
            if isinstance(self.criterion_, nn.CrossEntropyLoss):
                return functools.partial(torch.softmax, dim=-1)
        return super()._get_predict_nonlinearity()

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
            Windows.

        Returns
        -------
        proba : ndarray of shape (n_windows, n_classes)
            Columns in the order of ``classes_``.
        """
        self.check_is_fitted()
        return super().predict_proba(X)

    def predict(self, X):
        """Predicted labels, of the same type as the training labels.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
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


class GaitCNNRegressor(_GaitNetMixin, NeuralNetRegressor):
    __doc__ = (
        """BioDeep CNN regressor (age, or any value) on gait windows.

    A skorch :class:`~skorch.NeuralNetRegressor` that builds
    :class:`~skgait.models.BioDeepCNN` for the shape of ``X``. As in the
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
    skgait.models.BioDeepCNN : The network.

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

    def __init__(
        self,
        module=BioDeepCNN,
        *,
        criterion=nn.L1Loss,
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

    def _fit_target(self, y):
        y = check_array(
            y, ensure_2d=False, dtype=np.float64, input_name="y", estimator=self
        )
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

    def check_data(self, X, y):
        pass

    def predict(self, X):
        """Predicted values in the unit of the training ``y``.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
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
        nonlin = self._get_predict_nonlinearity()
        out = []
        for yp in self.forward_iter(X, training=False):
            yp = yp[0] if isinstance(yp, tuple) else yp
            out.append(to_numpy(nonlin(yp)))
        out = np.concatenate(out, axis=0).astype(np.float64)
        out = out.reshape(len(out), -1)
        out = out * self._scale() + self.y_min_
        return out.ravel() if self.y_ndim_ == 1 else out

    # A regressor has no probabilities; hide skorch's predict_proba so that
    # ``hasattr(reg, "predict_proba")`` is False, as for scikit-learn's.
    predict_proba = available_if(lambda self: False)(NeuralNetRegressor.predict_proba)
