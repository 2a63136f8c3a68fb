"""Walking extraction: keep only the walking parts of recordings.

Recordings made "in the wild" mix walking with standing, stairs and the
rest. Zou et al. (2020, §III-A) first label every time step as walking or
not with a segmentation network and cut gait windows from the walking parts
only. Here that step is a transformer on datasets:

- :func:`make_sequence_windows`: long windows with one activity code per
  time step, to train a :class:`~skgait.models.GaitSegmenter`;
- :class:`WalkingExtractor`: ``fit(dataset)`` trains a segmenter on the
  activity labels of one placement; ``transform(dataset)`` returns the
  dataset with every recording's activity *replaced by the prediction*
  (``"walking"`` or ``"unknown"``), so that
  ``make_windows(extracted, activity="walking")`` cuts windows only where
  walking was detected;
- :func:`walking_report`: per-time-step accuracy and the confusion of true
  activities (stairs, standing, ...) with predicted walking.
"""

import dataclasses
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from ..datasets import ACTIVITIES, CHANNELS, GaitDataset, resample_recording
from ..datasets._windows import _as_datasets, _check_channels, _resolve_placement
from ._segmentation import GaitSegmenter

__all__ = ["WalkingExtractor", "make_sequence_windows", "walking_report"]

_WALKING = ACTIVITIES.index("walking")
_UNKNOWN = ACTIVITIES.index("unknown")


def _signal(recording, channels):
    missing = [c for c in channels if c not in recording.channels]
    if missing:
        raise ValueError(
            f"Recording {recording.recording!r} of subject {recording.subject!r} "
            f"lacks channels {missing}; pass channels= with the ones it has."
        )
    return recording.signal[:, [recording.channels.index(c) for c in channels]]


def make_sequence_windows(
    dataset, placement=None, rate=50.0, length=10.24, overlap=0.5, channels=CHANNELS
):
    """Cut long windows with the activity code of every time step.

    Unlike :func:`~skgait.datasets.make_windows`, windows cross changes of
    activity: they are the training data of a per-step labeller.

    Parameters
    ----------
    dataset : GaitDataset or list of GaitDataset
    placement : str, dict or None, default=None
        As in :func:`~skgait.datasets.make_windows`.
    rate : float, default=50.0
        Recordings are resampled to this rate first.
    length : float, default=10.24
        Window length in seconds (512 samples at 50 Hz).
    overlap : float, default=0.5
        Fraction shared by consecutive windows.
    channels : sequence of str, default=CHANNELS

    Returns
    -------
    X : ndarray of shape (n_windows, n_channels, n_times), float32
    activity : ndarray of shape (n_windows, n_times), int8
        Codes into :data:`~skgait.datasets.ACTIVITIES`.
    meta : DataFrame
        ``dataset``, ``subject``, ``recording``, ``start_sample`` (resampled
        time base), ``group`` (``"<dataset>:<subject>"``).
    """
    channels = _check_channels(channels)
    n = round(length * rate)
    step = max(1, round(n * (1 - overlap)))
    X, Y, rows = [], [], []
    for ds in _as_datasets(dataset):
        for rec in ds.select(placement=_resolve_placement(ds, placement)):
            rec = resample_recording(rec, rate)
            signal = _signal(rec, channels)
            for start in range(0, rec.n_samples - n + 1, step):
                window = signal[start : start + n]
                if not np.all(np.isfinite(window)):
                    continue
                X.append(window.T)
                Y.append(rec.activity[start : start + n])
                rows.append((ds.name, rec.subject, rec.recording, start))
    if not X:
        raise ValueError(f"No recording is at least {length} s long; use a shorter length.")
    meta = pd.DataFrame(rows, columns=["dataset", "subject", "recording", "start_sample"])
    meta["group"] = meta["dataset"] + ":" + meta["subject"]
    return np.ascontiguousarray(np.stack(X), dtype=np.float32), np.stack(Y), meta


