"""LSTM and CNN+LSTM networks and the identification estimators that train them.

Zou et al., "Deep learning based gait recognition using smartphones in the
wild" (IEEE TIFS 2020), abstract gait features *in space* with a
convolutional network and *in time* with an LSTM. In their network (and
their code) the two branches read the **same raw window in parallel**; their
feature vectors are concatenated and a fully connected layer classifies
them. Training either branch on its own beforehand and freezing it gives the
"CNNfix+LSTM" and "CNN+LSTMfix" variants. This module holds

- :class:`LSTMNetwork` and :class:`GaitLSTMClassifier`: the LSTM alone on the
  raw window, the paper's "LSTM" baseline and the independently trained
  LSTM that "CNN+LSTMfix" reuses (:meth:`GaitLSTMClassifier.recurrent_weights`);
- :class:`CNNLSTM`: that parallel network (``features`` + ``cnn_fc`` ‖
  ``lstm`` → ``head``); its ``features`` are built exactly as
  :class:`~skgait.models.BioDeepCNN`'s, so the weights of a trained skgait
  CNN load into it;
- :class:`ChainedCNNLSTM`: a variant where the LSTM reads the CNN's output
  sequence instead of the raw window;
- :class:`GaitCNNLSTMClassifier`: a :class:`~skgait.models.GaitCNNClassifier`
  whose network is :class:`CNNLSTM` (or ``module=ChainedCNNLSTM``), with the
  paper's three training modes (``mode="end_to_end"``, ``"cnn_fix"``,
  ``"lstm_fix"``). Shape inference, seeding, transfer and fast batches come
  from the estimators' skorch base.
"""

import numpy as np
import torch
from torch import nn

from ._cnn import GaitCNNClassifier
from ._networks import BioDeepCNN
from ._transfer import FEATURES_PREFIX, prefixed_weights

__all__ = [
    "CNNLSTM",
    "ChainedCNNLSTM",
    "GaitCNNLSTMClassifier",
    "GaitLSTMClassifier",
    "LSTMNetwork",
]

#: ``lstm`` argument of :class:`CNNLSTM` → (num_layers, bidirectional).
LSTM_KINDS = {
    "single": (1, False),
    "bidirectional": (1, True),
    "two_layer": (2, False),
}

#: Training modes of :class:`GaitCNNLSTMClassifier` → prefix of the
#: parameters loaded from ``warm_start_from`` and frozen.
MODES = {"end_to_end": None, "cnn_fix": "features.", "lstm_fix": "lstm."}

_LSTM_INPUT_KEY = "lstm_input_size"


def _check_lstm_args(owner, lstm, n_hidden):
    if lstm not in LSTM_KINDS:
        raise ValueError(f"{owner}: lstm must be one of {sorted(LSTM_KINDS)}; got {lstm!r}.")
    if not isinstance(n_hidden, int) or isinstance(n_hidden, bool) or n_hidden < 1:
        raise ValueError(f"{owner}: n_hidden must be a positive integer; got {n_hidden!r}.")


def _make_lstm(lstm, input_size, n_hidden, dropout):
    """The LSTM of kind ``lstm`` (see :data:`LSTM_KINDS`) and its output size.

    Dropout between stacked layers only (PyTorch's LSTM has none after the
    last layer).
    """
    num_layers, bidirectional = LSTM_KINDS[lstm]
    module = nn.LSTM(
        input_size,
        n_hidden,
        num_layers=num_layers,
        batch_first=True,
        bidirectional=bidirectional,
        dropout=dropout if num_layers > 1 else 0.0,
    )
    return module, n_hidden * (2 if bidirectional else 1)


def _lstm_state(lstm, x):
    """Final hidden state of ``lstm`` over ``x`` (n, n_steps, n_inputs)."""
    _, (h_n, _) = lstm(x)
    if lstm.bidirectional:
        return torch.cat((h_n[-2], h_n[-1]), dim=1)
    return h_n[-1]


