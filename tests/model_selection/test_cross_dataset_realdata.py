"""Cross-dataset protocol and native bandwidth on the shared SisFall and IPOL files.

Needs the shared datasets (``SKGAIT_DATA``); skipped otherwise.
"""

import numpy as np
import pytest

from skgait.model_selection import LeaveOneDatasetOut, evaluate_nested
from skgait.pipelines import make_gait_pipeline

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def waist_windows(data_home):  # data_home skips when the data are absent
    from skgait.datasets import load_ipol_healthy_gait, load_sisfall, make_windows

    return make_windows(
        [load_sisfall(data_home=data_home), load_ipol_healthy_gait(data_home=data_home)],
        placement="waist",
    )


def test_native_rate_is_each_datasets_own_rate(waist_windows):
    _, meta = waist_windows
    rates = meta.groupby("dataset")["native_rate"].unique().map(list).to_dict()
    assert rates == {"ipol": [100.0], "sisfall": [200.0]}


def test_leave_one_dataset_out_keeps_sisfall_and_ipol_apart(waist_windows):
    X, meta = waist_windows
    groups = meta["group"].to_numpy()
    tested = []
    for train, test in LeaveOneDatasetOut().split(X, groups=groups):
        assert not set(meta["dataset"][train]) & set(meta["dataset"][test])
        tested.append(sorted(set(meta["dataset"][test])))
    assert tested == [["ipol"], ["sisfall"]]


@pytest.mark.slow
def test_gender_holds_on_sisfall_as_a_20_hz_sensor(data_home):
    """SisFall resampled to 20 Hz, windowed at 50 Hz, band-limited to 10 Hz."""
    from skgait.datasets import GaitDataset, load_sisfall, make_windows, resample_recording

    ds = load_sisfall(data_home=data_home)
    low = GaitDataset("sisfall", [resample_recording(r, 20.0) for r in ds.recordings], ds.subjects)
    X, meta = make_windows(low, placement="waist")
    keep = meta.groupby("recording").cumcount() % 8 == 0  # every 8th window
    X, meta = X[keep.to_numpy()], meta[keep].reset_index(drop=True)
    assert set(meta["native_rate"]) == {20.0}
    result = evaluate_nested(
        make_gait_pipeline("gender", random_state=0, bandwidth=10.0),
        X,
        meta["sex"].to_numpy(),
        meta["group"].to_numpy(),
        n_bootstrap=200,
    )
    assert result.score >= 0.75
    assert np.isfinite(result.interval).all()


@pytest.mark.slow
def test_gender_crosses_from_sisfall_to_ipol_with_each_dataset_standardised(waist_windows):
    """Issue 19's SisFall -> IPOL target, on the benchmark's 6 evenly spaced
    windows per recording: the gender pipeline with the datasets given as
    ``domains`` (each standardised with its own features) reaches 0.70."""
    X, meta = waist_windows
    keep = np.concatenate(
        [
            idx[np.unique(np.linspace(0, len(idx) - 1, 6).round().astype(int))]
            for idx in meta.groupby(["subject", "recording"], sort=False).indices.values()
        ]
    )
    X, meta = X[np.sort(keep)], meta.iloc[np.sort(keep)].reset_index(drop=True)
    result = evaluate_nested(
        make_gait_pipeline("gender", random_state=0),
        X,
        meta["sex"].to_numpy(),
        meta["group"].to_numpy(),
        cv=LeaveOneDatasetOut(test="ipol"),
        params={"domains": meta["dataset"].to_numpy()},
        n_bootstrap=200,
    )
    assert result.n == 19
    assert result.score >= 0.70
