"""LSTM and CNN+LSTM networks of Zou et al. (2020), as plain PyTorch modules.

- :class:`LSTMNetwork`: the LSTM alone on the raw window;
- :class:`CNNLSTM`: a CNN and an LSTM reading the same raw window in
  parallel (``features`` + ``cnn_fc`` ‖ ``lstm`` → ``head``); its
  ``features`` are built exactly as :class:`BioDeepCNN`'s, so the weights of
  a trained skgait CNN load into it;
- :class:`ChainedCNNLSTM`: the LSTM reads the CNN's output sequence.

Their estimators are in :mod:`skgait.models` (``GaitLSTMClassifier``,
``GaitCNNLSTMClassifier``).
"""

import torch
from torch import nn

from ...utils._docstring import fill_doc
from ._biodeep import BioDeepCNN

__all__ = ["CNNLSTM", "ChainedCNNLSTM", "LSTMNetwork"]

#: ``lstm`` argument of :class:`CNNLSTM` → (num_layers, bidirectional).
LSTM_KINDS = {
    "single": (1, False),
    "bidirectional": (1, True),
    "two_layer": (2, False),
}


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


@fill_doc
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
    {n_outputs_network}
    lstm : {"single", "bidirectional", "two_layer"}, default="single"
        SL-LSTM, Bi-LSTM or DL-LSTM, as for :class:`CNNLSTM`.
    n_hidden : int, default=64
        Hidden units of the LSTM (per direction).
    {lstm_dropout}

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
    >>> from skgait.models.networks import LSTMNetwork
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

    ``features`` are :class:`~skgait.models.networks.BioDeepCNN`'s convolution blocks
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


@fill_doc
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
    {n_outputs_network}
    n_filters, kernel_size, strides, pool_size :
        The convolution blocks, as in :class:`~skgait.models.networks.BioDeepCNN`
        (defaults ``(16, 32)``, 3, ``(1, 2)``, 2).
    lstm : {"single", "bidirectional", "two_layer"}, default="single"
        The three recurrent variants compared in the paper (SL-LSTM,
        Bi-LSTM, DL-LSTM).
    n_hidden : int, default=64
        Hidden units of the LSTM (per direction) and of the convolution
        branch's dense layer.
    {lstm_dropout}

    Attributes
    ----------
    {conv_features}
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
    >>> from skgait.models.networks import CNNLSTM
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


@fill_doc
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
    {n_outputs_network}
    n_filters, kernel_size, strides, pool_size :
        The convolution blocks, as in :class:`~skgait.models.networks.BioDeepCNN`
        (defaults ``(16, 32)``, 3, ``(1, 2)``, 2: 128 samples become 16
        steps of 32 features).
    lstm : {"single", "bidirectional", "two_layer"}, default="single"
        The three recurrent variants compared in the paper (SL-LSTM,
        Bi-LSTM, DL-LSTM).
    n_hidden : int, default=64
        Hidden units of the LSTM (per direction).
    {lstm_dropout}

    Attributes
    ----------
    {conv_features}
    lstm : torch.nn.LSTM
        The recurrent layer(s), ``batch_first=True``.
    head : torch.nn.Sequential
        Dropout and the output layer.
    n_steps : int
        Length of the sequence the LSTM reads for ``n_timepoints`` samples.

    See Also
    --------
    CNNLSTM : The branches in parallel, as in Zou et al. (2020).
    skgait.models.networks.BioDeepCNN : The CNN alone.

    Examples
    --------
    >>> import torch
    >>> from skgait.models.networks import ChainedCNNLSTM
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
