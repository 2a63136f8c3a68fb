"""LSTM and CNN+LSTM networks and the identification estimators that train them.

Zou et al., "Deep learning based gait recognition using smartphones in the
wild" (IEEE TIFS 2020), abstract gait features *in space* with a
convolutional network and *in time* with an LSTM. In their network (and
their code) the two branches read the **same raw window in parallel**; their
feature vectors are concatenated and a fully connected layer classifies
them. Training either branch on its own beforehand and freezing it gives the
"CNNfix+LSTM" and "CNN+LSTMfix" variants. This module holds the estimators
of the networks in :mod:`skgait.models.networks`:

- :class:`GaitLSTMClassifier`: :class:`~skgait.models.networks.LSTMNetwork`, the LSTM
  alone on the raw window, the paper's "LSTM" baseline and the
  independently trained LSTM that "CNN+LSTMfix" reuses
  (:meth:`GaitLSTMClassifier.recurrent_weights`);
- :class:`GaitCNNLSTMClassifier`: a :class:`~skgait.models.GaitCNNClassifier`
  whose network is :class:`~skgait.models.networks.CNNLSTM` (or
  ``module=ChainedCNNLSTM``), with the paper's three training modes
  (``mode="end_to_end"``, ``"cnn_fix"``, ``"lstm_fix"``). Shape inference,
  seeding, transfer and fast batches come from the estimators' skorch base.
"""

import numpy as np
import torch

from ._cnn import GaitCNNClassifier
from ._transfer import FEATURES_PREFIX, prefixed_weights
from .networks import CNNLSTM, LSTMNetwork

__all__ = ["GaitCNNLSTMClassifier", "GaitLSTMClassifier"]

#: Training modes of :class:`GaitCNNLSTMClassifier` → prefix of the
#: parameters loaded from ``warm_start_from`` and frozen.
MODES = {"end_to_end": None, "cnn_fix": "features.", "lstm_fix": "lstm."}

_LSTM_INPUT_KEY = "lstm_input_size"


class _RecurrentMixin:
    """``recurrent_weights`` and ``embed`` of the estimators of LSTM networks."""

    def recurrent_weights(self):
        """Weights of the LSTM, for ``mode="lstm_fix"`` of another network.

        Returns
        -------
        weights : dict of str to torch.Tensor
            ``lstm.*`` tensors (copied to CPU) and ``"lstm_input_size"``.
        """
        self.check_is_fitted()
        state = prefixed_weights(self.module_, MODES["lstm_fix"])
        state[_LSTM_INPUT_KEY] = torch.tensor([self.module_.lstm.input_size])
        return state

    def embed(self, X):
        """The network's embedding of each window, the input of its output layer.

        For the default :class:`~skgait.models.networks.CNNLSTM` it is the convolution branch's
        features (``n_hidden``) and the LSTM's final state (``n_hidden``,
        ``2 * n_hidden`` if bidirectional) concatenated: 32 values for
        ``module__n_hidden=16``. For :class:`~skgait.models.networks.ChainedCNNLSTM` and
        :class:`~skgait.models.networks.LSTMNetwork` it is the LSTM's final state only.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)

        Returns
        -------
        embedding : ndarray of shape (n_windows, n_embedding)
            ``n_embedding`` is ``2 * n_hidden`` for :class:`~skgait.models.networks.CNNLSTM`
            (``3 * n_hidden`` with a bidirectional LSTM), ``n_hidden``
            (``2 * n_hidden``) for :class:`~skgait.models.networks.ChainedCNNLSTM` and
            :class:`~skgait.models.networks.LSTMNetwork`.
        """
        self.check_is_fitted()
        X = self._check_X(X, reset=False)
        module = self.module_
        was_training = module.training
        module.eval()
        out = []
        with torch.no_grad():
            for start in range(0, len(X), 1024):
                xb = torch.as_tensor(X[start : start + 1024], device=self.device)
                out.append(module.embed(xb).cpu().numpy())
        module.train(was_training)
        return np.concatenate(out, axis=0)


