"""Student answers for exercise 12 (generative adversarial networks), used to test its grader through nbgrader.

For each graded part (keyed by the grade_id of its solution cell): ``CORRECT`` holds alternative correct
implementations written differently from the reference (Keras' own cross-entropy from logits, log-sigmoid,
a hand-written stable softplus, a functional generator with upsampling, a discriminator with pooling and
batch norm, a step with ``apply_gradients`` and Keras' losses, loops over samples), each of which must earn
full marks, and ``WRONG`` the plausible mistakes a student makes, each of which must earn zero on its part.
Each entry is the whole source of the solution cell, as a student would leave it.

``REASONS`` says, for every wrong answer, what its test cell must report (a substring of
``"ExceptionName: message"`` of the error the test cell raised). No part's answers call another part's
code, so the wrong answers of one submission are independent.
"""

CORRECT = {
    "discriminator_loss": [
        # Keras' binary cross-entropy from logits, real labelled 1 and fake 0
        '''
import keras
from keras import ops

def discriminator_loss(real_logits, fake_logits):
    real = ops.reshape(ops.convert_to_tensor(real_logits, "float32"), (-1, 1))
    fake = ops.reshape(ops.convert_to_tensor(fake_logits, "float32"), (-1, 1))
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    return bce(ops.ones_like(real), real) + bce(ops.zeros_like(fake), fake)
''',
        # log-sigmoid, and the identity log(1 - sigmoid(l)) = log sigmoid(-l)
        '''
import keras
from keras import ops

def discriminator_loss(real_logits, fake_logits):
    r = ops.cast(real_logits, "float32")
    f = ops.cast(fake_logits, "float32")
    return -ops.mean(ops.log_sigmoid(r)) - ops.mean(ops.log_sigmoid(-f))
''',
    ],
    "generator_loss": [
        # a stable softplus by hand: max(x, 0) + log1p(exp(-|x|))
        '''
import keras
from keras import ops

def generator_loss(fake_logits):
    x = -ops.convert_to_tensor(fake_logits, dtype="float32")
    return ops.mean(ops.relu(x) + ops.log1p(ops.exp(-ops.abs(x))))
''',
        # Keras' cross-entropy from logits with the fakes labelled real
        '''
import keras
from keras import ops

def generator_loss(fake_logits):
    f = ops.reshape(ops.convert_to_tensor(fake_logits, "float32"), (-1,))
    return ops.mean(keras.losses.binary_crossentropy(ops.ones_like(f)[:, None], f[:, None], from_logits=True))
''',
    ],
    "smoothed_discriminator_loss": [
        # Keras' cross-entropy from logits with soft targets
        '''
import keras
from keras import ops

def smoothed_discriminator_loss(real_logits, fake_logits, smoothing):
    if smoothing < 0 or smoothing >= 1:
        raise ValueError("smoothing must lie in [0, 1)")
    real = ops.reshape(ops.convert_to_tensor(real_logits, "float32"), (-1, 1))
    fake = ops.reshape(ops.convert_to_tensor(fake_logits, "float32"), (-1, 1))
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    return bce(ops.full_like(real, 1.0 - smoothing), real) + bce(ops.zeros_like(fake), fake)
''',
        # softplus(-r) - s * r: the same thing, since softplus(r) - softplus(-r) = r
        '''
import keras
from keras import ops

def smoothed_discriminator_loss(real_logits, fake_logits, smoothing):
    if not (0.0 <= smoothing < 1.0):
        raise ValueError(f"bad smoothing {smoothing}")
    r = ops.cast(real_logits, "float32")
    f = ops.cast(fake_logits, "float32")
    return ops.mean(ops.softplus(-r) + smoothing * r) + ops.mean(ops.softplus(f))
''',
    ],
    "build_generator": [
        # functional: dense to 7x7x16, upsampling and plain convolutions
        '''
import keras
from keras import ops

def build_generator(latent_dim):
    z = keras.Input(shape=(latent_dim,))
    x = keras.layers.Dense(7 * 7 * 32, activation="relu")(z)
    x = keras.layers.Reshape((7, 7, 32))(x)
    x = keras.layers.UpSampling2D()(x)
    x = keras.layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = keras.layers.UpSampling2D()(x)
    x = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    image = keras.layers.Conv2D(1, 3, padding="same", activation="tanh")(x)
    return keras.Model(z, image)
''',
        # an MLP generator: dense layers, then a reshape of 784 tanh outputs
        '''
import keras
from keras import ops

def build_generator(latent_dim):
    model = keras.Sequential()
    model.add(keras.Input((latent_dim,)))
    model.add(keras.layers.Dense(128))
    model.add(keras.layers.LeakyReLU(0.2))
    model.add(keras.layers.Dense(28 * 28, activation="tanh"))
    model.add(keras.layers.Reshape((28, 28, 1)))
    return model
''',
    ],
    "build_discriminator": [
        # convolutions with max pooling and batch norm, functional
        '''
import keras
from keras import ops

def build_discriminator():
    images = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(32, 3, padding="same")(images)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.LeakyReLU(0.2)(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    return keras.Model(images, keras.layers.Dense(1)(x))
''',
        # a multilayer perceptron on the flattened image
        '''
import keras
from keras import ops

def build_discriminator():
    return keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                             keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
''',
    ],
    "train_step": [
        # Keras' cross-entropy from logits, apply_gradients with zip, the fakes made once per loss
        '''
import keras
from keras import ops

def train_step(generator, discriminator, real, z, d_optimizer, g_optimizer):
    bce = keras.losses.BinaryCrossentropy(from_logits=True)

    def d_loss():
        real_logits = discriminator(real, training=True)
        fake_logits = discriminator(generator(z, training=True), training=True)
        return bce(ops.ones_like(real_logits), real_logits) + bce(ops.zeros_like(fake_logits), fake_logits)

    loss_d, grads = value_and_grad(d_loss, discriminator.trainable_variables)
    d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))

    def g_loss():
        logits = discriminator(generator(z, training=True), training=True)
        return bce(ops.ones_like(logits), logits)

    loss_g, grads = value_and_grad(g_loss, generator.trainable_variables)
    g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))
    return float(ops.convert_to_numpy(loss_d)), float(ops.convert_to_numpy(loss_g))
''',
        # log-sigmoid losses, the variable lists taken once, numpy floats returned
        '''
import keras
from keras import ops

def train_step(generator, discriminator, real, z, d_optimizer, g_optimizer):
    d_vars = list(discriminator.trainable_variables)
    g_vars = list(generator.trainable_variables)
    fake_fn = lambda: generator(z, training=True)
    d_value, d_grads = value_and_grad(
        lambda: -ops.mean(ops.log_sigmoid(discriminator(real, training=True)))
                - ops.mean(ops.log_sigmoid(-discriminator(fake_fn(), training=True))), d_vars)
    d_optimizer.apply(d_grads, d_vars)
    g_value, g_grads = value_and_grad(lambda: -ops.mean(ops.log_sigmoid(discriminator(fake_fn(), training=True))),
                                      g_vars)
    g_optimizer.apply(g_grads, g_vars)
    return np.float64(ops.convert_to_numpy(d_value)), np.float64(ops.convert_to_numpy(g_value))
''',
    ],
    "coverage_and_confidence": [
        # loops over the samples and a dict of counts
        '''
def coverage_and_confidence(probs, min_count):
    probs = np.asarray(probs, dtype=float)
    if probs.ndim != 2 or len(probs) == 0 or min_count < 1:
        raise ValueError("probs must be (n, k) with n >= 1, and min_count >= 1")
    counts = {}
    total = 0.0
    for row in probs:
        best = int(np.argmax(row))
        counts[best] = counts.get(best, 0) + 1
        total += row[best]
    return sum(1 for c in counts.values() if c >= min_count), total / len(probs)
''',
        # np.unique with counts, take_along_axis for the top probabilities
        '''
def coverage_and_confidence(probs, min_count):
    if np.ndim(probs) != 2 or np.shape(probs)[0] < 1 or min_count < 1:
        raise ValueError("bad input")
    predicted = np.argmax(probs, axis=1)
    _, counts = np.unique(predicted, return_counts=True)
    top = np.take_along_axis(np.asarray(probs), predicted[:, None], axis=1)
    return int((counts >= min_count).sum()), float(top.mean())
''',
    ],
}

