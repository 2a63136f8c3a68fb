"""Whitening of features by their within-class covariance (WCCN)."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.covariance import ledoit_wolf_shrinkage, shrunk_covariance
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._sklearn_compat import Interval, StrOptions, _fit_context

__all__ = ["WithinClassWhitening"]


class WithinClassWhitening(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Whiten features by the covariance of their variation within each class.

    Within-class covariance normalisation (WCCN; Hatch et al., 2006): the
    features of every class (a person) are centred on the class mean, the
    covariance ``W`` of these deviations is estimated (shrunk towards a
    multiple of the identity) and :meth:`transform` maps ``x`` to
    ``x @ whitening_`` with ``whitening_ @ whitening_.T = W^-1``. Directions
    in which a person's windows vary among themselves are scaled down,
    directions that are stable within a person are kept, and no dimension is
    dropped. Unlike
    :class:`~sklearn.discriminant_analysis.LinearDiscriminantAnalysis`,
    whose projection has at most ``n_classes - 1`` dimensions learnt from
    the class means, it needs only the spread of the windows around their
    class mean, which a few classes with many samples estimate well: an
    embedding for cosine scoring of people unseen in training
    (:func:`~skgait.verification.evaluate_authentication`).

    Parameters
    ----------
    shrinkage : "auto" or float in [0, 1], default="auto"
        Weight of the scaled identity in the covariance estimate:
        ``"auto"`` chooses it with the Ledoit–Wolf formula, a float fixes it
        (0: the sample within-class covariance, which must then have full
        rank).

    Attributes
    ----------
    whitening_ : ndarray of shape (n_features, n_features)
        The matrix ``transform`` applies (``X @ whitening_``).
    shrinkage_ : float
        The shrinkage used.
    classes_ : ndarray of shape (n_classes,)
        The classes seen in :meth:`fit`.
    n_features_in_ : int
        Number of features seen in :meth:`fit`.

    See Also
    --------
    sklearn.discriminant_analysis.LinearDiscriminantAnalysis : Projection on
        the directions that separate the class means.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.preprocessing import WithinClassWhitening
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat([0, 1, 2], 200)
    >>> X = rng.normal(size=(600, 2)) * [10.0, 1.0] + np.array([0.0, 5.0]) * y[:, None]
    >>> whitening = WithinClassWhitening().fit(X, y)
    >>> whitening.transform(X).shape
    (600, 2)
    """

    _parameter_constraints: dict = {  # noqa: RUF012 (sklearn convention)
        "shrinkage": [StrOptions({"auto"}), Interval(Real, 0, 1, closed="both")],
    }

    def __init__(self, shrinkage="auto"):
        self.shrinkage = shrinkage

    @property
    def _n_features_out(self):
        """Number of output features (``get_feature_names_out``'s names)."""
        return self.whitening_.shape[1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Estimate the within-class covariance and its inverse square root.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            Class (person) of every row.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        self.classes_, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
        if np.all(counts < 2):
            raise ValueError(
                f"{type(self).__name__}: every class has a single sample, so nothing "
                "varies within a class; give at least one class two or more samples."
            )
        X = X.astype(np.float64, copy=False)
        means = np.zeros((len(self.classes_), X.shape[1]))
        np.add.at(means, codes, X)
        deviations = X - (means / counts[:, None])[codes]
        # the deviations have zero mean within every class: covariance about zero
        # with the degrees of freedom of the estimated class means
        n_free = max(len(X) - len(self.classes_), 1)
        covariance = deviations.T @ deviations / n_free
        if self.shrinkage == "auto":
            shrinkage = float(ledoit_wolf_shrinkage(deviations, assume_centered=True))
        else:
            shrinkage = float(self.shrinkage)
        covariance = shrunk_covariance(covariance, shrinkage)
        values, vectors = np.linalg.eigh(covariance)
        if values.min() <= 1e-12 * max(values.max(), 1e-300):
            raise ValueError(
                f"{type(self).__name__}: the within-class covariance is singular "
                f"(shrinkage={shrinkage:g}, {n_free} degrees of freedom for "
                f"{X.shape[1]} features); use shrinkage='auto' or a positive shrinkage."
            )
        self.whitening_ = vectors / np.sqrt(values)
        self.shrinkage_ = shrinkage
        return self

    def transform(self, X):
        """Whiten ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        Xt : ndarray of shape (n_samples, n_features)
            ``X @ whitening_``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return X @ self.whitening_.astype(X.dtype, copy=False)
