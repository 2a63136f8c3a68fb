"""Ready-made pipelines for gender, age, age group and identity from gait windows.

:func:`make_gait_pipeline` returns the configuration of each task that
measured best for *new* people (subject-wise cross-validation on the shared
data; see the accuracy page of the user guide and
``benchmarks/bench_accuracy.py``). Every pipeline takes windows
``(n_windows, 6, n_timepoints)`` (acceleration x, y, z then rotation rate
x, y, z, as cut by :func:`skgait.datasets.make_windows`) and predicts one
label per window; :meth:`GaitPipeline.predict_subjects` combines the windows
of each person (averaged probabilities, or the mean for age), the
per-person scores the accuracy page of the user guide reports.
"""

import dataclasses

import numpy as np
from sklearn.base import is_classifier, is_regressor
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.ensemble import RandomForestClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .features import (
    ACFTransformer,
    BandLimit,
    CrossCorrelationFeatures,
    GaitStatistics,
    GravityAlignment,
    MiniRocketFeatures,
    SampleEntropy,
    WalkingFrame,
)
from .model_selection import aggregate_predictions
from .preprocessing import DomainStandardScaler
from .targets import AgeGroupRegressor
from .utils._docstring import fill_doc

__all__ = ["TASKS", "GaitPipeline", "make_gait_pipeline"]

#: The tasks :func:`make_gait_pipeline` knows.
TASKS = ("gender", "age", "age_group", "identity")


