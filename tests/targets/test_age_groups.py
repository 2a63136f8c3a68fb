"""AgeGroups presets, inverse ranges, and the gender + age-group multi-label target."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from skgait.losses import multilabel_class_weight
from skgait.targets import AGE_GROUP_PRESETS, AgeGroups, make_gender_age_target


@pytest.mark.parametrize(
    "preset, ages, expected",
    [
        (
            "peta",
            [15, 16, 30, 31, 45, 46, 60, 61],
            ["<16", "16-30", "16-30", "31-45", "31-45", "46-60", "46-60", ">60"],
        ),
        ("riaz", [39, 40, 50, 51], ["<40", "40-50", "40-50", ">50"]),
        ("sisfall", [19, 30, 60, 75], ["young", "young", "elderly", "elderly"]),
    ],
)
def test_presets_bin_ages_at_their_edges(preset, ages, expected):
    assert AgeGroups(preset).fit(ages).transform(ages).tolist() == expected


def test_custom_edges_labels_and_inverse_ranges():
    groups = AgeGroups([30, 60]).fit([20, 40, 70])
    assert groups.classes_.tolist() == ["[-inf, 30)", "[30, 60)", "[60, inf)"]
    assert groups.counts_.tolist() == [1, 1, 1]
    assert groups.inverse_transform(["[30, 60)"]).tolist() == [(30.0, 60.0)]
    named = AgeGroups([30], labels=["young", "old"]).fit([20])
    assert named.inverse_transform(["old"]).tolist() == [(30.0, float("inf"))]


def test_missing_age_gives_missing_group():
    out = AgeGroups("riaz").fit([30, np.nan]).transform([30, np.nan])
    assert out.tolist() == ["<40", None]


def test_errors():
    with pytest.raises(ValueError, match="'edges' parameter of AgeGroups must be a str among"):
        AgeGroups("imdb").fit([20])
    with pytest.raises(ValueError, match="increasing"):
        AgeGroups([40, 30]).fit([20])
    with pytest.raises(ValueError, match="labels"):
        AgeGroups([30], labels=["a"]).fit([20])
    with pytest.raises(ValueError, match="unknown group"):
        AgeGroups("riaz").fit([20]).inverse_transform(["old"])
    assert clone(AgeGroups("peta")).edges == "peta"
    assert set(AGE_GROUP_PRESETS) == {"peta", "riaz", "sisfall"}


def test_gender_age_multilabel_target_and_eq17_weights():
    meta = pd.DataFrame({"sex": ["F", "M", "M", "F"], "age": [22, 25, 70, 65]})
    Y = make_gender_age_target(meta, "sisfall")
    assert Y.columns.tolist() == ["sex=F", "age=young", "age=elderly"]
    assert Y.values.tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1]]
    w = multilabel_class_weight(Y)  # every p_i = 0.5 → e^0.5
    np.testing.assert_allclose(w, np.exp(0.5))


@pytest.mark.parametrize("column, value", [("sex", None), ("sex", np.nan), ("age", np.nan)])
def test_gender_age_target_never_invents_a_missing_label(column, value):
    # A missing sex used to become "not F" (0) and a missing age an all-zero row.
    meta = pd.DataFrame({"sex": ["F", "M", "M", "F"], "age": [22.0, 25.0, 70.0, 65.0]})
    meta[column] = meta[column].astype(object)
    meta.loc[2, column] = value
    with pytest.raises(ValueError, match=rf"1 window\(s\) have no '{column}' \(rows \[2\]\)"):
        make_gender_age_target(meta, "sisfall")


def test_gender_age_target_needs_a_binary_sex():
    meta = pd.DataFrame({"sex": ["F", "M", "female", "F"], "age": [22, 25, 70, 65]})
    with pytest.raises(ValueError, match=r"'sex' has 3 values \['F', 'M', 'female'\]"):
        make_gender_age_target(meta, "sisfall")


def test_age_group_classification_with_multitask_net():
    from skgait.models import GaitMultiTaskNet

    rng = np.random.default_rng(0)
    age = np.repeat([20.0, 25.0, 65.0, 70.0], 6)
    X = rng.normal(size=(24, 3, 32)).astype(np.float32)
    Y = pd.DataFrame({"age_group": AgeGroups("sisfall").fit_transform(age)})
    net = GaitMultiTaskNet(max_epochs=1, random_state=0).fit(X, Y)
    assert net.tasks_ == {"age_group": "classification"}
    assert set(net.predict(X)["age_group"]) <= {"young", "elderly"}
