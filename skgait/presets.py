"""The configurations of the five papers skgait implements, by name.

:func:`make_preset` returns an unfitted estimator set as a paper set it, and
:func:`paper_protocol` the data and evaluation settings that go with it
(dataset, sampling rate, window, age filter, number of runs, split). Each
preset's entry in :data:`PRESETS` lists the paper's settings and every
deviation from them, where it is chosen. Measured numbers are in the user
guide's "Reproducing the papers" page, never here.

Names:

- ``"biodeep_forest"``, ``"biodeep_cnn"``: Mostafa et al. (2021), ACF of
  lags 0–10 and a random forest or the BioDeep CNN, for ``task="gender"``
  or ``"age"``;
- ``"marin_jimenez"``, ``"marin_jimenez_svm"``, ``"marin_jimenez_7nn"``:
  the deep multi-task network of Marín-Jiménez et al. (2017), alone or with
  an SVM / 7-NN on the PCA-128 of its gait signature;
- ``"rajababu"``: the lightweight (depthwise-separable) multi-task CNN of
  Rajababu et al., gender + age group;
- ``"zou_cnn_lstm"``, ``"zou_cnn"``, ``"zou_lstm"``, ``"zou_fourier"``,
  ``"zou_wavelet"``, ``"zou_eigengait"``: the identification network of Zou
  et al. (2020) and the baselines of their comparison; ``"zou_walking"``:
  their walking extraction.
"""

from typing import NamedTuple

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from skorch.callbacks import LRScheduler

from .features import ACFTransformer, FourierFeatures, WaveletFeatures
from .pipelines import GaitPipeline

__all__ = ["PRESETS", "Preset", "make_preset", "paper_protocol"]

_BIODEEP = "Mostafa et al. (2021)"
_MARIN = "Marín-Jiménez et al. (2017)"
_RAJABABU = "Rajababu et al."
_ZOU = "Zou et al. (2020)"


def _protocol(paper, split, deviation, **settings):
    """A paper's protocol: skgait's defaults (no shared dataset, 2.56 s windows
    half overlapping at 50 Hz, one run), ``settings`` overriding them."""
    protocol = {
        "paper": paper,
        "dataset": None,
        "placement": None,
        "rate": 50.0,
        "length": 2.56,
        "overlap": 0.5,
        "age_range": None,
        "n_runs": 1,
        "split": split,
        "deviations": (deviation,),
    }
    return {**protocol, **settings}


#: The protocol of BioDeep (Mostafa et al., 2021) on HuGaDB.
_BIODEEP_PROTOCOL = _protocol(
    _BIODEEP,
    "window",
    "HuGaDB resampled from the 58.82 Hz skgait reads to the 56.35 Hz the paper "
    "states; gyroscopes HuGaDB lists as corrupted are kept (all 18 subjects, as "
    "the paper); window length and overlap are not given in the paper (skgait: "
    "2.56 s, half overlapping); the train/test split is not described: "
    "window-level (LeakyWindowKFold) as the paper's numbers suggest, reported "
    "next to the subject-wise split.",
    dataset="hugadb",
    # Their best sensor for age with the CNN (RS); HuGaDB lists some
    # gyroscopes as corrupted: the paper keeps all 18 subjects, so
    # make_windows(..., corrupted_gyroscope="keep").
    placement="right_shin",
    # The paper states 56.35 Hz for HuGaDB; skgait reads about 58.82 Hz from
    # the data (HUGADB_RATE: Table 1's 2,111,962 samples in 35,903 s).
    # make_windows(..., rate=56.35) resamples to the stated rate, so that 10
    # lags span 10 / 56.35 s as in the paper; rate=HUGADB_RATE would keep the
    # native samples (10 lags = 0.170 s instead of 0.177 s).
    rate=56.35,
    age_range=(15, 35),
    n_runs=10,
)

_MARIN_PROTOCOL = _protocol(
    _MARIN,
    "session",
    "the paper works on optical flow of TUM-GAID videos (25-frame subsequences); "
    "skgait applies the same losses and training to IMU windows, trained on some "
    "sessions of each person and tested on others.",
)

_ZOU_PROTOCOL = _protocol(
    _ZOU,
    "window",
    "their datasets #3 and #4 (2.56 s windows, 128 samples at 50 Hz, half "
    "overlapping for #3); the split of their samples into training and test is at "
    "window level (the same people and recordings on both sides).",
)

