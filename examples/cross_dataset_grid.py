"""Cross-dataset gender recognition: train on one dataset, test on another.

BioDeep (Tables 1–2) trains on one IMU gait dataset and tests on another at
the same sensor placement ("cross-testing"), fine-tuning the convolutional
layers of a CNN for 2–3 epochs instead of training from scratch. This
example runs that grid on HuGaDB and IPOL (right foot), with subjects kept
apart in every test:

- diagonal: subject-wise 5-fold cross-validation inside each dataset;
- ``direct``: train on every subject of one dataset, test on the other;
- ``fine_tune``: start from the source CNN's convolutional weights,
  fine-tune on the target's training subjects, test on its held-out ones;
- ``scratch``: train from scratch on the same target folds.

Every cell is logged to MLflow (``sqlite:///mlflow.db`` here, no server):
``mlflow ui --backend-store-uri sqlite:///mlflow.db`` shows one parent run
with a nested run per cell, the table and the heatmaps. Runs in about a
minute on two cores (``SKGAIT_DATA`` must point at the data home).
"""

from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline

from skgait import ACFTransformer, GaitCNNClassifier
from skgait.experiments import CrossDatasetGrid, format_table, results_tables

grid = CrossDatasetGrid(
    {"hugadb": "right_foot", "ipol": "right_foot"},
    tasks=["gender"],
    estimators={
        "rf": make_pipeline(
            ACFTransformer(lags=10), RandomForestClassifier(n_estimators=100, random_state=0)
        ),
        "cnn": make_pipeline(
            ACFTransformer(lags=10, output="3d"),
            GaitCNNClassifier(max_epochs=10, fine_tune_epochs=2, batch_size=32, random_state=0),
        ),
    },
    protocols=["within", "direct", "fine_tune", "scratch"],
    max_windows_per_subject=30,
    experiment="example-cross-dataset",
    results_path="cross_dataset_grid.csv",
    progress=True,
)
results = grid.run()

print(
    results[
        [
            "source",
            "target",
            "estimator",
            "protocol",
            "accuracy",
            "balanced_accuracy",
            "baseline_balanced_accuracy",
            "speed_up",
        ]
    ]
    .round(3)
    .to_string(index=False)
)
low, high = (
    results_tables(results, metric="balanced_accuracy", column=f"{{metric}}_{bound}")
    for bound in ("low", "high")
)
for key, table in results_tables(results, metric="balanced_accuracy").items():
    _task, _metric, estimator, protocol = key
    print(
        f"\n{estimator}, {protocol} off the diagonal — balanced accuracy "
        "[95 % interval over subjects], rows = training, columns = testing"
    )
    print(format_table(table, low.get(key), high.get(key)))
print("\nOpen the runs with: mlflow ui --backend-store-uri sqlite:///mlflow.db")
