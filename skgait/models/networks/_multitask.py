"""Plain PyTorch networks for multi-task gait recognition.

- :class:`SeparableConvFeatures`: depthwise-separable convolution blocks,
  the "lightweight" feature extractor of Rajababu et al.;
- :class:`MultiTaskNetwork`: a shared feature extractor, a compact shared
  embedding and one linear head per task.
"""

import inspect

import torch
from torch import nn

from ._biodeep import BioDeepCNN

__all__ = ["MultiTaskNetwork", "SeparableConvFeatures"]


class SeparableConvFeatures(nn.Sequential):
    """Depthwise-separable 1-D convolution blocks (lightweight features).

    Each block is a depthwise convolution (one filter per input channel),
    a pointwise (1×1) convolution mixing channels, ReLU and max-pooling, as
    in the lightweight multi-task CNN of Rajababu et al.. A block has
    ``c_in · k + c_in · c_out`` weights instead of ``c_in · c_out · k`` for a
    full convolution.

    Parameters
    ----------
    n_channels : int
        Input channels.
    n_filters : tuple of int, default=(16, 32)
        Output channels of each block.
    kernel_size : int, default=5
        Depthwise kernel size.
    pool_size : int, default=2
        Max-pooling after each block.

    Examples
    --------
    >>> import torch
    >>> from skgait.models.networks import SeparableConvFeatures
    >>> SeparableConvFeatures(6)(torch.zeros(2, 6, 64)).shape
    torch.Size([2, 32, 16])
    """

    def __init__(self, n_channels, n_filters=(16, 32), kernel_size=5, pool_size=2):
        layers = []
        c_in = n_channels
        for c_out in n_filters:
            layers += [
                nn.Conv1d(c_in, c_in, kernel_size, padding=kernel_size // 2, groups=c_in),
                nn.Conv1d(c_in, c_out, 1),
                nn.ReLU(),
                nn.MaxPool1d(pool_size),
            ]
            c_in = c_out
        super().__init__(*layers)


def _build_features(features, n_channels, n_timepoints):
    if isinstance(features, nn.Module):
        return features
    if features == "biodeep":
        return BioDeepCNN(n_channels, n_timepoints, 1).features
    if features == "separable":
        return SeparableConvFeatures(n_channels)
    if isinstance(features, type) and issubclass(features, nn.Module):
        params = inspect.signature(features).parameters
        kwargs = {"n_channels": n_channels, "n_timepoints": n_timepoints}
        if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
            kwargs = {k: v for k, v in kwargs.items() if k in params}
        return features(**kwargs)
    raise ValueError(
        "MultiTaskNetwork: features must be 'biodeep', 'separable', an "
        f"nn.Module class or an nn.Module instance; got {features!r}."
    )


class MultiTaskNetwork(nn.Module):
    """Shared features, a compact shared embedding and one head per task.

    ``features`` → adaptive average pooling to ``n_pool`` steps → flatten →
    dense ``n_embedding`` → ReLU → dropout (the shared *embedding*, the
    "gait signature" of Marín-Jiménez et al. (2017)) → one linear head per task. The output is
    the tuple ``(outputs, embedding)``: ``outputs`` concatenates the heads in
    the order of ``task_outputs`` (logits for classification, values for
    regression); the embedding feeds the verification loss.

    Pooling to a fixed ``n_pool`` keeps the network small and independent of
    the window length: with BioDeep features and 6 channels it has about
    10 k parameters plus the heads, whatever ``n_timepoints``.

    Parameters
    ----------
    n_channels : int
        Input channels.
    n_timepoints : int
        Time points per window (only used to build and check ``features``).
    task_outputs : dict of str to int
        Outputs of each head, e.g. ``{"subject": 38, "sex": 2, "age": 1}``.
    features : {"biodeep", "separable"}, nn.Module class or instance, default="biodeep"
        Shared feature extractor mapping ``(n, n_channels, n_timepoints)`` to
        ``(n, n_filters, n_steps)``. ``"biodeep"``: the convolution blocks of
        :class:`BioDeepCNN` (transferable with ``warm_start_from``);
        ``"separable"``: :class:`SeparableConvFeatures`. A class is built
        with the ``n_channels`` / ``n_timepoints`` arguments it accepts.
    n_pool : int, default=4
        Time steps kept by the adaptive average pooling.
    n_embedding : int, default=64
        Size of the shared embedding.
    dropout : float, default=0.3
        Dropout after the embedding.

    Attributes
    ----------
    features : torch.nn.Module
    embedding : torch.nn.Sequential
    heads : torch.nn.ModuleDict

    Examples
    --------
    >>> import torch
    >>> from skgait.models.networks import MultiTaskNetwork
    >>> net = MultiTaskNetwork(6, 128, {"subject": 10, "sex": 2, "age": 1})
    >>> out, emb = net(torch.zeros(3, 6, 128))
    >>> out.shape, emb.shape
    (torch.Size([3, 13]), torch.Size([3, 64]))
    """

    def __init__(
        self,
        n_channels,
        n_timepoints,
        task_outputs,
        features="biodeep",
        n_pool=4,
        n_embedding=64,
        dropout=0.3,
    ):
        super().__init__()
        if not task_outputs:
            raise ValueError("MultiTaskNetwork: task_outputs must name at least one task.")
        self.features = _build_features(features, n_channels, n_timepoints)
        with torch.no_grad():
            was_training = self.features.training
            self.features.eval()
            n_filters, n_steps = self.features(torch.zeros(1, n_channels, n_timepoints)).shape[1:]
            self.features.train(was_training)
        if n_steps < 1:
            raise ValueError(
                f"MultiTaskNetwork: the features leave no time step for windows of "
                f"n_timepoints={n_timepoints}; use longer windows."
            )
        self.embedding = nn.Sequential(
            nn.AdaptiveAvgPool1d(n_pool),
            nn.Flatten(),
            nn.Linear(n_filters * n_pool, n_embedding),
            nn.ReLU(),
            nn.Dropout(dropout),
        )
        self.heads = nn.ModuleDict(
            {task: nn.Linear(n_embedding, int(k)) for task, k in task_outputs.items()}
        )

    def forward(self, x):
        """Map windows to ``(outputs (n, Σ task outputs), embedding (n, n_embedding))``."""
        z = self.embedding(self.features(x))
        return torch.cat([head(z) for head in self.heads.values()], dim=1), z
