"""Where the tests find the shared real datasets: ``SKGAIT_DATA``, else ``../shared/data``."""

import os
from pathlib import Path

DATA_HOME = Path(
    os.environ.get("SKGAIT_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
)