class LSTMNetwork(nn.Module):
    """An LSTM over the raw window, then dropout and a linear output.

    The "LSTM" of Zou et al. (2020): the recurrent branch of
    :class:`CNNLSTM` on its own. It reads the window
    ``(n, n_channels, n_timepoints)`` time step by time step (``n_timepoints``
    steps of ``n_channels`` values); its final hidden state (both directions'
    for a bidirectional LSTM, the top layer's for two layers) goes through
    dropout to a linear output (logits). Its ``lstm`` has the parameter
    names and shapes of :class:`CNNLSTM`'s, so a trained LSTM can be the
    frozen LSTM of "CNN+LSTMfix".

    Parameters
    ----------
    n_channels : int
        Input channels.
    n_timepoints : int
        Time points per window (the LSTM has no parameter that depends on
        it; any length of at least one step is read).
    n_outputs : int
        Number of outputs (1 for a binary problem with a single logit).
    lstm : {"single", "bidirectional", "two_layer"}, default="single"
        SL-LSTM, Bi-LSTM or DL-LSTM, as for :class:`CNNLSTM`.
    n_hidden : int, default=64
        Hidden units of the LSTM (per direction).
    dropout : float, default=0.5
        Dropout before the output layer (and between the two layers of a
        ``"two_layer"`` LSTM).

    Attributes
    ----------
    lstm : torch.nn.LSTM
        The recurrent layer(s), ``batch_first=True``, ``input_size=n_channels``.
    head : torch.nn.Sequential
        Dropout and the output layer.

    See Also
    --------
    GaitLSTMClassifier : The estimator that trains it.
    CNNLSTM : The LSTM beside a CNN.

    Examples
    --------
    >>> import torch
    >>> from skgait.models import LSTMNetwork
    >>> net = LSTMNetwork(n_channels=6, n_timepoints=128, n_outputs=10, n_hidden=16)
    >>> net(torch.zeros(4, 6, 128)).shape, net.embed(torch.zeros(4, 6, 128)).shape
    (torch.Size([4, 10]), torch.Size([4, 16]))
    """

    def __init__(
        self, n_channels, n_timepoints, n_outputs, lstm="single", n_hidden=64, dropout=0.5
    ):
        super().__init__()
        _check_lstm_args(type(self).__name__, lstm, n_hidden)
        if n_timepoints < 1:
            raise ValueError(f"LSTMNetwork: n_timepoints must be at least 1; got {n_timepoints}.")
        self.lstm, n_lstm = _make_lstm(lstm, n_channels, n_hidden, dropout)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(n_lstm, n_outputs))

    def embed(self, x):
        """The LSTM's final state: ``(n, n_hidden)`` (``2 * n_hidden`` if bidirectional)."""
        return _lstm_state(self.lstm, x.transpose(1, 2))

    def forward(self, x):
        """Map windows ``(n, n_channels, n_timepoints)`` to outputs ``(n, n_outputs)``."""
        return self.head(self.embed(x))


class _ConvLSTMNetwork(nn.Module):
    """What the CNN+LSTM networks share: parameters, convolutions, output layer.

    ``features`` are :class:`~skgait.models.BioDeepCNN`'s convolution blocks
    (BioDeepCNN validates the hyper-parameters and the window length, and
    names the parameters as ``GaitCNNClassifier.feature_weights()`` exports
    them, so a trained CNN's weights load). A subclass builds the recurrent
    part in :meth:`_build_recurrent` and defines ``embed(x)``; ``head``
    (dropout and a linear output) maps the embedding to logits.
    """

    def __init__(
        self,
        n_channels,
        n_timepoints,
        n_outputs,
        n_filters=(16, 32),
        kernel_size=3,
        strides=(1, 2),
        pool_size=2,
        lstm="single",
        n_hidden=64,
        dropout=0.5,
    ):
        super().__init__()
        _check_lstm_args(type(self).__name__, lstm, n_hidden)
        cnn = BioDeepCNN(
            n_channels,
            n_timepoints,
            n_outputs,
            n_filters=n_filters,
            kernel_size=kernel_size,
            strides=strides,
            pool_size=pool_size,
            dropout=dropout,
        )
        self.features = cnn.features
        n_embedding = self._build_recurrent(n_channels, cnn.n_features_out, lstm, n_hidden, dropout)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(n_embedding, n_outputs))

    def _build_recurrent(self, n_channels, n_features_out, lstm, n_hidden, dropout):
        """Build the layers between ``features`` and ``head``; return the embedding size."""
        raise NotImplementedError

    def forward(self, x):
        """Map windows ``(n, n_channels, n_timepoints)`` to outputs ``(n, n_outputs)``."""
        return self.head(self.embed(x))


