"""Student answers for exercise 11 (autoencoders and VAEs), used to test its grader through nbgrader.

For each graded part (keyed by the grade_id of its solution cell): ``CORRECT`` holds alternative
correct implementations written differently from the reference (a loop over thresholds against one
sort, loops over examples, ``ops.tile`` against ``ops.repeat``, the KL through traces and log
determinants, ``softplus`` against ``relu`` and ``log1p``, the functional API and separate activation
layers against ``Sequential``), each of which must earn full marks, and ``WRONG`` the plausible mistakes
a student makes, each of which must earn zero on its part. Each entry is the whole source of the
solution cell, as a student would leave it.

``REASONS`` says, for every wrong answer, what its test cell must report (a substring of
``"ExceptionName: message"`` of the error the test cell raised). No part's answers call another part's
code, so the wrong answers of one submission are independent.
"""

CORRECT = {
    "roc_auc": [
        # one pass per distinct threshold, counting with boolean masks
        '''
def roc_auc(scores, labels):
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels)
    if scores.ndim != 1 or labels.ndim != 1 or len(scores) != len(labels):
        raise ValueError("need two 1-d arrays of one length")
    if np.any((labels != 0) & (labels != 1)):
        raise ValueError("labels are 0 or 1")
    pos = labels.astype(bool)
    if pos.all() or not pos.any():
        raise ValueError("both classes are needed")
    thresholds = np.concatenate([[np.inf], np.sort(np.unique(scores))[::-1]])
    tpr = np.array([np.count_nonzero(scores[pos] >= t) for t in thresholds]) / pos.sum()
    fpr = np.array([np.count_nonzero(scores[~pos] >= t) for t in thresholds]) / (~pos).sum()
    auc = 0.0
    for i in range(1, len(thresholds)):
        auc += (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2
    return fpr, tpr, thresholds, auc
''',
        # counts per distinct score with np.unique and bincount, cumulated from the top; np.trapezoid-free area
        '''
def roc_auc(scores, labels):
    s = np.array(scores, dtype=np.float64)
    y = np.array(labels)
    if s.ndim != 1 or y.shape != s.shape:
        raise ValueError("shapes")
    if not set(np.unique(y).tolist()) <= {0, 1}:
        raise ValueError("labels")
    y = y.astype(np.int64)
    P, N = y.sum(), len(y) - y.sum()
    if P == 0 or N == 0:
        raise ValueError("one class only")
    values, index = np.unique(s, return_inverse=True)
    pos = np.bincount(index, weights=y, minlength=len(values))[::-1]
    neg = np.bincount(index, weights=1 - y, minlength=len(values))[::-1]
    tpr = np.concatenate([[0.0], np.cumsum(pos)]) / P
    fpr = np.concatenate([[0.0], np.cumsum(neg)]) / N
    widths = fpr[1:] - fpr[:-1]
    return fpr, tpr, np.concatenate([[np.inf], values[::-1]]), float(np.dot(widths, (tpr[1:] + tpr[:-1]) * 0.5))
''',
    ],
    "reconstruction_error": [
        # a loop over the examples, each flattened
        '''
def reconstruction_error(x, x_hat, kind="mse"):
    if np.shape(x) != np.shape(x_hat):
        raise ValueError("x and x_hat need the same shape")
    if kind not in ("mse", "bce"):
        raise ValueError("unknown kind")
    out = np.empty(len(x))
    for i in range(len(x)):
        a = np.ravel(x[i]).astype(float)
        b = np.ravel(x_hat[i]).astype(float)
        if kind == "mse":
            out[i] = np.mean((a - b) ** 2)
        else:
            b = np.minimum(np.maximum(b, 1e-7), 1 - 1e-7)
            out[i] = -np.mean(a * np.log(b) + (1 - a) * np.log(1 - b))
    return out
''',
        # the mean over a tuple of axes, float32 kept, the clip written with where
        '''
def reconstruction_error(x, x_hat, kind="mse"):
    x = np.asarray(x)
    x_hat = np.asarray(x_hat)
    if x.shape != x_hat.shape:
        raise ValueError(f"shapes differ: {x.shape} vs {x_hat.shape}")
    axes = tuple(range(1, x.ndim))
    if kind == "mse":
        diff = x - x_hat
        return np.mean(diff * diff, axis=axes) if axes else diff * diff
    if kind == "bce":
        eps = 1e-7
        p = np.where(x_hat < eps, eps, np.where(x_hat > 1 - eps, 1 - eps, x_hat))
        terms = -(x * np.log(p) + (1 - x) * np.log1p(-p))
        return np.mean(terms, axis=axes) if axes else terms
    raise ValueError(kind)
''',
    ],
    "Sampling": [
        # ops.tile and a standard deviation through sqrt(exp(.))
        '''
import keras
from keras import ops


class Sampling(keras.layers.Layer):
    def __init__(self, samples=1, seed=None, **kwargs):
        if samples < 1:
            raise ValueError("at least one sample")
        super().__init__(**kwargs)
        self.samples = samples
        self.seed_generator = keras.random.SeedGenerator(seed=seed)

    def call(self, inputs):
        mean, log_var = inputs
        mean = ops.tile(ops.expand_dims(mean, axis=1), (1, self.samples, 1))
        std = ops.tile(ops.expand_dims(ops.sqrt(ops.exp(log_var)), axis=1), (1, self.samples, 1))
        noise = keras.random.normal(ops.shape(mean), mean=0.0, stddev=1.0, seed=self.seed_generator)
        return mean + std * noise
''',
        # noise drawn in the (n, samples, d) shape from the batch size at run time, broadcasting
        '''
import keras
from keras import ops


class Sampling(keras.layers.Layer):
    def __init__(self, samples=1, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(samples, int) or samples <= 0:
            raise ValueError("samples must be a positive int")
        self.k = samples
        self.rng = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        mu, logvar = inputs[0], inputs[1]
        n, d = ops.shape(mu)[0], ops.shape(mu)[1]
        eps = keras.random.normal((n, self.k, d), seed=self.rng)
        return mu[:, None, :] + ops.exp(logvar[:, None, :] / 2.0) * eps
''',
    ],
    "gaussian_kl": [
        # traces and log-determinants of the diagonal covariances
        '''
def gaussian_kl(mean_q, log_var_q, mean_p=0.0, log_var_p=0.0):
    mq, lq, mp, lp = np.broadcast_arrays(*[np.asarray(a, dtype=np.float64) for a in (mean_q, log_var_q, mean_p, log_var_p)])
    var_q, var_p = np.exp(lq), np.exp(lp)
    d = mq.shape[-1]
    trace = np.sum(var_q / var_p, axis=-1)
    mahalanobis = np.sum((mp - mq) ** 2 / var_p, axis=-1)
    log_det_ratio = np.sum(lp, axis=-1) - np.sum(lq, axis=-1)
    return 0.5 * (trace + mahalanobis - d + log_det_ratio)
''',
        # per dimension through standard deviations, the variance ratio as exp of a difference
        '''
import math

def gaussian_kl(mean_q, log_var_q, mean_p=0.0, log_var_p=0.0):
    mean_q = np.array(mean_q, dtype=float)
    log_var_q = np.array(log_var_q, dtype=float)
    mean_p = np.array(mean_p, dtype=float)
    log_var_p = np.array(log_var_p, dtype=float)
    log_ratio = 0.5 * (log_var_p - log_var_q)           # log(sigma_p / sigma_q)
    terms = log_ratio + 0.5 * np.exp(log_var_q - log_var_p) + 0.5 * (mean_q - mean_p) ** 2 * np.exp(-log_var_p) - 0.5
    shape = np.broadcast(mean_q, log_var_q, mean_p, log_var_p).shape
    return np.broadcast_to(terms, shape).sum(axis=-1)
''',
    ],
    "vae_loss": [
        # keras.ops.binary_crossentropy from logits (elementwise), summed over a tuple of axes
        '''
import keras
from keras import ops


def vae_loss(x, logits, mean, log_var):
    x = ops.cast(x, "float32")
    logits = ops.cast(logits, "float32")
    per_entry = ops.binary_crossentropy(x, logits, from_logits=True)
    axes = tuple(range(1, len(per_entry.shape)))
    reconstruction = ops.sum(per_entry, axis=axes)
    kl = -0.5 * ops.sum(1.0 + log_var - ops.square(mean) - ops.exp(log_var), axis=1)
    return ops.mean(reconstruction) + ops.mean(kl)
''',
        # softplus(l) - x l, flattened first
        '''
import keras
from keras import ops


def vae_loss(x, logits, mean, log_var):
    n = ops.shape(x)[0]
    x = ops.reshape(ops.convert_to_tensor(x, dtype="float32"), (n, -1))
    l = ops.reshape(ops.convert_to_tensor(logits, dtype="float32"), (n, -1))
    nll = ops.sum(ops.softplus(l) - x * l, axis=-1)
    mean = ops.convert_to_tensor(mean, dtype="float32")
    log_var = ops.convert_to_tensor(log_var, dtype="float32")
    kl = ops.sum(ops.exp(log_var) + mean * mean - 1.0 - log_var, axis=-1) / 2.0
    return ops.sum(nll + kl) / ops.cast(n, "float32")
''',
    ],
    "conv_autoencoder": [
        # the functional API; the autoencoder calls the two models
        '''
import keras


def conv_autoencoder(height, width, channels, filters, latent_dim):
    if min(height, width, channels, filters, latent_dim) < 1 or height % 4 != 0 or width % 4 != 0:
        raise ValueError("bad sizes")
    image = keras.Input(shape=(height, width, channels))
    h = keras.layers.Conv2D(filters, (3, 3), strides=(2, 2), padding="same", activation="relu")(image)
    h = keras.layers.Conv2D(filters * 2, (3, 3), strides=(2, 2), padding="same", activation="relu")(h)
    code = keras.layers.Dense(latent_dim)(keras.layers.Flatten()(h))
    encoder = keras.Model(image, code)
    z = keras.Input(shape=(latent_dim,))
    g = keras.layers.Dense(height // 4 * (width // 4) * filters * 2, activation="relu")(z)
    g = keras.layers.Reshape((height // 4, width // 4, filters * 2))(g)
    g = keras.layers.Conv2DTranspose(filters, (3, 3), strides=(2, 2), padding="same", activation="relu")(g)
    out = keras.layers.Conv2DTranspose(channels, (3, 3), strides=(2, 2), padding="same", activation="sigmoid")(g)
    decoder = keras.Model(z, out)
    autoencoder = keras.Model(image, decoder(encoder(image)))
    return encoder, decoder, autoencoder
''',
        # activations as separate layers
        '''
import keras
from keras import layers


def conv_autoencoder(height, width, channels, filters, latent_dim):
    for v in (height, width, channels, filters, latent_dim):
        if v < 1:
            raise ValueError("sizes must be positive")
    if height % 4 or width % 4:
        raise ValueError("height and width must be multiples of 4")
    encoder = keras.Sequential([layers.Input((height, width, channels)),
                                layers.Conv2D(filters, 3, strides=2, padding="same"), layers.ReLU(),
                                layers.Conv2D(2 * filters, 3, strides=2, padding="same"), layers.ReLU(),
                                layers.Flatten(), layers.Dense(latent_dim)])
    decoder = keras.Sequential([layers.Input((latent_dim,)),
                                layers.Dense((height // 4) * (width // 4) * 2 * filters), layers.ReLU(),
                                layers.Reshape((height // 4, width // 4, 2 * filters)),
                                layers.Conv2DTranspose(filters, 3, strides=2, padding="same"), layers.ReLU(),
                                layers.Conv2DTranspose(channels, 3, strides=2, padding="same"),
                                layers.Activation("sigmoid")])
    inputs = layers.Input((height, width, channels))
    return encoder, decoder, keras.Model(inputs, decoder(encoder(inputs)))
''',
    ],
}

