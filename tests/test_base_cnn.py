"""The course-trained base network of lesson 10 (src/dlcourse/base_cnn.py and base_cnn.npz): the shipped
weights fit the architecture and reach the recorded accuracy on the five source classes, and the seeded
script makes them again (compared by predictions and accuracy with a tolerance, since other CPUs round
differently)."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from dlcourse import base_cnn  # noqa: E402


@pytest.fixture(scope="module")
def source_test():
    return base_cnn.source_data("test")


@pytest.fixture(scope="module")
def shipped():
    return base_cnn.load()


def test_source_and_target_classes_split_fashion_mnist():
    assert sorted(base_cnn.SOURCE_CLASSES + base_cnn.TARGET_CLASSES) == list(range(10))
    images, labels = base_cnn.source_data("test")
    assert images.shape == (5000, 28, 28, 1) and images.dtype == np.float32 and 0 <= images.min() < images.max() <= 1
    assert np.array_equal(np.bincount(labels), [1000] * 5)


def test_shipped_weights_fit_the_architecture_and_reach_90_percent_on_the_source_classes(shipped, source_test):
    model, history, info = shipped
    x, y = source_test
    assert model.count_params() == base_cnn.build_model().count_params() == 12789
    assert model.get_layer(base_cnn.FEATURES_LAYER).output.shape[1:] == (1568,)
    assert {k: info[k] for k in base_cnn.SETTINGS} == base_cnn.SETTINGS
    assert set(history) == {"loss", "accuracy"} and all(len(v) == info["epochs"] for v in history.values())
    accuracy = float(np.mean(model.predict(x, batch_size=1000, verbose=0).argmax(axis=1) == y))
    assert accuracy >= 0.90 and accuracy == pytest.approx(info["test_accuracy"], abs=1e-3)
    assert base_cnn.WEIGHTS.stat().st_size < 200_000     # small enough to ship


@pytest.mark.slow
def test_the_seeded_script_makes_the_shipped_weights(shipped, source_test):
    model, history, info = shipped
    x, _ = source_test
    again, history_again, info_again = base_cnn.retrain()
    ours = model.predict(x, batch_size=1000, verbose=0).argmax(axis=1)
    theirs = again.predict(x, batch_size=1000, verbose=0).argmax(axis=1)
    assert np.mean(ours == theirs) >= 0.97
    assert info_again["test_accuracy"] == pytest.approx(info["test_accuracy"], abs=0.01)
    for key in history:
        assert np.allclose(history_again[key], history[key], rtol=0.03), key