_RAJABABU_PROTOCOL = _protocol(
    _RAJABABU,
    "subject",
    "the paper recognises age and gender from face images; skgait applies its "
    "network idea to IMU windows, evaluated on people unseen in training.",
)


class Preset(NamedTuple):
    """One entry of :data:`PRESETS`.

    Attributes
    ----------
    build : callable
        ``build(task, random_state)`` returns the unfitted estimator.
    tasks : tuple of str
        Tasks the preset takes; the first is the default.
    protocol : dict
        The paper's data and evaluation settings (:func:`paper_protocol`).
    settings : str
        The paper's settings and every deviation from them.

    Examples
    --------
    >>> from skgait.presets import PRESETS
    >>> PRESETS["biodeep_forest"].tasks
    ('gender', 'age')
    """

    build: object
    tasks: tuple
    protocol: dict
    settings: str


def _flatten(X):
    """Windows ``(n, n_channels, n_timepoints)`` as rows ``(n, n_channels * n_timepoints)``."""
    X = np.asarray(X)
    return X.reshape(len(X), -1)


def _biodeep_features(output="flat"):
    return ACFTransformer(lags=10, include_lag0=True, output=output)


def _biodeep_forest(task, random_state):
    # 100 trees, Gini, bootstrap with random feature subsets (the paper, §5).
    # Feature subsampling: max_features="sqrt", scikit-learn's classifier
    # default; its regressor default (1.0, every feature) would only bag
    # the trees, not draw "random subsets of the feature set".
    common = {"n_estimators": 100, "max_features": "sqrt", "bootstrap": True}
    if task == "gender":
        model = RandomForestClassifier(criterion="gini", random_state=random_state, **common)
    else:
        model = RandomForestRegressor(random_state=random_state, **common)
    return GaitPipeline([("acf", _biodeep_features()), ("forest", model)])


def _biodeep_cnn(task, random_state):
    from .models import GaitCNNClassifier, GaitCNNRegressor

    # Adam and batch 10 as in the paper (§5); lr and epochs are not stated:
    # skgait's defaults (1e-3, 30).
    model = (GaitCNNClassifier if task == "gender" else GaitCNNRegressor)(
        optimizer=torch.optim.Adam, batch_size=10, random_state=random_state
    )
    return GaitPipeline([("acf", _biodeep_features("3d")), ("cnn", model)])


def _marin_jimenez(task, random_state, **params):
    from .models import GaitMultiTaskNet

    # SGD with momentum, batch 256, lr 0.01 reduced ×0.1 when the error
    # stalls, at most 30 epochs (the slides' "implementation details").
    # Task weights: "id+age 0.2" (Ours-1) and "id+verif 0.1" (Ours-2).
    tasks, weights = {
        "age": ({"subject": "classification", "age": "regression"}, {"age": 0.2}),
        "verification": ({"subject": "classification"}, {"verification": 0.1}),
    }[task]
    return GaitMultiTaskNet(
        tasks=tasks,
        main_task="subject",
        task_weights=weights,
        optimizer=torch.optim.SGD,
        optimizer__momentum=0.9,
        lr=0.01,
        batch_size=256,
        max_epochs=30,
        callbacks=[
            (
                "lr_plateau",
                LRScheduler(
                    policy=torch.optim.lr_scheduler.ReduceLROnPlateau,
                    monitor="train_loss",
                    factor=0.1,
                    patience=3,
                ),
            )
        ],
        random_state=random_state,
        **params,
    )


def _marin_jimenez_signature(classifier):
    def build(task, random_state):
        from .models import GaitSignatureClassifier

        network = _marin_jimenez(task, random_state, module__n_embedding=256)
        return GaitSignatureClassifier(
            network, classifier=classifier, n_components=128, random_state=random_state
        )

    return build


def _rajababu(task, random_state):
    from .models import GaitMultiTaskNet

    return GaitMultiTaskNet(
        tasks={"sex": "classification", "age_group": "classification"},
        main_task="sex",
        task_weights={"age_group": 1.0},
        module__features="separable",
        random_state=random_state,
    )


def _zou_network(kind):
    def build(task, random_state):
        from .models import GaitCNNClassifier, GaitCNNLSTMClassifier, GaitLSTMClassifier

        estimator = {
            "cnn_lstm": GaitCNNLSTMClassifier,
            "cnn": GaitCNNClassifier,
            "lstm": GaitLSTMClassifier,
        }[kind]
        return estimator(batch_size=64, random_state=random_state)

    return build


