"""Walking extraction: keep only the walking parts of recordings.

Recordings made "in the wild" mix walking with standing, stairs and the
rest. Zou et al. (2020, §III-A) first label every time step as walking or
not with a segmentation network and cut gait windows from the walking parts
only. Here that step is a transformer on datasets:

- :class:`WalkingExtractor`: ``fit(dataset)`` trains a segmenter on the
  activity labels of one placement (long windows with one activity code per
  time step, from :func:`~skgait.datasets.make_sequence_windows`);
  ``transform(dataset)`` returns the dataset with every recording's activity
  *replaced by the prediction* (``"walking"`` or ``"unknown"``), so that
  ``make_windows(extracted, activity="walking")`` cuts windows only where
  walking was detected; :meth:`WalkingExtractor.predict_labels` adds the
  paper's third output, ``"unclassified"`` (neither class predicted with
  enough confidence, ``threshold``), and ``crop`` cuts recordings into the
  paper's crops of 1024 samples;
- :func:`walking_report`: per-time-step accuracy and the confusion of true
  activities (stairs, standing, ...) with predicted walking.
"""

import dataclasses
import numbers
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from ..datasets import (
    ACTIVITIES,
    CHANNELS,
    GaitDataset,
    make_sequence_windows,
    resample_recording,
)
from ..utils._sklearn_compat import HasMethods, Interval, _fit_context
from ._segmentation import GaitSegmenter

__all__ = ["WalkingExtractor", "walking_report"]

_WALKING = ACTIVITIES.index("walking")
_UNKNOWN = ACTIVITIES.index("unknown")

#: Labels of :meth:`WalkingExtractor.predict_labels`.
WALKING_LABELS = ("walking", "not_walking", "unclassified")


