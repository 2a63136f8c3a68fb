"""Walking extraction's third class ("unclassified") and 1024-sample crops (Zou et al., 2020)."""

import numpy as np
import pytest

from skgait.datasets import CHANNELS
from skgait.models import GaitSegmenter, WalkingExtractor
from skgait.utils.estimator_checks import make_gait_dataset


class _StubSegmenter:
    """Probability of walking given per time step; records the inputs it sees."""

    classes_ = np.array(["not_walking", "walking"])

    def __init__(self, p_walking):
        self.p_walking = np.asarray(p_walking, dtype=float)
        self.inputs = []

    def predict_proba(self, X):
        self.inputs.append(X.shape)
        p = np.resize(self.p_walking, X.shape[2])
        return np.repeat(np.stack([1 - p, p])[None], len(X), axis=0)


def _extractor(p_walking, **params):
    ext = WalkingExtractor(rate=50.0, **params)
    ext.segmenter_ = _StubSegmenter(p_walking)
    ext.channels_ = tuple(CHANNELS)
    return ext


def _recording(n_samples=400):
    return make_gait_dataset(n_subjects=1, n_samples=n_samples).recordings[0]


def test_steps_below_threshold_are_unclassified():
    ext = _extractor([0.9, 0.6, 0.4, 0.1], threshold=0.8)
    labels = ext.predict_labels(_recording(n_samples=8))
    assert labels.tolist() == ["walking", "unclassified", "unclassified", "not_walking"] * 2


def test_without_threshold_every_step_is_classified():
    labels = _extractor([0.9, 0.6, 0.4, 0.1]).predict_labels(_recording(n_samples=8))
    assert labels.tolist() == ["walking", "walking", "not_walking", "not_walking"] * 2


def test_unclassified_steps_are_not_walking_in_transform():
    ext = _extractor([0.9, 0.6], threshold=0.8)
    assert ext.predict_walking(_recording(n_samples=4)).tolist() == [True, False, True, False]


def test_crop_labels_recordings_crop_by_crop():
    ext = _extractor([0.9], crop=8)
    ext.predict_labels(_recording(n_samples=20))
    # crops start at 0, 8 and 12 (the last one ends at the recording's end)
    assert ext.segmenter_.inputs == [(3, len(CHANNELS), 8)]


def test_crop_trains_on_crops_of_that_many_samples():
    ds = make_gait_dataset(n_subjects=2)
    ext = WalkingExtractor(GaitSegmenter(max_epochs=1, random_state=0), crop=64, random_state=0)
    assert ext.fit(ds).segmenter_.n_timepoints_ == 64


@pytest.mark.parametrize("threshold", [0.3, 1.5, "high"])
def test_threshold_outside_half_to_one_is_an_error(threshold):
    with pytest.raises(ValueError, match="'threshold' parameter of WalkingExtractor"):
        _extractor([0.9], threshold=threshold).predict_labels(_recording(n_samples=8))