class GaitCNNLSTMClassifier(_RecurrentMixin, GaitCNNClassifier):
    """CNN+LSTM classifier of gait windows: person identification (or any label).

    A :class:`~skgait.models.GaitCNNClassifier` (same parameters, same
    label encoding, losses, seeding and fast batches) whose network is
    :class:`~skgait.models.networks.CNNLSTM`. ``mode`` selects the training schemes of Zou et al.
    (2020):

    - ``"end_to_end"`` ("CNN+LSTM"): the whole network is trained from
      scratch for ``max_epochs``. With ``warm_start_from`` it is plain
      transfer: the ``features`` are initialised from the given weights and
      everything is fine-tuned for ``fine_tune_epochs``.
    - ``"cnn_fix"`` ("CNNfix+LSTM"): the convolutional ``features`` are
      copied from a CNN trained on its own beforehand and **frozen**; the
      LSTM and the output layer are trained from scratch for ``max_epochs``.
      Pass ``warm_start_from=cnn.feature_weights()`` of a fitted
      :class:`~skgait.models.GaitCNNClassifier` (or of another
      ``GaitCNNLSTMClassifier``) with the same convolution settings.
    - ``"lstm_fix"`` ("CNN+LSTMfix"): the other way round. The seed
      defines it as "the parameters of LSTM are fixed as that in the LSTM
      model that has been trained independently, and the CNN and fully
      connected layer have to be trained from scratch". In :class:`~skgait.models.networks.CNNLSTM`
      the LSTM reads the raw window, so the LSTM of another CNN+LSTM
      (trained on other data, other subjects or another task), exported by
      :meth:`recurrent_weights`, is such an LSTM:
      ``warm_start_from=other.recurrent_weights()``. Its ``lstm.*`` weights
      are loaded and frozen; the CNN branch and the output layer are
      trained. It must have the same channels, ``module__lstm`` and
      ``module__n_hidden`` (with :class:`~skgait.models.networks.ChainedCNNLSTM`, also the same
      last ``module__n_filters``: there the LSTM reads the CNN's output).

    Parameters
    ----------
    module : torch.nn.Module class or instance, default=CNNLSTM
        The network; its ``n_channels``, ``n_timepoints`` and ``n_outputs`` are
        inferred from ``X`` and ``y`` unless set (``module__lstm=
        "bidirectional"``, ``module__n_hidden=32``, ...).
    mode : {"end_to_end", "cnn_fix", "lstm_fix"}, default="end_to_end"
        Training scheme (see above). The two ``*_fix`` modes need
        ``warm_start_from``.
    warm_start_from : str, path-like, dict of tensors or None, default=None
        Pretrained weights: a dict from :meth:`feature_weights` or
        :meth:`recurrent_weights`, or a file from :meth:`save_weights`.
        ``mode`` says which part is loaded (``features.*`` or ``lstm.*``).
        The windows may have another length than the source's (the loaded
        parameters do not depend on it); the channels must match.
    freeze : None, str or list of str, default=None
        Extra fnmatch patterns of parameters to freeze, on top of the part
        ``mode`` freezes.
    batch_size : int, default=64
        Training batch size.
    max_epochs : int, default=30
        Epochs of training (from scratch, and in the ``*_fix`` modes).
    **kwargs
        Every other parameter of :class:`~skgait.models.GaitCNNClassifier`
        (``lr``, ``optimizer``, ``train_split``, ``callbacks``,
        ``fine_tune_epochs``, ``random_state``, ``device``, ``verbose``,
        ``module__*``, ``optimizer__*`` ...).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (subject ids), in the column order of ``predict_proba``.
    n_channels_, n_timepoints_, n_outputs_ : int
        Shape of the training windows and number of outputs.
    module_ : CNNLSTM
        The trained network.

    See Also
    --------
    CNNLSTM : The network.
    skgait.models.GaitCNNClassifier : The CNN alone (source of ``cnn_fix``).
    skgait.model_selection.identification_protocol : Cross-trial splits.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.models import GaitCNNClassifier, GaitCNNLSTMClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 6, 64)).astype(np.float32)
    >>> who = np.repeat(["ann", "bob", "cem"], 20)
    >>> X[who == "bob", 0] += 1.0
    >>> clf = GaitCNNLSTMClassifier(max_epochs=3, random_state=0).fit(X, who)
    >>> clf.predict_proba(X[:2]).shape
    (2, 3)

    "CNNfix+LSTM": freeze the features of a CNN trained beforehand.

    >>> cnn = GaitCNNClassifier(max_epochs=2, random_state=0).fit(X, who)
    >>> fixed = GaitCNNLSTMClassifier(
    ...     mode="cnn_fix", warm_start_from=cnn.feature_weights(),
    ...     max_epochs=2, random_state=0,
    ... ).fit(X, who)
    >>> bool(fixed.module_.features[0].weight.requires_grad)
    False
    """

    def __init__(self, module=CNNLSTM, *, mode="end_to_end", batch_size=64, **kwargs):
        super().__init__(module, batch_size=batch_size, **kwargs)
        self.mode = mode

    # ------------------------------------------------------------------
    # validation
    # ------------------------------------------------------------------
    def _validate_fit_params(self):
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {sorted(MODES)}; got {self.mode!r}.")
        if MODES[self.mode] is not None and self.warm_start_from is None:
            source = (
                "GaitCNNClassifier(...).fit(X, y).feature_weights()"
                if self.mode == "cnn_fix"
                else "GaitCNNLSTMClassifier(...).fit(X, y).recurrent_weights()"
            )
            raise ValueError(
                f"mode={self.mode!r} freezes weights trained beforehand; pass "
                f"them as warm_start_from={source}."
            )
        super()._validate_fit_params()

    def _freeze_patterns(self):
        patterns = super()._freeze_patterns()
        if patterns is None:
            return None
        prefix = MODES.get(self.mode)
        if prefix is not None and prefix + "*" not in patterns:
            patterns = [prefix + "*", *patterns]
        return patterns

    def _training_epochs(self):
        # In the ``*_fix`` modes the unfrozen layers start from scratch, so
        # they get a full training rather than the ``fine_tune_epochs`` of
        # transfer.
        if MODES.get(self.mode) is not None:
            return self.max_epochs
        return super()._training_epochs()

    # ------------------------------------------------------------------
    # transfer
    # ------------------------------------------------------------------
    def _transfer_prefix(self):
        """``features.*``, or ``lstm.*`` for ``mode="lstm_fix"``."""
        return MODES.get(self.mode) or FEATURES_PREFIX

    def _check_source_shape(self, source_shape):
        # The loaded parameters do not depend on the window length: only the
        # channels of a CNN's features must match.
        if self._transfer_prefix() != FEATURES_PREFIX or source_shape is None:
            return
        n_channels = int(source_shape.reshape(-1)[0])
        if n_channels != self.n_channels_:
            raise ValueError(
                f"warm_start_from weights were trained on windows of "
                f"{n_channels} channels, but X has {self.n_channels_}. "
                "Transfer needs the same channels (for pairs stacked along "
                "channels, a CNN trained on stacked pairs)."
            )


