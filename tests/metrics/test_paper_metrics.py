"""The papers' metrics against hand-computed values: PR AUC, multi-label scores."""

import numpy as np
import pandas as pd
import pytest

from skgait.metrics import multilabel_report, verification_report
from skgait.targets import make_gender_age_target


def test_verification_report_pr_auc_hand_computed():
    # Scores in decreasing order: 0.9 genuine, 0.6 impostor, 0.4 genuine,
    # 0.1 impostor; precision at each genuine pair: 1, then 2/3.
    report = verification_report([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    assert report["pr_auc"] == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)


def test_verification_report_pr_auc_of_perfect_scores_is_one():
    assert verification_report([0, 1, 0, 1], [0.1, 0.8, 0.2, 0.9])["pr_auc"] == 1.0


# Two samples, three labels: sample 0 true {0, 1}, predicted {0, 2};
# sample 1 true {2}, predicted {2}.
Y_TRUE = [[1, 1, 0], [0, 0, 1]]
Y_PRED = [[1, 0, 1], [0, 0, 1]]


def test_multilabel_per_sample_scores_hand_computed():
    report = multilabel_report(Y_TRUE, Y_PRED)
    assert report["accuracy"] == pytest.approx((1 / 3 + 1) / 2)
    assert report["precision"] == pytest.approx((1 / 2 + 1) / 2)
    assert report["recall"] == pytest.approx((1 / 2 + 1) / 2)
    assert report["f1"] == pytest.approx((1 / 2 + 1) / 2)


def test_multilabel_subset_accuracy_and_hamming_loss_hand_computed():
    report = multilabel_report(Y_TRUE, Y_PRED)
    assert report["subset_accuracy"] == 0.5
    assert report["hamming_loss"] == pytest.approx(2 / 6)


def test_multilabel_mean_accuracy_is_label_based_hand_computed():
    # label 0: TPR 1, TNR 1; label 1: TPR 0, TNR 1; label 2: TPR 1, TNR 0.
    assert multilabel_report(Y_TRUE, Y_PRED)["mean_accuracy"] == pytest.approx((1 + 0.5 + 0.5) / 3)


def test_multilabel_per_label_f1_named_by_target_columns():
    meta = pd.DataFrame({"sex": ["F", "M", "M"], "age": [22, 70, 25]})
    Y = make_gender_age_target(meta, "sisfall")
    Y_pred = Y.to_numpy().copy()
    Y_pred[2] = [0, 0, 1]  # the young man predicted elderly
    f1 = multilabel_report(Y, Y_pred)["f1_per_label"]
    assert list(f1) == list(Y.columns)
    assert f1[Y.columns[0]] == 1.0
    assert f1[Y.columns[1]] == pytest.approx(2 / 3)  # young: P 1/1, R 1/2
    assert f1[Y.columns[2]] == pytest.approx(2 / 3)  # elderly: P 1/2, R 1/1


def test_multilabel_rejects_probabilities():
    with pytest.raises(ValueError, match="only 0 and 1"):
        multilabel_report(Y_TRUE, np.array(Y_PRED) * 0.9)


def test_multilabel_rejects_label_count_mismatch():
    with pytest.raises(ValueError, match="3 labels but Y_pred has 2"):
        multilabel_report(Y_TRUE, [[1, 0], [0, 1]])
