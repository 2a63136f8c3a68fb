"""Standardisation of features within each dataset (domain), without labels."""

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._sklearn_compat import StrOptions, _fit_context

__all__ = ["DomainStandardScaler"]


def _domain_labels(domains, n_samples, owner):
    """``domains`` as an array of one label per row, or None."""
    if domains is None:
        return None
    domains = np.asarray(domains, dtype=object).ravel()
    if len(domains) != n_samples:
        raise ValueError(
            f"{owner}: domains has {len(domains)} labels for {n_samples} rows; give one "
            "per row (for example meta['dataset'])."
        )
    return domains


def _moments(X):
    """Mean and spread of every column; a constant column gets a spread of 1."""
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    return mean, np.where(scale > 1e-12 * np.maximum(1.0, np.abs(mean)), scale, 1.0)


class DomainStandardScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Standardise every feature with the mean and spread of its own dataset.

    Two datasets recorded with the sensor at different places (SisFall's
    waist, IPOL's lower back) or with other hardware differ in the level and
    spread of most features, by as much as the sexes differ: a model learnt
    on one reads the other's features shifted. Standardising the features of
    each dataset (domain) with that dataset's own statistics, which needs
    no labels, removes the shift of the level and spread of every feature.

    :meth:`fit` learns the mean and standard deviation of every feature per
    domain. :meth:`transform` standardises the rows of a domain seen in fit
    with its statistics; the rows of a domain not seen in fit are, with
    ``unseen="own"``, standardised with the statistics of their own rows in
    the ``X`` given: this is transductive (the test dataset's features,
    never its labels, set its standardisation), and it needs enough rows of
    that domain in one call (all the windows of a test dataset, not a few
    people). Without ``domains`` (or with a single domain) it is scikit-learn's
    :class:`~sklearn.preprocessing.StandardScaler`.

    ``domains`` reaches the scaler in a pipeline through scikit-learn's
    metadata routing (``sklearn.set_config(enable_metadata_routing=True)``):
    both :meth:`fit` and :meth:`transform` request it by default, so
    ``pipe.fit(X, y, domains=...)`` and ``pipe.predict_proba(X, domains=...)``
    pass it on.

    Parameters
    ----------
    unseen : {"own", "error"}, default="own"
        Rows of a domain not seen in :meth:`fit`: standardised with their
        own statistics (``"own"``), or refused (``"error"``).

    Attributes
    ----------
    domains_ : ndarray of object
        Domains seen in :meth:`fit` (``[None]`` when fitted without domains).
    mean_ : ndarray of shape (n_domains, n_features)
        Mean of every feature per domain, in the order of ``domains_``.
    scale_ : ndarray of shape (n_domains, n_features)
        Standard deviation of every feature per domain (1 where constant).
    n_features_in_ : int
        Number of features seen in :meth:`fit`.

    See Also
    --------
    sklearn.preprocessing.StandardScaler : One mean and spread for all rows.
    skgait.model_selection.LeaveOneDatasetOut : The cross-dataset protocol.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.preprocessing import DomainStandardScaler
    >>> X = np.array([[1.0], [3.0], [10.0], [30.0]])
    >>> scaler = DomainStandardScaler().fit(X[:2], domains=["a", "a"])
    >>> scaler.transform(X, domains=["a", "a", "b", "b"]).ravel()
    array([-1.,  1., -1.,  1.])
    """

    __metadata_request__fit = {"domains": True}  # noqa: RUF012 (sklearn convention)
    __metadata_request__transform = {"domains": True}  # noqa: RUF012

    _parameter_constraints: dict = {  # noqa: RUF012 (sklearn convention)
        "unseen": [StrOptions({"own", "error"})],
    }

    def __init__(self, unseen="own"):
        self.unseen = unseen

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, domains=None):
        """Learn the mean and spread of every feature per domain.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.
        domains : array-like of shape (n_samples,), default=None
            Dataset (domain) of each row, for example ``meta["dataset"]``.
            None: all rows are one domain.

        Returns
        -------
        self : object
            The fitted scaler.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        domains = _domain_labels(domains, len(X), type(self).__name__)
        if domains is None:
            self.domains_ = np.array([None], dtype=object)
            moments = [_moments(X)]
        else:
            self.domains_ = np.array(sorted(set(domains.tolist()), key=str), dtype=object)
            moments = [_moments(X[domains == d]) for d in self.domains_]
        self.mean_ = np.stack([m for m, _ in moments])
        self.scale_ = np.stack([s for _, s in moments])
        return self

    def transform(self, X, domains=None):
        """Standardise the rows of every domain.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        domains : array-like of shape (n_samples,), default=None
            Dataset of each row. None: all rows belong to the one domain
            seen in :meth:`fit` (an error when fit saw several).

        Returns
        -------
        Xt : ndarray of shape (n_samples, n_features)
            In the dtype of ``X``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        owner = type(self).__name__
        domains = _domain_labels(domains, len(X), owner)
        if domains is None:
            if len(self.domains_) > 1:
                raise ValueError(
                    f"{owner} was fitted on {len(self.domains_)} domains; give the "
                    "domain of every row to transform (domains=...)."
                )
            return ((X - self.mean_[0]) / self.scale_[0]).astype(X.dtype, copy=False)
        known = {d: k for k, d in enumerate(self.domains_.tolist())}
        out = np.empty_like(X)
        for d in set(domains.tolist()):
            rows = domains == d
            if d in known:
                mean, scale = self.mean_[known[d]], self.scale_[known[d]]
            elif self.unseen == "error":
                raise ValueError(
                    f"{owner}: domain {d!r} was not seen in fit (seen: "
                    f"{self.domains_.tolist()}); set unseen='own' to standardise it "
                    "with its own statistics."
                )
            else:
                mean, scale = _moments(X[rows])
            out[rows] = (X[rows] - mean) / scale
        return out

    def fit_transform(self, X, y=None, domains=None):
        """Fit, then standardise ``X`` (the domains go to both steps).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.
        domains : array-like of shape (n_samples,), default=None
            Dataset of each row.

        Returns
        -------
        Xt : ndarray of shape (n_samples, n_features)
        """
        return self.fit(X, domains=domains).transform(X, domains=domains)
