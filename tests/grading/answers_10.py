"""Student answers for exercise 10 (transfer learning), used to test its grader through nbgrader.

For each graded part (keyed by the grade_id of its solution cell): ``CORRECT`` holds alternative correct
implementations written differently from the reference (a permutation instead of ``choice``, ``np.kron``
or loops instead of ``repeat``, an explicit frozen/unfrozen switch, a stack instead of recursion, a
Sequential head, a preallocated output), each of which must earn full marks, and ``WRONG`` the plausible
mistakes a student makes, each of which must earn zero on its part. Each entry is the whole source of the
solution cell, as a student would leave it.

``REASONS`` says, for every wrong answer, what its test cell must report (a substring of
``"ExceptionName: message"`` of the error the test cell raised). No part's tests call another part's
code, so the wrong answers of one submission are independent.
"""

CORRECT = {
    "few_shot_indices": [
        # a permutation of each class's members, first k kept; int32 result
        '''
def few_shot_indices(labels, k, rng):
    labels = np.asarray(labels)
    if k < 1:
        raise ValueError("k must be positive")
    out = []
    for c in sorted(set(labels.tolist())):
        members = np.where(labels == c)[0]
        if members.size < k:
            raise ValueError(f"class {c}: only {members.size} examples")
        out.extend(rng.permutation(members)[:k].tolist())
    return np.array(out, dtype=np.int32)
''',
        # positions drawn with choice over range(len(members)), an argsort-grouped view of the labels
        '''
def few_shot_indices(labels, k, rng):
    if k <= 0:
        raise ValueError("k < 1")
    order = np.argsort(labels, kind="stable")
    values, starts, counts = np.unique(np.asarray(labels)[order], return_index=True, return_counts=True)
    if counts.min() < k:
        raise ValueError(f"class {values[counts.argmin()]} has fewer than {k} examples")
    picks = [order[s + rng.choice(n, size=k, replace=False)] for s, n in zip(starts, counts)]
    return np.concatenate(picks)
''',
    ],
    "digits_to_28": [
        # np.kron with a 3x3 block of ones, then the border
        '''
def digits_to_28(images):
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 3 or images.shape[0] == 0 or images.shape[1:] != (8, 8):
        raise ValueError("need (n, 8, 8)")
    big = np.kron(images / 16.0, np.ones((1, 3, 3)))
    return np.pad(big, [(0, 0), (2, 2), (2, 2)]).astype(np.float32)
''',
        # loops over the 64 pixels, writing blocks into a zero canvas
        '''
def digits_to_28(images):
    if np.ndim(images) != 3 or len(images) < 1 or tuple(np.shape(images)[1:]) != (8, 8):
        raise ValueError("images must be (n, 8, 8)")
    out = np.zeros((len(images), 28, 28), dtype=np.float32)
    for r in range(8):
        for c in range(8):
            out[:, 2 + 3 * r:5 + 3 * r, 2 + 3 * c:5 + 3 * c] = (np.asarray(images)[:, r, c] / 16.0)[:, None, None]
    return out
''',
        # broadcasting to (n, 8, 3, 8, 3) and a reshape
        '''
def digits_to_28(images):
    x = np.array(images, dtype=np.float32)
    if x.ndim != 3 or x.shape[1] != 8 or x.shape[2] != 8 or x.shape[0] < 1:
        raise ValueError("bad shape")
    n = x.shape[0]
    blocks = np.broadcast_to(x[:, :, None, :, None] / 16, (n, 8, 3, 8, 3)).reshape(n, 24, 24)
    out = np.zeros((n, 28, 28), np.float32)
    out[:, 2:26, 2:26] = blocks
    return out
''',
    ],
    "freeze": [
        # a switch that flips after the named layer; sizes with numpy
        '''
def freeze(model, up_to):
    if not any(layer.name == up_to for layer in model.layers):
        raise ValueError(f"no layer {up_to}")
    frozen = True
    for layer in model.layers:
        layer.trainable = not frozen
        if layer.name == up_to:
            frozen = False
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))
''',
        # get_layer for the position, keras.ops.size for the count
        '''
def freeze(model, up_to):
    try:
        target = model.get_layer(up_to)
    except ValueError:
        raise ValueError("unknown layer")
    cut = [id(layer) for layer in model.layers].index(id(target))
    for i, layer in enumerate(model.layers):
        layer.trainable = i > cut
    return sum(int(keras.ops.size(w)) for w in model.trainable_weights)
''',
    ],
    "fine_tune_model": [
        # a Sequential head; a stack instead of recursion
        '''
def fine_tune_model(base, n_classes):
    base.trainable = True
    stack = list(base.layers)
    while stack:
        layer = stack.pop()
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
        elif isinstance(layer, keras.Model):
            stack.extend(layer.layers)
    return keras.Sequential([base, keras.layers.Dense(n_classes), keras.layers.Softmax()])
''',
        # unfreeze layer by layer, recursing into nested models; functional head without the training argument
        '''
def _prepare(layer):
    if isinstance(layer, keras.layers.BatchNormalization):
        layer.trainable = False
    elif hasattr(layer, "layers"):
        layer.trainable = True
        for inner in layer.layers:
            _prepare(inner)
    else:
        layer.trainable = True

def fine_tune_model(base, n_classes):
    base.trainable = True
    _prepare(base)
    inputs = keras.Input(base.input.shape[1:])
    return keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(base(inputs)))
''',
    ],
    "extract_features": [
        # a preallocated output filled batch by batch
        '''
def extract_features(base, images, batch_size):
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    out = None
    start = 0
    while start < len(images):
        f = np.asarray(base(images[start:start + batch_size], training=False))
        if out is None:
            out = np.empty((len(images),) + f.shape[1:], dtype=np.float32)
        out[start:start + len(f)] = f
        start += batch_size
    return out
''',
        # a count of batches with ceil, np.vstack, then a cast
        '''
import math

def extract_features(base, images, batch_size):
    if not batch_size >= 1:
        raise ValueError("batch_size")
    batches = math.ceil(len(images) / batch_size)
    feats = [np.array(base(images[i * batch_size:(i + 1) * batch_size], training=False)) for i in range(batches)]
    return np.vstack(feats).astype("float32")
''',
    ],
}

