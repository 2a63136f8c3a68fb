"""The BioDeep convolutional network (Mostafa et al., 2021), a plain PyTorch module."""

from torch import nn

__all__ = ["BioDeepCNN"]


def _conv_out(length, kernel_size, stride, padding):
    return (length + 2 * padding - kernel_size) // stride + 1


def _as_tuple(value, name):
    if isinstance(value, int):
        return (value,)
    value = tuple(value)
    if not value or not all(isinstance(v, int) and v > 0 for v in value):
        raise ValueError(f"BioDeepCNN: {name} must be positive integers; got {value!r}.")
    return value


class BioDeepCNN(nn.Module):
    """The BioDeep convolutional network for age and gender from gait.

    Two 1-D convolution blocks (convolution → ReLU → max-pooling) followed
    by a dense layer, dropout and a linear output, as in BioDeep (§4.2 and
    §5): 16 filters with stride 1, 32 filters with stride 2, 64 hidden
    units. The output is raw: logits for classification, a linear value for
    regression; the estimator chooses the loss and the output non-linearity.

    The network is split into two submodules so that transfer learning can
    copy the convolutional part:

    - ``features``: the convolution blocks, mapping
      ``(n, n_channels, n_timepoints)`` to ``(n, n_filters[-1], n_timepoints_out)``;
    - ``head``: flatten → dense → ReLU → dropout → output.

    Convolutions are zero-padded by ``kernel_size // 2`` so that short inputs,
    such as 10 autocorrelation lags, still leave at least one time step.

    Parameters
    ----------
    n_channels : int
        Number of input channels (6 for a tri-axial accelerometer plus a
        tri-axial gyroscope).
    n_timepoints : int
        Number of time points (or lags) per window.
    n_outputs : int
        Number of outputs: 1 for binary classification and for regression,
        ``n_classes`` for multi-class classification.
    n_filters : tuple of int, default=(16, 32)
        Filters of each convolution block.
    kernel_size : int, default=3
        Convolution kernel size, shared by all blocks.
    strides : tuple of int, default=(1, 2)
        Convolution stride of each block; same length as ``n_filters``.
    pool_size : int, default=2
        Max-pooling size (and stride) after each convolution.
    n_hidden : int, default=64
        Units of the dense layer.
    dropout : float, default=0.5
        Dropout probability after the dense layer.

    Attributes
    ----------
    features : torch.nn.Sequential
        Convolution, ReLU and max-pooling layers.
    head : torch.nn.Sequential
        Flatten, dense, ReLU, dropout and output layers.
    n_features_out : int
        Size of the flattened output of ``features``, the input of ``head``.

    Raises
    ------
    ValueError
        If ``n_timepoints`` is too short for the convolutions and poolings, or if
        the hyper-parameters are inconsistent.

    See Also
    --------
    skgait.models.GaitCNNClassifier : Gender (or any label) classifier.
    skgait.models.GaitCNNRegressor : Age (or any value) regressor.

    Examples
    --------
    >>> import torch
    >>> from skgait.models.networks import BioDeepCNN
    >>> net = BioDeepCNN(n_channels=6, n_timepoints=10, n_outputs=1)
    >>> net(torch.zeros(4, 6, 10)).shape
    torch.Size([4, 1])
    >>> net.n_features_out
    32
    """

    def __init__(
        self,
        n_channels,
        n_timepoints,
        n_outputs,
        n_filters=(16, 32),
        kernel_size=3,
        strides=(1, 2),
        pool_size=2,
        n_hidden=64,
        dropout=0.5,
    ):
        super().__init__()
        for name, value in (
            ("n_channels", n_channels),
            ("n_timepoints", n_timepoints),
            ("n_outputs", n_outputs),
            ("kernel_size", kernel_size),
            ("pool_size", pool_size),
            ("n_hidden", n_hidden),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"BioDeepCNN: {name} must be a positive integer; got {value!r}.")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"BioDeepCNN: dropout must be in [0, 1); got {dropout!r}.")
        n_filters = _as_tuple(n_filters, "n_filters")
        strides = _as_tuple(strides, "strides")
        if len(n_filters) != len(strides):
            raise ValueError(
                f"BioDeepCNN: n_filters {n_filters} and strides {strides} must "
                "have the same length (one per convolution block)."
            )

        padding = kernel_size // 2
        length = n_timepoints
        shortest = n_timepoints
        layers = []
        in_channels = n_channels
        for filters, stride in zip(n_filters, strides):
            layers += [
                nn.Conv1d(in_channels, filters, kernel_size, stride=stride, padding=padding),
                nn.ReLU(),
                nn.MaxPool1d(pool_size),
            ]
            length = _conv_out(length, kernel_size, stride, padding) // pool_size
            shortest = min(shortest, length)
            in_channels = filters
        if shortest < 1:
            minimum = self._min_times(n_filters, kernel_size, strides, pool_size)
            raise ValueError(
                f"BioDeepCNN: windows of n_timepoints={n_timepoints} are too short for "
                f"{len(n_filters)} convolution blocks with kernel_size="
                f"{kernel_size}, strides={strides} and pool_size={pool_size}; "
                f"at least {minimum} time points (or lags) are needed. Use "
                "longer windows or more ACF lags, or a smaller pool_size."
            )
        self.n_features_out = in_channels * length
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Linear(self.n_features_out, n_hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(n_hidden, n_outputs),
        )

    @staticmethod
    def _min_times(n_filters, kernel_size, strides, pool_size):
        padding = kernel_size // 2
        for n_timepoints in range(1, 100_000):
            length = n_timepoints
            for stride in strides:
                length = _conv_out(length, kernel_size, stride, padding) // pool_size
                if length < 1:
                    break
            if length >= 1:
                return n_timepoints
        return None  # pragma: no cover

    def forward(self, x):
        """Map windows ``(n, n_channels, n_timepoints)`` to outputs ``(n, n_outputs)``."""
        return self.head(self.features(x))