WRONG = {
    "discriminator_loss": {
        "log of the sigmoid: infinite for large logits": '''
import keras
from keras import ops

def discriminator_loss(real_logits, fake_logits):
    r = ops.sigmoid(ops.convert_to_tensor(real_logits, "float32"))
    f = ops.sigmoid(ops.convert_to_tensor(fake_logits, "float32"))
    return -ops.mean(ops.log(r)) - ops.mean(ops.log(1.0 - f))
''',
        "probabilities clipped to [1e-7, 1 - 1e-7]": '''
import keras
from keras import ops

def discriminator_loss(real_logits, fake_logits):
    r = ops.clip(ops.sigmoid(ops.cast(real_logits, "float32")), 1e-7, 1 - 1e-7)
    f = ops.clip(ops.sigmoid(ops.cast(fake_logits, "float32")), 1e-7, 1 - 1e-7)
    return -ops.mean(ops.log(r)) - ops.mean(ops.log(1.0 - f))
''',
        "one mean over both batches together": '''
import keras
from keras import ops

def discriminator_loss(real_logits, fake_logits):
    r = ops.reshape(ops.cast(real_logits, "float32"), (-1,))
    f = ops.reshape(ops.cast(fake_logits, "float32"), (-1,))
    return 2.0 * ops.mean(ops.concatenate([ops.softplus(-r), ops.softplus(f)]))
''',
        "labels swapped (real 0, fake 1)": '''
import keras
from keras import ops

def discriminator_loss(real_logits, fake_logits):
    r = ops.cast(real_logits, "float32")
    f = ops.cast(fake_logits, "float32")
    return ops.mean(ops.softplus(r)) + ops.mean(ops.softplus(-f))
''',
        "the logits taken for probabilities (from_logits forgotten)": '''
import keras
from keras import ops

def discriminator_loss(real_logits, fake_logits):
    real = ops.reshape(ops.convert_to_tensor(real_logits, "float32"), (-1, 1))
    fake = ops.reshape(ops.convert_to_tensor(fake_logits, "float32"), (-1, 1))
    bce = keras.losses.BinaryCrossentropy()
    return bce(ops.ones_like(real), real) + bce(ops.zeros_like(fake), fake)
''',
        "TensorFlow's sigmoid_cross_entropy_with_logits": '''
import keras
from keras import ops

import tensorflow as tf

def discriminator_loss(real_logits, fake_logits):
    r = tf.cast(real_logits, tf.float32)
    f = tf.cast(fake_logits, tf.float32)
    return (tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(tf.ones_like(r), r))
            + tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(tf.zeros_like(f), f)))
''',
    },
    "generator_loss": {
        "the saturating loss log(1 - D(G(z)))": '''
import keras
from keras import ops

def generator_loss(fake_logits):
    f = ops.convert_to_tensor(fake_logits, dtype="float32")
    return -ops.mean(ops.softplus(f))
''',
        "log of the sigmoid: infinite for rejected fakes": '''
import keras
from keras import ops

def generator_loss(fake_logits):
    f = ops.convert_to_tensor(fake_logits, dtype="float32")
    return -ops.mean(ops.log(ops.sigmoid(f)))
''',
        "a sum over the batch, not a mean": '''
import keras
from keras import ops

def generator_loss(fake_logits):
    return ops.sum(ops.softplus(-ops.cast(fake_logits, "float32")))
''',
        "the fakes labelled fake (the discriminator's half)": '''
import keras
from keras import ops

def generator_loss(fake_logits):
    return ops.mean(ops.softplus(ops.cast(fake_logits, "float32")))
''',
        "the negated logit (a Wasserstein-style loss)": '''
import keras
from keras import ops

def generator_loss(fake_logits):
    return -ops.mean(ops.cast(fake_logits, "float32"))
''',
        "returns the per-sample losses": '''
import keras
from keras import ops

def generator_loss(fake_logits):
    return ops.softplus(-ops.cast(fake_logits, "float32"))
''',
    },
    "smoothed_discriminator_loss": {
        "two-sided: the fakes' target moved to s too": '''
import keras
from keras import ops

def smoothed_discriminator_loss(real_logits, fake_logits, smoothing):
    if not 0.0 <= smoothing < 1.0:
        raise ValueError("smoothing must be in [0, 1)")
    r = ops.cast(real_logits, "float32")
    f = ops.cast(fake_logits, "float32")
    t = 1.0 - smoothing
    return (ops.mean(t * ops.softplus(-r) + (1 - t) * ops.softplus(r))
            + ops.mean((1 - smoothing) * ops.softplus(f) + smoothing * ops.softplus(-f)))
''',
        "the real target set to s instead of 1 - s": '''
import keras
from keras import ops

def smoothed_discriminator_loss(real_logits, fake_logits, smoothing):
    if not 0.0 <= smoothing < 1.0:
        raise ValueError("smoothing must be in [0, 1)")
    r = ops.cast(real_logits, "float32")
    f = ops.cast(fake_logits, "float32")
    return ops.mean(smoothing * ops.softplus(-r) + (1 - smoothing) * ops.softplus(r)) + ops.mean(ops.softplus(f))
''',
        "only the real loss scaled by 1 - s (the s log(1 - D) term forgotten)": '''
import keras
from keras import ops

def smoothed_discriminator_loss(real_logits, fake_logits, smoothing):
    if not 0.0 <= smoothing < 1.0:
        raise ValueError("smoothing must be in [0, 1)")
    r = ops.cast(real_logits, "float32")
    f = ops.cast(fake_logits, "float32")
    return (1.0 - smoothing) * ops.mean(ops.softplus(-r)) + ops.mean(ops.softplus(f))
''',
        "soft targets through log-probabilities: infinite for large logits": '''
import keras
from keras import ops

def smoothed_discriminator_loss(real_logits, fake_logits, smoothing):
    if not 0.0 <= smoothing < 1.0:
        raise ValueError("smoothing must be in [0, 1)")
    p = ops.sigmoid(ops.cast(real_logits, "float32"))
    q = ops.sigmoid(ops.cast(fake_logits, "float32"))
    t = 1.0 - smoothing
    return ops.mean(-t * ops.log(p) - (1 - t) * ops.log(1 - p)) + ops.mean(-ops.log(1 - q))
''',
        "no ValueError for a smoothing of 1 or more": '''
import keras
from keras import ops

def smoothed_discriminator_loss(real_logits, fake_logits, smoothing):
    r = ops.cast(real_logits, "float32")
    f = ops.cast(fake_logits, "float32")
    t = 1.0 - smoothing
    return ops.mean(t * ops.softplus(-r) + (1 - t) * ops.softplus(r)) + ops.mean(ops.softplus(f))
''',
    },
    "build_generator": {
        "a sigmoid output (images in [0, 1])": '''
import keras
from keras import ops

def build_generator(latent_dim):
    return keras.Sequential([
        keras.Input((latent_dim,)),
        keras.layers.Dense(7 * 7 * 32, activation="relu"),
        keras.layers.Reshape((7, 7, 32)),
        keras.layers.Conv2DTranspose(16, 4, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="sigmoid"),
    ])
''',
        "no output activation": '''
import keras
from keras import ops

def build_generator(latent_dim):
    return keras.Sequential([
        keras.Input((latent_dim,)),
        keras.layers.Dense(7 * 7 * 32, activation="relu"),
        keras.layers.Reshape((7, 7, 32)),
        keras.layers.Conv2DTranspose(16, 4, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same"),
    ])
''',
        "images without the channel axis (n, 28, 28)": '''
import keras
from keras import ops

def build_generator(latent_dim):
    return keras.Sequential([
        keras.Input((latent_dim,)),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dense(28 * 28, activation="tanh"),
        keras.layers.Reshape((28, 28)),
    ])
''',
        "the latent size fixed at 100": '''
import keras
from keras import ops

def build_generator(latent_dim):
    return keras.Sequential([
        keras.Input((100,)),
        keras.layers.Dense(7 * 7 * 32, activation="relu"),
        keras.layers.Reshape((7, 7, 32)),
        keras.layers.Conv2DTranspose(16, 4, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
    ])
''',
        "far too large (7x7x256 maps from a dense layer)": '''
import keras
from keras import ops

def build_generator(latent_dim):
    return keras.Sequential([
        keras.Input((latent_dim,)),
        keras.layers.Dense(7 * 7 * 256, use_bias=False),
        keras.layers.BatchNormalization(),
        keras.layers.ReLU(),
        keras.layers.Reshape((7, 7, 256)),
        keras.layers.Conv2DTranspose(128, 5, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2DTranspose(1, 5, strides=2, padding="same", activation="tanh"),
    ])
''',
        "the first layer frozen": '''
import keras
from keras import ops

def build_generator(latent_dim):
    return keras.Sequential([
        keras.Input((latent_dim,)),
        keras.layers.Dense(7 * 7 * 32, activation="relu", trainable=False),
        keras.layers.Reshape((7, 7, 32)),
        keras.layers.Conv2DTranspose(16, 4, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
    ])
''',
    },
    "build_discriminator": {
        "a sigmoid at the end (probabilities, not logits)": '''
import keras
from keras import ops

def build_discriminator():
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(16, 4, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2D(32, 4, strides=2, padding="same", activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
''',
        "a tanh at the end": '''
import keras
from keras import ops

def build_discriminator():
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(16, 4, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2D(32, 4, strides=2, padding="same", activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(1, activation="tanh"),
    ])
''',
        "two softmax outputs (real, fake)": '''
import keras
from keras import ops

def build_discriminator():
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(16, 4, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2D(32, 4, strides=2, padding="same", activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(2, activation="softmax"),
    ])
''',
        "far too large (a dense layer of 1024 on the pixels)": '''
import keras
from keras import ops

def build_discriminator():
    return keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                             keras.layers.Dense(1024, activation="relu"), keras.layers.Dense(1)])
''',
        "far too small (one bank of 3x3 filters and global pooling)": '''
import keras
from keras import ops

def build_discriminator():
    return keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(8, 3, activation="relu"),
                             keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(1)])
''',
        "the convolutions frozen": '''
import keras
from keras import ops

def build_discriminator():
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(16, 4, strides=2, padding="same", activation="relu", trainable=False),
        keras.layers.Conv2D(32, 4, strides=2, padding="same", activation="relu", trainable=False),
        keras.layers.Flatten(),
        keras.layers.Dense(1),
    ])
''',
    },
    "train_step": {
        "the generator's step first": '''
import keras
from keras import ops

def train_step(generator, discriminator, real, z, d_optimizer, g_optimizer):
    def g_loss_fn():
        return ops.mean(ops.softplus(-discriminator(generator(z, training=True), training=True)))
    g_loss, grads = value_and_grad(g_loss_fn, generator.trainable_variables)
    g_optimizer.apply(grads, generator.trainable_variables)

    def d_loss_fn():
        real_logits = discriminator(real, training=True)
        fake_logits = discriminator(generator(z, training=True), training=True)
        return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))
    d_loss, grads = value_and_grad(d_loss_fn, discriminator.trainable_variables)
    d_optimizer.apply(grads, discriminator.trainable_variables)
    return float(d_loss), float(g_loss)
''',
        "the saturating generator loss": '''
import keras
from keras import ops

def train_step(generator, discriminator, real, z, d_optimizer, g_optimizer):
    def d_loss_fn():
        real_logits = discriminator(real, training=True)
        fake_logits = discriminator(generator(z, training=True), training=True)
        return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))
    d_loss, grads = value_and_grad(d_loss_fn, discriminator.trainable_variables)
    d_optimizer.apply(grads, discriminator.trainable_variables)

    def g_loss_fn():
        return -ops.mean(ops.softplus(discriminator(generator(z, training=True), training=True)))
    g_loss, grads = value_and_grad(g_loss_fn, generator.trainable_variables)
    g_optimizer.apply(grads, generator.trainable_variables)
    return float(d_loss), float(g_loss)
''',
        "the discriminator's step also moves the generator": '''
import keras
from keras import ops

def train_step(generator, discriminator, real, z, d_optimizer, g_optimizer):
    def d_loss_fn():
        real_logits = discriminator(real, training=True)
        fake_logits = discriminator(generator(z, training=True), training=True)
        return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))
    both = discriminator.trainable_variables + generator.trainable_variables
    d_loss, grads = value_and_grad(d_loss_fn, both)
    d_optimizer.apply(grads, both)

    def g_loss_fn():
        return ops.mean(ops.softplus(-discriminator(generator(z, training=True), training=True)))
    g_loss, grads = value_and_grad(g_loss_fn, generator.trainable_variables)
    g_optimizer.apply(grads, generator.trainable_variables)
    return float(d_loss), float(g_loss)
''',
        "real and fake in two separate discriminator steps": '''
import keras
from keras import ops

def train_step(generator, discriminator, real, z, d_optimizer, g_optimizer):
    d_vars = discriminator.trainable_variables
    real_loss, grads = value_and_grad(lambda: ops.mean(ops.softplus(-discriminator(real, training=True))), d_vars)
    d_optimizer.apply(grads, d_vars)
    fake_loss, grads = value_and_grad(
        lambda: ops.mean(ops.softplus(discriminator(generator(z, training=True), training=True))), d_vars)
    d_optimizer.apply(grads, d_vars)

    def g_loss_fn():
        return ops.mean(ops.softplus(-discriminator(generator(z, training=True), training=True)))
    g_loss, grads = value_and_grad(g_loss_fn, generator.trainable_variables)
    g_optimizer.apply(grads, generator.trainable_variables)
    return float(real_loss) + float(fake_loss), float(g_loss)
''',
        "the losses returned after the updates": '''
import keras
from keras import ops

def train_step(generator, discriminator, real, z, d_optimizer, g_optimizer):
    def d_loss_fn():
        real_logits = discriminator(real, training=True)
        fake_logits = discriminator(generator(z, training=True), training=True)
        return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))

    def g_loss_fn():
        return ops.mean(ops.softplus(-discriminator(generator(z, training=True), training=True)))

    _, grads = value_and_grad(d_loss_fn, discriminator.trainable_variables)
    d_optimizer.apply(grads, discriminator.trainable_variables)
    _, grads = value_and_grad(g_loss_fn, generator.trainable_variables)
    g_optimizer.apply(grads, generator.trainable_variables)
    return float(d_loss_fn()), float(g_loss_fn())
''',
        "tf.GradientTape instead of value_and_grad": '''
import keras
from keras import ops

import tensorflow as tf

def train_step(generator, discriminator, real, z, d_optimizer, g_optimizer):
    with tf.GradientTape() as tape:
        d_loss = (ops.mean(ops.softplus(-discriminator(real, training=True)))
                  + ops.mean(ops.softplus(discriminator(generator(z, training=True), training=True))))
    d_optimizer.apply(tape.gradient(d_loss, discriminator.trainable_variables), discriminator.trainable_variables)
    with tf.GradientTape() as tape:
        g_loss = ops.mean(ops.softplus(-discriminator(generator(z, training=True), training=True)))
    g_optimizer.apply(tape.gradient(g_loss, generator.trainable_variables), generator.trainable_variables)
    return float(d_loss), float(g_loss)
''',
    },
    "coverage_and_confidence": {
        "argmax over the samples (axis 0)": '''
def coverage_and_confidence(probs, min_count):
    probs = np.asarray(probs)
    if probs.ndim != 2 or probs.shape[0] == 0 or min_count < 1:
        raise ValueError("bad input")
    counts = np.bincount(np.argmax(probs, axis=0), minlength=probs.shape[0])
    return int(np.sum(counts >= min_count)), float(np.mean(np.max(probs, axis=1)))
''',
        "the mean of every probability (always 1 / k)": '''
def coverage_and_confidence(probs, min_count):
    probs = np.asarray(probs)
    if probs.ndim != 2 or probs.shape[0] == 0 or min_count < 1:
        raise ValueError("bad input")
    counts = np.bincount(np.argmax(probs, axis=1), minlength=probs.shape[1])
    return int(np.sum(counts >= min_count)), float(np.mean(probs))
''',
        "more than min_count (> instead of >=)": '''
def coverage_and_confidence(probs, min_count):
    probs = np.asarray(probs)
    if probs.ndim != 2 or probs.shape[0] == 0 or min_count < 1:
        raise ValueError("bad input")
    counts = np.bincount(np.argmax(probs, axis=1), minlength=probs.shape[1])
    return int(np.sum(counts > min_count)), float(np.mean(np.max(probs, axis=1)))
''',
        "ten classes hard-coded": '''
def coverage_and_confidence(probs, min_count):
    probs = np.asarray(probs)
    if probs.ndim != 2 or probs.shape[0] == 0 or min_count < 1:
        raise ValueError("bad input")
    predicted = np.argmax(probs, axis=1)
    coverage = sum(int(np.sum(predicted == c) >= min_count) for c in range(10))
    return coverage, float(np.mean(np.max(probs, axis=1)))
''',
        "min_count ignored (any class predicted once)": '''
def coverage_and_confidence(probs, min_count):
    probs = np.asarray(probs)
    if probs.ndim != 2 or probs.shape[0] == 0 or min_count < 1:
        raise ValueError("bad input")
    return len(set(np.argmax(probs, axis=1).tolist())), float(np.mean(np.max(probs, axis=1)))
''',
        "coverage as a float (a fraction of the classes)": '''
def coverage_and_confidence(probs, min_count):
    probs = np.asarray(probs)
    if probs.ndim != 2 or probs.shape[0] == 0 or min_count < 1:
        raise ValueError("bad input")
    counts = np.bincount(np.argmax(probs, axis=1), minlength=probs.shape[1])
    return float(np.mean(counts >= min_count)), float(np.mean(np.max(probs, axis=1)))
''',
    },
}

