"""A fully-convolutional per-time-step labeller (walking extraction).

:class:`WalkingFCN`: dilated 1-D convolutions that keep the length, so a
network trained on 10 s crops labels recordings of any length. Its
estimator is :class:`~skgait.models.GaitSegmenter`.
"""

from torch import nn

__all__ = ["WalkingFCN"]


class WalkingFCN(nn.Module):
    """Fully-convolutional per-time-step classifier.

    An input batch normalisation (a learnt standardisation of the raw
    m/s² and rad/s channels), then ``len(dilations)`` blocks of a
    ``kernel_size`` convolution with growing dilation, batch normalisation
    and ReLU, then a 1×1 convolution to ``n_outputs`` logits per time step.
    Padding keeps the length, so the output has as many time steps as the
    input, whatever that is. The receptive field is
    ``1 + (kernel_size - 1) * sum(dilations)`` samples (125, 2.5 s at
    50 Hz, for the defaults).

    Parameters
    ----------
    n_channels : int
        Input channels.
    n_outputs : int
        Classes per time step.
    n_filters : int, default=32
        Filters of every block.
    kernel_size : int, default=5
        Odd kernel size.
    dilations : tuple of int, default=(1, 2, 4, 8, 16)
        Dilation of each block.

    Examples
    --------
    >>> import torch
    >>> from skgait.models.networks import WalkingFCN
    >>> net = WalkingFCN(n_channels=3, n_outputs=2)
    >>> net(torch.zeros(4, 3, 500)).shape
    torch.Size([4, 2, 500])
    """

    def __init__(
        self, n_channels, n_outputs, n_filters=32, kernel_size=5, dilations=(1, 2, 4, 8, 16)
    ):
        super().__init__()
        if kernel_size % 2 != 1:
            raise ValueError(f"WalkingFCN: kernel_size must be odd; got {kernel_size!r}.")
        layers = [nn.BatchNorm1d(n_channels)]
        in_channels = n_channels
        for dilation in dilations:
            layers += [
                nn.Conv1d(
                    in_channels,
                    n_filters,
                    kernel_size,
                    dilation=dilation,
                    padding=dilation * (kernel_size // 2),
                ),
                nn.BatchNorm1d(n_filters),
                nn.ReLU(),
            ]
            in_channels = n_filters
        self.features = nn.Sequential(*layers)
        self.head = nn.Conv1d(in_channels, n_outputs, 1)

    def forward(self, x):
        """Map ``(n, n_channels, n_timepoints)`` to logits ``(n, n_outputs, n_timepoints)``."""
        return self.head(self.features(x))
