"""The course's own Fashion-MNIST CNN (lesson 08): its architecture, the seeded script that trains it,
and the weights that script made, shipped beside this file as ``fashion_cnn.npz``.

Pretrained weights cannot be fetched offline, and training to 91% test accuracy takes about three
minutes on two CPU cores, the whole time budget of lesson 08; so the lesson loads the weights this
script made (``load()``), and a student who wants to see the training happen sets ``TRAIN = True``
there (or runs ``python -m dlcourse.fashion_cnn``, which writes the file again). A test
(tests/test_fashion_cnn.py) retrains with the recorded seed and checks that the result matches the
shipped weights' predictions and accuracy (training on CPUs of another kind rounds differently, so the
weights themselves are compared with a tolerance, not bit for bit).

Keras is imported inside the functions: importing ``dlcourse`` stays cheap.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from . import _shipped

__all__ = ["WEIGHTS", "SETTINGS", "build_model", "retrain", "load", "save"]

#: Where the shipped weights live.
WEIGHTS = Path(__file__).with_name("fashion_cnn.npz")

#: How the shipped weights were trained (``train`` uses these unless told otherwise).
SETTINGS = {"seed": 0, "epochs": 3, "batch_size": 64, "peak_learning_rate": 3e-3, "warmup_fraction": 0.1}


def build_model():
    """The lesson's CNN: flip augmentation, two 3x3 same-padded convolution blocks (32 and 64 filters,
    batch norm, ReLU, 2x2 max pooling) and a softmax layer over the 10 classes (no dropout: three epochs
    are too few to overfit, and dropout would slow the fit).

    Input: (n, 28, 28, 1) float32 images in [0, 1]. About 50,000 parameters.
    """
    import keras

    inputs = keras.Input(shape=(28, 28, 1), name="image")
    x = keras.layers.RandomFlip("horizontal", name="augment_flip")(inputs)
    for block, filters in enumerate((32, 64), start=1):
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{block}")(x)
        x = keras.layers.BatchNormalization(name=f"norm{block}")(x)
        x = keras.layers.ReLU(name=f"relu{block}")(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool{block}")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    outputs = keras.layers.Dense(10, activation="softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name="fashion_cnn")


def _prepare(images):
    return (np.asarray(images, dtype=np.float32) / 255.0)[..., None]


def retrain(seed=None, epochs=None, verbose=0):
    """Train ``build_model()`` on the first 55,000 training images (the last 5,000 validate), seeded, with
    Adam and a warm-up then cosine learning-rate schedule. Returns ``(model, history, info)``: ``history``
    the per-epoch dict of ``fit``, ``info`` the settings, the training seconds and the test accuracy."""
    import keras

    settings = dict(SETTINGS, **{k: v for k, v in (("seed", seed), ("epochs", epochs)) if v is not None})
    from .data import load_fashion_mnist

    x_train, y_train = load_fashion_mnist("train")
    x_test, y_test = load_fashion_mnist("test")
    x_train, x_test = _prepare(x_train), _prepare(x_test)
    x_train, y_train, x_val, y_val = x_train[:55000], y_train[:55000], x_train[55000:], y_train[55000:]
    keras.utils.set_random_seed(settings["seed"])
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    model = build_model()
    steps = settings["epochs"] * int(np.ceil(len(x_train) / settings["batch_size"]))
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, steps, warmup_target=settings["peak_learning_rate"],
        warmup_steps=int(settings["warmup_fraction"] * steps))
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    started = time.perf_counter()
    fit = model.fit(x_train, y_train, epochs=settings["epochs"], batch_size=settings["batch_size"],
                    validation_data=(x_val, y_val), verbose=verbose)
    seconds = time.perf_counter() - started
    _, accuracy = model.evaluate(x_test, y_test, verbose=0, batch_size=1000)
    history = {key: [float(v) for v in values] for key, values in fit.history.items()}
    info = dict(settings, train_seconds=round(seconds, 1), test_accuracy=float(accuracy),
                keras=keras.__version__, backend=keras.backend.backend())
    return model, history, info


def save(model, history, info, path=WEIGHTS):
    """Write the model's weights, its history and ``info`` to one ``.npz`` file."""
    _shipped.save(model, history, info, path)


def load(path=WEIGHTS):
    """``build_model()`` holding the shipped weights, with the history and info of the run that made them."""
    return _shipped.load_into(build_model(), path)


if __name__ == "__main__":   # python -m dlcourse.fashion_cnn [output.npz]: retrain and write the weights
    _shipped.retrain_and_save(retrain, WEIGHTS)