class WalkingExtractor(TransformerMixin, BaseEstimator):
    """Relabel recordings with predicted walking / not walking (walking extraction).

    Parameters
    ----------
    segmenter : GaitSegmenter or None, default=None
        Per-step labeller to train; None uses
        ``GaitSegmenter(max_epochs=15, random_state=random_state)``.
    placement : str or None, default=None
        Sensor whose signal is segmented (None if the dataset has one). The
        labels predicted for it are applied to every sensor of the same
        trial, mapped by time.
    rate : float, default=50.0
        Rate the segmenter works at.
    length : float, default=10.24
        Training window length in seconds.
    overlap : float, default=0.5
        Overlap of training windows.
    channels : sequence of str, default=CHANNELS
        Channels the segmenter reads (``("acc_x", "acc_y", "acc_z")`` for
        accelerometer-only data or unreliable gyroscopes).
    random_state : int or None, default=None
        Seeds the default segmenter.

    Attributes
    ----------
    segmenter_ : GaitSegmenter
        The fitted segmenter (labels ``"walking"`` / ``"not_walking"``).

    See Also
    --------
    skgait.models.GaitSegmenter : The per-step labeller.
    walking_report : Accuracy and confusion of the extraction.

    Examples
    --------
    On HuGaDB, ``WalkingExtractor(placement="right_thigh").fit(load_hugadb())``
    learns from its ``various`` files; here a small synthetic dataset (2 s of
    walking, 2 s of standing, in turn) and a short training:

    >>> from skgait.models import GaitSegmenter, WalkingExtractor, walking_report
    >>> from skgait.utils.estimator_checks import make_gait_dataset
    >>> ds = make_gait_dataset(n_subjects=2)
    >>> ext = WalkingExtractor(GaitSegmenter(max_epochs=2, random_state=0), length=2.0)
    >>> extracted = ext.fit(ds).transform(ds)
    >>> len(extracted.recordings), set(extracted.recordings[0].activity) <= {0, 1}
    (2, True)
    >>> sorted(walking_report(ds, extracted))
    ['accuracy', 'balanced_accuracy', 'confusion']

    ``make_windows(extracted, activity="walking")`` then cuts windows where
    walking was predicted only.
    """

    def __init__(
        self,
        segmenter=None,
        *,
        placement=None,
        rate=50.0,
        length=10.24,
        overlap=0.5,
        channels=CHANNELS,
        random_state=None,
    ):
        self.segmenter = segmenter
        self.placement = placement
        self.rate = rate
        self.length = length
        self.overlap = overlap
        self.channels = channels
        self.random_state = random_state

    def fit(self, dataset, y=None):
        """Train the segmenter on the activity labels of ``dataset``.

        Parameters
        ----------
        dataset : GaitDataset or list of GaitDataset
            Recordings with per-sample activity labels, mixing walking with
            other activities (HuGaDB's ``various`` files).
        y : None
            Ignored; the labels are the recordings' activities.

        Returns
        -------
        self : object
        """
        X, activity, _ = make_sequence_windows(
            dataset, self.placement, self.rate, self.length, self.overlap, self.channels
        )
        labels = np.where(activity == _WALKING, "walking", "not_walking")
        segmenter = (
            GaitSegmenter(max_epochs=15, random_state=self.random_state)
            if self.segmenter is None
            else clone(self.segmenter)
        )
        self.segmenter_ = segmenter.fit(X, labels)
        self.channels_ = _check_channels(self.channels)
        return self

    def predict_walking(self, recording):
        """Walking mask of a recording, at its own rate.

        Parameters
        ----------
        recording : Recording

        Returns
        -------
        walking : ndarray of shape (recording.n_samples,), bool
        """
        check_is_fitted(self, "segmenter_")
        resampled = resample_recording(recording, self.rate)
        signal = np.nan_to_num(_signal(resampled, self.channels_)).T[None]
        predicted = self.segmenter_.predict(signal.astype(np.float32))[0] == "walking"
        return _map_mask(predicted, resampled.rate, recording.n_samples, recording.rate)

    def transform(self, dataset):
        """The dataset with activities replaced by the predicted walking labels.

        Parameters
        ----------
        dataset : GaitDataset

        Returns
        -------
        extracted : GaitDataset
            Same recordings (minus trials without a sensor at
            ``placement``, dropped with a warning) whose ``activity`` is
            ``"walking"`` where walking was predicted and ``"unknown"``
            elsewhere.
        """
        check_is_fitted(self, "segmenter_")
        if not isinstance(dataset, GaitDataset):
            raise TypeError(f"transform takes a GaitDataset; got {type(dataset).__name__}.")
        placement = _resolve_placement(dataset, self.placement)
        masks = {}
        for rec in dataset.select(placement=placement):
            masks[(rec.subject, rec.recording)] = (self.predict_walking(rec), rec.rate)
        recordings, dropped = [], 0
        for rec in dataset.recordings:
            key = (rec.subject, rec.recording)
            if key not in masks:
                dropped += 1
                continue
            mask, rate = masks[key]
            walking = _map_mask(mask, rate, rec.n_samples, rec.rate)
            activity = np.where(walking, _WALKING, _UNKNOWN).astype(np.int8)
            recordings.append(dataclasses.replace(rec, activity=activity))
        if dropped:
            warnings.warn(
                f"WalkingExtractor dropped {dropped} recordings of trials with no "
                f"{placement!r} sensor to segment.",
                UserWarning,
                stacklevel=2,
            )
        return GaitDataset(
            dataset.name, recordings, dataset.subjects, path=dataset.path,
            citation=dataset.citation,
        )


    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # The input is a GaitDataset, neither a table nor an array of windows;
        # gaps (NaN) in recordings are skipped in fit and zero-filled in transform.
        tags.input_tags.two_d_array = False
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = []
        return tags