WRONG = {
    "few_shot_indices": {
        "the first k of each class (no randomness)": '''
def few_shot_indices(labels, k, rng):
    if k < 1:
        raise ValueError("k")
    blocks = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if len(members) < k:
            raise ValueError("too few")
        blocks.append(members[:k])
    return np.concatenate(blocks)
''',
        "drawn with replacement": '''
def few_shot_indices(labels, k, rng):
    if k < 1:
        raise ValueError("k")
    blocks = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if len(members) < k:
            raise ValueError("too few")
        blocks.append(rng.choice(members, size=k, replace=True))
    return np.concatenate(blocks)
''',
        "np.random's global state instead of rng": '''
def few_shot_indices(labels, k, rng):
    if k < 1:
        raise ValueError("k")
    blocks = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if len(members) < k:
            raise ValueError("too few")
        blocks.append(np.random.choice(members, size=k, replace=False))
    return np.concatenate(blocks)
''',
        "a short class gives what it has, no error": '''
def few_shot_indices(labels, k, rng):
    if k < 1:
        raise ValueError("k")
    blocks = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        blocks.append(rng.choice(members, size=min(k, len(members)), replace=False))
    return np.concatenate(blocks)
''',
        "classes in order of first appearance": '''
def few_shot_indices(labels, k, rng):
    if k < 1:
        raise ValueError("k")
    seen = []
    for v in labels:
        if v not in seen:
            seen.append(v)
    blocks = []
    for c in seen:
        members = np.flatnonzero(labels == c)
        if len(members) < k:
            raise ValueError("too few")
        blocks.append(rng.choice(members, size=k, replace=False))
    return np.concatenate(blocks)
''',
        "a list instead of an array": '''
def few_shot_indices(labels, k, rng):
    if k < 1:
        raise ValueError("k")
    out = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if len(members) < k:
            raise ValueError("too few")
        out += [int(i) for i in rng.choice(members, size=k, replace=False)]
    return out
''',
        "the labels shuffled in place to pick": '''
def few_shot_indices(labels, k, rng):
    if k < 1:
        raise ValueError("k")
    order = np.arange(len(labels))
    rng.shuffle(order)
    labels[:] = labels[order]
    blocks = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if len(members) < k:
            raise ValueError("too few")
        blocks.append(order[members[:k]])
    return np.concatenate(blocks)
''',
    },
    "digits_to_28": {
        "divided by 255 (the Fashion-MNIST scale)": '''
def digits_to_28(images):
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (8, 8) or len(images) < 1:
        raise ValueError("shape")
    big = images.astype(np.float32).repeat(3, axis=1).repeat(3, axis=2) / np.float32(255)
    return np.pad(big, ((0, 0), (2, 2), (2, 2)))
''',
        "off-centre: 3 zeros before, 1 after": '''
def digits_to_28(images):
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (8, 8) or len(images) < 1:
        raise ValueError("shape")
    big = images.astype(np.float32).repeat(3, axis=1).repeat(3, axis=2) / np.float32(16)
    return np.pad(big, ((0, 0), (3, 1), (3, 1)))
''',
        "float64 result": '''
def digits_to_28(images):
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (8, 8) or len(images) < 1:
        raise ValueError("shape")
    big = images.astype(np.float64).repeat(3, axis=1).repeat(3, axis=2) / 16.0
    return np.pad(big, ((0, 0), (2, 2), (2, 2)))
''',
        "rows and columns swapped": '''
def digits_to_28(images):
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (8, 8) or len(images) < 1:
        raise ValueError("shape")
    big = images.transpose(0, 2, 1).astype(np.float32).repeat(3, axis=1).repeat(3, axis=2) / np.float32(16)
    return np.pad(big, ((0, 0), (2, 2), (2, 2)))
''',
        "24x24 without the border": '''
def digits_to_28(images):
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (8, 8) or len(images) < 1:
        raise ValueError("shape")
    return images.astype(np.float32).repeat(3, axis=1).repeat(3, axis=2) / np.float32(16)
''',
        "scipy's zoom": '''
from scipy import ndimage

def digits_to_28(images):
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 3 or images.shape[1:] != (8, 8) or len(images) < 1:
        raise ValueError("shape")
    big = ndimage.zoom(images / 16, (1, 3, 3), order=0)
    return np.pad(big, ((0, 0), (2, 2), (2, 2)))
''',
        "no check of the shape": '''
def digits_to_28(images):
    big = np.asarray(images).astype(np.float32).repeat(3, axis=1).repeat(3, axis=2) / np.float32(16)
    return np.pad(big, ((0, 0), (2, 2), (2, 2)))
''',
    },
    "freeze": {
        "stops before the named layer": '''
def freeze(model, up_to):
    names = [layer.name for layer in model.layers]
    if up_to not in names:
        raise ValueError("no such layer")
    for i, layer in enumerate(model.layers):
        layer.trainable = i >= names.index(up_to)
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))
''',
        "count_params(): every weight, statistics and frozen ones included": '''
def freeze(model, up_to):
    names = [layer.name for layer in model.layers]
    if up_to not in names:
        raise ValueError("no such layer")
    for i, layer in enumerate(model.layers):
        layer.trainable = i > names.index(up_to)
    return int(model.count_params())
''',
        "the number of trainable variables, not of weights": '''
def freeze(model, up_to):
    names = [layer.name for layer in model.layers]
    if up_to not in names:
        raise ValueError("no such layer")
    for i, layer in enumerate(model.layers):
        layer.trainable = i > names.index(up_to)
    return len(model.trainable_weights)
''',
        "layers after the cut never unfrozen again": '''
def freeze(model, up_to):
    names = [layer.name for layer in model.layers]
    if up_to not in names:
        raise ValueError("no such layer")
    for layer in model.layers[:names.index(up_to) + 1]:
        layer.trainable = False
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))
''',
        "an unknown name freezes nothing, no error": '''
def freeze(model, up_to):
    names = [layer.name for layer in model.layers]
    last = names.index(up_to) if up_to in names else -1
    for i, layer in enumerate(model.layers):
        layer.trainable = i > last
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))
''',
        "only the named layer frozen": '''
def freeze(model, up_to):
    names = [layer.name for layer in model.layers]
    if up_to not in names:
        raise ValueError("no such layer")
    model.get_layer(up_to).trainable = False
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))
''',
        "a float count": '''
def freeze(model, up_to):
    names = [layer.name for layer in model.layers]
    if up_to not in names:
        raise ValueError("no such layer")
    for i, layer in enumerate(model.layers):
        layer.trainable = i > names.index(up_to)
    return float(sum(np.prod(w.shape) for w in model.trainable_weights))
''',
    },
    "fine_tune_model": {
        "training=False only (fit overrides it), batch norm left trainable": '''
def fine_tune_model(base, n_classes):
    base.trainable = True
    inputs = keras.Input(shape=tuple(base.input.shape[1:]))
    features = base(inputs, training=False)
    return keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(features))
''',
        "the base frozen (feature extraction, not fine-tuning)": '''
def fine_tune_model(base, n_classes):
    base.trainable = False
    inputs = keras.Input(shape=tuple(base.input.shape[1:]))
    features = base(inputs, training=False)
    return keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(features))
''',
        "batch norm frozen first, then base.trainable = True undoes it": '''
def fine_tune_model(base, n_classes):
    for layer in base.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
    base.trainable = True
    inputs = keras.Input(shape=tuple(base.input.shape[1:]))
    features = base(inputs, training=False)
    return keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(features))
''',
        "nested batch-norm layers missed": '''
def fine_tune_model(base, n_classes):
    base.trainable = True
    for layer in base.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
    inputs = keras.Input(shape=tuple(base.input.shape[1:]))
    features = base(inputs, training=False)
    return keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(features))
''',
        "no softmax": '''
def fine_tune_model(base, n_classes):
    base.trainable = True

    def freeze_batch_norm(layer):
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
        for inner in getattr(layer, "layers", []):
            freeze_batch_norm(inner)

    freeze_batch_norm(base)
    inputs = keras.Input(shape=tuple(base.input.shape[1:]))
    return keras.Model(inputs, keras.layers.Dense(n_classes)(base(inputs, training=False)))
''',
        "a frozen base left frozen (only batch norm handled)": '''
def fine_tune_model(base, n_classes):
    def freeze_batch_norm(layer):
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
        for inner in getattr(layer, "layers", []):
            freeze_batch_norm(inner)

    freeze_batch_norm(base)
    inputs = keras.Input(shape=tuple(base.input.shape[1:]))
    return keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(base(inputs, training=False)))
''',
        "a clone of the base (its weights never change)": '''
def fine_tune_model(base, n_classes):
    copy = keras.models.clone_model(base)
    copy.set_weights(base.get_weights())
    copy.trainable = True

    def freeze_batch_norm(layer):
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
        for inner in getattr(layer, "layers", []):
            freeze_batch_norm(inner)

    freeze_batch_norm(copy)
    inputs = keras.Input(shape=tuple(base.input.shape[1:]))
    return keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(copy(inputs, training=False)))
''',
    },
    "extract_features": {
        "all images at once": '''
def extract_features(base, images, batch_size):
    if batch_size < 1:
        raise ValueError("batch_size")
    return np.asarray(base(images, training=False), dtype=np.float32)
''',
        "training=False left out": '''
def extract_features(base, images, batch_size):
    if batch_size < 1:
        raise ValueError("batch_size")
    parts = [np.asarray(base(images[s:s + batch_size]), dtype=np.float32) for s in range(0, len(images), batch_size)]
    return np.concatenate(parts)
''',
        "the last, smaller batch dropped": '''
def extract_features(base, images, batch_size):
    if batch_size < 1:
        raise ValueError("batch_size")
    parts = [np.asarray(base(images[s:s + batch_size], training=False), dtype=np.float32)
             for s in range(0, len(images) - batch_size + 1, batch_size)]
    return np.concatenate(parts)
''',
        "float64 result": '''
def extract_features(base, images, batch_size):
    if batch_size < 1:
        raise ValueError("batch_size")
    parts = [np.asarray(base(images[s:s + batch_size], training=False), dtype=np.float64)
             for s in range(0, len(images), batch_size)]
    return np.concatenate(parts)
''',
        "base.predict instead of calling the base": '''
def extract_features(base, images, batch_size):
    if batch_size < 1:
        raise ValueError("batch_size")
    return np.asarray(base.predict(images, batch_size=batch_size, verbose=0), dtype=np.float32)
''',
        "overlapping batches (one image counted twice per step)": '''
def extract_features(base, images, batch_size):
    if batch_size < 1:
        raise ValueError("batch_size")
    parts, start = [], 0
    while start < len(images):
        parts.append(np.asarray(base(images[start:start + batch_size], training=False), dtype=np.float32))
        start += max(1, batch_size - 1)
    return np.concatenate(parts)[:len(images)]
''',
    },
}

