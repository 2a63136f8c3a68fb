"""Evaluation protocols for gait: subject-wise splits, aggregation, baselines.

Windows of one person are strongly correlated, so a window-level random
split lets a model recognise the *person* and read off their label: ACF
features and a random forest reach near-perfect gender accuracy that way,
and chance level when subjects are kept apart (the evaluation page of the
user guide). skgait makes the subject-wise
protocol the default and keeps the leaky one under an explicit name.

- Splitters: :class:`SubjectKFold` (classification, stratified),
  :class:`SubjectRegressionKFold` (regression, stratified by binned target),
  :class:`CrossSessionSplit` (train on one session, test on another of the
  same subjects), :class:`LeaveOneDatasetOut` (train on the other datasets,
  test on the one left out), :class:`TargetDatasetKFold` (pooled training:
  one dataset's subjects split, the others always in training),
  :class:`LeakyWindowKFold` (window-level, leaky,
  for reproducing papers), :func:`check_subject_wise`.
- Identification across trials: :class:`CrossRecordingSplit` (one file of
  every subject held out), :func:`identification_protocol` (the split of each
  shared dataset), :func:`score_identification`.
- Protocols by name: :func:`evaluation_protocols`, :func:`get_protocol`.
- Aggregation of window predictions per recording or subject:
  :func:`aggregate_predictions`, :func:`make_aggregated_scorer`.
- Baselines and scores: :func:`make_baseline`, :func:`evaluate`,
  :func:`cv_scores` (mean over folds, or pooled when a fold lacks a class).
- Selection-free numbers: :func:`evaluate_nested` (candidates or a search
  compared inside the training folds only; per-subject score, 95 % interval
  over subjects, the chosen candidate of each fold).
"""

from ._aggregate import AGGREGATION_METHODS, aggregate_predictions, make_aggregated_scorer
from ._baselines import cv_scores, evaluate, make_baseline
from ._identification import CrossRecordingSplit, identification_protocol, score_identification
from ._nested import evaluate_nested
from ._protocols import evaluation_protocols, get_protocol
from ._search import OptunaSearchCV
from ._split import (
    CrossSessionSplit,
    LeakyWindowKFold,
    LeaveOneDatasetOut,
    SubjectKFold,
    SubjectRegressionKFold,
    TargetDatasetKFold,
    check_subject_wise,
)
from ._trials import suggest_params

__all__ = [
    "AGGREGATION_METHODS",
    "CrossRecordingSplit",
    "CrossSessionSplit",
    "LeakyWindowKFold",
    "LeaveOneDatasetOut",
    "OptunaSearchCV",
    "SubjectKFold",
    "SubjectRegressionKFold",
    "TargetDatasetKFold",
    "aggregate_predictions",
    "check_subject_wise",
    "cv_scores",
    "evaluate",
    "evaluate_nested",
    "evaluation_protocols",
    "get_protocol",
    "identification_protocol",
    "score_identification",
    "make_aggregated_scorer",
    "make_baseline",
    "suggest_params",
]
