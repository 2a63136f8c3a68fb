"""skgait's cache folder, shared by the parsed recordings and numba's compiled kernels."""

import os
from pathlib import Path

__all__ = ["CACHE_HOME_ENV", "get_cache_home", "use_numba_cache_home"]

#: Environment variable naming the cache folder.
CACHE_HOME_ENV = "SKGAIT_CACHE"


def get_cache_home():
    """Return the cache folder: ``SKGAIT_CACHE``, else ``$XDG_CACHE_HOME/skgait``.

    The default falls back to ``~/.cache/skgait``; the data folder itself may
    be read-only, so the cache never lives there.
    """
    if os.environ.get(CACHE_HOME_ENV):
        return Path(os.environ[CACHE_HOME_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "skgait"


def use_numba_cache_home():
    """Keep numba's compiled kernels under :func:`get_cache_home`, not beside the source.

    numba writes the cache of a ``cache=True`` function next to its module
    (``site-packages``), which may be read-only or shared. Call this before
    the decorated functions are defined; ``NUMBA_CACHE_DIR`` set by the user
    wins.
    """
    import numba

    if not os.environ.get("NUMBA_CACHE_DIR"):
        numba.config.CACHE_DIR = str(get_cache_home() / "numba")
