"""dlcourse.data: real Fashion-MNIST from local copies, checksums, the download fallback, clear errors."""

import gzip
import hashlib
import http.server
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from dlcourse import data


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture
def nowhere(tmp_path, monkeypatch):
    """No local copy anywhere: an empty Debian folder and an empty Keras cache."""
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "debian")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("DLCOURSE_FASHION_MNIST_DIR", raising=False)
    return tmp_path


@pytest.fixture
def tiny_fashion(tmp_path, monkeypatch):
    """A four-file, five-image Fashion-MNIST look-alike with its own checksums."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (5, 28, 28)),
        "train-labels-idx1-ubyte.gz": np.arange(5),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (3, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": np.arange(3),
    }
    hashes = {}
    for name, array in arrays.items():
        raw = idx_bytes(array)
        (folder / name).write_bytes(gzip.compress(raw))
        hashes[name] = hashlib.sha256(raw).hexdigest()
    monkeypatch.setattr(data, "FASHION_MNIST_FILES", hashes)
    return folder, arrays


def test_real_fashion_mnist_from_a_local_copy():
    if all(data._find_local(name) is None for name in data.FASHION_MNIST_FILES):
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's dataset-fashion-mnist installed (.ci/run installs it)")
        pytest.skip("no local Fashion-MNIST (apt-get install dataset-fashion-mnist)")
    images, labels = data.load_fashion_mnist("test", download=False)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,)
    # The test split holds exactly 1,000 images of each of the 10 classes (Xiao et al., 2017).
    assert np.bincount(labels).tolist() == [1000] * 10
    assert 0 < images.mean() < 255
    assert len(data.FASHION_MNIST_CLASSES) == 10


def test_loads_from_a_configured_folder(tiny_fashion, nowhere, monkeypatch):
    folder, arrays = tiny_fashion
    monkeypatch.setenv("DLCOURSE_FASHION_MNIST_DIR", str(folder))
    images, labels = data.load_fashion_mnist("train", download=False)
    np.testing.assert_array_equal(images, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(labels, np.arange(5))


def test_uncompressed_idx_files_are_accepted(tiny_fashion, nowhere, monkeypatch):
    folder, arrays = tiny_fashion
    for gz in folder.glob("*.gz"):
        gz.with_suffix("").write_bytes(gzip.decompress(gz.read_bytes()))
        gz.unlink()
    monkeypatch.setenv("DLCOURSE_FASHION_MNIST_DIR", str(folder))
    images, _ = data.load_fashion_mnist("test", download=False)
    np.testing.assert_array_equal(images, arrays["t10k-images-idx3-ubyte.gz"])


def test_checksum_mismatch_is_reported(tiny_fashion, nowhere, monkeypatch):
    folder, arrays = tiny_fashion
    damaged = arrays["t10k-labels-idx1-ubyte.gz"].copy()
    damaged[0] = 9
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(damaged)))
    monkeypatch.setenv("DLCOURSE_FASHION_MNIST_DIR", str(folder))
    with pytest.raises(data.DatasetCorruptError, match="SHA-256"):
        data.load_fashion_mnist("test", download=False)


@pytest.mark.parametrize("content, words", [
    (b"\x00\x00\x0d\x01\x00\x00\x00\x01\x00", "not an IDX file"),
    (bytes([0, 0, 8, 1, 0, 0, 0, 9, 1, 2]), "truncated"),
])
def test_malformed_idx_is_reported(tmp_path, content, words):
    path = tmp_path / "bad-idx1-ubyte"
    path.write_bytes(content)
    with pytest.raises(data.DatasetCorruptError, match=words):
        data.read_idx(path)


def test_broken_gzip_is_reported(tmp_path):
    path = tmp_path / "broken.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(data.DatasetCorruptError, match="cannot be read"):
        data.read_idx(path)


def test_missing_everywhere_names_the_three_ways(nowhere):
    with pytest.raises(data.DatasetNotFoundError) as info:
        data.load_fashion_mnist("train", download=False)
    message = str(info.value)
    assert "apt-get install dataset-fashion-mnist" in message
    assert "keras.datasets.fashion_mnist.load_data()" in message
    assert data.KERAS_URL in message


def test_bad_split_is_rejected():
    with pytest.raises(ValueError, match="'train' or 'test'"):
        data.load_fashion_mnist("validation")


@pytest.fixture
def local_server(tiny_fashion):
    """A real HTTP server on loopback serving the tiny dataset (the web fallback, offline)."""
    folder, _ = tiny_fashion

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def test_download_fallback_fills_the_keras_cache(local_server, tiny_fashion, nowhere):
    path = data.fashion_mnist_file("t10k-images-idx3-ubyte.gz", url=local_server)
    assert path == data.keras_cache_dir() / "t10k-images-idx3-ubyte.gz"
    _, arrays = tiny_fashion
    np.testing.assert_array_equal(data.read_idx(path), arrays["t10k-images-idx3-ubyte.gz"])
    assert data.fashion_mnist_file("t10k-images-idx3-ubyte.gz", download=False) == path


def test_failed_download_leaves_nothing_and_explains(nowhere):
    with pytest.raises(data.DatasetNotFoundError, match="download failed"):
        data.fashion_mnist_file("t10k-labels-idx1-ubyte.gz", url="http://127.0.0.1:9/")
    assert list(data.keras_cache_dir().iterdir()) == []


def test_digits():
    images, labels = data.load_digits()
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert images.max() == 16 and set(labels.tolist()) == set(range(10))


def test_datasets_readme_lists_the_checksums_in_use():
    readme = (Path(__file__).resolve().parent.parent / "datasets" / "README.md").read_text()
    for name, digest in data.FASHION_MNIST_FILES.items():
        assert f"| {name} | {digest} |" in readme


def test_sunspots():
    years, values = data.load_sunspots()
    assert years.shape == values.shape == (309,)
    assert (years[0], years[-1]) == (1700, 2008) and np.all(np.diff(years) == 1)
    assert values.min() >= 0 and 150 < values.max() < 200  # the 1957 maximum, 190.2


def test_fortunes():
    entries = data.load_fortunes()
    assert len(entries) > 300 and all(entries)
    assert not any(line == "%" for entry in entries for line in entry.splitlines())
    assert 80_000 < sum(map(len, entries)) < 120_000


def test_missing_fortunes_say_how_to_install(tmp_path):
    with pytest.raises(data.DatasetNotFoundError, match="apt-get install fortunes-min"):
        data.load_fortunes(tmp_path)
