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

import numpy as np

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


#: SisFall's read-me: activity code -> (trials per subject, seconds per trial).
SISFALL_TRIALS = {
    **{f"D{i:02d}": (1, 100) for i in range(1, 5)},
    **{f"D{i:02d}": (5, 25) for i in (5, 6, 17)},
    **{f"D{i:02d}": (5, 12) for i in range(7, 20) if i != 17},
    **{f"F{i:02d}": (5, 15) for i in range(1, 16)},
}
#: What the elderly did not perform (the read-me), SE06 (a judo expert) aside.
_NOT_ELDERLY = {"D06", "D13", "D18", "D19", *(f"F{i:02d}" for i in range(1, 16))}


def _sisfall_rows(n, rng):
    """``n`` rows in SisFall's format: 9 right-aligned counts, ';', CRLF.

    The waist device at rest with noise: gravity on the device's -y (256
    counts of the ADXL345, 1024 of the MMA8451Q), small angular rates.
    """
    values = rng.normal(0, 20, size=(n, 9)).astype(int)
    values[:, 1] -= 256
    values[:, 7] -= 1024
    return "".join(",".join(f"{v:4d}" for v in row) + ";\r\n" for row in values).encode()


def write_sisfall_release(folder, subjects, codes=None, scale=1.0, seed=0):
    """Write synthetic files in SisFall's published layout; return their number.

    ``folder/Readme.txt`` holds the read-me's subject table (``subjects``:
    id -> (age, height, weight, sex)) and ``folder/<SUBJ>/<CODE>_<SUBJ>_R<NN>.txt``
    each trial the read-me lists (``codes``, default all; the elderly
    without the activities they did not perform), lasting ``scale`` times
    the read-me's duration. Trials of one duration share their rows but
    their first, so every file has its own bytes.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rule = "+---------+-----+--------+--------+--------+"
    table = [rule, "| Subject | Age | Height | Weight | Gender |", rule]
    table += [
        f"| {s:<7} | {a:<3} | {h:<6} | {w:<6} | {x:<6} |" for s, (a, h, w, x) in subjects.items()
    ]
    readme = [
        "---- SisFall: A Fall and Movement Dataset ----",
        "",
        "Subjects:",
        "",
        "SA: Adults subjects between 19 and 30 years old",
        "SE: Elderly people between 60 and 75 years old",
        "",
        *table,
        rule,
        "* Height in cm and Weight in kg.",
        "",
    ]
    (folder / "Readme.txt").write_bytes("\r\n".join(readme).encode("latin-1"))
    rng = np.random.default_rng(seed)
    blocks = {}
    n_files = 0
    for subject in subjects:
        (folder / subject).mkdir(exist_ok=True)
        for code, (n_trials, seconds) in SISFALL_TRIALS.items():
            if (codes is not None and code not in codes) or (
                codes is None
                and subject.startswith("SE")
                and subject != "SE06"
                and code in _NOT_ELDERLY
            ):
                continue
            n_rows = max(int(seconds * 200 * scale), 2)
            if n_rows not in blocks:
                blocks[n_rows] = _sisfall_rows(n_rows - 1, rng)
            for trial in range(1, n_trials + 1):
                n_files += 1
                first = f"{n_files % 1000:4d},-256,{n_files // 1000:4d},   0,   0,   0,   0,-1024,   0;\r\n"
                path = folder / subject / f"{code}_{subject}_R{trial:02d}.txt"
                path.write_bytes(first.encode() + blocks[n_rows])
    return n_files
