"""List the datasets found in the data home (SKGAIT_DATA or --data-home):
subjects and minutes of walking per placement, and, for each dataset not
found, the loader's message saying what it expected where."""

import sys
import warnings


def add_arguments(parser):
    parser.add_argument(
        "--data-home", help="folder holding one sub-folder per dataset (default: $SKGAIT_DATA)"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args):
    from tqdm.auto import tqdm

    from ..datasets import DATASET_LOADERS, get_data_home

    home = get_data_home(args.data_home)
    print(f"Data home: {home}")
    loaders = {}
    for name, loader in DATASET_LOADERS.items():
        loaders.setdefault(loader, name)  # first (short) name of each loader
    rows, missing = [], []
    for loader, name in tqdm(
        loaders.items(), desc="datasets", unit="dataset", disable=args.no_progress, file=sys.stderr
    ):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                dataset = loader(data_home=args.data_home)
        except Exception as exc:  # noqa: BLE001 - report every loader's message
            missing.append((name, f"{type(exc).__name__}: {exc}"))
            continue
        summary = dataset.summary()
        for _, r in summary.iterrows():
            rows.append(
                (
                    name,
                    r["placement"],
                    int(r["n_subjects"]),
                    int(r["n_recordings"]),
                    float(r["walking_minutes"]),
                )
            )
    if rows:
        print(
            f"\n{'dataset':<12} {'placement':<13} {'subjects':>8} {'recordings':>10} "
            f"{'walking min':>11}"
        )
        for name, placement, subjects, recordings, minutes in rows:
            print(f"{name:<12} {placement:<13} {subjects:>8} {recordings:>10} {minutes:>11.1f}")
    else:
        print(f"\nNo dataset found in {home}.")
    if missing:
        print(f"\nNot found ({len(missing)}):")
        for name, message in missing:
            lines = message.strip().splitlines()
            print(f"  {name}: {lines[0]}")
            for line in lines[1:]:
                print(f"      {line}")
    return 0 if rows else 1