WRONG = {
    "roc_auc": {
        "ties not grouped: one point per example": '''
def roc_auc(scores, labels):
    scores, labels = np.asarray(scores, dtype=float), np.asarray(labels)
    if scores.shape != labels.shape or scores.ndim != 1 or labels.min() == labels.max():
        raise ValueError("bad input")
    order = np.argsort(-scores)
    pos = labels[order] == 1
    tpr = np.r_[0.0, np.cumsum(pos) / pos.sum()]
    fpr = np.r_[0.0, np.cumsum(~pos) / (~pos).sum()]
    auc = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    return fpr, tpr, np.r_[np.inf, scores[order]], auc
''',
        "thresholds in increasing order": '''
def roc_auc(scores, labels):
    scores, labels = np.asarray(scores, dtype=float), np.asarray(labels)
    if scores.shape != labels.shape or scores.ndim != 1 or labels.min() == labels.max():
        raise ValueError("bad input")
    thresholds = np.r_[np.inf, np.unique(scores)]
    pos = labels == 1
    tpr = np.array([np.mean(scores[pos] >= t) for t in thresholds])
    fpr = np.array([np.mean(scores[~pos] >= t) for t in thresholds])
    auc = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    return fpr, tpr, thresholds, auc
''',
        "scores strictly above the threshold (> instead of >=)": '''
def roc_auc(scores, labels):
    scores, labels = np.asarray(scores, dtype=float), np.asarray(labels)
    if scores.shape != labels.shape or scores.ndim != 1 or labels.min() == labels.max():
        raise ValueError("bad input")
    thresholds = np.r_[np.inf, np.unique(scores)[::-1]]
    pos = labels == 1
    tpr = np.array([np.mean(scores[pos] > t) for t in thresholds])
    fpr = np.array([np.mean(scores[~pos] > t) for t in thresholds])
    auc = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    return fpr, tpr, thresholds, auc
''',
        "area by rectangles (left Riemann sum), wrong where scores tie": '''
def roc_auc(scores, labels):
    scores, labels = np.asarray(scores, dtype=float), np.asarray(labels)
    if scores.shape != labels.shape or scores.ndim != 1 or labels.min() == labels.max():
        raise ValueError("bad input")
    thresholds = np.r_[np.inf, np.unique(scores)[::-1]]
    pos = labels == 1
    tpr = np.array([np.mean(scores[pos] >= t) for t in thresholds])
    fpr = np.array([np.mean(scores[~pos] >= t) for t in thresholds])
    auc = float(np.sum(np.diff(fpr) * tpr[:-1]))
    return fpr, tpr, thresholds, auc
''',
        "scikit-learn's roc_curve": '''
def roc_auc(scores, labels):
    from sklearn.metrics import auc, roc_curve
    fpr, tpr, thresholds = roc_curve(labels, scores, drop_intermediate=False)
    return fpr, tpr, thresholds, auc(fpr, tpr)
''',
    },
    "reconstruction_error": {
        "mean over the last axis only": '''
def reconstruction_error(x, x_hat, kind="mse"):
    if x.shape != x_hat.shape:
        raise ValueError("shapes differ")
    if kind == "mse":
        return np.mean((x - x_hat) ** 2, axis=-1)
    if kind == "bce":
        p = np.clip(x_hat, 1e-7, 1 - 1e-7)
        return np.mean(-(x * np.log(p) + (1 - x) * np.log(1 - p)), axis=-1)
    raise ValueError(kind)
''',
        "sum instead of mean": '''
def reconstruction_error(x, x_hat, kind="mse"):
    if x.shape != x_hat.shape:
        raise ValueError("shapes differ")
    if kind == "mse":
        per_entry = (x - x_hat) ** 2
    elif kind == "bce":
        p = np.clip(x_hat, 1e-7, 1 - 1e-7)
        per_entry = -(x * np.log(p) + (1 - x) * np.log(1 - p))
    else:
        raise ValueError(kind)
    return per_entry.reshape(len(x), -1).sum(axis=1)
''',
        "no clipping: log(0) for a reconstruction of exactly 0 or 1": '''
def reconstruction_error(x, x_hat, kind="mse"):
    if x.shape != x_hat.shape:
        raise ValueError("shapes differ")
    if kind == "mse":
        per_entry = (x - x_hat) ** 2
    elif kind == "bce":
        per_entry = -(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat))
    else:
        raise ValueError(kind)
    return per_entry.reshape(len(x), -1).mean(axis=1)
''',
        "shapes not compared: broadcasting hides a wrong x_hat": '''
def reconstruction_error(x, x_hat, kind="mse"):
    if kind == "mse":
        per_entry = (x - x_hat) ** 2
    elif kind == "bce":
        p = np.clip(x_hat, 1e-7, 1 - 1e-7)
        per_entry = -(x * np.log(p) + (1 - x) * np.log(1 - p))
    else:
        raise ValueError(kind)
    return np.mean(per_entry, axis=tuple(range(1, np.ndim(per_entry))))
''',
        "x_hat clipped in place": '''
def reconstruction_error(x, x_hat, kind="mse"):
    if x.shape != x_hat.shape:
        raise ValueError("shapes differ")
    if kind == "mse":
        per_entry = (x - x_hat) ** 2
    elif kind == "bce":
        np.clip(x_hat, 1e-7, 1 - 1e-7, out=x_hat)
        per_entry = -(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat))
    else:
        raise ValueError(kind)
    return per_entry.reshape(len(x), -1).mean(axis=1)
''',
    },
    "Sampling": {
        "the variance used as the standard deviation": '''
import keras
from keras import ops


class Sampling(keras.layers.Layer):
    def __init__(self, samples=1, seed=None, **kwargs):
        super().__init__(**kwargs)
        if samples < 1:
            raise ValueError("samples >= 1")
        self.samples = samples
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        mean, log_var = inputs
        mean = ops.repeat(ops.expand_dims(mean, 1), self.samples, axis=1)
        eps = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(ops.expand_dims(log_var, 1)) * eps
''',
        "one noise draw shared by all samples of an example": '''
import keras
from keras import ops


class Sampling(keras.layers.Layer):
    def __init__(self, samples=1, seed=None, **kwargs):
        super().__init__(**kwargs)
        if samples < 1:
            raise ValueError("samples >= 1")
        self.samples = samples
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        mean, log_var = inputs
        eps = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        z = mean + ops.exp(0.5 * log_var) * eps
        return ops.repeat(ops.expand_dims(z, 1), self.samples, axis=1)
''',
        "the seed ignored": '''
import keras
from keras import ops


class Sampling(keras.layers.Layer):
    def __init__(self, samples=1, seed=None, **kwargs):
        super().__init__(**kwargs)
        if samples < 1:
            raise ValueError("samples >= 1")
        self.samples = samples
        self.seed_generator = keras.random.SeedGenerator()

    def call(self, inputs):
        mean, log_var = inputs
        mean = ops.repeat(ops.expand_dims(mean, 1), self.samples, axis=1)
        eps = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * ops.expand_dims(log_var, 1)) * eps
''',
        "TensorFlow's random.normal": '''
import keras
from keras import ops
import tensorflow as tf


class Sampling(keras.layers.Layer):
    def __init__(self, samples=1, seed=None, **kwargs):
        super().__init__(**kwargs)
        if samples < 1:
            raise ValueError("samples >= 1")
        self.samples = samples
        self.seed = seed

    def call(self, inputs):
        mean, log_var = inputs
        mean = ops.repeat(ops.expand_dims(mean, 1), self.samples, axis=1)
        eps = tf.random.normal(tf.shape(mean))
        return mean + ops.exp(0.5 * ops.expand_dims(log_var, 1)) * eps
''',
        "the noise term treated as a constant (stop_gradient)": '''
import keras
from keras import ops


class Sampling(keras.layers.Layer):
    def __init__(self, samples=1, seed=None, **kwargs):
        super().__init__(**kwargs)
        if samples < 1:
            raise ValueError("samples >= 1")
        self.samples = samples
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        mean, log_var = inputs
        mean = ops.repeat(ops.expand_dims(mean, 1), self.samples, axis=1)
        eps = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.stop_gradient(ops.exp(0.5 * ops.expand_dims(log_var, 1)) * eps)
''',
    },
    "gaussian_kl": {
        "the reverse KL, KL(p || q)": '''
def gaussian_kl(mean_q, log_var_q, mean_p=0.0, log_var_p=0.0):
    per_dim = 0.5 * (log_var_q - log_var_p + (np.exp(log_var_p) + (mean_q - mean_p) ** 2) / np.exp(log_var_q) - 1.0)
    shape = np.broadcast_shapes(np.shape(mean_q), np.shape(log_var_q), np.shape(mean_p), np.shape(log_var_p))
    return np.sum(np.broadcast_to(per_dim, shape), axis=-1)
''',
        "the factor 1/2 forgotten": '''
def gaussian_kl(mean_q, log_var_q, mean_p=0.0, log_var_p=0.0):
    per_dim = log_var_p - log_var_q + (np.exp(log_var_q) + (mean_q - mean_p) ** 2) / np.exp(log_var_p) - 1.0
    shape = np.broadcast_shapes(np.shape(mean_q), np.shape(log_var_q), np.shape(mean_p), np.shape(log_var_p))
    return np.sum(np.broadcast_to(per_dim, shape), axis=-1)
''',
        "averaged over the latent dimensions": '''
def gaussian_kl(mean_q, log_var_q, mean_p=0.0, log_var_p=0.0):
    per_dim = 0.5 * (log_var_p - log_var_q + (np.exp(log_var_q) + (mean_q - mean_p) ** 2) / np.exp(log_var_p) - 1.0)
    shape = np.broadcast_shapes(np.shape(mean_q), np.shape(log_var_q), np.shape(mean_p), np.shape(log_var_p))
    return np.mean(np.broadcast_to(per_dim, shape), axis=-1)
''',
        "the prior ignored: always N(0, I)": '''
def gaussian_kl(mean_q, log_var_q, mean_p=0.0, log_var_p=0.0):
    mean_q, log_var_q = np.broadcast_arrays(np.asarray(mean_q, float), np.asarray(log_var_q, float))
    return 0.5 * np.sum(np.exp(log_var_q) + mean_q ** 2 - 1.0 - log_var_q, axis=-1)
''',
        "summed over every axis (one number for the batch)": '''
def gaussian_kl(mean_q, log_var_q, mean_p=0.0, log_var_p=0.0):
    per_dim = 0.5 * (log_var_p - log_var_q + (np.exp(log_var_q) + (mean_q - mean_p) ** 2) / np.exp(log_var_p) - 1.0)
    return np.sum(per_dim)
''',
    },
    "vae_loss": {
        "keras.losses.binary_crossentropy, which averages the last axis": '''
import keras
from keras import ops


def vae_loss(x, logits, mean, log_var):
    bce = keras.losses.binary_crossentropy(x, logits, from_logits=True)
    reconstruction = ops.sum(ops.reshape(bce, (ops.shape(bce)[0], -1)), axis=1)
    kl = 0.5 * ops.sum(ops.exp(log_var) + ops.square(mean) - 1.0 - log_var, axis=-1)
    return ops.mean(reconstruction + kl)
''',
        "log(sigmoid(l)): not finite for large logits": '''
import keras
from keras import ops


def vae_loss(x, logits, mean, log_var):
    p = ops.sigmoid(ops.convert_to_tensor(logits, "float32"))
    x = ops.convert_to_tensor(x, "float32")
    per_entry = -(x * ops.log(p) + (1 - x) * ops.log(1 - p))
    reconstruction = ops.sum(ops.reshape(per_entry, (ops.shape(x)[0], -1)), axis=1)
    kl = 0.5 * ops.sum(ops.exp(log_var) + ops.square(mean) - 1.0 - log_var, axis=-1)
    return ops.mean(reconstruction + kl)
''',
        "the cross-entropy averaged over the pixels": '''
import keras
from keras import ops


def vae_loss(x, logits, mean, log_var):
    x, logits = ops.convert_to_tensor(x, "float32"), ops.convert_to_tensor(logits, "float32")
    per_entry = ops.relu(logits) - logits * x + ops.log1p(ops.exp(-ops.abs(logits)))
    reconstruction = ops.mean(ops.reshape(per_entry, (ops.shape(x)[0], -1)), axis=1)
    kl = 0.5 * ops.sum(ops.exp(log_var) + ops.square(mean) - 1.0 - log_var, axis=-1)
    return ops.mean(reconstruction + kl)
''',
        "numpy for the cross-entropy": '''
import keras
from keras import ops
import numpy as np


def vae_loss(x, logits, mean, log_var):
    x, logits = np.asarray(x, dtype=np.float64), np.asarray(logits, dtype=np.float64)
    per_entry = np.maximum(logits, 0) - logits * x + np.log1p(np.exp(-np.abs(logits)))
    reconstruction = per_entry.reshape(len(x), -1).sum(axis=1)
    kl = 0.5 * ops.sum(ops.exp(log_var) + ops.square(mean) - 1.0 - log_var, axis=-1)
    return ops.mean(reconstruction + kl)
''',
        "TensorFlow's sigmoid_cross_entropy_with_logits": '''
import keras
from keras import ops
import tensorflow as tf


def vae_loss(x, logits, mean, log_var):
    per_entry = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.cast(x, tf.float32), logits=tf.cast(logits, tf.float32))
    reconstruction = ops.sum(ops.reshape(per_entry, (ops.shape(per_entry)[0], -1)), axis=1)
    kl = 0.5 * ops.sum(ops.exp(log_var) + ops.square(mean) - 1.0 - log_var, axis=-1)
    return ops.mean(reconstruction + kl)
''',
    },
    "conv_autoencoder": {
        "the lesson's 7 x 7 hard-coded in the decoder": '''
import keras


def conv_autoencoder(height, width, channels, filters, latent_dim):
    if min(height, width, channels, filters, latent_dim) < 1 or height % 4 or width % 4:
        raise ValueError("bad sizes")
    encoder = keras.Sequential([
        keras.Input((height, width, channels)),
        keras.layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2D(2 * filters, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Flatten(), keras.layers.Dense(latent_dim)])
    decoder = keras.Sequential([
        keras.Input((latent_dim,)),
        keras.layers.Dense(7 * 7 * 2 * filters, activation="relu"),
        keras.layers.Reshape((7, 7, 2 * filters)),
        keras.layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2DTranspose(channels, 3, strides=2, padding="same", activation="sigmoid")])
    return encoder, decoder, keras.Sequential([encoder, decoder])
''',
        "no sigmoid on the output": '''
import keras


def conv_autoencoder(height, width, channels, filters, latent_dim):
    if min(height, width, channels, filters, latent_dim) < 1 or height % 4 or width % 4:
        raise ValueError("bad sizes")
    encoder = keras.Sequential([
        keras.Input((height, width, channels)),
        keras.layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2D(2 * filters, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Flatten(), keras.layers.Dense(latent_dim)])
    decoder = keras.Sequential([
        keras.Input((latent_dim,)),
        keras.layers.Dense(height // 4 * (width // 4) * 2 * filters, activation="relu"),
        keras.layers.Reshape((height // 4, width // 4, 2 * filters)),
        keras.layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2DTranspose(channels, 3, strides=2, padding="same")])
    return encoder, decoder, keras.Sequential([encoder, decoder])
''',
        "a relu on the code": '''
import keras


def conv_autoencoder(height, width, channels, filters, latent_dim):
    if min(height, width, channels, filters, latent_dim) < 1 or height % 4 or width % 4:
        raise ValueError("bad sizes")
    encoder = keras.Sequential([
        keras.Input((height, width, channels)),
        keras.layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2D(2 * filters, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Flatten(), keras.layers.Dense(latent_dim, activation="relu")])
    decoder = keras.Sequential([
        keras.Input((latent_dim,)),
        keras.layers.Dense(height // 4 * (width // 4) * 2 * filters, activation="relu"),
        keras.layers.Reshape((height // 4, width // 4, 2 * filters)),
        keras.layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2DTranspose(channels, 3, strides=2, padding="same", activation="sigmoid")])
    return encoder, decoder, keras.Sequential([encoder, decoder])
''',
        "the autoencoder built from new layers (weights not shared)": '''
import keras


def conv_autoencoder(height, width, channels, filters, latent_dim):
    if min(height, width, channels, filters, latent_dim) < 1 or height % 4 or width % 4:
        raise ValueError("bad sizes")

    def encoder_layers():
        return [keras.layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu"),
                keras.layers.Conv2D(2 * filters, 3, strides=2, padding="same", activation="relu"),
                keras.layers.Flatten(), keras.layers.Dense(latent_dim)]

    def decoder_layers():
        return [keras.layers.Dense(height // 4 * (width // 4) * 2 * filters, activation="relu"),
                keras.layers.Reshape((height // 4, width // 4, 2 * filters)),
                keras.layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu"),
                keras.layers.Conv2DTranspose(channels, 3, strides=2, padding="same", activation="sigmoid")]

    encoder = keras.Sequential([keras.Input((height, width, channels)), *encoder_layers()])
    decoder = keras.Sequential([keras.Input((latent_dim,)), *decoder_layers()])
    autoencoder = keras.Sequential([keras.Input((height, width, channels)), *encoder_layers(), *decoder_layers()])
    return encoder, decoder, autoencoder
''',
        "tf.keras instead of keras": '''
import keras
import tensorflow as tf


def conv_autoencoder(height, width, channels, filters, latent_dim):
    if min(height, width, channels, filters, latent_dim) < 1 or height % 4 or width % 4:
        raise ValueError("bad sizes")
    L = tf.keras.layers
    encoder = tf.keras.Sequential([
        tf.keras.Input((height, width, channels)),
        L.Conv2D(filters, 3, strides=2, padding="same", activation="relu"),
        L.Conv2D(2 * filters, 3, strides=2, padding="same", activation="relu"),
        L.Flatten(), L.Dense(latent_dim)])
    decoder = tf.keras.Sequential([
        tf.keras.Input((latent_dim,)),
        L.Dense(height // 4 * (width // 4) * 2 * filters, activation="relu"),
        L.Reshape((height // 4, width // 4, 2 * filters)),
        L.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu"),
        L.Conv2DTranspose(channels, 3, strides=2, padding="same", activation="sigmoid")])
    return encoder, decoder, tf.keras.Sequential([encoder, decoder])
''',
    },
}