REASONS = {
    "discriminator_loss": {
        "log of the sigmoid: infinite for large logits":
            "discriminator_loss for a sure but wrong discriminator (loss in the thousands) is inf",
        "probabilities clipped to [1e-7, 1 - 1e-7]": "discriminator_loss for a sure but wrong discriminator (loss in the thousands) is off",
        "one mean over both batches together": "discriminator_loss for 3 real and 2 fake logits is off",
        "labels swapped (real 0, fake 1)": "discriminator_loss for 3 real and 2 fake logits is off",
        "the logits taken for probabilities (from_logits forgotten)": "discriminator_loss for 3 real and 2 fake logits is off",
        "TensorFlow's sigmoid_cross_entropy_with_logits": "uses `tf`",
    },
    "generator_loss": {
        "the saturating loss log(1 - D(G(z)))": "generator_loss for 3 fake logits is off",
        "log of the sigmoid: infinite for rejected fakes": "generator_loss for fakes the discriminator rejects surely",
        "a sum over the batch, not a mean": "generator_loss for 3 fake logits is off",
        "the fakes labelled fake (the discriminator's half)": "generator_loss for 3 fake logits is off",
        "the negated logit (a Wasserstein-style loss)": "generator_loss for 3 fake logits is off",
        "returns the per-sample losses": "generator_loss for 3 fake logits returned shape (3, 1)",
    },
    "smoothed_discriminator_loss": {
        "two-sided: the fakes' target moved to s too": "smoothed_discriminator_loss for 3 real and 2 fake logits, smoothing 0.1 is off",
        "the real target set to s instead of 1 - s": "smoothed_discriminator_loss for 3 real and 2 fake logits, smoothing 0.1 is off",
        "only the real loss scaled by 1 - s (the s log(1 - D) term forgotten)":
            "smoothed_discriminator_loss for 3 real and 2 fake logits, smoothing 0.1 is off",
        "soft targets through log-probabilities: infinite for large logits":
            "smoothed_discriminator_loss for logits in the thousands, smoothing 0.1 is",
        "no ValueError for a smoothing of 1 or more": "must raise ValueError for smoothing = 1.0",
    },
    "build_generator": {
        "a sigmoid output (images in [0, 1])": "gives no negative pixel",
        "no output activation": "gives pixels outside [-1, 1]",
        "images without the channel axis (n, 28, 28)": "expected (1, 28, 28, 1)",
        "the latent size fixed at 100": "raised",
        "far too large (7x7x256 maps from a dense layer)": "parameters; the specification asks for 20,000 to 500,000",
        "the first layer frozen": "had not changed",
    },
    "build_discriminator": {
        "a sigmoid at the end (probabilities, not logits)": "must output logits",
        "a tanh at the end": "must output logits",
        "two softmax outputs (real, fake)": "expected (1, 1)",
        "far too large (a dense layer of 1024 on the pixels)": "parameters; the specification asks for 10,000 to 500,000",
        "far too small (one bank of 3x3 filters and global pooling)": "parameters; the specification asks for 10,000 to 500,000",
        "the convolutions frozen": "had not changed",
    },
    "train_step": {
        "the generator's step first": "the d_loss train_step returned",
        "the saturating generator loss": "the g_loss train_step returned",
        "the discriminator's step also moves the generator": "did not lower the generator's non-saturating loss",
        "real and fake in two separate discriminator steps": "the d_loss train_step returned",
        "the losses returned after the updates": "the d_loss train_step returned",
        "tf.GradientTape instead of value_and_grad": "Your train_step uses `",
    },
    "coverage_and_confidence": {
        "argmax over the samples (axis 0)": "the coverage for",
        "the mean of every probability (always 1 / k)": "the confidence for 20 samples, 10 classes, min_count 1 is off",
        "more than min_count (> instead of >=)": "the coverage for 20 samples, 10 classes, min_count 1 is",
        "ten classes hard-coded": "the coverage for 30 samples, 12 classes is",
        "min_count ignored (any class predicted once)": "the coverage for 40 samples, 3 classes, min_count 14 is",
        "coverage as a float (a fraction of the classes)": "must be an int, not float",
    },
}