class GaitLSTMClassifier(_RecurrentMixin, GaitCNNClassifier):
    """LSTM classifier of raw gait windows: Zou et al.'s "LSTM" baseline.

    A :class:`~skgait.models.GaitCNNClassifier` (same parameters, label
    encoding, losses, seeding and fast batches) whose network is
    :class:`~skgait.models.networks.LSTMNetwork`. Trained on its own it is the "LSTM" row of Zou et
    al. (2020); its :meth:`recurrent_weights` are the independently trained
    LSTM that "CNN+LSTMfix" freezes:
    ``GaitCNNLSTMClassifier(mode="lstm_fix", warm_start_from=lstm.recurrent_weights())``
    (same ``module__lstm`` and ``module__n_hidden``).

    Parameters
    ----------
    module : torch.nn.Module class or instance, default=LSTMNetwork
        The network; ``n_channels``, ``n_timepoints`` and ``n_outputs`` are
        inferred from ``X`` and ``y`` unless set (``module__lstm=
        "bidirectional"``, ``module__n_hidden=32``, ...).
    batch_size : int, default=64
        Training batch size.
    **kwargs
        Every other parameter of :class:`~skgait.models.GaitCNNClassifier`
        (``lr``, ``max_epochs``, ``optimizer``, ``train_split``,
        ``callbacks``, ``random_state``, ``device``, ``module__*`` ...).
        ``warm_start_from`` loads the ``lstm.*`` weights of another LSTM
        (``recurrent_weights()``), ``freeze="lstm.*"`` holds them fixed.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, in the column order of ``predict_proba``.
    n_channels_, n_timepoints_, n_outputs_ : int
        Shape of the training windows and number of outputs.
    module_ : LSTMNetwork
        The trained network.

    See Also
    --------
    LSTMNetwork : The network.
    GaitCNNLSTMClassifier : The CNN+LSTM and its "LSTMfix" mode.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.models import GaitCNNLSTMClassifier, GaitLSTMClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 6, 32)).astype(np.float32)
    >>> who = np.repeat(["ann", "bob", "cem"], 20)
    >>> X[who == "bob", 0] += 1.0
    >>> lstm = GaitLSTMClassifier(max_epochs=2, module__n_hidden=16, random_state=0).fit(X, who)
    >>> lstm.predict_proba(X[:2]).shape, lstm.embed(X[:2]).shape
    ((2, 3), (2, 16))

    "CNN+LSTMfix": the LSTM trained on its own, frozen beside a new CNN.

    >>> fixed = GaitCNNLSTMClassifier(
    ...     mode="lstm_fix", warm_start_from=lstm.recurrent_weights(),
    ...     module__n_hidden=16, max_epochs=2, random_state=0,
    ... ).fit(X, who)
    >>> bool(fixed.module_.lstm.weight_ih_l0.requires_grad)
    False
    """

    def __init__(self, module=LSTMNetwork, *, batch_size=64, **kwargs):
        super().__init__(module, batch_size=batch_size, **kwargs)

    def _transfer_prefix(self):
        return MODES["lstm_fix"]
