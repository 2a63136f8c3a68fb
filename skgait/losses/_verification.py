"""Contrastive verification loss (Marín-Jiménez et al., 2017; Hadsell et al., 2006)."""

import torch
from torch import nn

__all__ = ["ContrastiveLoss", "contrastive_pair_loss"]

_EPS = 1e-12


def contrastive_pair_loss(f_i, f_j, y_ij, margin=1.0):
    r"""Contrastive loss of feature pairs.

    ::

        V = ½ ‖f_i − f_j‖²                  if y_ij = +1 (same identity)
            ½ max(0, m − ‖f_i − f_j‖)²      if y_ij = −1 (different)

    Parameters
    ----------
    f_i, f_j : torch.Tensor of shape (n_pairs, n_features)
        Feature vectors (e.g. the last fully-connected layer).
    y_ij : torch.Tensor of shape (n_pairs,)
        ``+1`` (or True) for same-identity pairs, ``−1`` (or False/0) otherwise.
    margin : float, default=1.0
        Margin ``m``.

    Returns
    -------
    loss : torch.Tensor of shape (n_pairs,)
    """
    same = torch.as_tensor(y_ij, device=f_i.device) > 0
    d2 = ((f_i - f_j) ** 2).sum(dim=-1)
    d = torch.sqrt(d2.clamp_min(_EPS))
    return torch.where(same, 0.5 * d2, 0.5 * torch.relu(margin - d) ** 2)


class ContrastiveLoss(nn.Module):
    """Contrastive verification loss over all pairs of a batch.

    Every pair ``i < j`` of the batch is a same-identity pair (``y_ij = +1``)
    when ``labels[i] == labels[j]`` and a different-identity pair otherwise;
    the loss is the mean of :func:`contrastive_pair_loss` over the pairs.
    As a skorch ``criterion`` the module's output is the embedding and
    ``y`` the identity labels.

    Parameters
    ----------
    margin : float, default=1.0
        Margin ``m``: different identities closer than ``m`` are pushed apart.
    reduction : {"mean", "sum", "none"}, default="mean"
        Reduction over pairs (``"none"``: one value per pair, in the order of
        ``torch.triu_indices(n, n, 1)``).

    See Also
    --------
    contrastive_pair_loss : The loss of given pairs.

    Examples
    --------
    >>> import torch
    >>> from skgait.losses import ContrastiveLoss
    >>> f = torch.tensor([[0.0, 0.0], [0.6, 0.8], [0.0, 0.5]])
    >>> ContrastiveLoss(margin=2.0, reduction="none")(f, torch.tensor([1, 1, 2]))
    tensor([0.5000, 1.1250, 0.8834])
    """

    def __init__(self, margin=1.0, reduction="mean"):
        super().__init__()
        if not margin > 0:
            raise ValueError(f"ContrastiveLoss: margin must be positive; got {margin!r}.")
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(
                f"ContrastiveLoss: reduction must be 'mean', 'sum' or 'none'; got {reduction!r}."
            )
        self.margin = float(margin)
        self.reduction = reduction

    def forward(self, embeddings, labels):
        """Loss of ``embeddings`` (n, d) with identity ``labels`` (n,)."""
        n = len(embeddings)
        i, j = torch.triu_indices(n, n, offset=1, device=embeddings.device)
        labels = torch.as_tensor(labels, device=embeddings.device).reshape(-1)
        same = labels[i] == labels[j]
        loss = contrastive_pair_loss(embeddings[i], embeddings[j], same, self.margin)
        if self.reduction == "none":
            return loss
        if loss.numel() == 0:
            return embeddings.sum() * 0.0
        return loss.mean() if self.reduction == "mean" else loss.sum()
