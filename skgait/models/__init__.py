"""Neural networks and the scikit-learn estimators that train them.

- :class:`BioDeepCNN`: the BioDeep convolutional network (plain
  :class:`torch.nn.Module` with ``features`` and ``head`` submodules);
- :class:`GaitCNNClassifier`, :class:`GaitCNNRegressor`: skorch estimators
  that infer the network's shape from ``X`` and ``y``, seed training from
  ``random_state`` and fine-tune pretrained features (``warm_start_from``);
- :class:`GroupValidSplit`: subject-wise internal validation for early
  stopping; :class:`TensorBatchLoader`, :class:`WindowDataset`: fast
  in-memory batches.
"""

from ._cnn import GaitCNNClassifier, GaitCNNRegressor
from ._networks import BioDeepCNN
from ._training import GroupValidSplit, TensorBatchLoader, WindowDataset

__all__ = [
    "BioDeepCNN",
    "GaitCNNClassifier",
    "GaitCNNRegressor",
    "GroupValidSplit",
    "TensorBatchLoader",
    "WindowDataset",
]