def _map_mask(mask, rate, n_samples, target_rate):
    """Nearest-in-time resampling of a boolean mask."""
    if len(mask) == n_samples and rate == target_rate:
        return mask
    index = np.round(np.arange(n_samples) * (rate / target_rate)).astype(np.int64)
    return mask[np.clip(index, 0, len(mask) - 1)]


def walking_report(dataset, extracted):
    """Per-time-step accuracy of walking extraction, and its confusions.

    Parameters
    ----------
    dataset : GaitDataset
        Recordings with their true activity labels.
    extracted : GaitDataset
        ``WalkingExtractor.transform(dataset)``.

    Returns
    -------
    report : dict
        ``accuracy`` (time steps whose walking / not-walking prediction is
        right, over all recordings of ``extracted``), ``balanced_accuracy``
        (mean of the walking and not-walking recalls) and ``confusion``, a
        DataFrame with one row per true activity: ``n_steps``, and the
        fraction predicted ``walking`` (for stairs: how often stairs are
        mistaken for level walking).
    """
    truth = {(r.subject, r.recording, r.placement): r.activity for r in dataset.recordings}
    true_codes, predicted = [], []
    for rec in extracted.recordings:
        key = (rec.subject, rec.recording, rec.placement)
        if key not in truth:
            raise ValueError(f"Recording {key} of `extracted` is not in `dataset`.")
        true_codes.append(truth[key])
        predicted.append(rec.activity == _WALKING)
    true_codes = np.concatenate(true_codes)
    predicted = np.concatenate(predicted)
    is_walking = true_codes == _WALKING
    rows = []
    for code in np.unique(true_codes):
        sel = true_codes == code
        rows.append(
            {
                "activity": ACTIVITIES[code],
                "n_steps": int(sel.sum()),
                "predicted_walking": float(predicted[sel].mean()),
            }
        )
    confusion = pd.DataFrame(rows).set_index("activity")
    recalls = [predicted[is_walking].mean() if is_walking.any() else np.nan,
               (~predicted[~is_walking]).mean() if (~is_walking).any() else np.nan]
    return {
        "accuracy": float(np.mean(predicted == is_walking)),
        "balanced_accuracy": float(np.nanmean(recalls)),
        "confusion": confusion,
    }
