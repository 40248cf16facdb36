"""Offline-first loaders for the course datasets.

Fashion-MNIST is looked for, in order, in Debian's ``dataset-fashion-mnist`` package, in the Keras
cache, and only then downloaded from the standard Keras location (useful on Colab). Every file is
verified by the SHA-256 of its *decompressed* IDX payload, so the same digest accepts Debian's and
Keras' copies, which are gzipped differently.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
import urllib.request
from pathlib import Path

import numpy as np

FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)

# SHA-256 of the decompressed IDX files (Fashion-MNIST, Zalando Research, MIT licence).
FASHION_MNIST_FILES = {
    "train-images-idx3-ubyte.gz": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte.gz": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte.gz": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte.gz": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


class DatasetNotFoundError(FileNotFoundError):
    """A dataset is in none of the places the course looks, and could not be downloaded."""


class DatasetCorruptError(ValueError):
    """A dataset file exists but its content is not what the course expects."""


def keras_cache_dir() -> Path:
    """Where Keras keeps Fashion-MNIST (``$KERAS_HOME`` or ``~/.keras``)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / "fashion-mnist"


def fashion_mnist_dirs() -> list[Path]:
    """The local folders searched for the IDX files, in order."""
    dirs = [Path(d) for d in os.environ.get("DLCOURSE_FASHION_MNIST_DIR", "").split(os.pathsep) if d]
    return dirs + [DEBIAN_DIR, keras_cache_dir()]


def read_idx(path: str | os.PathLike, sha256: str | None = None) -> np.ndarray:
    """Read a (gzipped) IDX file into a uint8 array, checking its SHA-256 when one is given."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as err:
        raise DatasetCorruptError(f"{path} cannot be read ({err}); delete it and load again.") from err
    if sha256 is not None and hashlib.sha256(raw).hexdigest() != sha256:
        raise DatasetCorruptError(
            f"{path} does not match its SHA-256 checksum: the file is damaged or not the "
            "expected dataset. Delete it and load again."
        )
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DatasetCorruptError(f"{path} is not an IDX file of unsigned bytes.")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise DatasetCorruptError(f"{path} is truncated: header says {shape}, found {data.size} bytes.")
    return data.reshape(shape)


def _find_local(name: str) -> Path | None:
    for folder in fashion_mnist_dirs():
        for candidate in (folder / name, folder / name.removesuffix(".gz")):
            if candidate.is_file():
                return candidate
    return None


def _download(name: str, url: str) -> Path:
    target = keras_cache_dir() / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
        try:
            with urllib.request.urlopen(url + name, timeout=30) as response:
                shutil.copyfileobj(response, tmp)
        except OSError as err:
            os.unlink(tmp.name)
            raise DatasetNotFoundError(_missing_message(name, err)) from err
    os.replace(tmp.name, target)
    return target


def _missing_message(name: str, err: Exception | None = None) -> str:
    searched = "\n".join(f"  - {d}" for d in fashion_mnist_dirs())
    reason = f"\nThe download failed: {err}" if err else ""
    return (
        f"Fashion-MNIST file {name} was not found. Looked in:\n{searched}{reason}\n"
        "Get it one of three ways:\n"
        "  1. Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist\n"
        "  2. Keras cache: python -c \"import keras; keras.datasets.fashion_mnist.load_data()\" "
        "(needs internet once)\n"
        f"  3. Download the four files from {KERAS_URL} into {keras_cache_dir()} "
        "(or set DLCOURSE_FASHION_MNIST_DIR to a folder holding them)"
    )


def fashion_mnist_file(name: str, download: bool = True, url: str = KERAS_URL) -> Path:
    """Path of one Fashion-MNIST file: local copy first, then (optionally) a download."""
    found = _find_local(name)
    if found is not None:
        return found
    if not download:
        raise DatasetNotFoundError(_missing_message(name))
    return _download(name, url)


def load_fashion_mnist(split: str = "train", download: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST images (N, 28, 28) uint8 and labels (N,) uint8 for ``"train"`` or ``"test"``.

    60,000 training and 10,000 test images of 10 clothing classes (see FASHION_MNIST_CLASSES).
    """
    prefix = {"train": "train", "test": "t10k"}.get(split)
    if prefix is None:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    arrays = []
    for kind in ("images-idx3-ubyte.gz", "labels-idx1-ubyte.gz"):
        name = f"{prefix}-{kind}"
        arrays.append(read_idx(fashion_mnist_file(name, download), FASHION_MNIST_FILES[name]))
    images, labels = arrays
    if len(images) != len(labels):
        raise DatasetCorruptError(f"{len(images)} images but {len(labels)} labels in the {split} split")
    return images, labels


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 handwritten digits: images (1797, 8, 8) float64 in [0, 16], labels (1797,)."""
    from sklearn.datasets import load_digits as sklearn_digits

    digits = sklearn_digits()
    return digits.images, digits.target


def load_sunspots() -> tuple[np.ndarray, np.ndarray]:
    """Yearly mean sunspot numbers bundled with statsmodels: years (309,) int and values (309,) float64.

    1700 to 2008 (statsmodels' copy of the SIDC yearly series, version 1 of the sunspot numbers).
    """
    from statsmodels.datasets import sunspots

    data = sunspots.load_pandas().data
    return data["YEAR"].to_numpy(dtype=np.int64), data["SUNACTIVITY"].to_numpy(dtype=np.float64)


FORTUNES_DIR = Path("/usr/share/games/fortunes")
FORTUNE_FILES = ("fortunes", "literature", "riddles")  # Debian's fortunes-min, the whole package


def load_fortunes(folder: str | os.PathLike = FORTUNES_DIR) -> list[str]:
    """The quotations of Debian's ``fortunes-min`` package, one string each, in the files' order.

    A fortune file separates its entries with lines holding only ``%``. The three files hold about
    100,000 characters of plain English text.
    """
    folder = Path(folder)
    missing = [name for name in FORTUNE_FILES if not (folder / name).is_file()]
    if missing:
        raise DatasetNotFoundError(
            f"The fortune files {', '.join(missing)} are not in {folder}. Install Debian's package: "
            "sudo apt-get install fortunes-min (on Colab: !apt-get install -qq fortunes-min)")
    entries = []
    for name in FORTUNE_FILES:
        text = (folder / name).read_text(encoding="utf-8", errors="replace")
        entries += [entry.strip("\n") for entry in text.split("\n%\n") if entry.strip()]
    return entries
