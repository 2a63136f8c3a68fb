"""A fitted model as MLflow models: the ``sklearn`` flavour, plus ``pytorch`` for networks.

Grids log the model of a cell and searches their refitted best estimator
with :func:`log_model`, so both read back the same way::

    mlflow.sklearn.load_model(f"runs:/{run_id}/model")    # the whole estimator
    mlflow.pyfunc.load_model(f"runs:/{run_id}/model")     # a generic predict
    mlflow.pytorch.load_model(f"runs:/{run_id}/network")  # the bare nn.Module
"""

from __future__ import annotations

import copy
import os
import tempfile
from importlib.metadata import PackageNotFoundError, version

import numpy as np

__all__ = ["log_model"]

#: Windows kept as the input example (and to infer the signature).
N_EXAMPLE = 5


def log_model(client, run_id, model, X_example):
    """Log ``model`` to the run as an MLflow model with a signature.

    The estimator goes to the artifact path ``model`` in the ``sklearn``
    flavour (cloudpickle, with a ``python_function`` flavour). When it is,
    or ends with, a skorch network, its fitted ``module_`` also goes to
    ``network`` in the ``pytorch`` flavour (pickled, on the CPU).
    Signatures are inferred from ``X_example`` and the predictions on it;
    the pip requirements are the installed versions, so nothing calls pip.

    Parameters
    ----------
    client : mlflow.tracking.MlflowClient
    run_id : str
    model : fitted estimator
    X_example : array-like
        A few inputs of ``model`` (the first :data:`N_EXAMPLE` are kept),
        such as windows of shape (n_windows, n_channels, n_timepoints).

    Raises
    ------
    ValueError
        If ``X_example`` is None or empty.
    """
    import mlflow.sklearn
    from mlflow.models import infer_signature

    if X_example is None or len(X_example) == 0:
        raise ValueError(
            f"log_model needs a few inputs of the model (X_example) to infer its "
            f"signature; got {'None' if X_example is None else 'no input'}."
        )
    X_example = X_example[:N_EXAMPLE]
    network, network_input = _network(model, X_example)
    requirements = _pip_requirements(network is not None)
    with tempfile.TemporaryDirectory() as tmp:
        mlflow.sklearn.save_model(
            model,
            os.path.join(tmp, "model"),
            serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE,
            signature=infer_signature(X_example, model.predict(X_example)),
            input_example=X_example,
            pip_requirements=requirements,
        )
        if network is not None:
            _save_network(network, network_input, os.path.join(tmp, "network"), requirements)
        client.log_artifacts(run_id, tmp)


def _save_network(network, X, path, requirements):
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
    )


def _network(model, X_example):
    """The skorch network ending ``model`` and its input for ``X_example``, or None."""
    network = model.steps[-1][1] if hasattr(model, "steps") else model
    if not hasattr(network, "module_"):
        return None, None
    X_net = X_example if network is model else model[:-1].transform(X_example)
    return network, np.asarray(X_net, dtype=np.float32)


def _pip_requirements(with_network):
    """The installed versions of what loading the model imports."""
    from .. import __version__

    names = ["scikit-learn", "numpy", "cloudpickle"]
    if with_network:
        names += ["torch", "skorch"]
    pins = [f"skgait=={__version__}"]
    for name in names:
        try:
            pins.append(f"{name}=={version(name).split('+')[0]}")
        except PackageNotFoundError:
            pins.append(name)
    return pins
