"""Sphinx configuration of the skgait documentation.

Build with warnings as errors::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The user guide is MyST Markdown (``*.md``); the API reference
(``api/``) is generated from the numpydoc docstrings by autosummary, into
``api/generated/`` (not tracked).
"""

import os
import sys
from pathlib import Path

# Import the checkout's package, also when skgait is not installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("MPLBACKEND", "Agg")

import skgait  # noqa: E402

project = "skgait"
author = "skgait developers"
copyright = "skgait developers"
release = version = skgait.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]

# MyST: `#` headings become link targets; ``{eval-rst}`` blocks are allowed.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "dollarmath"]

# API reference: one page per public name (the modules' ``__all__``).
autosummary_generate = True
autosummary_ignore_module_all = False
autosummary_imported_members = True
autodoc_default_options = {"member-order": "groupwise"}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

html_theme = "alabaster"
html_theme_options = {
    "description": "Age and gender from IMU gait, the scikit-learn way",
    "fixed_sidebar": True,
}
html_static_path = []
html_show_sourcelink = False


def _skip_member(app, what, name, obj, skip, options):
    # scikit-learn generates ``set_<method>_request`` on every estimator and
    # splitter; their docstrings point into scikit-learn's own documentation.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def _drop_builtin_docstring(app, what, name, obj, options, lines):
    # A constant re-exported by a package has no doc comment there, and
    # autodoc falls back to the docstring of its type (tuple, dict...).
    doc = type(obj).__doc__
    if what == "data" and doc and lines and lines[0].strip() == doc.strip().splitlines()[0]:
        lines[:] = []


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("autodoc-process-docstring", _drop_builtin_docstring, priority=100)
