"""The course's own base network for transfer learning (lesson 10): a small CNN trained on five of the
ten Fashion-MNIST classes (the *source* classes 0-4: T-shirt/top, Trouser, Pullover, Dress, Coat), so
that the lesson can transfer it to the other five (the *target* classes 5-9: Sandal, Shirt, Sneaker, Bag,
Ankle boot) and to scikit-learn's digits.

Why these five: the source classes are all garments worn on the body, the target classes are mostly
footwear and bags plus the Shirt; the target task therefore needs features the base learnt on shapes of
clothes without having seen a single shoe, which is what makes transfer worth measuring.

No pretrained weights can be fetched offline, so the course trains its own: ``python -m dlcourse.base_cnn``
retrains with the recorded seed and writes ``base_cnn.npz`` beside this file; tests/test_base_cnn.py checks
that the shipped weights are what that script makes (by predictions and accuracy, with a tolerance, since
other CPUs round differently). The network is deliberately small (16 and 32 filters, two epochs on the
30,000 source images) so that retraining takes well under a minute on two cores.

Keras is imported inside the functions: importing ``dlcourse`` stays cheap.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from . import _shipped

__all__ = ["WEIGHTS", "SETTINGS", "SOURCE_CLASSES", "TARGET_CLASSES", "FEATURES_LAYER", "build_model",
           "source_data", "retrain", "load", "save"]

#: Where the shipped weights live.
WEIGHTS = Path(__file__).with_name("base_cnn.npz")

#: Fashion-MNIST classes the base is trained on (its outputs 0-4 are these, in this order).
SOURCE_CLASSES = (0, 1, 2, 3, 4)
#: The other five: the lesson's transfer target (relabelled 0-4 in this order).
TARGET_CLASSES = (5, 6, 7, 8, 9)
#: Name of the layer whose output is the base's feature vector (what a new head is put on).
FEATURES_LAYER = "features"

#: How the shipped weights were trained.
SETTINGS = {"seed": 0, "epochs": 2, "batch_size": 128, "learning_rate": 3e-3}


def build_model(classes=len(SOURCE_CLASSES)):
    """The base CNN: two 3x3 same-padded convolution blocks (16 and 32 filters, batch norm, ReLU, 2x2 max
    pooling; batch norm's moving statistics with momentum 0.9, so that two short epochs settle them), the
    7x7x32 maps flattened to a 1,568-number feature vector (layer ``"features"``), and a softmax layer over
    ``classes`` classes (layer ``"classes"``).

    Input: (n, 28, 28, 1) float32 images in [0, 1]. 12,789 parameters for 5 classes: 96 of them batch norm's
    moving statistics, 7,845 in the head.
    """
    import keras

    inputs = keras.Input(shape=(28, 28, 1), name="image")
    x = inputs
    for block, filters in enumerate((16, 32), start=1):
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{block}")(x)
        x = keras.layers.BatchNormalization(momentum=0.9, name=f"norm{block}")(x)
        x = keras.layers.ReLU(name=f"relu{block}")(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool{block}")(x)
    x = keras.layers.Flatten(name=FEATURES_LAYER)(x)
    outputs = keras.layers.Dense(classes, activation="softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name="base_cnn")


def _prepare(images):
    return (np.asarray(images, dtype=np.float32) / 255.0)[..., None]


def source_data(split="train"):
    """Fashion-MNIST images of the source classes, as (n, 28, 28, 1) float32 in [0, 1], and labels 0-4."""
    from .data import load_fashion_mnist

    images, labels = load_fashion_mnist(split)
    keep = np.isin(labels, SOURCE_CLASSES)
    return _prepare(images[keep]), np.searchsorted(SOURCE_CLASSES, labels[keep]).astype(np.int64)


def retrain(seed=None, epochs=None, verbose=0):
    """Train ``build_model()`` on the 30,000 training images of the source classes, seeded, with Adam.
    Returns ``(model, history, info)``: ``history`` the per-epoch dict of ``fit``, ``info`` the settings,
    the training seconds and the test accuracy on the 5,000 test images of the source classes."""
    import keras

    settings = dict(SETTINGS, **{k: v for k, v in (("seed", seed), ("epochs", epochs)) if v is not None})
    x_train, y_train = source_data("train")
    x_test, y_test = source_data("test")
    keras.utils.set_random_seed(settings["seed"])
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    model = build_model()
    model.compile(optimizer=keras.optimizers.Adam(settings["learning_rate"]),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    started = time.perf_counter()
    fit = model.fit(x_train, y_train, epochs=settings["epochs"], batch_size=settings["batch_size"], verbose=verbose)
    seconds = time.perf_counter() - started
    _, accuracy = model.evaluate(x_test, y_test, verbose=0, batch_size=1000)
    history = {key: [float(v) for v in values] for key, values in fit.history.items()}
    info = dict(settings, train_seconds=round(seconds, 1), test_accuracy=float(accuracy),
                source_classes=list(SOURCE_CLASSES), keras=keras.__version__, backend=keras.backend.backend())
    return model, history, info


def save(model, history, info, path=WEIGHTS):
    """Write the model's weights, its history and ``info`` to one ``.npz`` file."""
    _shipped.save(model, history, info, path)


def load(path=WEIGHTS):
    """``build_model()`` holding the shipped weights, with the history and info of the run that made them."""
    return _shipped.load_into(build_model(), path)


if __name__ == "__main__":   # python -m dlcourse.base_cnn [output.npz]: retrain and write the weights
    _shipped.retrain_and_save(retrain, WEIGHTS)
