"""A fitted model as MLflow models: the ``sklearn`` flavour, plus ``pytorch`` for networks.

Grids log the model of a cell and searches their refitted best estimator
with :func:`log_model`, so both read back the same way::

    mlflow.sklearn.load_model(f"runs:/{run_id}/model")    # the whole estimator
    mlflow.pyfunc.load_model(f"runs:/{run_id}/model")     # a generic predict
    mlflow.pytorch.load_model(f"runs:/{run_id}/network")  # the bare nn.Module
    mlflow.pyfunc.load_model(f"models:/{name}/{version}") # once registered
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import re
import tempfile
from importlib.metadata import PackageNotFoundError, requires, version

import numpy as np

__all__ = ["log_model"]

#: Windows kept as the input example (and to infer the signature).
N_EXAMPLE = 5


def log_model(client, run_id, model, X_example, register_name=None, tags=None):
    """Log ``model`` to the run as an MLflow model with a signature.

    The estimator goes to the artifact path ``model`` in the ``sklearn``
    flavour (cloudpickle, with a ``python_function`` flavour). When it is,
    or ends with, a skorch network, its fitted ``module_`` also goes to
    ``network`` in the ``pytorch`` flavour (pickled, on the CPU).
    Signatures are inferred from ``X_example`` and the predictions on it.

    The requirements (``requirements.txt``) are what a fresh environment
    installs from PyPI to load the model, worked out without calling pip:
    the packages whose pickles the model holds (scikit-learn, NumPy,
    cloudpickle; torch and skorch for a network) at their installed
    versions, and skgait's other runtime requirements with skgait's own
    version ranges. skgait itself is no requirement (its version is no
    package on PyPI); the model's metadata names it (``skgait_version``),
    to install from the source of that version. MLflow's warning that a
    pickle runs code when loaded is not repeated for every model (it is
    what this docstring says).

    Parameters
    ----------
    client : mlflow.tracking.MlflowClient
    run_id : str
    model : fitted estimator
    X_example : array-like
        A few inputs of ``model`` (the first :data:`N_EXAMPLE` are kept),
        such as windows of shape (n_windows, n_channels, n_timepoints).
    register_name : str or None, default=None
        Register ``model`` in the MLflow Model Registry under this name (a
        new version; the registered model is created if absent). None
        registers nothing.
    tags : dict or None, default=None
        Tags of the registered version.

    Returns
    -------
    version : mlflow.entities.model_registry.ModelVersion or None
        The registered version, None without ``register_name``.

    Raises
    ------
    ValueError
        If ``X_example`` is None or empty.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from mlflow.tracking import MlflowClient
    >>> from sklearn.dummy import DummyClassifier
    >>> from skgait.tracking import log_model
    >>> folder = tempfile.mkdtemp()
    >>> client = MlflowClient(f"sqlite:///{folder}/mlflow.db")
    >>> experiment = client.create_experiment("models", f"file://{folder}/mlruns")
    >>> run = client.create_run(experiment)
    >>> X = np.zeros((4, 3)); model = DummyClassifier().fit(X, [0, 1, 1, 1])
    >>> log_model(client, run.info.run_id, model, X, register_name="majority").version
    1
    """
    import mlflow.sklearn
    from mlflow.models import infer_signature

    if X_example is None or len(X_example) == 0:
        raise ValueError(
            f"log_model needs a few inputs of the model (X_example) to infer its "
            f"signature; got {'None' if X_example is None else 'no input'}."
        )
    from .. import __version__

    X_example = X_example[:N_EXAMPLE]
    network, network_input = _network(model, X_example)
    requirements = _pip_requirements(network is not None)
    metadata = {"skgait_version": __version__}
    with tempfile.TemporaryDirectory() as tmp, _without_pickle_warnings():
        mlflow.sklearn.save_model(
            model,
            os.path.join(tmp, "model"),
            serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE,
            signature=infer_signature(X_example, model.predict(X_example)),
            input_example=X_example,
            pip_requirements=requirements,
            metadata=metadata,
        )
        if network is not None:
            _save_network(
                network, network_input, os.path.join(tmp, "network"), requirements, metadata
            )
        client.log_artifacts(run_id, tmp)
    if register_name is None:
        return None
    return _register(client, run_id, register_name, tags)


def _register(client, run_id, name, tags):
    """A new version of registered model ``name`` from the run's ``model``."""
    from mlflow.exceptions import MlflowException

    try:
        client.create_registered_model(name)
    except MlflowException as exc:
        if exc.error_code != "RESOURCE_ALREADY_EXISTS":
            raise
    source = f"{client.get_run(run_id).info.artifact_uri}/model"
    return client.create_model_version(name, source, run_id=run_id, tags=tags)


class _PickleWarningFilter(logging.Filter):
    """Drops MLflow's warning that a pickled model runs code when it is loaded."""

    def filter(self, record):
        return "requires exercising caution" not in record.getMessage()


@contextlib.contextmanager
def _without_pickle_warnings():
    """Filter MLflow's pickle warning out of its sklearn and pytorch loggers, here only."""
    loggers = [logging.getLogger(name) for name in ("mlflow.sklearn", "mlflow.pytorch")]
    quiet = _PickleWarningFilter()
    for logger in loggers:
        logger.addFilter(quiet)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(quiet)


def _save_network(network, X, path, requirements, metadata):
    """Save a CPU copy of the network's module in the ``pytorch`` flavour.

    The signature's output is the module's output when it is one tensor
    (multi-task modules return a tuple: input only).
    """
    import mlflow.pytorch
    import torch
    from mlflow.models import infer_signature

    module = copy.deepcopy(network.module_).cpu().eval()
    with torch.no_grad():
        out = module(torch.as_tensor(X))
    mlflow.pytorch.save_model(
        module,
        path,
        serialization_format="pickle",
        signature=infer_signature(X, out.numpy() if isinstance(out, torch.Tensor) else None),
        input_example=X,
        pip_requirements=requirements,
        metadata=metadata,
    )


def _network(model, X_example):
    """The skorch network ending ``model`` and its input for ``X_example``, or None."""
    network = model.steps[-1][1] if hasattr(model, "steps") else model
    if not hasattr(network, "module_"):
        return None, None
    X_net = X_example if network is model else model[:-1].transform(X_example)
    return network, np.asarray(X_net, dtype=np.float32)


#: The packages whose objects a logged model pickles: loading needs the
#: versions that saved it (scikit-learn warns on, and may fail at, others).
_PICKLED = ("scikit-learn", "numpy", "cloudpickle")
_PICKLED_NETWORK = ("torch", "skorch")


def _pip_requirements(with_network):
    """What loading the model needs from PyPI: pickled packages pinned, the rest as ranges."""
    names = [*_PICKLED, *(_PICKLED_NETWORK if with_network else ())]
    pins = []
    for name in names:
        try:
            pins.append(f"{name}=={version(name).split('+')[0]}")
        except PackageNotFoundError:
            pins.append(name)
    return pins + [r for r in _runtime_requirements() if _name(r) not in names]


def _runtime_requirements():
    """skgait's own runtime requirements (no extras), as its metadata states them."""
    try:
        found = requires("skgait") or []
    except PackageNotFoundError:  # run from a source tree that is not installed
        return []
    return [r for r in found if "extra" not in r.partition(";")[2]]


def _name(requirement):
    """The normalised project name of a requirement (``scikit_learn`` → ``scikit-learn``)."""
    return re.match(r"[A-Za-z0-9._-]+", requirement).group().lower().replace("_", "-")
