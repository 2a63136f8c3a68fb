"""Where the tests find the shared real datasets (``SKGAIT_DATA``, else ``../shared/data``).

The folder is made absolute here, once, when the test session starts: the
README runs the suite with ``SKGAIT_DATA=../shared/data`` (relative to the
repository), and tests that run a script in another working directory (the
examples) must still find it. :func:`copy_dataset` gives a test a writable
copy of a few of their files.
"""

import os
import shutil
from pathlib import Path

DATA_HOME = Path(
    os.path.abspath(
        Path(
            os.environ.get("SKGAIT_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
        ).expanduser()
    )
)


def copy_dataset(source, tmp_path, names):
    """Copy the files or folders ``names`` of the dataset folder ``source`` for editing.

    Each lands at the same relative path under ``tmp_path / source.name``,
    which is returned; the copies are writable whatever the shared files are.
    """
    folder = tmp_path / source.name
    for name in names:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (source / name).is_dir():
            shutil.copytree(source / name, target)
        else:
            shutil.copy(source / name, target)
    for path in folder.rglob("*"):
        if path.is_file():
            path.chmod(0o644)
    return folder
