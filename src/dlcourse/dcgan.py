"""The course's own DCGAN on Fashion-MNIST (lesson 12): its two networks, the seeded script that trains
them, the generator's weights that script made (shipped beside this file as ``dcgan.npz``), and the
measures that judge a generator by a number rather than by eye.

Judging samples: the lesson-08 classifier (``fashion_cnn.load()``, 91% test accuracy) labels generated
images; *class coverage* is how many of the 10 classes it finds among them (a collapsed generator covers
few), *mean confidence* its average top probability (blurry or mixed garments get low confidence).

Training takes about four and a half minutes on two CPU cores (260 s of wall time, niced on a shared machine;
395 s of CPU time), more than lesson 12's time budget, so the lesson loads
the generator this script made (``load()``), and ``python -m dlcourse.dcgan`` retrains with the recorded
seed and writes the file again. Only the generator is shipped (146,305 weights): the lesson samples
from it, and the discriminator is of no use once training is over. tests/test_dcgan.py retrains a short
prefix and compares its losses with the history recorded in the shipped file, and checks the shipped
generator's coverage and confidence.

``value_and_grad`` is the one backend-specific piece exercise 12 needs: the loss of a function and its
gradients with respect to some variables, under TensorFlow, PyTorch or JAX (Keras 3 has no backend-neutral
gradient call), so that students write a GAN's training step once, for every backend.

Keras is imported inside the functions: importing ``dlcourse`` stays cheap.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import numpy as np

from . import _shipped

__all__ = ["WEIGHTS", "SETTINGS", "LATENT_DIM", "make_generator", "make_discriminator", "retrain", "load",
           "save", "value_and_grad", "judge_samples", "to_unit"]

#: Where the shipped generator weights live.
WEIGHTS = Path(__file__).with_name("dcgan.npz")

#: Size of the latent vector z the generator maps to an image.
LATENT_DIM = 32

#: How the shipped weights were trained: ``steps`` Adam steps on batches of ``batch_size`` real images,
#: losses averaged over every ``log_every`` steps into the history.
SETTINGS = {"seed": 0, "steps": 4500, "batch_size": 128, "learning_rate": 2e-4, "beta_1": 0.5, "log_every": 50}


def make_generator():
    """z (n, LATENT_DIM) -> images (n, 28, 28, 1) in [-1, 1]: a dense layer to 7x7x64 maps, then two
    transposed convolutions that double the size (14x14x32, then 28x28x1, tanh), batch norm and ReLU between.
    146,305 weights (12,672 of them batch norm's)."""
    import keras

    return keras.Sequential([
        keras.Input((LATENT_DIM,), name="z"),
        keras.layers.Dense(7 * 7 * 64, use_bias=False, name="project"),
        keras.layers.BatchNormalization(name="norm0"),
        keras.layers.ReLU(name="relu0"),
        keras.layers.Reshape((7, 7, 64), name="maps"),
        keras.layers.Conv2DTranspose(32, 4, strides=2, padding="same", use_bias=False, name="up1"),
        keras.layers.BatchNormalization(name="norm1"),
        keras.layers.ReLU(name="relu1"),
        keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh", name="image"),
    ], name="generator")


def make_discriminator():
    """images (n, 28, 28, 1) in [-1, 1] -> one logit each (n, 1): two strided 4x4 convolutions (32 and 64
    filters, leaky ReLU, no batch norm) and a dense logit (no sigmoid: the losses work on logits)."""
    import keras

    return keras.Sequential([
        keras.Input((28, 28, 1), name="image"),
        keras.layers.Conv2D(32, 4, strides=2, padding="same", name="down1"),
        keras.layers.LeakyReLU(0.2, name="leaky1"),
        keras.layers.Conv2D(64, 4, strides=2, padding="same", name="down2"),
        keras.layers.LeakyReLU(0.2, name="leaky2"),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(1, name="logit"),
    ], name="discriminator")


def value_and_grad(loss_fn, variables):
    """``(loss, gradients)``: ``loss_fn()`` evaluated, and its gradients with respect to ``variables`` (a list
    of Keras variables, e.g. ``model.trainable_variables``), one per variable, in order. TensorFlow, PyTorch or
    JAX backend (under JAX, ``loss_fn`` runs in a stateless scope: batch norm's moving statistics are not
    updated by it)."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = loss_fn()
        return loss, tape.gradient(loss, [v.value for v in variables])
    if backend == "torch":
        import torch

        values = [v.value for v in variables]
        for value in values:
            value.grad = None
        loss = loss_fn()
        grads = torch.autograd.grad(loss, values, allow_unused=True)
        return loss.detach(), [torch.zeros_like(v) if g is None else g for v, g in zip(values, grads)]
    if backend == "jax":
        import jax

        variables = list(variables)

        def loss_of(values):   # JAX differentiates pure functions: the variables' values passed in
            with keras.StatelessScope(state_mapping=list(zip(variables, values))):
                return loss_fn()

        return jax.value_and_grad(loss_of)([v.value for v in variables])
    raise NotImplementedError(f"value_and_grad supports the tensorflow, torch and jax backends, not {backend!r}")


def to_unit(images):
    """Generator output in [-1, 1] -> (n, 28, 28, 1) float32 in [0, 1], what the classifier expects."""
    return ((np.asarray(images, dtype=np.float32) + 1.0) / 2.0).clip(0.0, 1.0).reshape(-1, 28, 28, 1)


def judge_samples(generator, n=1000, seed=0, classifier=None):
    """Sample ``n`` images from ``generator`` (z ~ N(0, I), seeded) and let the lesson-08 classifier label them.
    Returns a dict: ``coverage`` (classes predicted at least once), ``confidence`` (mean top probability),
    ``counts`` (images per predicted class) and ``images`` (n, 28, 28, 1) in [0, 1]."""
    if classifier is None:
        from . import fashion_cnn

        classifier = fashion_cnn.load()[0]
    latent_dim = int(generator.input_shape[-1])
    z = np.random.default_rng(seed).normal(size=(n, latent_dim)).astype(np.float32)
    images = to_unit(generator.predict(z, batch_size=500, verbose=0))
    probs = classifier.predict(images, batch_size=500, verbose=0)
    counts = np.bincount(probs.argmax(axis=1), minlength=probs.shape[1])
    return {"coverage": int(np.sum(counts > 0)), "confidence": float(probs.max(axis=1).mean()),
            "counts": counts.tolist(), "images": images}


def training_images():
    """The 60,000 Fashion-MNIST training images as (n, 28, 28, 1) float32 in [-1, 1] (the tanh's range)."""
    from .data import load_fashion_mnist

    images, _ = load_fashion_mnist("train")
    return (np.asarray(images, dtype=np.float32) / 127.5 - 1.0)[..., None]


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def retrain(seed=None, steps=None, verbose=0):
    """Train both networks, seeded: each step one Adam step of the discriminator on a batch of real images
    (label 1) and as many generated ones (label 0), then one Adam step of the generator with the
    non-saturating loss. TensorFlow backend (``tf.function`` for speed). Returns ``(generator, history, info)``:
    ``history`` the discriminator's and generator's losses averaged over every ``log_every`` steps, ``info``
    the settings, wall and CPU seconds of training, and the shipped generator's coverage and confidence."""
    import keras
    import tensorflow as tf

    settings = dict(SETTINGS, **{k: v for k, v in (("seed", seed), ("steps", steps)) if v is not None})
    real_images = training_images()
    keras.utils.set_random_seed(settings["seed"])
    tf.config.experimental.enable_op_determinism()
    generator, discriminator = make_generator(), make_discriminator()
    d_opt = keras.optimizers.Adam(settings["learning_rate"], beta_1=settings["beta_1"])
    g_opt = keras.optimizers.Adam(settings["learning_rate"], beta_1=settings["beta_1"])
    batch = settings["batch_size"]
    softplus = tf.math.softplus

    @tf.function
    def step(real, z):
        with tf.GradientTape() as tape:
            fake = generator(z, training=True)
            real_logits = discriminator(real, training=True)
            fake_logits = discriminator(fake, training=True)
            # -log D(x) - log(1 - D(G(z))) from logits: softplus(-l) = -log sigmoid(l)
            d_loss = tf.reduce_mean(softplus(-real_logits)) + tf.reduce_mean(softplus(fake_logits))
        d_opt.apply_gradients(zip(tape.gradient(d_loss, discriminator.trainable_variables),
                                  discriminator.trainable_variables))
        with tf.GradientTape() as tape:
            fake_logits = discriminator(generator(z, training=True), training=True)
            g_loss = tf.reduce_mean(softplus(-fake_logits))        # non-saturating: -log D(G(z))
        g_opt.apply_gradients(zip(tape.gradient(g_loss, generator.trainable_variables),
                                  generator.trainable_variables))
        return d_loss, g_loss

    rng = np.random.default_rng(settings["seed"])
    history = {"step": [], "d_loss": [], "g_loss": []}
    sums = np.zeros(2)
    order = rng.permutation(len(real_images))
    position = 0
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    for i in range(1, settings["steps"] + 1):
        if position + batch > len(order):
            order, position = rng.permutation(len(real_images)), 0
        real = real_images[order[position:position + batch]]
        position += batch
        z = rng.normal(size=(batch, LATENT_DIM)).astype(np.float32)
        d_loss, g_loss = step(tf.constant(real), tf.constant(z))
        sums += (float(d_loss), float(g_loss))
        if i % settings["log_every"] == 0:
            history["step"].append(i)
            history["d_loss"].append(float(sums[0] / settings["log_every"]))
            history["g_loss"].append(float(sums[1] / settings["log_every"]))
            sums[:] = 0
            if verbose:
                print(f"step {i}: d_loss {history['d_loss'][-1]:.3f}, g_loss {history['g_loss'][-1]:.3f}, "
                      f"{time.perf_counter() - started:.0f} s", flush=True)
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    judged = judge_samples(generator)
    info = dict(settings, train_seconds=round(seconds, 1), train_cpu_seconds=round(cpu, 1),
                epochs=round(settings["steps"] * batch / len(real_images), 2),
                coverage=judged["coverage"], confidence=round(judged["confidence"], 4), counts=judged["counts"],
                keras=keras.__version__, backend=keras.backend.backend())
    return generator, history, info


def save(generator, history, info, path=WEIGHTS):
    """Write the generator's weights, the history and ``info`` to one ``.npz`` file."""
    _shipped.save(generator, history, info, path)


def load(path=WEIGHTS):
    """``make_generator()`` holding the shipped weights, with the history and info of the run that made them."""
    return _shipped.load_into(make_generator(), path)


if __name__ == "__main__":   # python -m dlcourse.dcgan [output.npz]: retrain and write the generator
    _shipped.retrain_and_save(retrain, WEIGHTS)