VISIBLE_ROC = "for 6 scores, two of them tied (0.4), 3 positives"
VISIBLE_CONV = "for 8 x 12 grey images, 4 filters, a 3-number code"
REASONS = {
    "roc_auc": {
        "ties not grouped: one point per example": f"the thresholds {VISIBLE_ROC} have shape (7,); expected (6,)",
        "thresholds in increasing order": f"the thresholds after inf {VISIBLE_ROC} has the right shape",
        "scores strictly above the threshold (> instead of >=)": f"the false-positive rates {VISIBLE_ROC} has the right shape",
        "area by rectangles (left Riemann sum), wrong where scores tie": f"the AUC {VISIBLE_ROC} is off",
        "scikit-learn's roc_curve": "uses `sklearn`",
    },
    "reconstruction_error": {
        "mean over the last axis only": "the mse errors for 3 images of 4 x 5 has shape (3, 4)",
        "sum instead of mean": "the mse errors for 3 images of 4 x 5 has the right shape",
        "no clipping: log(0) for a reconstruction of exactly 0 or 1":
            "the bce errors for a perfect reconstruction of 0s and 1s (x_hat exactly 0 and 1) contains NaN",
        "shapes not compared: broadcasting hides a wrong x_hat":
            "reconstruction_error must raise ValueError for x (3, 4) and x_hat (1, 4)",
        "x_hat clipped in place": "reconstruction_error changed argument 1 in place",
    },
    "Sampling": {
        "the variance used as the standard deviation":
            "The standard deviation of your codes for 3 examples, d = 2, 4000 samples",
        "one noise draw shared by all samples of an example":
            "The average of your 4000 codes per example for 3 examples, d = 2, 4000 samples is not the mean",
        "the seed ignored": "Two Sampling layers made with the same seed gave different codes",
        "TensorFlow's random.normal": "uses `tf`",
        "the noise term treated as a constant (stop_gradient)":
            "Training did not change the weights that produce the log-variance",
    },
    "gaussian_kl": {
        "the reverse KL, KL(p || q)": "the KL for 4 examples, d = 3, to N(0, I) has the right shape",
        "the factor 1/2 forgotten": "the KL for 4 examples, d = 3, to N(0, I) has the right shape",
        "averaged over the latent dimensions": "the KL for 4 examples, d = 3, to N(0, I) has the right shape",
        "the prior ignored: always N(0, I)": "the KL for 4 examples, d = 3, to another diagonal Gaussian has the right shape",
        "summed over every axis (one number for the batch)": "the KL for 4 examples, d = 3, to N(0, I) has shape ()",
    },
    "vae_loss": {
        "keras.losses.binary_crossentropy, which averages the last axis": "the loss for 3 images of 4 x 4 and d = 2 is off",
        "log(sigmoid(l)): not finite for large logits": "not a finite number",
        "the cross-entropy averaged over the pixels": "the loss for 3 images of 4 x 4 and d = 2 is off",
        "numpy for the cross-entropy": "uses `np`",
        "TensorFlow's sigmoid_cross_entropy_with_logits": "uses `tf`",
    },
    "conv_autoencoder": {
        "the lesson's 7 x 7 hard-coded in the decoder": f"The decoder {VISIBLE_CONV} maps codes of shape (2, 3) to (2, 28, 28, 1)",
        "no sigmoid on the output": "they must stay in [0, 1]: end with a sigmoid",
        "a relu on the code": "Every code your encoder gave for 32 random inputs is >= 0",
        "the autoencoder built from new layers (weights not shared)": f"the autoencoder's output {VISIBLE_CONV} has the right",
        "tf.keras instead of keras": "uses `tf`",
    },
}
