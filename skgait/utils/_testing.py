"""The instances of every estimator that ``tests/test_common.py`` checks.

:func:`skgait.utils.discovery.all_estimators` finds every public estimator;
:data:`INSTANCE_PARAMS` gives each class one or more small, fast
configurations (as scikit-learn's ``_instances_to_check`` does): few lags,
one or two epochs, tiny networks, ``random_state`` set when it has one. A
new estimator without an entry makes ``test_every_estimator_is_checked``
fail, naming the class to add.
"""

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from .discovery import all_estimators

__all__ = [
    "INSTANCE_PARAMS",
    "construct_instances",
    "instances_to_check",
    "missing_instance_params",
]


def _acf_logreg():
    from ..features import ACFTransformer

    return make_pipeline(ACFTransformer(lags=3), LogisticRegression())


def _ridge():
    from sklearn.linear_model import Ridge

    return Ridge()


def _pipeline_steps():
    from ..features import ACFTransformer

    return [("features", ACFTransformer(lags=3)), ("clf", LogisticRegression())]


def _tiny_segmenter():
    from ..models import GaitSegmenter

    return GaitSegmenter(max_epochs=1, random_state=0)


def _tiny_multitask():
    from ..models import GaitMultiTaskNet

    return GaitMultiTaskNet(max_epochs=1, random_state=0)


def _instance_params():
    """Class name -> list of constructor keyword dicts (built lazily)."""
    return {
        "ACFTransformer": [
            {"lags": 4},
            {"lags": 4, "output": "3d", "include_lag0": True, "method": "fft"},
        ],
        "CrossCorrelationFeatures": [
            {"lags": (1,), "gravity_channels": None},
            {"lags": (1, 2), "gravity_channels": (0, 1, 2)},
        ],
        "FourierFeatures": [{"n_coefficients": 4}],
        "WaveletFeatures": [{"wavelet": "haar", "level": 2}, {"wavelet": "db4", "level": 1}],
        "GaitPipeline": [{"steps": _pipeline_steps()}],
        "BandLimit": [{"cutoff": 5.0}, {"rate": 50.0}],
        "GaitStatistics": [{"rate": 50.0}, {"rate": 100.0, "n_fft": 256, "max_frequency": 8.0}],
        "MiniRocketFeatures": [{"n_dilations": 2, "n_biases": 1, "random_state": 0}],
        "GaitParameters": [{"step_range": (0.1, 0.4)}, {"rate": 100.0, "step_range": (0.05, 0.2)}],
        "GravityAlignment": [{}],
        "SampleEntropy": [{}, {"m": 1, "r": 0.5}],
        "DomainStandardScaler": [{}, {"unseen": "error"}],
        "WithinClassWhitening": [{}, {"shrinkage": 0.5}],
        "GravityDirection": [{}],
        "WalkingFrame": [{}, {"step_range": (0.1, 0.4), "rate": 50.0}],
        "AgeGroups": [{}, {"edges": [30.0, 50.0], "labels": ["young", "middle", "old"]}],
        "AgeGroupRegressor": [
            {"random_state": 0},
            {"edges": [3.5], "regressor": _ridge(), "random_state": 0},
        ],
        "GaitCNNClassifier": [{"max_epochs": 2, "random_state": 0}],
        "GaitCNNLSTMClassifier": [{"max_epochs": 2, "random_state": 0}],
        "GaitLSTMClassifier": [{"max_epochs": 2, "random_state": 0}],
        "GaitCNNRegressor": [{"max_epochs": 2, "random_state": 0}],
        "GaitMultiTaskNet": [{"max_epochs": 2, "random_state": 0}],
        "GaitSignatureClassifier": [
            {"network": _tiny_multitask(), "n_components": 8, "random_state": 0},
            {"network": _tiny_multitask(), "classifier": "7nn", "random_state": 0},
        ],
        # skorch's ``module__*`` keyword arguments are stored as attributes in
        # __init__, which sklearn's check_no_attributes_set_in_init refuses.
        "GaitSegmenter": [{"max_epochs": 1, "random_state": 0}],
        "OptunaSearchCV": [
            {
                "estimator": _acf_logreg(),
                "param_distributions": {"acftransformer__lags": [2, 3]},
                "n_trials": 2,
                "cv": 2,
                "random_state": 0,
            }
        ],
        "SiameseVerifier": [
            {
                "embedding_dim": 8,
                "n_pairs": 40,
                "max_epochs": 1,
                "batch_size": 16,
                "random_state": 0,
            }
        ],
        "SubjectRandomUnderSampler": [{"random_state": 0}],
        "Verifier": [{"estimator": _acf_logreg(), "n_pairs": 40, "random_state": 0}],
        "WalkingExtractor": [
            {"segmenter": _tiny_segmenter(), "length": 2.0, "overlap": 0.5, "random_state": 0}
        ],
        "TimeDerivative": [{}, {"rate": 50.0}],
        "WindowCrop": [{"length": 0.5, "rate": 50.0}],
        "WindowRandomOverSampler": [{"random_state": 0}],
        "WindowRandomUnderSampler": [{"random_state": 0}],
    }


#: Class name -> constructor keyword dicts of the checked instances.
INSTANCE_PARAMS = _instance_params()


def construct_instances(Estimator):
    """Unfitted instances of ``Estimator`` from :data:`INSTANCE_PARAMS`.

    Parameters
    ----------
    Estimator : type

    Yields
    ------
    estimator : estimator instance
    """
    for params in _instance_params()[Estimator.__name__]:
        yield Estimator(**params)


def missing_instance_params():
    """Names of discovered estimators with no entry in :data:`INSTANCE_PARAMS`."""
    return [name for name, _ in all_estimators() if name not in INSTANCE_PARAMS]


def instances_to_check():
    """Fresh instances of every discovered estimator that has an entry."""
    return [
        estimator
        for name, Estimator in all_estimators()
        if name in INSTANCE_PARAMS
        for estimator in construct_instances(Estimator)
    ]