def _zou_classical(kind):
    def build(task, random_state):
        features = {
            "fourier": [("features", FourierFeatures(n_coefficients=20))],
            "wavelet": [("features", WaveletFeatures(wavelet="db2", level=3))],
            "eigengait": [
                ("flatten", FunctionTransformer(_flatten)),
                ("scale", StandardScaler()),
                ("eigengaits", PCA(n_components=0.95, random_state=random_state)),
            ],
        }[kind]
        # Coefficients stay in the signal's units: standardising them would
        # give nearly empty high-frequency coefficients the weight of the
        # gait's own (1-NN then failed on synthetic cadences).
        return GaitPipeline([*features, ("nearest", KNeighborsClassifier(n_neighbors=1))])

    return build


def _zou_walking(task, random_state):
    from .models import WalkingExtractor

    return WalkingExtractor(rate=50.0, crop=1024, threshold=0.8, random_state=random_state)


#: name → :class:`Preset`: its builder, the tasks it takes (the first is the
#: default), its paper's protocol, and the paper's settings with every
#: deviation (``PRESETS[name].settings``).
PRESETS = {
    "biodeep_forest": Preset(
        _biodeep_forest,
        ("gender", "age"),
        _BIODEEP_PROTOCOL,
        "ACF of 6 channels at lags 0–10 (66 features: ACFTransformer(lags=10, "
        "include_lag0=True)) and a random forest of 100 trees (Gini; bootstrap; "
        "random feature subsets, max_features='sqrt' also for the age regressor: "
        "scikit-learn's regressor default uses every feature); results averaged "
        "over 10 runs (paper_protocol's n_runs: refit with random_state 0..9).",
    ),
    "biodeep_cnn": Preset(
        _biodeep_cnn,
        ("gender", "age"),
        _BIODEEP_PROTOCOL,
        "66 ACF features as 6 channels × 11 lags into the BioDeep CNN (16 filters "
        "stride 1, 32 filters stride 2, dense 64, dropout), Adam, batch 10; sigmoid "
        "+ binary cross-entropy for gender, MAE on ages scaled to [0, 1] for age. "
        "Deviation: learning rate and epochs are not in the paper (1e-3, 30).",
    ),
    "marin_jimenez": Preset(
        _marin_jimenez,
        ("age", "verification"),
        _MARIN_PROTOCOL,
        "identity (main) + age with λ = 0.2 (task='age', their Ours-1) or + "
        "verification with λ = 0.1 (task='verification', Ours-2); softmax log-loss, "
        "Tukey's biweight, contrastive loss; SGD with momentum, batch 256, lr 0.01 "
        "reduced ×0.1 on a plateau, at most 30 epochs. Deviations: momentum 0.9 "
        "(not stated); the plateau is of the training loss (no validation split); "
        "their task-wise early stopping is Zhang et al.'s (2014) criterion, "
        "skgait's task_patience a patience rule (off here); IMU windows, not "
        "optical flow. Y needs columns 'subject' (and 'age').",
    ),
    "marin_jimenez_svm": Preset(
        _marin_jimenez_signature("svm"),
        ("age", "verification"),
        _MARIN_PROTOCOL,
        "the 'marin_jimenez' network with a 256-wide signature (their signature "
        "size is not in the slides), standardised, PCA to 128, linear SVM.",
    ),
    "marin_jimenez_7nn": Preset(
        _marin_jimenez_signature("7nn"),
        ("age", "verification"),
        _MARIN_PROTOCOL,
        "as 'marin_jimenez_svm' with 7 nearest neighbours on PCA-128, their best "
        "identification row (Ours-2, 7-NN).",
    ),
    "rajababu": Preset(
        _rajababu,
        ("gender_age_group",),
        _RAJABABU_PROTOCOL,
        "gender (main) and age group from one network whose shared features are "
        "depthwise-separable convolutions (module__features='separable'). The "
        "paper claims 5× fewer parameters than previous models; against BioDeep's "
        "convolutions the separable features have 788 parameters instead of 1,872 "
        "(2.4× fewer), the whole network 1.09–1.12× fewer (heads and embedding "
        "dominate). Deviations: face images in the paper, "
        "IMU windows here; its layer sizes and training settings are not given "
        "(skgait's defaults). Y needs columns 'sex' and 'age_group'.",
    ),
    "zou_cnn_lstm": Preset(
        _zou_network("cnn_lstm"),
        ("identity",),
        _ZOU_PROTOCOL,
        "CNN and LSTM in parallel on the raw window, trained end to end "
        "(mode='cnn_fix' / 'lstm_fix' for their variants). Deviation: training "
        "settings are not in the README (Adam, lr 1e-3, batch 64, 30 epochs).",
    ),
    "zou_cnn": Preset(
        _zou_network("cnn"),
        ("identity",),
        _ZOU_PROTOCOL,
        "the CNN branch alone (BioDeep's convolution blocks on raw windows).",
    ),
    "zou_lstm": Preset(
        _zou_network("lstm"),
        ("identity",),
        _ZOU_PROTOCOL,
        "the LSTM alone (single layer, 64 units) on the raw window.",
    ),
    "zou_fourier": Preset(
        _zou_classical("fourier"),
        ("identity",),
        _ZOU_PROTOCOL,
        "magnitudes of the 20 lowest Fourier coefficients per channel, "
        "1-nearest neighbour. Deviation: the README names the "
        "baseline only; coefficients and classifier are skgait's choice.",
    ),
    "zou_wavelet": Preset(
        _zou_classical("wavelet"),
        ("identity",),
        _ZOU_PROTOCOL,
        "db2 approximation coefficients after 3 levels per channel, "
        "1-nearest neighbour (choices as for 'zou_fourier').",
    ),
    "zou_eigengait": Preset(
        _zou_classical("eigengait"),
        ("identity",),
        _ZOU_PROTOCOL,
        "EigenGait: standardised raw windows projected on the principal "
        "components keeping 95 % of the variance ('eigengaits'), 1-nearest "
        "neighbour (choices as for 'zou_fourier').",
    ),
    "zou_walking": Preset(
        _zou_walking,
        ("walking",),
        _ZOU_PROTOCOL,
        "walking extraction on crops of 1024 samples (6 × 1024, 20.48 s at 50 Hz) "
        "with a third, 'unclassified' output. Deviation: the confidence threshold "
        "is not in the README (0.8).",
    ),
}