class GaitPipeline(Pipeline):
    """A :class:`~sklearn.pipeline.Pipeline` that also predicts per subject.

    Windows of one person are many correlated looks at one gait; a decision
    about the person should combine them. :meth:`predict_subjects` averages
    the class probabilities of each group of windows (``"mean_proba"`` of
    :func:`~skgait.model_selection.aggregate_predictions`), or the predicted
    values for a regressor, and returns one prediction per group.

    Parameters
    ----------
    steps : list of (str, estimator) tuples
        As for :class:`~sklearn.pipeline.Pipeline`.
    memory, verbose, transform_input
        As for :class:`~sklearn.pipeline.Pipeline`.

    See Also
    --------
    make_gait_pipeline : The measured configuration of each task.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> from skgait.features import ACFTransformer
    >>> from skgait.pipelines import GaitPipeline
    >>> from skgait.utils.estimator_checks import make_windows
    >>> X, y = make_windows(n_windows=8)
    >>> pipe = GaitPipeline([("acf", ACFTransformer(lags=3)),
    ...                      ("clf", DummyClassifier())]).fit(X, y)
    >>> groups = ["a", "a", "a", "a", "b", "b", "b", "b"]
    >>> pipe.predict_subjects(X, groups)
    (array(['a', 'b'], dtype='<U1'), array([0, 0]))
    """

    def __sklearn_tags__(self):
        # scikit-learn's Pipeline keeps the default two_d_array=True whatever
        # its first step reads; a GaitPipeline takes what its first step takes
        # (the first step of a nested pipeline, recursively).
        tags = super().__sklearn_tags__()
        first = _first_step(self)
        if first is not None:
            first = get_tags(first).input_tags
            tags.input_tags = dataclasses.replace(
                tags.input_tags,
                two_d_array=first.two_d_array,
                three_d_array=first.three_d_array,
                allow_nan=first.allow_nan,
            )
        return tags

    def _can_transform_windows(self):
        final = self._final_estimator
        if is_classifier(final) or is_regressor(final):
            return False
        return final == "passthrough" or hasattr(final, "transform")

    @available_if(_can_transform_windows)
    def transform(self, X, **params):
        """Transform with every step; only for a pipeline that ends in a transformer.

        A pipeline ending in a classifier or regressor (all those of
        :func:`make_gait_pipeline`) has no ``transform``, even when the model
        has one (``LinearDiscriminantAnalysis``): its output is a prediction.

        Parameters
        ----------
        X : ndarray of shape (n_windows, n_channels, n_timepoints)
        **params
            As for :meth:`sklearn.pipeline.Pipeline.transform`.

        Returns
        -------
        Xt : ndarray
        """
        return super().transform(X, **params)

    @fill_doc
    def predict_subjects(self, X, groups, **params):
        """One prediction per group of windows (a subject, or a recording).

        Parameters
        ----------
        {X_groups}
        **params
            Metadata of every window (``domains`` of the gender pipeline),
            passed on as by :meth:`predict_proba` (metadata routing).

        Returns
        -------
        {unique_groups}
        y_pred : ndarray of shape (n_groups,)
            Class of highest mean probability, or mean predicted value.
        """
        if is_classifier(self):
            unique_groups, proba = self.predict_proba_subjects(X, groups, **params)
            return unique_groups, np.asarray(self.classes_)[proba.argmax(axis=1)]
        check_is_fitted(self)
        return aggregate_predictions(self.predict(X, **params), groups, method="mean")

    @fill_doc
    def predict_proba_subjects(self, X, groups, **params):
        """Mean class probabilities of the windows of each group.

        Parameters
        ----------
        {X_groups}
        **params
            Metadata of every window, passed on as by :meth:`predict_proba`.

        Returns
        -------
        {unique_groups}
        proba : ndarray of shape (n_groups, n_classes)
            Columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        return aggregate_predictions(self.predict_proba(X, **params), groups, method="mean_proba")


def _first_step(estimator):
    """The estimator that reads the windows: the first step of a pipeline and
    the first member of a feature union (all members read the same input),
    recursively; None for a pipeline of passthrough steps only."""
    if hasattr(estimator, "transformer_list"):
        parts = [t for _, t in estimator.transformer_list if t not in (None, "drop", "passthrough")]
    elif hasattr(estimator, "steps"):
        parts = [step for _, step in estimator.steps if step not in (None, "passthrough")]
    else:
        return estimator
    return _first_step(parts[0]) if parts else None


class _SoftVote(VotingClassifier):
    """Soft vote that also passes metadata to its members' predictions.

    scikit-learn's :class:`~sklearn.ensemble.VotingClassifier` routes
    metadata to its members' ``fit`` only; the gender vote's members
    standardise their features per dataset
    (:class:`~skgait.preprocessing.DomainStandardScaler`), which needs the
    ``domains`` of the windows they predict too.
    """

    def __init__(self, estimators):
        super().__init__(estimators, voting="soft")

    def get_metadata_routing(self):
        router = MetadataRouter(owner=self)
        mapping = (
            MethodMapping()
            .add(caller="fit", callee="fit")
            .add(caller="predict_proba", callee="predict_proba")
            .add(caller="predict", callee="predict_proba")
        )
        for name, estimator in self.estimators:
            router.add(**{name: estimator}, method_mapping=mapping)
        return router

    def predict_proba(self, X, **params):
        check_is_fitted(self)
        routed = process_routing(self, "predict_proba", **params)
        names = [name for name, est in self.estimators if est != "drop"]
        return np.mean(
            [
                member.predict_proba(X, **routed[name].predict_proba)
                for name, member in zip(names, self.estimators_)
            ],
            axis=0,
        )

    def predict(self, X, **params):
        return self.le_.inverse_transform(self.predict_proba(X, **params).argmax(axis=1))


#: Largest ACF lag per task, in seconds: measured best subject-wise on the
#: shared data (1 s, about a stride, for identity; 0.2 s, one step's shape,
#: for age; docs/accuracy.md).
_LAGS = {"age": 0.2, "age_group": 0.2}

#: Penalties of the age-group vote's logistic regressions: the three the
#: benchmark's inner folds chose among (docs/accuracy.md); the vote averages
#: them instead of choosing one on about 30 people.
_AGE_GROUP_C = (0.01, 0.1, 1.0)

#: Lags of the identity correlations, in seconds: 1 to 8 samples at 50 Hz,
#: as measured in docs/identification.md.
_IDENTITY_LAGS = tuple(k / 50 for k in range(1, 9))

#: Shortest and longest step, in seconds, searched by the identity
#: pipeline's WalkingFrame.
_STEP_RANGE = (0.24, 0.8)


def make_gait_pipeline(task, random_state=None, *, rate=50.0, bandwidth=None):
    """The pipeline that measured best for ``task`` on people never seen in training.

    Measured per subject on the shared data, with the choice among
    candidates made inside the training folds (nested evaluation, see the
    accuracy page of the user guide and ``benchmarks/bench_accuracy.py``):

    - ``"gender"``: :class:`~skgait.features.GravityAlignment` (vertical /
      horizontal / norm channels, orientation-invariant), then the soft vote
      (mean probability) of two models of these channels:
      :class:`~skgait.features.GaitStatistics` + a class-balanced random
      forest, and :class:`~skgait.features.MiniRocketFeatures` + a strongly
      regularised, class-balanced logistic regression. Each member's
      features are standardised per dataset
      (:class:`~skgait.preprocessing.DomainStandardScaler`): give the
      dataset of every window as ``domains`` to ``fit`` and to the
      predictions, under scikit-learn's metadata routing, to train on one
      dataset and predict another recorded elsewhere on the body or with
      other hardware (the test dataset's own features, never its labels,
      then set its standardisation). Without ``domains`` all windows are one
      dataset (a plain standardisation).
    - ``"age_group"``: ACF of the raw channels up to 0.2 s (one step's
      shape) and the :class:`~skgait.features.SampleEntropy` of the
      gravity-aligned channels, then the soft vote (mean probability) of
      three standardised, class-balanced logistic regressions with the
      penalties C = 0.01, 0.1 and 1: averaged rather than one chosen,
      since on a few dozen people the choice among near-equal penalties
      is noise.
    - ``"age"``: the ACF of ``"age_group"`` with a random forest in an
      :class:`~skgait.targets.AgeGroupRegressor`: the forest tells young
      (under 45) from elderly, and the age predicted is the median training
      age of that group. This suits ages that fall in separate groups, as
      SisFall's (19–30 and 60–75 years); for ages spread evenly, set
      ``agegroupregressor__edges`` or ``agegroupregressor__regressor``.
    - ``"identity"``: every window turned into its
      :class:`~skgait.features.WalkingFrame` (vertical, fore-aft, side
      axes found from the walk, so the device's mounting angle does not
      matter), then :class:`~skgait.features.CrossCorrelationFeatures`
      (lags of 0.02–0.16 s, no gravity direction) and
      :class:`~skgait.features.GaitStatistics`, standardisation and
      shrinkage linear discriminant analysis: of the identity models
      measured in docs/identification.md, the one whose accuracy across
      trials survives a re-mounted device (each probe recording turned by
      15–45°), as chosen on held-out people.

    Parameters
    ----------
    task : {"gender", "age", "age_group", "identity"}
        ``"gender"`` and ``"age_group"``: classifiers (labels as given, for
        example ``meta["sex"]`` or ``AgeGroups("sisfall")`` of the age);
        ``"age"``: a regressor of the age in years; ``"identity"``: a
        classifier of the subject, trained on some recordings of every
        person and applied to others.
    random_state : int, RandomState instance or None, default=None
        Seed of the forests and of the gender vote's MiniRocket-style biases
        (the identity and age-group pipelines are deterministic and ignore
        it).
    rate : float, default=50.0
        Sampling rate of the windows in Hz (lags and frequency bands are
        given in seconds and Hz). Windows must be longer than 0.8 s.
    bandwidth : float or None, default=None
        Highest frequency in Hz that every recording involved, training and
        test, has recorded: the lowest native Nyquist frequency, for example
        ``meta["native_rate"].min() / 2`` over all the data (10 Hz for a
        sensor sampled at 20 Hz). The ``"features"`` step then starts with
        :class:`~skgait.features.BandLimit` to it, and the gender statistics
        leave out the band powers above it, so that the model uses only what
        exists in both training and test data. None (the default) uses the
        full band of the windows. Not available for ``"identity"``.

    Returns
    -------
    pipeline : GaitPipeline
        Unfitted; takes windows ``(n_windows, 6, n_timepoints)``. Its first
        step, ``"features"``, describes every window on its own (nothing is
        learnt from other windows); for gender it gives the aligned channels
        to the vote, whose MiniRocket-style member draws its biases from the
        training windows.

    See Also
    --------
    GaitPipeline.predict_subjects : One prediction per person.

    Examples
    --------
    >>> from skgait.pipelines import make_gait_pipeline
    >>> pipe = make_gait_pipeline("gender", random_state=0)
    >>> [name for name, _ in pipe.steps]
    ['features', 'votingclassifier']
    >>> [name for name, _ in pipe.named_steps["votingclassifier"].estimators]
    ['statistics', 'minirocket']
    >>> [name for name, _ in make_gait_pipeline("identity").steps]
    ['features', 'standardscaler', 'lineardiscriminantanalysis']
    """
    if task not in TASKS:
        raise ValueError(f"Unknown task {task!r}; expected one of {list(TASKS)}.")
    if bandwidth is not None and task == "identity":
        raise ValueError(
            "make_gait_pipeline: bandwidth is not available for 'identity' (it was "
            "measured for gender, age and age group only)."
        )
    model = RandomForestClassifier(
        n_estimators=200,
        max_features="sqrt",
        class_weight="balanced_subsample",
        n_jobs=1,
        random_state=random_state,
    )
    if task == "age":
        # Young or elderly first, then that group's median age: chosen by the
        # inner folds in every outer fold of two seeds (docs/accuracy.md).
        model = AgeGroupRegressor(classifier=model, edges="sisfall")
    if task == "identity":
        # Mounting-free correlations and statistics + shrinkage LDA
        # (docs/identification.md).
        features = make_pipeline(
            WalkingFrame(step_range=_STEP_RANGE, rate=rate),
            make_union(
                CrossCorrelationFeatures(lags=_IDENTITY_LAGS, rate=rate, gravity_channels=None),
                GaitStatistics(rate=rate),
            ),
        )
        return GaitPipeline(
            [
                ("features", features),
                ("standardscaler", StandardScaler()),
                (
                    "lineardiscriminantanalysis",
                    LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"),
                ),
            ]
        )
    if task == "gender":
        # Gravity-aligned channels, then the soft vote of statistics + forest
        # and MiniRocket-style features + logistic regression, each member's
        # features standardised per dataset (docs/accuracy.md).
        features = [GravityAlignment()]
        model = _SoftVote(
            [
                (
                    "statistics",
                    make_pipeline(
                        GaitStatistics(rate=rate, max_frequency=bandwidth),
                        DomainStandardScaler(),
                        model,
                    ),
                ),
                (
                    "minirocket",
                    make_pipeline(
                        MiniRocketFeatures(random_state=random_state),
                        DomainStandardScaler(),
                        LogisticRegression(C=0.01, class_weight="balanced", max_iter=2000),
                    ),
                ),
            ]
        )
    elif task == "age_group":
        # The ACF and the entropy of the aligned channels, then the soft vote
        # of logistic regressions at three penalties (docs/accuracy.md).
        features = [
            make_union(
                ACFTransformer(lags=_LAGS[task], rate=rate),
                make_pipeline(GravityAlignment(), SampleEntropy()),
            )
        ]
        model = _SoftVote(
            [
                (
                    f"logistic_c{C:g}",
                    make_pipeline(
                        StandardScaler(),
                        LogisticRegression(C=C, class_weight="balanced", max_iter=5000),
                    ),
                )
                for C in _AGE_GROUP_C
            ]
        )
    else:
        features = [ACFTransformer(lags=_LAGS[task], rate=rate)]
    if bandwidth is not None:
        features.insert(0, BandLimit(cutoff=bandwidth, rate=rate))
    features = make_pipeline(*features) if len(features) > 1 else features[0]
    name = "votingclassifier" if isinstance(model, _SoftVote) else type(model).__name__.lower()
    return GaitPipeline([("features", features), (name, model)])
