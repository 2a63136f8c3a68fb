"""Where the tests find the shared real datasets: ``SKGAIT_DATA``, else ``../shared/data``.

The folder is made absolute here, once, when the test session starts: the
README runs the suite with ``SKGAIT_DATA=../shared/data`` (relative to the
repository), and tests that run a script in another working directory (the
examples) must still find it.
"""

import os
from pathlib import Path

DATA_HOME = Path(
    os.path.abspath(
        Path(
            os.environ.get("SKGAIT_DATA")
            or Path(__file__).resolve().parents[2] / "shared" / "data"
        ).expanduser()
    )
)