def _entry(name):
    if name not in PRESETS:
        raise ValueError(f"Unknown preset {name!r}; expected one of {sorted(PRESETS)}.")
    return PRESETS[name]


def make_preset(name, task=None, *, random_state=None):
    """An unfitted estimator configured as a paper configured it.

    Parameters
    ----------
    name : str
        A key of :data:`PRESETS` (see the module description).
    task : str or None, default=None
        ``"gender"`` or ``"age"`` for the BioDeep presets, ``"age"`` or
        ``"verification"`` (the auxiliary task) for the Marín-Jiménez ones;
        None takes the preset's first task.
    random_state : int, RandomState instance or None, default=None
        Seed of the estimator (a forest's trees, a network's weights).

    Returns
    -------
    estimator : estimator
        Unfitted. The paper's settings and every deviation are in
        ``PRESETS[name].settings``; the data settings in :func:`paper_protocol`.

    Examples
    --------
    >>> from skgait.presets import make_preset
    >>> pipe = make_preset("biodeep_forest", task="age", random_state=0)
    >>> pipe.named_steps["acf"].include_lag0, pipe.named_steps["forest"].max_features
    (True, 'sqrt')
    >>> make_preset("marin_jimenez").batch_size
    256
    """
    preset = _entry(name)
    task = preset.tasks[0] if task is None else task
    if task not in preset.tasks:
        raise ValueError(f"Preset {name!r} takes task in {list(preset.tasks)}; got {task!r}.")
    return preset.build(task, random_state)


def paper_protocol(name):
    """Data and evaluation settings of a preset's paper.

    Parameters
    ----------
    name : str
        A key of :data:`PRESETS`.

    Returns
    -------
    protocol : dict
        ``paper``; ``dataset`` (a skgait loader name, or None where the
        paper's data are not available) and ``placement``; ``rate`` (Hz), ``length`` (s) and
        ``overlap`` for :func:`skgait.datasets.make_windows`; ``age_range``
        (inclusive, in years, or None); ``n_runs`` (seeds to average);
        ``split`` (``"window"``: the paper's window-level split, skgait's
        ``LeakyWindowKFold``; ``"session"``: train and test on other
        sessions of the same people) and ``deviations``.

    Examples
    --------
    >>> from skgait.presets import paper_protocol
    >>> protocol = paper_protocol("biodeep_forest")
    >>> protocol["rate"], protocol["age_range"], protocol["n_runs"]
    (56.35, (15, 35), 10)
    """
    return dict(_entry(name).protocol)
