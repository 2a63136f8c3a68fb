"""Classifiers of the learned gait signature (Marín-Jiménez et al., 2017).

Marín-Jiménez et al. identify people by classifying the *gait signature*,
the last shared layer of their multi-task network, with an SVM or a
7-nearest-neighbour rule on its 128-dimensional PCA, rather than with the
network's own softmax. :class:`GaitSignatureClassifier` trains the network
(:class:`~skgait.models.GaitMultiTaskNet`), projects its signatures with PCA
and trains the classifier on them, in one ``fit``.
"""

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.decomposition import PCA
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ..utils._sklearn_compat import HasMethods, Interval, StrOptions, _fit_context
from ..utils._validation import set_window_tags
from ._multitask import GaitMultiTaskNet

__all__ = ["GaitSignatureClassifier"]

#: ``classifier`` names → the classifiers of the paper.
SIGNATURE_CLASSIFIERS = {
    "svm": lambda: SVC(kernel="linear"),
    "7nn": lambda: KNeighborsClassifier(n_neighbors=7),
}


def _classifier_has(method):
    def check(self):
        if hasattr(self, "classifier_"):
            return hasattr(self.classifier_, method)
        classifier = self.classifier
        if isinstance(classifier, str):
            classifier = SIGNATURE_CLASSIFIERS.get(classifier, SVC)()
        return hasattr(classifier, method)

    return check


class GaitSignatureClassifier(ClassifierMixin, BaseEstimator):
    """SVM or 7-NN on the PCA of a multi-task network's gait signature.

    ``fit(X, Y)`` trains ``network`` on ``Y`` (one column per task, or a
    1-D label), takes the signature of every training window
    (:meth:`GaitMultiTaskNet.embed`), standardises it, projects it on its
    first ``n_components`` principal components and trains ``classifier``
    on the main task's labels. ``predict`` embeds, projects and classifies
    new windows: identities (or the main task's labels), one per window.

    Parameters
    ----------
    network : GaitMultiTaskNet or None, default=None
        The network to train (cloned); None uses
        ``GaitMultiTaskNet(random_state=random_state)``.
    classifier : {"svm", "7nn"} or classifier, default="svm"
        ``"svm"``: a linear :class:`~sklearn.svm.SVC`; ``"7nn"``:
        :class:`~sklearn.neighbors.KNeighborsClassifier` with 7 neighbours,
        the two of Marín-Jiménez et al. (2017); or any scikit-learn
        classifier (cloned).
    n_components : int or None, default=128
        Principal components kept (the paper's PCA-128), at most the
        signature's size and the number of training windows; None skips the
        PCA.
    random_state : int, RandomState instance or None, default=None
        Seeds the default network.

    Attributes
    ----------
    network_ : GaitMultiTaskNet
        The trained network.
    classifier_ : Pipeline
        Standardisation, PCA and the classifier, fitted on the signatures.
    classes_ : ndarray
        Labels of the main task.
    n_components_ : int or None
        Principal components used.

    See Also
    --------
    GaitMultiTaskNet.embed : The signature.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skgait.models import GaitMultiTaskNet, GaitSignatureClassifier
    >>> rng = np.random.default_rng(0)
    >>> subject = np.repeat(np.arange(4), 12)
    >>> X = rng.normal(size=(48, 6, 64)).astype(np.float32) + subject[:, None, None]
    >>> Y = pd.DataFrame({"subject": subject, "sex": np.where(subject % 2, "F", "M")})
    >>> clf = GaitSignatureClassifier(
    ...     GaitMultiTaskNet(max_epochs=3, random_state=0), classifier="7nn"
    ... ).fit(X, Y)
    >>> clf.predict(X[:3]).shape, clf.n_components_
    ((3,), 48)
    """

    _parameter_constraints: dict = {
        "network": [HasMethods(["fit", "embed"]), None],
        "classifier": [StrOptions(set(SIGNATURE_CLASSIFIERS)), HasMethods("fit")],
        "n_components": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    def __init__(self, network=None, *, classifier="svm", n_components=128, random_state=None):
        self.network = network
        self.classifier = classifier
        self.n_components = n_components
        self.random_state = random_state

    def _make_classifier(self):
        if isinstance(self.classifier, str):
            return SIGNATURE_CLASSIFIERS[self.classifier]()
        return clone(self.classifier)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, groups=None):
        """Train the network, then the classifier on the PCA of its signatures.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
        y : DataFrame of shape (n_windows, n_tasks) or array-like of shape (n_windows,)
            As for :meth:`GaitMultiTaskNet.fit`; the classifier learns the
            main task's column.
        groups : array-like of shape (n_windows,), optional
            Passed to the network's ``fit`` (its validation split).

        Returns
        -------
        self : object
        """
        classifier = self._make_classifier()
        network = (
            GaitMultiTaskNet(random_state=self.random_state)
            if self.network is None
            else clone(self.network)
        )
        fit_params = {} if groups is None else {"groups": groups}
        self.network_ = network.fit(X, y, **fit_params)
        main = y[self.network_.main_task_] if isinstance(y, pd.DataFrame) else y
        main = np.asarray(main)
        signature = self.network_.embed(X)
        steps = [StandardScaler()]
        self.n_components_ = None
        if self.n_components is not None:
            self.n_components_ = int(min(self.n_components, *signature.shape))
            steps.append(PCA(self.n_components_))
        self.classifier_ = make_pipeline(*steps, classifier).fit(signature, main)
        return self

    @property
    def classes_(self):
        """Labels of the main task, in the classifier's order."""
        check_is_fitted(self, "classifier_")
        return self.classifier_.classes_

    def predict(self, X):
        """Main-task label of each window.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)

        Returns
        -------
        y_pred : ndarray of shape (n_windows,)
        """
        check_is_fitted(self, "classifier_")
        return self.classifier_.predict(self.network_.embed(X))

    @available_if(_classifier_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities, if the classifier has them (7-NN: neighbour shares).

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)

        Returns
        -------
        proba : ndarray of shape (n_windows, n_classes)
        """
        check_is_fitted(self, "classifier_")
        return self.classifier_.predict_proba(self.network_.embed(X))

    @available_if(_classifier_has("decision_function"))
    def decision_function(self, X):
        """The classifier's decision function (the SVM's margins).

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)

        Returns
        -------
        scores : ndarray
        """
        check_is_fitted(self, "classifier_")
        return self.classifier_.decision_function(self.network_.embed(X))

    def __sklearn_tags__(self):
        return set_window_tags(super().__sklearn_tags__())
