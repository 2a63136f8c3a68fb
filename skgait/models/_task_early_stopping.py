"""Task-wise early stopping of a multi-task network (a skorch callback)."""

import math

import numpy as np
from skorch.callbacks import Callback

__all__ = ["TaskEarlyStopping"]

#: Name of the verification (contrastive) loss among the task losses.
VERIFICATION = "verification"


def _head_parameters(module, task):
    """Parameters of the head of ``task``: those named ``heads.<task>.*``."""
    prefix = f"heads.{task}."
    return [p for name, p in module.named_parameters() if name.startswith(prefix)]


class TaskEarlyStopping(Callback):
    """Task-wise early stopping by patience, one task at a time.

    Marín-Jiménez et al. (2017) stop tasks with the task-wise early stopping
    criterion of Zhang et al. (2014), which weighs the trend of a task's
    training loss against the change of its validation loss over a window
    of epochs. This callback is a simpler **patience rule** on each task's
    validation loss, not that criterion.

    At the end of every epoch, averages each task's validation loss over the
    validation batches (recorded as ``valid_<task>_loss`` in the history).
    When an auxiliary task's validation loss has not improved by more than
    ``threshold`` for ``patience`` epochs, the task is left out of the total
    loss, so that it stops shaping the shared features, and its head (the
    module's parameters ``heads.<task>.*``) is frozen: ``requires_grad`` is
    turned off, so that the optimizer's momentum (Adam, SGD with momentum)
    no longer moves it either; its weights stay those of the stopping epoch.
    When the main task stops, training stops. Stopped tasks are listed in
    ``net.stopped_tasks_`` (task → epoch).

    :class:`~skgait.models.GaitMultiTaskNet` adds it when ``task_patience``
    is set; it needs a validation split (by subject or recording, see there).

    Parameters
    ----------
    patience : int, default=5
        Epochs without improvement before a task stops.
    threshold : float, default=1e-4
        Minimal decrease that counts as an improvement.
    """

    def __init__(self, patience=5, threshold=1e-4):
        self.patience = patience
        self.threshold = threshold

    def on_train_begin(self, net, **kwargs):
        self.best_ = {}
        self.wait_ = {}
        if not hasattr(net, "stopped_tasks_"):
            net.stopped_tasks_ = {}
        criterion = net.criterion_
        headless = [
            task
            for task in criterion.task_outputs
            if task != criterion.main_task and not _head_parameters(net.module_, task)
        ]
        if headless:
            raise ValueError(
                f"task-wise early stopping freezes the head of a stopped task, the "
                f"parameters named 'heads.<task>.*'; {type(net.module_).__name__} has "
                f"none for task(s) {headless}. Give the module a ModuleDict 'heads' "
                "with one head per task (as MultiTaskNetwork), or task_patience=None."
            )

    def on_epoch_end(self, net, **kwargs):
        criterion = net.criterion_
        tasks = list(criterion.task_outputs)
        if criterion.verification is not None and criterion.weight(VERIFICATION) > 0:
            tasks.append(VERIFICATION)
        batches = net.history[-1, "batches"]
        epoch = len(net.history)
        for task in tasks:
            key = f"valid_{task}_loss"
            values, sizes = [], []
            for batch in batches:
                value = batch.get(key)
                if value is not None and math.isfinite(value):
                    values.append(value)
                    sizes.append(batch.get("valid_batch_size", 1))
            if not values:
                continue
            mean = float(np.average(values, weights=sizes))
            net.history.record(key, mean)
            if task in net.stopped_tasks_:
                continue
            if mean < self.best_.get(task, math.inf) - self.threshold:
                self.best_[task] = mean
                self.wait_[task] = 0
                continue
            self.wait_[task] = self.wait_.get(task, 0) + 1
            if self.wait_[task] >= self.patience:
                net.stopped_tasks_[task] = epoch
                criterion.stopped.add(task)
                for param in _head_parameters(net.module_, task):
                    param.requires_grad_(False)
                    param.grad = None
                if task == criterion.main_task:
                    if net.verbose:
                        print(f"Main task {task!r} stopped improving; stopping at epoch {epoch}.")
                    raise KeyboardInterrupt