def _signal(recording, channels):
    missing = [c for c in channels if c not in recording.channels]
    if missing:
        raise ValueError(
            f"Recording {recording.recording!r} of subject {recording.subject!r} "
            f"lacks channels {missing}; pass channels= with the ones it has."
        )
    return recording.signal[:, [recording.channels.index(c) for c in channels]]


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
    threshold : float or None, default=None
        Smallest probability of the predicted class (walking or not
        walking) for a time step to be classified; below it the step is
        ``"unclassified"``, the third output of Zou et al. (2020, §III-A).
        Probabilities of two classes are at least 0.5, so a threshold in
        (0.5, 1) leaves the least certain steps unclassified; None
        classifies every step. Unclassified steps are not walking for
        :meth:`transform`.
    crop : int or None, default=None
        Samples (at ``rate``) per crop, the paper's 1024 (6 × 1024 samples,
        20.48 s at 50 Hz): training windows are ``crop`` samples long
        (``length`` is then not used) and every recording is labelled crop
        by crop (the last crop ends at the recording's end, overlapping the
        one before; a recording shorter than one crop is labelled whole).
        None: training windows of ``length`` seconds, recordings labelled
        whole.
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
    learns from its ``various`` files (``threshold=0.8, crop=1024`` for the
    paper's settings); here a small synthetic dataset (2 s of
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
    >>> labels = ext.set_params(threshold=0.99).predict_labels(ds.recordings[0])
    >>> set(labels) <= {"walking", "not_walking", "unclassified"}
    True

    ``make_windows(extracted, activity="walking")`` then cuts windows where
    walking was predicted only.
    """

    _parameter_constraints: dict = {
        "segmenter": [HasMethods(["fit", "predict_proba"]), None],
        "placement": [str, None],
        "rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "length": [Interval(numbers.Real, 0, None, closed="neither")],
        "overlap": [Interval(numbers.Real, 0, 1, closed="left")],
        "channels": [str, "array-like"],
        # that of the predicted class, of two: at least 0.5
        "threshold": [Interval(numbers.Real, 0.5, 1, closed="both"), None],
        # the paper's 1024
        "crop": [Interval(numbers.Integral, 8, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        segmenter=None,
        *,
        placement=None,
        rate=50.0,
        length=10.24,
        overlap=0.5,
        channels=CHANNELS,
        threshold=None,
        crop=None,
        random_state=None,
    ):
        self.segmenter = segmenter
        self.placement = placement
        self.rate = rate
        self.length = length
        self.overlap = overlap
        self.channels = channels
        self.threshold = threshold
        self.crop = crop
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
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
        length = self.length if self.crop is None else self.crop / self.rate
        X, activity, _ = make_sequence_windows(
            dataset, self.placement, self.rate, length, self.overlap, self.channels
        )
        labels = np.where(activity == _WALKING, "walking", "not_walking")
        segmenter = (
            GaitSegmenter(max_epochs=15, random_state=self.random_state)
            if self.segmenter is None
            else clone(self.segmenter)
        )
        self.segmenter_ = segmenter.fit(X, labels)
        # make_sequence_windows has validated the channels.
        channels = self.channels
        self.channels_ = (channels,) if isinstance(channels, str) else tuple(channels)
        return self

    def _proba(self, signal):
        """Class probabilities ``(n_classes, n_timepoints)`` of one signal."""
        n = signal.shape[1]
        if self.crop is None or n <= self.crop:
            return self.segmenter_.predict_proba(signal[None])[0]
        starts = list(range(0, n - self.crop + 1, self.crop))
        if starts[-1] + self.crop < n:
            starts.append(n - self.crop)
        crops = np.stack([signal[:, s : s + self.crop] for s in starts])
        proba = np.empty((len(self.segmenter_.classes_), n), dtype=np.float64)
        for start, p in zip(starts, self.segmenter_.predict_proba(crops)):
            proba[:, start : start + self.crop] = p
        return proba

    def predict_labels(self, recording):
        """Walking, not walking or unclassified at every sample of a recording.

        Parameters
        ----------
        recording : Recording

        Returns
        -------
        labels : ndarray of shape (recording.n_samples,), dtype object
            ``"walking"``, ``"not_walking"``, or ``"unclassified"`` where
            the predicted class's probability is below ``threshold``; at the
            recording's own rate.
        """
        check_is_fitted(self, "segmenter_")
        self._validate_params()  # threshold and crop may be set after fit
        resampled = resample_recording(recording, self.rate)
        signal = np.nan_to_num(_signal(resampled, self.channels_)).T.astype(np.float32)
        proba = self._proba(signal)
        labels = np.asarray(self.segmenter_.classes_, dtype=object)[proba.argmax(axis=0)]
        if self.threshold is not None:
            labels[proba.max(axis=0) < self.threshold] = WALKING_LABELS[2]
        index = _nearest(len(labels), resampled.rate, recording.n_samples, recording.rate)
        return labels[index]

    def predict_walking(self, recording):
        """Walking mask of a recording, at its own rate.

        Parameters
        ----------
        recording : Recording

        Returns
        -------
        walking : ndarray of shape (recording.n_samples,), bool
            True where :meth:`predict_labels` says ``"walking"``.
        """
        return self.predict_labels(recording) == WALKING_LABELS[0]

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
        placement = dataset.resolve_placement(self.placement)
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
            dataset.name,
            recordings,
            dataset.subjects,
            path=dataset.path,
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


def _nearest(n, rate, n_samples, target_rate):
    """Index of the nearest-in-time of ``n`` samples at ``rate`` for each target sample."""
    index = np.round(np.arange(n_samples) * (rate / target_rate)).astype(np.int64)
    return np.clip(index, 0, n - 1)


def _map_mask(mask, rate, n_samples, target_rate):
    """Nearest-in-time resampling of a boolean mask."""
    if len(mask) == n_samples and rate == target_rate:
        return mask
    return mask[_nearest(len(mask), rate, n_samples, target_rate)]


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
    recalls = [
        predicted[is_walking].mean() if is_walking.any() else np.nan,
        (~predicted[~is_walking]).mean() if (~is_walking).any() else np.nan,
    ]
    return {
        "accuracy": float(np.mean(predicted == is_walking)),
        "balanced_accuracy": float(np.nanmean(recalls)),
        "confusion": confusion,
    }