class CNNLSTM(_ConvLSTMNetwork):
    """A CNN and an LSTM read the raw window in parallel; their features are joined.

    The network of Zou et al. (2020) for identification. The convolution
    branch (``features``, then ``cnn_fc``: flatten, dense, ReLU) abstracts
    the window ``(n, n_channels, n_timepoints)`` in space; the LSTM branch reads
    the same raw window time step by time step (``n_timepoints`` steps of
    ``n_channels`` values) and keeps its final hidden state. The two
    feature vectors are concatenated (:meth:`embed`) and go through dropout
    to a linear output (logits). Either branch can be trained on its own and
    frozen (see :class:`GaitCNNLSTMClassifier`).

    Parameters
    ----------
    n_channels : int
        Input channels.
    n_timepoints : int
        Time points per window.
    n_outputs : int
        Number of outputs (1 for a binary problem with a single logit).
    n_filters, kernel_size, strides, pool_size :
        The convolution blocks, as in :class:`~skgait.models.BioDeepCNN`
        (defaults ``(16, 32)``, 3, ``(1, 2)``, 2).
    lstm : {"single", "bidirectional", "two_layer"}, default="single"
        The three recurrent variants compared in the paper (SL-LSTM,
        Bi-LSTM, DL-LSTM).
    n_hidden : int, default=64
        Hidden units of the LSTM (per direction) and of the convolution
        branch's dense layer.
    dropout : float, default=0.5
        Dropout before the output layer (and between the two layers of a
        ``"two_layer"`` LSTM).

    Attributes
    ----------
    features : torch.nn.Sequential
        Convolution, ReLU and max-pooling layers (same parameter names and
        shapes as ``BioDeepCNN.features``).
    cnn_fc : torch.nn.Sequential
        Flatten, dense layer of ``n_hidden`` units and ReLU.
    lstm : torch.nn.LSTM
        The recurrent layer(s) over the raw window, ``batch_first=True``,
        ``input_size=n_channels``.
    head : torch.nn.Sequential
        Dropout and the output layer.

    See Also
    --------
    ChainedCNNLSTM : The LSTM reads the CNN's output instead.
    GaitCNNLSTMClassifier : The estimator that trains it.

    Examples
    --------
    >>> import torch
    >>> from skgait.models import CNNLSTM
    >>> net = CNNLSTM(n_channels=6, n_timepoints=128, n_outputs=10, n_hidden=32)
    >>> net(torch.zeros(4, 6, 128)).shape
    torch.Size([4, 10])
    >>> net.lstm.input_size, net.embed(torch.zeros(4, 6, 128)).shape
    (6, torch.Size([4, 64]))
    """

    def _build_recurrent(self, n_channels, n_features_out, lstm, n_hidden, dropout):
        self.cnn_fc = nn.Sequential(nn.Flatten(), nn.Linear(n_features_out, n_hidden), nn.ReLU())
        self.lstm, n_lstm = _make_lstm(lstm, n_channels, n_hidden, dropout)
        return n_hidden + n_lstm

    def embed(self, x):
        """Both branches' features, concatenated: ``(n, n_hidden + n_lstm_out)``."""
        space = self.cnn_fc(self.features(x))
        time = _lstm_state(self.lstm, x.transpose(1, 2))
        return torch.cat((space, time), dim=1)


