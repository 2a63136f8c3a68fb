"""Downloads pinned to a commit and checked by SHA-256, against a local server.

A thread serves a temporary mirror of ``https://raw.githubusercontent.com``
(``<owner>/<repo>/<commit>/<origin path>``) built from a few files of the
shared data, which are byte-identical copies of the origin.
"""

import functools
import hashlib
import http.server
import shutil
import socket
import threading

import numpy as np
import pandas as pd
import pytest

from skgait.datasets import (
    _download,
    dataset_registry,
    download_dataset,
    downloadable_datasets,
    load_sisfall,
)
from skgait.exceptions import ChecksumError, DatasetNotFoundError, DownloadError

SA01 = ["SA01/D01_SA01_R01.txt", "SA01/D02_SA01_R01.txt"]
FOLDERS = {
    "hugadb": "HuGaDB",
    "ipol": "IPOL_HealthyGait",
    "sisfall": "SisFall",
    "umafall": "UMAFall",
}


def _mirror_path(root, entry):
    return root / entry.url[len(_download.DEFAULT_BASE_URL) + 1 :]


def _build_mirror(root, data_home, name, paths):
    for entry in dataset_registry(name):
        if entry.path in paths:
            target = _mirror_path(root, entry)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(data_home / FOLDERS[name] / entry.path, target)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def mirror(tmp_path):
    """``(root, base_url)``: an HTTP server on 127.0.0.1 serving ``root``."""
    root = tmp_path / "mirror"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def sisfall_mirror(mirror, data_home):
    root, base_url = mirror
    _build_mirror(root, data_home, "sisfall", {*SA01, "Readme.txt"})
    return root, base_url


def _leftovers(folder):
    return [p for p in folder.rglob("*") if p.name.endswith(".part")]


def test_registries_pin_a_commit_and_list_hashes():
    for name in downloadable_datasets():
        entries = dataset_registry(name)
        assert entries
        for entry in entries:
            owner, repo, commit = entry.url.split("/")[3:6]
            assert entry.url.startswith("https://raw.githubusercontent.com/")
            assert len(commit) == 40 and int(commit, 16) >= 0
            assert len(entry.sha256) == 64 and int(entry.sha256, 16) >= 0
            assert entry.size > 0 and not entry.path.startswith("/")


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["hugadb", "ipol", "sisfall", "umafall"])
def test_registry_matches_the_shared_copy(name, data_home):
    folder = data_home / FOLDERS[name]
    for entry in dataset_registry(name):
        data = (folder / entry.path).read_bytes()
        assert len(data) == entry.size, entry.path
        assert hashlib.sha256(data).hexdigest() == entry.sha256, entry.path


def test_download_then_load_equals_the_shared_copy(sisfall_mirror, data_home, tmp_path):
    _, base_url = sisfall_mirror
    home = tmp_path / "home"
    folder = download_dataset("sisfall", data_home=home, files="SA01/*", base_url=base_url)
    assert folder == home / "SisFall"
    # the release's own files only: the read-me holds the subject table
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == [
        "Readme.txt",
        "SA01",
        *SA01,
    ]
    assert not _leftovers(folder)

    downloaded = load_sisfall(folder, cache=False)
    shared = load_sisfall(data_home / "SisFall", cache=False)
    pd.testing.assert_frame_equal(downloaded.subjects, shared.subjects)
    expected = {r.recording: r for r in shared.select(subject="SA01")}
    assert sorted(r.recording for r in downloaded.recordings) == sorted(expected)
    for rec in downloaded.recordings:
        np.testing.assert_array_equal(rec.signal, expected[rec.recording].signal)


def test_present_files_are_not_downloaded_again(sisfall_mirror, tmp_path):
    root, base_url = sisfall_mirror
    home = tmp_path / "home"
    download_dataset("sisfall", data_home=home, files="SA01/*", base_url=base_url)
    shutil.rmtree(root / "Brisabrin")  # the server no longer has them
    download_dataset("sisfall", data_home=home, files="SA01/*", base_url=base_url)


def test_loader_download_keyword_uses_the_environment(sisfall_mirror, monkeypatch, tmp_path):
    _, base_url = sisfall_mirror
    monkeypatch.setenv("SKGAIT_DATA", str(tmp_path / "home"))
    monkeypatch.setenv("SKGAIT_DOWNLOAD_URL", base_url)
    full = _download.dataset_registry
    monkeypatch.setattr(
        _download,
        "dataset_registry",
        lambda name: [e for e in full(name) if e.path in {*SA01, "Readme.txt"}],
    )
    with pytest.raises(DatasetNotFoundError, match="download=True"):
        load_sisfall(cache=False)
    dataset = load_sisfall(cache=False, download=True)
    assert {r.subject for r in dataset.recordings} == {"SA01"}
    assert dataset.path == str(tmp_path / "home" / "SisFall")


def test_corrupted_download_is_rejected_and_deleted(sisfall_mirror, tmp_path):
    root, base_url = sisfall_mirror
    entry = next(e for e in dataset_registry("sisfall") if e.path == SA01[0])
    served = _mirror_path(root, entry)
    data = bytearray(served.read_bytes())
    data[100] ^= 1
    served.write_bytes(bytes(data))

    home = tmp_path / "home"
    with pytest.raises(ChecksumError) as excinfo:
        download_dataset("sisfall", data_home=home, files=SA01[0], base_url=base_url)
    message = str(excinfo.value)
    assert SA01[0] in message
    assert entry.sha256 in message
    assert hashlib.sha256(bytes(data)).hexdigest() in message
    folder = home / "SisFall"
    assert not (folder / SA01[0]).exists()
    assert not _leftovers(folder)


def test_server_down_says_what_to_fetch_and_where(tmp_path):
    with socket.socket() as sock:  # a port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    home = tmp_path / "home"
    with pytest.raises(DownloadError) as excinfo:
        download_dataset(
            "sisfall", data_home=home, files=SA01[0], base_url=f"http://127.0.0.1:{port}", timeout=5
        )
    message = str(excinfo.value)
    entry = next(e for e in dataset_registry("sisfall") if e.path == SA01[0])
    assert entry.url in message  # what to fetch
    assert str(home / "SisFall" / "SA01" / "D01_SA01_R01.txt") in message  # where
    assert not (home / "SisFall" / SA01[0]).exists()
    assert not _leftovers(home)


def test_missing_file_on_the_server_is_a_download_error(mirror, tmp_path):
    _, base_url = mirror  # empty mirror: 404
    with pytest.raises(DownloadError, match="HTTP 404"):
        download_dataset("sisfall", data_home=tmp_path, files=SA01, base_url=base_url)


@pytest.mark.parametrize("name", ["ipol", "ipol_healthy_gait"])
def test_ipol_downloads_by_its_name_and_its_alias(name, mirror, data_home, tmp_path):
    root, base_url = mirror
    trial = {"GaitData/1-1.json", "GaitData/1-1_lf.txt"}
    _build_mirror(root, data_home, "ipol", trial)
    folder = download_dataset(name, data_home=tmp_path, files=sorted(trial), base_url=base_url)
    assert folder == tmp_path / "IPOL_HealthyGait"
    for path in trial:
        assert (folder / path).read_bytes() == (data_home / FOLDERS["ipol"] / path).read_bytes()
    assert dataset_registry(name) == dataset_registry("ipol")


def test_unknown_dataset_and_pattern():
    with pytest.raises(ValueError, match="sisfall"):
        download_dataset("ou_isir")
    with pytest.raises(ValueError, match="no registry file matches"):
        download_dataset("sisfall", files="XX99/*", base_url="http://127.0.0.1:9")
