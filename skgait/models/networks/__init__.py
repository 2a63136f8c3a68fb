"""The networks of skgait, as plain PyTorch modules.

Each is a :class:`torch.nn.Module` built from shapes
(``n_channels``, ``n_timepoints``, ``n_outputs``), usable without skgait's
estimators, which train them (the estimators of :mod:`skgait.models` build
them from the shape of ``X`` and ``y``). They import nothing from the
estimators.

- :class:`BioDeepCNN`: the BioDeep convolutional network, ``features`` and
  ``head`` submodules (Mostafa et al., 2021);
- :class:`LSTMNetwork`, :class:`CNNLSTM`, :class:`ChainedCNNLSTM`: an LSTM,
  and a CNN with an LSTM in parallel or chained (Zou et al., 2020);
- :class:`SeparableConvFeatures`, :class:`MultiTaskNetwork`: lightweight
  features and one head per task (Rajababu et al.);
- :class:`WalkingFCN`: a fully-convolutional per-time-step labeller.

The same classes are importable from :mod:`skgait.models`.
"""

from ._biodeep import BioDeepCNN
from ._multitask import MultiTaskNetwork, SeparableConvFeatures
from ._recurrent import CNNLSTM, ChainedCNNLSTM, LSTMNetwork
from ._segmentation import WalkingFCN

__all__ = [
    "BioDeepCNN",
    "CNNLSTM",
    "ChainedCNNLSTM",
    "LSTMNetwork",
    "MultiTaskNetwork",
    "SeparableConvFeatures",
    "WalkingFCN",
]
