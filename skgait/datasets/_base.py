"""The container every loader returns: recordings in SI units plus a subject table.

One :class:`Recording` is one sensor (placement) of one trial of one subject:
a ``(n_samples, n_channels)`` signal in m/s² and rad/s, uniformly sampled at
``rate`` Hz, with per-sample activity codes and optional events (step
boundaries) and segments (trial and U-turn boundaries). A :class:`GaitDataset`
holds the recordings of one dataset and its subject table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "ACTIVITIES",
    "CHANNELS",
    "FRAMES",
    "PLACEMENTS",
    "STANDARD_GRAVITY",
    "GaitDataset",
    "Recording",
    "activity_code",
    "check_placement",
]

#: Standard gravity, m/s², used to convert accelerations given in g.
STANDARD_GRAVITY = 9.80665

#: Channel names of a 6-axis IMU, in the order every loader uses. The axes
#: are those of the body frame: ``x`` antero-posterior (positive forward),
#: ``y`` medio-lateral (positive to the subject's left), ``z`` vertical
#: (positive up); right-handed (x × y = z). ``acc_*`` is the specific force
#: an accelerometer measures, so at rest ``acc_z`` ≈ +9.81 m/s² and the
#: others ≈ 0. ``gyr_*`` is the angular rate about the same axes, positive
#: counter-clockwise when looking down the axis (right-hand rule): ``gyr_y``
#: > 0 pitches the nose (or a segment's distal end) down, i.e. backward for
#: a leg segment. A sensor on a leg segment uses the segment-fixed frame
#: that coincides with this one when the subject stands upright (``z``
#: along the thigh or shin towards the hip, ``y`` to the left, ``x``
#: forward; for a foot, ``z`` up from the sole and ``x`` towards the toes).
#: Loaders only permute and negate the sensor's own axes (no rotation is
#: estimated), so a tilted mounting stays tilted: gravity splits between
#: ``acc_z`` and ``acc_x`` for a sensor on the instep.
CHANNELS = ("acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z")

#: Values of ``Recording.info["frame"]``: how far the axes of a recording
#: are known to follow the body frame of :data:`CHANNELS`.
FRAMES = {
    "body": "x, y and z are the antero-posterior, medio-lateral and vertical "
    "axes of the body frame, with their signs",
    "vertical": "z is vertical and up (checked on the data); x and y are "
    "horizontal sensor axes whose body directions and signs are "
    "not documented",
    "sensor": "the device's own axes; its orientation on the body is not "
    "documented (a phone in a pocket, a wrist sensor, user data)",
}

#: Placement vocabulary shared by all datasets. Each loader maps its own
#: sensor names onto these (the dataset's own name is kept in
#: :attr:`Recording.source_placement`).
PLACEMENTS = (
    "waist",
    "chest",
    "wrist",
    "left_wrist",
    "right_wrist",
    "left_upper_arm",
    "right_upper_arm",
    "pocket",
    "ankle",
    "left_foot",
    "right_foot",
    "left_shin",
    "right_shin",
    "left_thigh",
    "right_thigh",
)

#: Activity vocabulary shared by all loaders: the code of an activity is its
#: index in this tuple (new names are only ever appended, so codes stay).
#: ``"unknown"`` (code 0) marks samples with no label. The names after
#: ``"turning"`` label whole trials of the fall datasets (SisFall, UMAFall),
#: whose files each hold one task: ``"stairs"`` is up and down in one trial,
#: ``"sitting_down_and_up"`` and ``"lying_down_and_up"`` a transition there
#: and back, ``"fall"`` any fall (the dataset's own code is kept in
#: ``Recording.info["source_activity"]``).
ACTIVITIES = (
    "unknown",
    "walking",
    "running",
    "stairs_up",
    "stairs_down",
    "sitting",
    "sitting_down",
    "standing_up",
    "standing",
    "bicycling",
    "elevator_up",
    "elevator_down",
    "sitting_in_car",
    "turning",
    "jogging",
    "stairs",
    "sitting_down_and_up",
    "lying_down_and_up",
    "rolling_over",
    "bending",
    "car_entry_exit",
    "stumbling",
    "jumping",
    "clapping",
    "raising_hands",
    "phone_call",
    "opening_door",
    "fall",
)


def activity_code(name):
    """Return the integer code of an activity name from :data:`ACTIVITIES`.

    Parameters
    ----------
    name : str
        Activity name, for example ``"walking"``.

    Returns
    -------
    code : int
        Index of ``name`` in :data:`ACTIVITIES`.

    Raises
    ------
    ValueError
        If ``name`` is not a known activity.
    """
    try:
        return ACTIVITIES.index(name)
    except ValueError:
        raise ValueError(
            f"Unknown activity {name!r}; expected one of {', '.join(ACTIVITIES)}."
        ) from None


def check_placement(placement):
    """Raise a clear error if ``placement`` is not in :data:`PLACEMENTS`."""
    if placement not in PLACEMENTS:
        raise ValueError(
            f"Unknown placement {placement!r}; expected one of {', '.join(PLACEMENTS)}."
        )
    return placement


@dataclass(eq=False)
class Recording:
    """One sensor of one trial of one subject, in SI units.

    Parameters
    ----------
    signal : ndarray of shape (n_samples, n_channels), float32
        Uniformly sampled signal: accelerations in m/s², angular rates in
        rad/s.
    channels : tuple of str
        Channel names, a subset of :data:`CHANNELS` in that order (a
        smartphone with no gyroscope has only ``acc_x, acc_y, acc_z``).
    rate : float
        Sampling rate in Hz.
    dataset : str
        Name of the dataset, for example ``"hugadb"``.
    subject : str
        Subject id as the dataset writes it (``"SA01"``, ``"7"``).
    recording : str
        Id of the trial or file this sensor belongs to; the sensors of one
        trial share it.
    trial : str
        Trial or session label within the subject (``"D01"``, ``"1"``).
    placement : str
        Placement from :data:`PLACEMENTS`.
    source_placement : str
        The dataset's own name for the placement (``"rf"``, ``"WAIST"``).
    activity : ndarray of shape (n_samples,), int8
        Activity code per sample, an index into :data:`ACTIVITIES`.
    events : dict of str to ndarray of shape (n_events, 2), int
        Named ``[start, end)`` sample-index intervals, for example
        ``"left_foot_steps"``.
    segments : dict of str to tuple of (int, int)
        Named ``[start, end)`` sample-index boundaries, for example
        ``"trial"`` and ``"u_turn"``.
    info : dict
        Anything else the dataset documents per recording, for example
        ``{"corrupted_gyroscope": True, "path": ...}``.
    """

    signal: np.ndarray
    channels: tuple
    rate: float
    dataset: str
    subject: str
    recording: str
    trial: str
    placement: str
    source_placement: str
    activity: np.ndarray
    events: dict = field(default_factory=dict)
    segments: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    def __post_init__(self):
        self.signal = np.asarray(self.signal)
        self.activity = np.asarray(self.activity, dtype=np.int8)
        self.channels = tuple(self.channels)
        if self.signal.ndim != 2 or self.signal.shape[1] != len(self.channels):
            raise ValueError(
                f"Recording {self.recording!r} ({self.placement}): signal of shape "
                f"{self.signal.shape} does not match {len(self.channels)} channels "
                f"{self.channels}."
            )
        if self.activity.shape != (self.signal.shape[0],):
            raise ValueError(
                f"Recording {self.recording!r} ({self.placement}): activity of "
                f"shape {self.activity.shape}, expected ({self.signal.shape[0]},)."
            )

    @property
    def n_samples(self):
        """Number of samples."""
        return self.signal.shape[0]

    @property
    def duration(self):
        """Duration in seconds."""
        return self.n_samples / self.rate

    def __repr__(self):
        return (
            f"Recording(dataset={self.dataset!r}, subject={self.subject!r}, "
            f"recording={self.recording!r}, placement={self.placement!r}, "
            f"n_samples={self.n_samples}, rate={self.rate:g}, "
            f"channels={len(self.channels)})"
        )


_SUBJECT_COLUMNS = ("subject", "age", "sex", "height_cm", "weight_kg")
#: Fields of a Recording that say whose it is, which trial, and where worn.
_RECORDING_IDS = ("dataset", "subject", "recording", "trial", "placement", "source_placement")


class GaitDataset:
    """Recordings of one dataset and its subject table.

    Parameters
    ----------
    name : str
        Dataset name, for example ``"sisfall"``.
    recordings : list of Recording
        All recordings, one per sensor and trial.
    subjects : DataFrame
        One row per subject with at least ``subject`` (str), ``age``,
        ``sex`` (``"F"``/``"M"``), ``height_cm`` and ``weight_kg`` (NaN
        where unknown); further columns are kept.
    path : str or None
        Folder the dataset was read from.
    citation : str
        How the dataset's authors ask to be cited.

    Attributes
    ----------
    placements : list of str
        Placements present in at least one recording.
    n_dropped_rows : int
        Data rows the loader dropped as unreadable, over all files (also in
        :meth:`summary` and the repr).

    Examples
    --------
    >>> from skgait.datasets import load_sisfall
    >>> ds = load_sisfall()
    >>> ds.subjects.columns.tolist()
    ['subject', 'age', 'sex', 'height_cm', 'weight_kg', 'group']
    >>> rec = ds.select(placement="waist", subject="SA01")[0]
    >>> rec.recording, rec.n_samples, rec.rate
    ('D01_SA01_R01', 19999, 200.0)
    """

    def __init__(self, name, recordings, subjects, path=None, citation=""):
        self.name = name
        self.recordings = list(recordings)
        subjects = subjects.copy()
        missing = [c for c in _SUBJECT_COLUMNS if c not in subjects.columns]
        if missing:
            raise ValueError(f"{name}: subject table lacks columns {missing}.")
        subjects["subject"] = subjects["subject"].astype(str)
        bad_sex = ~subjects["sex"].isin(["F", "M"]) & subjects["sex"].notna()
        if bad_sex.any():
            raise ValueError(
                f"{name}: sex must be 'F' or 'M', got "
                f"{sorted(subjects.loc[bad_sex, 'sex'].unique())}."
            )
        self.subjects = subjects.reset_index(drop=True)
        self.path = path
        self.citation = citation
        known = set(self.subjects["subject"])
        unknown = sorted({r.subject for r in self.recordings} - known)
        if unknown:
            raise ValueError(f"{name}: recordings of subjects {unknown} not in the subject table.")

    @property
    def placements(self):
        """Placements present in at least one recording, in vocabulary order."""
        present = {r.placement for r in self.recordings}
        return [p for p in PLACEMENTS if p in present]

    def resolve_placement(self, placement=None):
        """The one placement to use in this dataset, with errors naming the options.

        Parameters
        ----------
        placement : str, dict or None, default=None
            A placement of :data:`PLACEMENTS`; a dict maps dataset names to
            placements (this dataset's entry is used); ``None`` is the
            dataset's only placement.

        Returns
        -------
        placement : str

        Raises
        ------
        ValueError
            If ``placement`` is None and the dataset has several placements,
            or if no recording is at ``placement``.
        """
        if isinstance(placement, dict):
            placement = placement.get(self.name)
        present = self.placements
        if placement is None:
            if len(present) != 1:
                raise ValueError(
                    f"Dataset {self.name!r} has placements {present}; pass "
                    "placement= to choose one."
                )
            return present[0]
        check_placement(placement)
        if placement not in present:
            raise ValueError(
                f"Dataset {self.name!r} has no recording at placement "
                f"{placement!r}; it has {present}."
            )
        return placement

    def select(self, placement=None, subject=None, recording=None):
        """Return the recordings matching every given criterion.

        Parameters
        ----------
        placement, subject, recording : str or list of str, optional
            Keep recordings whose attribute equals (or is in) the value.

        Returns
        -------
        recordings : list of Recording
        """

        def _as_set(value):
            return None if value is None else {value} if isinstance(value, str) else set(value)

        if placement is not None:
            for p in _as_set(placement):
                check_placement(p)
        criteria = {
            "placement": _as_set(placement),
            "subject": _as_set(subject),
            "recording": _as_set(recording),
        }
        return [
            r
            for r in self.recordings
            if all(v is None or getattr(r, k) in v for k, v in criteria.items())
        ]

    def summary(self):
        """Minutes of signal and of walking per placement.

        Returns
        -------
        summary : DataFrame
            One row per placement: ``n_subjects``, ``n_recordings``,
            ``minutes``, ``walking_minutes`` and ``dropped_rows``, the data
            rows the loader dropped from these recordings' files because they
            could not be read (``info["dropped_rows"]``; a warning named them
            when the files were parsed).
        """
        walking = activity_code("walking")
        rows = []
        for p in self.placements:
            recs = self.select(placement=p)
            rows.append(
                {
                    "dataset": self.name,
                    "placement": p,
                    "n_subjects": len({r.subject for r in recs}),
                    "n_recordings": len(recs),
                    "minutes": sum(r.duration for r in recs) / 60,
                    "walking_minutes": sum(
                        np.count_nonzero(r.activity == walking) / r.rate for r in recs
                    )
                    / 60,
                    "dropped_rows": sum(r.info.get("dropped_rows", 0) for r in recs),
                }
            )
        return pd.DataFrame(rows)

    @property
    def n_dropped_rows(self):
        """Data rows dropped as unreadable, over the dataset's files.

        Each file counts once, however many recordings (sensors) it holds.
        """
        per_file = {
            r.info.get("path", id(r)): r.info.get("dropped_rows", 0) for r in self.recordings
        }
        return int(sum(per_file.values()))

    def __len__(self):
        return len(self.recordings)

    def __repr__(self):
        dropped = self.n_dropped_rows
        note = f", {dropped} unreadable rows dropped" if dropped else ""
        return (
            f"GaitDataset({self.name!r}, {len(self.subjects)} subjects, "
            f"{len(self.recordings)} recordings, placements={self.placements}{note})"
        )
