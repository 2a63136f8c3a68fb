"""Neural networks and the scikit-learn estimators that train them.

The networks are plain :class:`torch.nn.Module` classes in
:mod:`skgait.models.networks`; the estimators
build and train them:

- :class:`~skgait.models.networks.BioDeepCNN`: the BioDeep convolutional network (``features`` and
  ``head`` submodules);
- :class:`GaitCNNClassifier`, :class:`GaitCNNRegressor`: skorch estimators
  that infer the network's shape from ``X`` and ``y``, seed training from
  ``random_state`` and fine-tune pretrained features (``warm_start_from``);
- :class:`GroupValidSplit`: subject-wise internal validation for early
  stopping; :class:`TensorBatchLoader`, :class:`WindowDataset`: fast
  in-memory batches; :class:`FiniteLossCheck`: every estimator's check that
  the loss stays finite (else :class:`~skgait.exceptions.TrainingDivergedError`);
- :class:`~skgait.models.networks.CNNLSTM`, :class:`GaitCNNLSTMClassifier`: a CNN and an LSTM in
  parallel for person identification, with the "CNNfix" / "LSTMfix"
  training modes; :class:`~skgait.models.networks.ChainedCNNLSTM`: the LSTM after the CNN;
  :class:`~skgait.models.networks.LSTMNetwork`, :class:`GaitLSTMClassifier`: the LSTM alone (Zou
  et al.'s baseline, and the LSTM that "CNN+LSTMfix" freezes);
- :class:`GaitSignatureClassifier`: SVM or 7-NN on the PCA of
  :class:`GaitMultiTaskNet`'s learned gait signature;
- :class:`~skgait.models.networks.WalkingFCN`, :class:`GaitSegmenter`: per-time-step activity
  labelling; :class:`WalkingExtractor`, :func:`walking_report`: walking
  extraction from mixed-activity recordings (trained on
  :func:`skgait.datasets.make_sequence_windows`).
"""

from ._cnn import GaitCNNClassifier, GaitCNNRegressor
from ._multitask import GaitMultiTaskNet
from ._recurrent import GaitCNNLSTMClassifier, GaitLSTMClassifier
from ._segmentation import GaitSegmenter
from ._signature import GaitSignatureClassifier
from ._task_early_stopping import TaskEarlyStopping
from ._training import (
    FiniteLossCheck,
    GroupValidSplit,
    TensorBatchLoader,
    WindowDataset,
)
from ._walking import WalkingExtractor, walking_report

__all__ = [
    "FiniteLossCheck",
    "GaitCNNLSTMClassifier",
    "GaitLSTMClassifier",
    "GaitSegmenter",
    "GaitSignatureClassifier",
    "WalkingExtractor",
    "GaitCNNClassifier",
    "GaitCNNRegressor",
    "GaitMultiTaskNet",
    "GroupValidSplit",
    "TaskEarlyStopping",
    "TensorBatchLoader",
    "WindowDataset",
    "walking_report",
]