class ChainedCNNLSTM(_ConvLSTMNetwork):
    """Convolutions in space, then an LSTM in time, then a linear output.

    The convolution blocks (``features``) map a window
    ``(n, n_channels, n_timepoints)`` to a shorter sequence
    ``(n, n_filters[-1], n_steps)``; the LSTM reads that sequence step by
    step and its final hidden state (both directions' for a bidirectional
    LSTM, the top layer's for two layers) goes through dropout to a linear
    output (logits). The LSTM has no parameter that depends on ``n_timepoints``,
    so one network accepts windows of any length at least as long as the
    convolutions need: single windows of 128 samples and pairs aligned side
    by side (256 samples) share the same weights.

    Parameters
    ----------
    n_channels : int
        Input channels.
    n_timepoints : int
        Time points per window; used to check that the convolutions leave
        at least one step.
    n_outputs : int
        Number of outputs (1 for a binary problem with a single logit).
    n_filters, kernel_size, strides, pool_size :
        The convolution blocks, as in :class:`~skgait.models.BioDeepCNN`
        (defaults ``(16, 32)``, 3, ``(1, 2)``, 2: 128 samples become 16
        steps of 32 features).
    lstm : {"single", "bidirectional", "two_layer"}, default="single"
        The three recurrent variants compared in the paper (SL-LSTM,
        Bi-LSTM, DL-LSTM).
    n_hidden : int, default=64
        Hidden units of the LSTM (per direction).
    dropout : float, default=0.5
        Dropout before the output layer (and between the two layers of a
        ``"two_layer"`` LSTM).

    Attributes
    ----------
    features : torch.nn.Sequential
        Convolution, ReLU and max-pooling layers (same parameter names and
        shapes as ``BioDeepCNN.features``).
    lstm : torch.nn.LSTM
        The recurrent layer(s), ``batch_first=True``.
    head : torch.nn.Sequential
        Dropout and the output layer.
    n_steps : int
        Length of the sequence the LSTM reads for ``n_timepoints`` samples.

    See Also
    --------
    CNNLSTM : The branches in parallel, as in Zou et al. (2020).
    skgait.models.BioDeepCNN : The CNN alone.

    Examples
    --------
    >>> import torch
    >>> from skgait.models import ChainedCNNLSTM
    >>> net = ChainedCNNLSTM(n_channels=6, n_timepoints=128, n_outputs=10, lstm="bidirectional")
    >>> net(torch.zeros(4, 6, 128)).shape
    torch.Size([4, 10])
    >>> net.n_steps
    16
    >>> net(torch.zeros(2, 6, 256)).shape  # longer inputs: same weights
    torch.Size([2, 10])
    """

    def _build_recurrent(self, n_channels, n_features_out, lstm, n_hidden, dropout):
        n_features = self.features[-3].out_channels
        self.n_steps = n_features_out // n_features
        self.lstm, n_lstm = _make_lstm(lstm, n_features, n_hidden, dropout)
        return n_lstm

    def embed(self, x):
        """The LSTM's final state: ``(n, n_hidden)`` (``2 * n_hidden`` if bidirectional)."""
        sequence = self.features(x).transpose(1, 2)  # (n, n_steps, n_features)
        return _lstm_state(self.lstm, sequence)


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

        For the default :class:`CNNLSTM` it is the convolution branch's
        features (``n_hidden``) and the LSTM's final state (``n_hidden``,
        ``2 * n_hidden`` if bidirectional) concatenated: 32 values for
        ``module__n_hidden=16``. For :class:`ChainedCNNLSTM` and
        :class:`LSTMNetwork` it is the LSTM's final state only.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)

        Returns
        -------
        embedding : ndarray of shape (n_windows, n_embedding)
            ``n_embedding`` is ``2 * n_hidden`` for :class:`CNNLSTM`
            (``3 * n_hidden`` with a bidirectional LSTM), ``n_hidden``
            (``2 * n_hidden``) for :class:`ChainedCNNLSTM` and
            :class:`LSTMNetwork`.
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
    :class:`CNNLSTM`. ``mode`` selects the training schemes of Zou et al.
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
      connected layer have to be trained from scratch". In :class:`CNNLSTM`
      the LSTM reads the raw window, so the LSTM of another CNN+LSTM
      (trained on other data, other subjects or another task), exported by
      :meth:`recurrent_weights`, is such an LSTM:
      ``warm_start_from=other.recurrent_weights()``. Its ``lstm.*`` weights
      are loaded and frozen; the CNN branch and the output layer are
      trained. It must have the same channels, ``module__lstm`` and
      ``module__n_hidden`` (with :class:`ChainedCNNLSTM`, also the same
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
    :class:`LSTMNetwork`. Trained on its own it is the "LSTM" row of Zou et
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