REASONS = {
    "few_shot_indices": {
        "the first k of each class (no randomness)": "Every seed gave the same examples",
        "drawn with replacement": "appears twice",
        "np.random's global state instead of rng": "Two generators seeded alike gave different indices",
        "a short class gives what it has, no error": "must raise ValueError when a class has fewer than k examples",
        "classes in order of first appearance": "must come as k of the smallest label",
        "a list instead of an array": "must return a 1-d numpy array of integers, not list",
        "the labels shuffled in place to pick": "changed argument 1 in place",
    },
    "digits_to_28": {
        "divided by 255 (the Fashion-MNIST scale)": "the images for one image with two lit pixels",
        "off-centre: 3 zeros before, 1 after": "the images for one image with two lit pixels",
        "float64 result": "must return a float32 numpy array, not ndarray float64",
        "rows and columns swapped": "the images for one image with two lit pixels",
        "24x24 without the border": "returned shape (1, 24, 24)",
        "scipy's zoom": "uses `scipy`",
        "no check of the shape": "must raise ValueError for images of shape",
    },
    "freeze": {
        "stops before the named layer": "the layers' trainable flags are {'c1': True",
        "count_params(): every weight, statistics and frozen ones included": "returned 279",
        "the number of trainable variables, not of weights": "returned 6",
        "layers after the cut never unfrozen again": "up to 'c1' again after freezing up to 'c2'",
        "an unknown name freezes nothing, no error": "must raise ValueError when no layer has the name given",
        "only the named layer frozen": "up to 'c2' after freezing up to 'c1'",
        "a float count": "must return an int, not float",
    },
    "fine_tune_model": {
        "training=False only (fit overrides it), batch norm left trainable":
            "changed the weights of batch-norm layer bn1",
        "the base frozen (feature extraction, not fine-tuning)": "left the base's layer c1 unchanged",
        "batch norm frozen first, then base.trainable = True undoes it": "changed the weights of batch-norm layer bn1",
        "nested batch-norm layers missed": "changed the weights of batch-norm layer block/bn2",
        "no softmax": "are not probabilities",
        "a frozen base left frozen (only batch norm handled)":
            "for a base that arrives frozen left the base's layer c1 unchanged",
        "a clone of the base (its weights never change)": "left the base's layer c1 unchanged",
    },
    "extract_features": {
        "all images at once": "called the base on 10 images at once",
        "training=False left out": "called the base without training=False",
        "the last, smaller batch dropped": "expected [4, 4, 2]",
        "float64 result": "must return a float32 numpy array, not ndarray float64",
        "base.predict instead of calling the base": "extract_features raised AttributeError",
        "overlapping batches (one image counted twice per step)": "called the base on batches of [4, 4, 4, 1]",
    },
}

# The Keras parts' solution cells start with `import keras` (the locked cells do not import it, so that
# the judge process never loads Keras): a student's cell keeps that line.
for _part in ("freeze", "fine_tune_model"):
    for _answers in (CORRECT[_part], WRONG[_part]):
        _items = _answers.items() if isinstance(_answers, dict) else enumerate(_answers)
        for _key, _source in list(_items):
            _answers[_key] = "import keras\n\n" + _source.lstrip("\n")
