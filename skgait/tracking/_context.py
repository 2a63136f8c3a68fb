"""The tags that say where a run comes from, as MLflow's own runs have them."""

from __future__ import annotations

__all__ = ["context_tags"]


def context_tags():
    """MLflow's source tags for this process, plus skgait's version.

    MLflow's run context providers resolve them, as for a run started with
    ``mlflow.start_run``: ``mlflow.user``, ``mlflow.source.name`` (the
    script), ``mlflow.source.type`` and, when the script lies in a git
    checkout, ``mlflow.source.git.commit``, ``mlflow.source.git.branch``
    and ``mlflow.source.git.repoURL``. ``skgait.version`` is the installed
    skgait.

    Returns
    -------
    tags : dict of str to str
    """
    from mlflow.tracking.context.registry import resolve_tags

    from .. import __version__

    return resolve_tags({"skgait.version": __version__})
