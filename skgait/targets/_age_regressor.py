"""Age regression through age groups: a group classifier, then each group's age."""

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._sklearn_compat import HasMethods, _fit_context
from ._age_groups import AgeGroups

__all__ = ["AgeGroupRegressor"]


class AgeGroupRegressor(RegressorMixin, BaseEstimator):
    """Predict an age by first predicting its age group.

    When the ages of the training people fall in separate groups (SisFall:
    19–30 and 60–75 years), a regressor trained on all of them pulls every
    uncertain prediction towards the empty middle, where it is far from
    everyone. This estimator fits ``classifier`` to the age groups of
    :class:`~skgait.targets.AgeGroups` (``edges``) and predicts, for each
    sample, the median training age of its most probable group, or the
    prediction of ``regressor`` fitted within that group only. The error
    is then small for everyone whose group is right.

    Parameters
    ----------
    classifier : classifier or None, default=None
        Classifier of the age groups; cloned. None: a class-balanced random
        forest of 200 trees seeded by ``random_state``.
    edges : str or sequence of float, default="sisfall"
        Age-group edges as for :class:`~skgait.targets.AgeGroups` (a preset
        name or increasing inner edges in years).
    regressor : regressor or None, default=None
        Regressor of the age within each group, cloned and fitted on that
        group's samples. None: the group's median training age.
    random_state : int, RandomState instance or None, default=None
        Seed of the default forest (ignored when ``classifier`` is given).

    Attributes
    ----------
    groups_ : AgeGroups
        The fitted age groups.
    classes_ : ndarray of shape (n_groups_seen,)
        The groups with training samples, in the classifier's order.
    classifier_ : classifier or None
        The fitted group classifier; None when the training ages all fall in
        one group (every prediction is then that group's).
    medians_ : ndarray of shape (n_groups_seen,)
        Median training age of each group of ``classes_``.
    regressors_ : list of regressor or None
        The fitted within-group regressors (None without ``regressor``).
    n_features_in_ : int
        Number of features seen in :meth:`fit`.

    See Also
    --------
    AgeGroups : The age groups.
    skgait.pipelines.make_gait_pipeline : Its ``"age"`` pipeline.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.targets import AgeGroupRegressor
    >>> rng = np.random.default_rng(0)
    >>> age = np.r_[rng.uniform(20, 30, 20), rng.uniform(60, 75, 20)]
    >>> X = (age[:, None] > 45) + rng.normal(0, 0.1, (40, 2))
    >>> reg = AgeGroupRegressor(random_state=0).fit(X, age)
    >>> reg.classes_.tolist()
    ['elderly', 'young']
    >>> reg.predict([[0.0, 0.0], [1.0, 1.0]]).round(1).tolist()
    [25.8, 69.5]
    """

    _parameter_constraints: dict = {  # noqa: RUF012 (sklearn convention)
        "classifier": [HasMethods(["fit", "predict_proba"]), None],
        "edges": [str, "array-like"],
        "regressor": [HasMethods(["fit", "predict"]), None],
        "random_state": ["random_state"],
    }

    def __init__(self, classifier=None, edges="sisfall", regressor=None, random_state=None):
        self.classifier = classifier
        self.edges = edges
        self.regressor = regressor
        self.random_state = random_state

    def _classifier(self):
        if self.classifier is not None:
            return clone(self.classifier)
        return RandomForestClassifier(
            n_estimators=200,
            max_features="sqrt",
            class_weight="balanced_subsample",
            n_jobs=1,
            random_state=self.random_state,
        )

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the group classifier and each group's age.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features (for example a window's features).
        y : array-like of shape (n_samples,)
            Ages in years.

        Returns
        -------
        self : object
        """
        X, y = validate_data(self, X, y, y_numeric=True)
        self.groups_ = AgeGroups(self.edges).fit(y)
        labels = self.groups_.transform(y)
        seen = np.isin(self.groups_.classes_, labels)
        if seen.sum() > 1:
            self.classifier_ = self._classifier().fit(X, labels)
            self.classes_ = np.asarray(self.classifier_.classes_)
        else:
            self.classifier_ = None
            self.classes_ = self.groups_.classes_[seen]
        members = [labels == group for group in self.classes_]
        self.medians_ = np.array([np.median(y[m]) for m in members])
        self.regressors_ = [
            None if self.regressor is None else clone(self.regressor).fit(X[m], y[m])
            for m in members
        ]
        return self

    def predict(self, X):
        """Age: the median (or regressed age) of each sample's most probable group.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        age : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        if self.classifier_ is None:
            group = np.zeros(len(X), dtype=int)
        else:
            group = self.classifier_.predict_proba(X).argmax(axis=1)
        age = self.medians_[group].astype(np.float64)
        for k, regressor in enumerate(self.regressors_):
            if regressor is not None and np.any(group == k):
                age[group == k] = regressor.predict(X[group == k])
        return age

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A step function of the features: scikit-learn's check that a
        # regressor fits smooth targets well does not apply.
        tags.regressor_tags.poor_score = True
        return tags
