"""Transfer learning ("cross-testing") for the skorch estimators.

The estimators export ``features.*`` (or ``lstm.*``) tensors with an
``"input_shape"`` entry (:meth:`_TransferMixin.feature_weights`,
:meth:`_TransferMixin.save_weights`); :func:`read_weights` reads them back
from a file or a dict and :func:`load_prefixed` copies the matching ones into
a new network, whose copied layers ``freeze`` can hold fixed with skorch's
:class:`~skorch.callbacks.Freezer` (see ``_GaitNeuralNet.get_default_callbacks``).
"""

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import torch

INPUT_SHAPE_KEY = "input_shape"
FEATURES_PREFIX = "features."


def _to_tensor_dict(state, source):
    out = {}
    for key, value in state.items():
        if not isinstance(key, str):
            raise TypeError(
                f"warm_start_from {source}: keys must be parameter names (str); got {key!r}."
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


def read_weights(source):
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


def write_weights(state, path):
    """Write a state dict to ``*.safetensors`` or ``*.pt``; return the path."""
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


def prefixed_weights(module, prefix):
    """CPU copies of the ``prefix*`` tensors of a module's state dict."""
    return {
        k: v.detach().cpu().clone() for k, v in module.state_dict().items() if k.startswith(prefix)
    }


def load_prefixed(module, state, prefix):
    """Copy the ``prefix*`` tensors of ``state`` into ``module``.

    Every ``prefix*`` parameter of the module must be in ``state`` with the
    same shape; the others (a new head) keep their initialisation.
    """
    source = {k: v for k, v in state.items() if k.startswith(prefix)}
    own = {k: v for k, v in module.state_dict().items() if k.startswith(prefix)}
    if not own:
        raise ValueError(
            f"warm_start_from: {type(module).__name__} has no {prefix.rstrip('.')!r} "
            f"submodule with parameters; transfer copies {prefix!r}* weights."
        )
    if not source:
        raise ValueError(
            f"warm_start_from holds no {prefix!r}* weights (keys: "
            f"{sorted(state)[:6]}...); use est.feature_weights() (for 'lstm.*', "
            "est.recurrent_weights()) or est.save_weights(path) of a fitted skgait "
            "network."
        )
    missing = sorted(set(own) - set(source))
    unexpected = sorted(set(source) - set(own))
    if missing or unexpected:
        raise ValueError(
            f"warm_start_from weights do not match the network's {prefix!r}* "
            f"parameters: missing {missing}, unexpected {unexpected}. Use the same "
            "module and module__* settings (n_filters, kernel_size, strides, lstm, "
            "n_hidden) as the source network."
        )
    for key, value in own.items():
        if tuple(source[key].shape) != tuple(value.shape):
            raise ValueError(
                f"warm_start_from: {key!r} has shape {tuple(source[key].shape)} "
                f"in the source weights but {tuple(value.shape)} in this network. "
                "The source network was trained on other channels or has another "
                "architecture."
            )
    module.load_state_dict(source, strict=False)


class _TransferMixin:
    """``warm_start_from``, ``freeze`` and weight export of a skorch estimator.

    Used by :class:`~skgait.models._base._GaitNeuralNet`, which calls
    :meth:`_load_pretrained` when it builds the module.
    """

    def _transfer_prefix(self):
        """Parameters that ``warm_start_from`` loads (and ``"features"`` freezes)."""
        return FEATURES_PREFIX

    def _check_source_shape(self, source_shape):
        target_shape = (getattr(self, "n_channels_", None), getattr(self, "n_timepoints_", None))
        if source_shape is None or None in target_shape:
            return
        source_shape = tuple(int(v) for v in source_shape.reshape(-1).tolist())
        if source_shape != target_shape:
            raise ValueError(
                "warm_start_from weights were trained on windows of shape "
                f"(n_channels, n_timepoints)={source_shape}, but X has windows of "
                f"shape {target_shape}. Transfer needs the same channels "
                "(sensor axes) and the same number of time points or ACF lags."
            )

    def _load_pretrained(self, module):
        state = read_weights(self.warm_start_from)
        self._check_source_shape(state.pop(INPUT_SHAPE_KEY, None))
        load_prefixed(module, state, self._transfer_prefix())

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
        return [FEATURES_PREFIX + "*" if p == "features" else p for p in freeze]

    def feature_weights(self):
        """Weights of the convolutional ``features`` for transfer learning.

        Returns
        -------
        weights : dict of str to torch.Tensor
            ``features.*`` tensors (copied to CPU) and an ``"input_shape"``
            entry ``[n_channels, n_timepoints]``. Pass it as ``warm_start_from``
            of a new estimator; it survives :func:`sklearn.base.clone`.
        """
        self.check_is_fitted()
        state = prefixed_weights(self.module_, FEATURES_PREFIX)
        state[INPUT_SHAPE_KEY] = torch.tensor([self.n_channels_, self.n_timepoints_])
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
        state[INPUT_SHAPE_KEY] = torch.tensor([self.n_channels_, self.n_timepoints_])
        return write_weights(state, path)
