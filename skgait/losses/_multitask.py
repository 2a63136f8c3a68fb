"""The multi-task loss ``L = L_main + Σ_t λ_t L_t`` (Marín-Jiménez et al., 2017)."""

import math

import torch
from torch import nn

from ._verification import ContrastiveLoss

__all__ = ["MultiTaskLoss"]


class MultiTaskLoss(nn.Module):
    r"""Weighted sum of per-task losses over the heads of a multi-task network.

    ::

        L = L_main + Σ_t λ_t · L_t    (+ λ_v · V  for identity verification)

    The network's output is the concatenation of the task heads, in the
    order of ``task_outputs`` (optionally as a tuple ``(outputs,
    embedding)``); the target is a float tensor with one column per task
    (class codes for classification, values for regression). A ``NaN``
    target means *unlabelled for this task*: the window still trains the
    other tasks. Each task's loss is averaged over its labelled windows.

    Parameters
    ----------
    losses : dict of str to torch.nn.Module
        Loss of each task, e.g. ``{"subject": CategoricalCrossEntropyLoss(),
        "age": TukeyBiweightLoss()}``. A loss subclassing
        :class:`~torch.nn.CrossEntropyLoss` receives integer codes, others
        float targets of shape ``(n, 1)`` (or ``(n,)`` for one-logit binary
        losses).
    task_outputs : dict of str to int
        Outputs of each head, in the network's output order.
    main_task : str
        The main task: weight 1, never stopped by task-wise early stopping.
    task_weights : dict of str to float, optional
        ``λ_t`` of the auxiliary tasks (default 1), and of ``"verification"``.
    verification : torch.nn.Module, optional
        Loss of the embedding against the main task's labels (a
        :class:`~skgait.losses.ContrastiveLoss`); needs ``(outputs,
        embedding)`` outputs.

    Attributes
    ----------
    stopped : set of str
        Tasks left out of the total (task-wise early stopping). Their losses
        are still computed and reported.
    last_losses : dict of str to float
        Unweighted loss of each task in the last call (NaN when a batch had
        no label for it).

    Examples
    --------
    >>> import torch
    >>> from skgait.losses import CategoricalCrossEntropyLoss, MultiTaskLoss
    >>> loss = MultiTaskLoss(
    ...     {"id": CategoricalCrossEntropyLoss(), "sex": CategoricalCrossEntropyLoss()},
    ...     task_outputs={"id": 3, "sex": 2}, main_task="id", task_weights={"sex": 0.5})
    >>> y = torch.tensor([[0.0, 1.0], [2.0, float("nan")]])
    >>> total = loss(torch.zeros(2, 5), y)  # log 3 + 0.5 · log 2
    >>> round(total.item(), 4), sorted(loss.last_losses)
    (1.4452, ['id', 'sex'])
    """

    def __init__(self, losses, task_outputs, main_task, task_weights=None, verification=None):
        super().__init__()
        missing = set(task_outputs) - set(losses)
        if missing:
            raise ValueError(f"MultiTaskLoss: no loss for task(s) {sorted(missing)}.")
        if main_task not in task_outputs:
            raise ValueError(
                f"MultiTaskLoss: main_task {main_task!r} is not one of {list(task_outputs)}."
            )
        self.losses = nn.ModuleDict({t: losses[t] for t in task_outputs})
        self.task_outputs = dict(task_outputs)
        self.main_task = main_task
        self.task_weights = dict(task_weights or {})
        self.verification = verification
        self.stopped = set()
        self.last_losses = {}

    def weight(self, task):
        """``λ`` of a task (1 for the main task)."""
        if task == self.main_task:
            return 1.0
        return float(self.task_weights.get(task, 1.0))

    def _task_loss(self, loss, output, target):
        labelled = torch.isfinite(target)
        if not bool(labelled.any()):
            return None
        output, target = output[labelled], target[labelled]
        if isinstance(loss, nn.CrossEntropyLoss):
            return loss(output, target.long())
        if isinstance(loss, nn.BCEWithLogitsLoss) and output.shape[1] == 1:
            return loss(output[:, 0], target)
        return loss(output, target.reshape(-1, 1))

    def forward(self, y_pred, y_true):
        """Total loss of outputs ``(n, Σ outputs)`` against targets ``(n, n_tasks)``."""
        embedding = None
        if isinstance(y_pred, (tuple, list)):
            y_pred, embedding = y_pred[0], y_pred[1]
        y_true = y_true.reshape(len(y_true), -1).to(y_pred.dtype)
        total = y_pred.new_zeros(())
        self.last_losses = {}
        start = 0
        for col, (task, width) in enumerate(self.task_outputs.items()):
            output = y_pred[:, start : start + width]
            start += width
            value = self._task_loss(self.losses[task], output, y_true[:, col])
            self.last_losses[task] = math.nan if value is None else float(value.detach())
            if value is not None and task not in self.stopped:
                total = total + self.weight(task) * value
        if self.verification is not None and self.weight("verification") > 0:
            if embedding is None:
                raise ValueError(
                    "MultiTaskLoss: verification needs the network to return (outputs, embedding)."
                )
            col = list(self.task_outputs).index(self.main_task)
            labels = y_true[:, col]
            labelled = torch.isfinite(labels)
            value = self.verification(embedding[labelled], labels[labelled])
            self.last_losses["verification"] = float(value.detach())
            if "verification" not in self.stopped:
                total = total + self.weight("verification") * value
        return total


# Re-exported for the estimator's default verification loss.
_DEFAULT_VERIFICATION = ContrastiveLoss
