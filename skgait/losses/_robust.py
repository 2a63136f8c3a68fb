"""Tukey's biweight loss on MAD-scaled residuals.

As in the deep multi-task gait model of Marín-Jiménez et al. (2017), after
Black and Rangarajan (1996).
"""

import torch
from torch import nn

__all__ = ["TukeyBiweightLoss", "tukey_biweight"]

#: Tuning constant: 95 % asymptotic efficiency on Gaussian residuals.
TUKEY_C = 4.6851
#: Consistency constant: 1.4826 · MAD estimates the standard deviation.
MAD_TO_STD = 1.4826


def tukey_biweight(r, c=TUKEY_C):
    r"""Tukey's biweight ρ of (already scaled) residuals.

    ::

        ρ(r) = c²/6 · [1 − (1 − (r/c)²)³]   if |r| ≤ c
               c²/6                         otherwise

    Parameters
    ----------
    r : torch.Tensor
        Scaled residuals.
    c : float, default=4.6851
        Tuning constant.

    Returns
    -------
    rho : torch.Tensor
        Same shape as ``r``.
    """
    u = (r / c) ** 2
    inside = (c**2 / 6.0) * (1.0 - (1.0 - u) ** 3)
    return torch.where(u <= 1.0, inside, torch.full_like(r, c**2 / 6.0))


def _median(x):
    # the true median (mean of the two middle values for even counts), as
    # numpy's, not torch.median's lower median.
    return torch.quantile(x, 0.5, dim=0, keepdim=True)


class TukeyBiweightLoss(nn.Module):
    r"""Tukey's biweight loss of MAD-scaled residuals (robust regression).

    The age loss of the deep multi-task gait model (Marín-Jiménez et al., 2017)::

        r_i      = y_i − ŷ_i
        MAD      = median_k |r_k − median_j r_j|          (over the batch)
        r_i^MAD  = r_i / (1.4826 · MAD)
        L        = mean_i ρ(r_i^MAD)

    with ρ of :func:`tukey_biweight` and ``c = 4.6851``. Residuals beyond
    ``c`` robust standard deviations get a constant loss and no gradient,
    so mislabelled or atypical subjects do not dominate training.

    The MAD is a statistic of the current batch (per output column) and is
    treated as a constant in back-propagation (as in Belagiannis et al.,
    2015). A batch whose MAD is 0 (one window, or equal residuals) is
    scaled by 1 instead. Pass a number as ``scale`` to use a fixed scale.

    Parameters
    ----------
    c : float, default=4.6851
        Tuning constant.
    scale : "mad" or float, default="mad"
        ``"mad"``: ``1.4826 · MAD`` of the batch residuals; a float: that
        fixed scale.
    reduction : {"mean", "sum", "none"}, default="mean"
        Reduction over residuals.

    See Also
    --------
    tukey_biweight : The ρ function.
    skgait.models.GaitMultiTaskNet : Uses it for age regression by default.

    Examples
    --------
    >>> import torch
    >>> from skgait.losses import TukeyBiweightLoss
    >>> loss = TukeyBiweightLoss(scale=1.0)
    >>> round(loss(torch.tensor([0.0, 10.0]), torch.tensor([1.0, 0.0])).item(), 4)
    2.068
    """

    def __init__(self, c=TUKEY_C, scale="mad", reduction="mean"):
        super().__init__()
        if not c > 0:
            raise ValueError(f"TukeyBiweightLoss: c must be positive; got {c!r}.")
        if not (scale == "mad" or (isinstance(scale, (int, float)) and scale > 0)):
            raise ValueError(
                f"TukeyBiweightLoss: scale must be 'mad' or a positive number; got {scale!r}."
            )
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(
                f"TukeyBiweightLoss: reduction must be 'mean', 'sum' or 'none'; got {reduction!r}."
            )
        self.c = float(c)
        self.scale = scale
        self.reduction = reduction

    def residual_scale(self, residual):
        """``1.4826 · MAD`` per column of ``residual`` (n,) or (n, k), detached."""
        if self.scale != "mad":
            return torch.as_tensor(float(self.scale), dtype=residual.dtype)
        r = residual.detach().reshape(len(residual), -1)
        mad = _median((r - _median(r)).abs())
        s = MAD_TO_STD * mad
        s = torch.where(s > 0, s, torch.ones_like(s))
        if residual.ndim >= 2:
            return s.reshape(1, *residual.shape[1:])
        return s.reshape(())

    def forward(self, prediction, target):
        """Loss of ``prediction`` against targets ``target``."""
        if prediction.shape != target.shape and prediction.numel() == target.numel():
            prediction = prediction.reshape(target.shape)
        residual = target.to(prediction.dtype) - prediction
        rho = tukey_biweight(residual / self.residual_scale(residual), self.c)
        if self.reduction == "mean":
            return rho.mean()
        if self.reduction == "sum":
            return rho.sum()
        return rho
