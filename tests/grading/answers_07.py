"""Student answers for exercise 07 (from NumPy to Keras), used to test its grader through nbgrader.

For each graded part (keyed by the grade_id of its solution cell): ``CORRECT`` holds alternative
correct implementations written differently from the reference (other keras.ops, the Sequential
``add`` style, the ``keras.layers.add`` helper, Activation layers, loops against bincount, a one-hot
product with keras.ops, other ways to name the loss, metric and callback, pathlib), each of which
must earn full marks, and ``WRONG`` the plausible mistakes a student makes, each of which must earn
zero on its part. Each entry is the whole source of the solution cell, as a student would leave it.

``REASONS`` says, for every wrong answer, what its test cell must report (a substring of
``"ExceptionName: message"`` of the error the test cell raised).

Part 6 is checked on models from the same submission's ``build_mlp`` (or, failing that,
``build_skip_mlp``), so every wrong ``build_mlp`` here still returns a model that runs on a
(n, d) batch, or the ``build_skip_mlp`` of the same index does.
"""

CORRECT = {
    "preprocess": [
        # explicit sizes, one-hot by taking rows of an identity matrix, validation through python ints
        '''
def preprocess(images, labels, n_classes):
    shape = tuple(keras.ops.shape(images))
    size = 1
    for s in shape[1:]:
        size *= int(s)
    labels = keras.ops.convert_to_tensor(labels, dtype="int32")
    if int(keras.ops.min(labels)) < 0 or int(keras.ops.max(labels)) > n_classes - 1:
        raise ValueError("label out of range")
    x = keras.ops.divide(keras.ops.cast(keras.ops.reshape(images, (shape[0], size)), "float32"), 255.0)
    y = keras.ops.take(keras.ops.eye(n_classes, dtype="float32"), labels, axis=0)
    return (x, y)
''',
        # multiply by 1/255, one-hot by comparing with arange
        '''
def preprocess(images, labels, n_classes):
    flat = keras.ops.reshape(images, (images.shape[0], -1))
    x = keras.ops.cast(flat, "float32") * (1.0 / 255.0)
    lab = keras.ops.cast(keras.ops.convert_to_tensor(labels), "int64")
    bad = keras.ops.logical_or(lab < 0, lab >= n_classes)
    if bool(keras.ops.any(bad)):
        raise ValueError(f"labels must be in 0..{n_classes - 1}")
    y = keras.ops.cast(keras.ops.expand_dims(lab, 1) == keras.ops.expand_dims(keras.ops.arange(n_classes, dtype="int64"), 0),
                       "float32")
    return x, y
''',
    ],
    "build_mlp": [
        # the add() style, activation functions as objects, Input through keras.layers.Input
        '''
def build_mlp(input_shape, hidden_units, n_classes, dropout):
    model = keras.Sequential()
    model.add(keras.layers.Input(shape=input_shape))
    model.add(keras.layers.Flatten())
    for i in range(len(hidden_units)):
        model.add(keras.layers.Dense(hidden_units[i], activation=keras.activations.relu))
        if dropout:
            model.add(keras.layers.Dropout(rate=float(dropout)))
    model.add(keras.layers.Dense(n_classes, activation=keras.activations.softmax))
    return model
''',
        # a list comprehension of blocks, compiled before returning (allowed)
        '''
def build_mlp(input_shape, hidden_units, n_classes, dropout):
    blocks = [[keras.layers.Dense(u, activation="relu")] + ([keras.layers.Dropout(dropout)] if dropout > 0 else [])
              for u in hidden_units]
    model = keras.Sequential([keras.Input(input_shape), keras.layers.Flatten(),
                              *[layer for block in blocks for layer in block],
                              keras.layers.Dense(n_classes, activation="softmax")], name="my_mlp")
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model
''',
    ],
    "build_skip_mlp": [
        # the keras.layers.add helper
        '''
def build_skip_mlp(input_dim, units, n_blocks, n_classes):
    x = keras.layers.Input(shape=(input_dim,))
    h = keras.layers.Dense(units, activation="relu")(x)
    for block in range(n_blocks):
        update = keras.layers.Dense(units, activation="relu", name=f"block_{block}")(h)
        h = keras.layers.add([update, h])
    return keras.Model(inputs=x, outputs=keras.layers.Dense(n_classes, activation="softmax")(h))
''',
        # linear Dense layers followed by Activation layers (no weights), outputs as a list
        '''
def build_skip_mlp(input_dim, units, n_blocks, n_classes):
    inputs = keras.Input((input_dim,))
    h = keras.layers.Activation("relu")(keras.layers.Dense(units)(inputs))
    blocks = 0
    while blocks < n_blocks:
        r = keras.layers.Activation("relu")(keras.layers.Dense(units)(h))
        h = keras.layers.Add()([h, r])
        blocks += 1
    logits = keras.layers.Dense(n_classes)(h)
    return keras.Model(inputs, keras.layers.Activation("softmax")(logits))
''',
    ],
    "confusion_matrix": [
        # a loop over the samples, validation first
        '''
def confusion_matrix(labels, predictions, n_classes):
    labels = [int(v) for v in labels]
    predictions = np.asarray(predictions)
    if predictions.shape == (len(labels), n_classes) and predictions.ndim == 2:
        predicted = [int(np.argmax(row)) for row in predictions]
    elif predictions.shape == (len(labels),):
        predicted = [int(v) for v in predictions]
    else:
        raise ValueError("bad shape")
    if any(not 0 <= v < n_classes for v in labels + predicted):
        raise ValueError("class out of range")
    matrix = np.zeros((n_classes, n_classes), dtype=int)
    for t, p in zip(labels, predicted):
        matrix[t, p] += 1
    return matrix
''',
        # keras.ops: one-hot of the labels, transposed, times one-hot of the predictions
        '''
def confusion_matrix(labels, predictions, n_classes):
    if predictions.ndim == 2:
        if predictions.shape[1] != n_classes or predictions.shape[0] != labels.shape[0]:
            raise ValueError("scores must be (n, n_classes)")
        predictions = keras.ops.argmax(predictions, axis=1)
    elif predictions.shape != labels.shape:
        raise ValueError("shapes differ")
    t = keras.ops.cast(labels, "int32")
    p = keras.ops.cast(predictions, "int32")
    for v in (t, p):
        if int(keras.ops.min(v)) < 0 or int(keras.ops.max(v)) >= n_classes:
            raise ValueError("class out of range")
    counts = keras.ops.matmul(keras.ops.transpose(keras.ops.one_hot(t, n_classes)), keras.ops.one_hot(p, n_classes))
    return keras.ops.convert_to_numpy(counts).round().astype(np.int64)
''',
    ],
    "train_with_early_stopping": [
        # functional model, loss and metric objects, the callback's own best_epoch
        '''
def train_with_early_stopping(x_train, y_train, x_val, y_val, hidden_units, n_classes, learning_rate,
                              batch_size, max_epochs, patience, seed):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((x_train.shape[-1],))
    h = inputs
    for units in hidden_units:
        h = keras.layers.Dense(units, activation="relu")(h)
    model = keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(h))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", mode="min", patience=patience, min_delta=0,
                                            restore_best_weights=True)
    model.fit(x_train, y_train, batch_size=batch_size, epochs=max_epochs, verbose=0,
              validation_data=(x_val, y_val), callbacks=[stopper])
    return model, dict(model.history.history), stopper.best_epoch + 1
''',
        # uses the part 2 builder; best epoch found with a loop
        '''
def train_with_early_stopping(x_train, y_train, x_val, y_val, hidden_units, n_classes, learning_rate,
                              batch_size, max_epochs, patience, seed):
    keras.utils.set_random_seed(seed)
    model = build_mlp((x_train.shape[1],), hidden_units, n_classes, 0.0)
    model.compile(keras.optimizers.Adam(learning_rate), "sparse_categorical_crossentropy", metrics=["accuracy"])
    callback = keras.callbacks.EarlyStopping("val_loss", patience=patience, restore_best_weights=True)
    history = model.fit(x_train, y_train, batch_size, max_epochs, verbose=0, callbacks=[callback],
                        validation_data=(x_val, y_val)).history
    best, best_loss = 0, float("inf")
    for epoch, value in enumerate(history["val_loss"], start=1):
        if value < best_loss:
            best, best_loss = epoch, value
    return (model, history, best)
''',
    ],
    "save_and_reload": [
        # pathlib, keras.saving.save_model and keras.models.load_model
        '''
import pathlib

def save_and_reload(model, folder):
    target = pathlib.Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    path = target / "model.keras"
    keras.saving.save_model(model, path)
    return str(path), keras.models.load_model(path)
''',
        # makedirs unconditionally guarded by exists, path built by string formatting
        '''
def save_and_reload(model, folder):
    if not os.path.isdir(folder):
        os.makedirs(folder)
    path = f"{folder}/model.keras"
    if os.path.exists(path):
        os.remove(path)
    model.save(path)
    again = keras.saving.load_model(path, compile=True)
    return path, again
''',
    ],
}

WRONG = {
    "preprocess": {
        "hard-coded 784 pixels": '''
def preprocess(images, labels, n_classes):
    x = keras.ops.cast(keras.ops.reshape(images, (-1, 784)), "float32") / 255.0
    labels = keras.ops.cast(labels, "int32")
    if keras.ops.any(labels < 0) or keras.ops.any(labels >= n_classes):
        raise ValueError("bad label")
    return x, keras.ops.one_hot(labels, n_classes)
''',
        "divides by the batch's brightest pixel": '''
def preprocess(images, labels, n_classes):
    x = keras.ops.cast(keras.ops.reshape(images, (keras.ops.shape(images)[0], -1)), "float32")
    x = x / keras.ops.max(x)
    labels = keras.ops.cast(labels, "int32")
    if keras.ops.any(labels < 0) or keras.ops.any(labels >= n_classes):
        raise ValueError("bad label")
    return x, keras.ops.one_hot(labels, n_classes)
''',
        "no check of the labels (one_hot gives a zero row)": '''
def preprocess(images, labels, n_classes):
    x = keras.ops.cast(keras.ops.reshape(images, (keras.ops.shape(images)[0], -1)), "float32") / 255.0
    return x, keras.ops.one_hot(keras.ops.cast(labels, "int32"), n_classes)
''',
        "numpy instead of keras.ops": '''
def preprocess(images, labels, n_classes):
    x = np.asarray(images, dtype=np.float32).reshape(len(images), -1) / 255
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError("bad label")
    return x, np.eye(n_classes, dtype=np.float32)[labels]
''',
        "height times width only (channels dropped)": '''
def preprocess(images, labels, n_classes):
    n, h, w = images.shape[0], images.shape[1], images.shape[2]
    x = keras.ops.cast(keras.ops.reshape(images, (n, h * w)), "float32") / 255.0
    labels = keras.ops.cast(labels, "int32")
    if keras.ops.any(labels < 0) or keras.ops.any(labels >= n_classes):
        raise ValueError("bad label")
    return x, keras.ops.one_hot(labels, n_classes)
''',
        "float64 output": '''
def preprocess(images, labels, n_classes):
    x = keras.ops.cast(keras.ops.reshape(images, (keras.ops.shape(images)[0], -1)), "float64") / 255.0
    labels = keras.ops.cast(labels, "int32")
    if keras.ops.any(labels < 0) or keras.ops.any(labels >= n_classes):
        raise ValueError("bad label")
    return x, keras.ops.one_hot(labels, n_classes, dtype="float64")
''',
    },
    "build_mlp": {
        "a Dropout layer even when dropout is 0": '''
def build_mlp(input_shape, hidden_units, n_classes, dropout):
    layers = [keras.Input(input_shape), keras.layers.Flatten()]
    for units in hidden_units:
        layers += [keras.layers.Dense(units, activation="relu"), keras.layers.Dropout(dropout)]
    return keras.Sequential(layers + [keras.layers.Dense(n_classes, activation="softmax")])
''',
        "Dropout before its Dense layer": '''
def build_mlp(input_shape, hidden_units, n_classes, dropout):
    layers = [keras.Input(input_shape), keras.layers.Flatten()]
    for units in hidden_units:
        if dropout > 0:
            layers.append(keras.layers.Dropout(dropout))
        layers.append(keras.layers.Dense(units, activation="relu"))
    return keras.Sequential(layers + [keras.layers.Dense(n_classes, activation="softmax")])
''',
        "no softmax on the last layer": '''
def build_mlp(input_shape, hidden_units, n_classes, dropout):
    layers = [keras.Input(input_shape), keras.layers.Flatten()]
    for units in hidden_units:
        layers.append(keras.layers.Dense(units, activation="relu"))
        if dropout > 0:
            layers.append(keras.layers.Dropout(dropout))
    return keras.Sequential(layers + [keras.layers.Dense(n_classes)])
''',
        "the last entry of hidden_units taken for the output": '''
def build_mlp(input_shape, hidden_units, n_classes, dropout):
    layers = [keras.Input(input_shape), keras.layers.Flatten()]
    for units in hidden_units[:-1]:
        layers.append(keras.layers.Dense(units, activation="relu"))
        if dropout > 0:
            layers.append(keras.layers.Dropout(dropout))
    return keras.Sequential(layers + [keras.layers.Dense(n_classes, activation="softmax")])
''',
        "a functional model instead of a Sequential one": '''
def build_mlp(input_shape, hidden_units, n_classes, dropout):
    inputs = keras.Input(input_shape)
    h = keras.layers.Flatten()(inputs)
    for units in hidden_units:
        h = keras.layers.Dense(units, activation="relu")(h)
        if dropout > 0:
            h = keras.layers.Dropout(dropout)(h)
    return keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(h))
''',
        "input shape hard-coded to Fashion-MNIST's": '''
def build_mlp(input_shape, hidden_units, n_classes, dropout):
    layers = [keras.Input((28, 28)), keras.layers.Flatten()]
    for units in hidden_units:
        layers.append(keras.layers.Dense(units, activation="relu"))
        if dropout > 0:
            layers.append(keras.layers.Dropout(dropout))
    return keras.Sequential(layers + [keras.layers.Dense(n_classes, activation="softmax")])
''',
    },
    "build_skip_mlp": {
        "every block adds h0 instead of the previous block's output": '''
def build_skip_mlp(input_dim, units, n_blocks, n_classes):
    inputs = keras.Input((input_dim,))
    h0 = keras.layers.Dense(units, activation="relu")(inputs)
    h = h0
    for _ in range(n_blocks):
        h = keras.layers.Add()([h0, keras.layers.Dense(units, activation="relu")(h)])
    return keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(h))
''',
        "blocks without the ReLU": '''
def build_skip_mlp(input_dim, units, n_blocks, n_classes):
    inputs = keras.Input((input_dim,))
    h = keras.layers.Dense(units, activation="relu")(inputs)
    for _ in range(n_blocks):
        h = keras.layers.Add()([h, keras.layers.Dense(units)(h)])
    return keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(h))
''',
        "Concatenate instead of Add": '''
def build_skip_mlp(input_dim, units, n_blocks, n_classes):
    inputs = keras.Input((input_dim,))
    h = keras.layers.Dense(units, activation="relu")(inputs)
    for _ in range(n_blocks):
        h = keras.layers.Concatenate()([h, keras.layers.Dense(units, activation="relu")(h)])
    return keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(h))
''',
        "one block too few": '''
def build_skip_mlp(input_dim, units, n_blocks, n_classes):
    inputs = keras.Input((input_dim,))
    h = keras.layers.Dense(units, activation="relu")(inputs)
    for _ in range(1, n_blocks):
        h = keras.layers.Add()([h, keras.layers.Dense(units, activation="relu")(h)])
    return keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(h))
''',
        "a Sequential chain, no skip": '''
def build_skip_mlp(input_dim, units, n_blocks, n_classes):
    layers = [keras.Input((input_dim,)), keras.layers.Dense(units, activation="relu")]
    layers += [keras.layers.Dense(units, activation="relu") for _ in range(n_blocks)]
    return keras.Sequential(layers + [keras.layers.Dense(n_classes, activation="softmax")])
''',
        "always at least one block": '''
def build_skip_mlp(input_dim, units, n_blocks, n_classes):
    inputs = keras.Input((input_dim,))
    h = keras.layers.Dense(units, activation="relu")(inputs)
    for _ in range(max(n_blocks, 1)):
        h = keras.layers.Add()([h, keras.layers.Dense(units, activation="relu")(h)])
    return keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(h))
''',
    },
    "confusion_matrix": {
        "rows are the predicted classes": '''
def confusion_matrix(labels, predictions, n_classes):
    labels, predictions = np.asarray(labels).astype(int), np.asarray(predictions)
    if predictions.ndim == 2:
        if predictions.shape != (len(labels), n_classes):
            raise ValueError("shape")
        predictions = predictions.argmax(axis=1)
    elif predictions.shape != labels.shape:
        raise ValueError("shape")
    predictions = predictions.astype(int)
    if min(labels.min(), predictions.min()) < 0 or max(labels.max(), predictions.max()) >= n_classes:
        raise ValueError("range")
    matrix = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(matrix, (predictions, labels), 1)
    return matrix
''',
        "index arithmetic in the labels' own uint8 dtype": '''
def confusion_matrix(labels, predictions, n_classes):
    predictions = np.asarray(predictions)
    if predictions.ndim == 2:
        if predictions.shape != (len(labels), n_classes):
            raise ValueError("shape")
        predictions = predictions.argmax(axis=1)
    elif predictions.shape != labels.shape:
        raise ValueError("shape")
    if min(labels.min(), predictions.min()) < 0 or max(labels.max(), predictions.max()) >= n_classes:
        raise ValueError("range")
    return np.bincount(labels * n_classes + predictions, minlength=n_classes ** 2).reshape(n_classes, n_classes)
''',
        "argmax of scores along the wrong axis": '''
def confusion_matrix(labels, predictions, n_classes):
    labels, predictions = np.asarray(labels).astype(int), np.asarray(predictions)
    if predictions.ndim == 2:
        predictions = predictions.argmax(axis=0)
    predictions = predictions.astype(int)
    if min(labels.min(), predictions.min()) < 0 or max(labels.max(), predictions.max()) >= n_classes:
        raise ValueError("range")
    return np.bincount(labels * n_classes + predictions, minlength=n_classes ** 2).reshape(n_classes, n_classes)
''',
        "bincount without minlength": '''
def confusion_matrix(labels, predictions, n_classes):
    labels, predictions = np.asarray(labels).astype(int), np.asarray(predictions)
    if predictions.ndim == 2:
        if predictions.shape != (len(labels), n_classes):
            raise ValueError("shape")
        predictions = predictions.argmax(axis=1)
    elif predictions.shape != labels.shape:
        raise ValueError("shape")
    predictions = predictions.astype(int)
    if min(labels.min(), predictions.min()) < 0 or max(labels.max(), predictions.max()) >= n_classes:
        raise ValueError("range")
    return np.bincount(labels * n_classes + predictions).reshape(n_classes, n_classes)
''',
        "scikit-learn's confusion matrix": '''
from sklearn import metrics

def confusion_matrix(labels, predictions, n_classes):
    predictions = np.asarray(predictions)
    if predictions.ndim == 2:
        predictions = predictions.argmax(axis=1)
    if predictions.shape != labels.shape or max(labels.max(), predictions.max()) >= n_classes \\
            or min(labels.min(), predictions.min()) < 0:
        raise ValueError("bad input")
    return metrics.confusion_matrix(labels, predictions, labels=list(range(n_classes)))
''',
        "no check of the class indices": '''
def confusion_matrix(labels, predictions, n_classes):
    labels, predictions = np.asarray(labels).astype(int), np.asarray(predictions)
    if predictions.ndim == 2:
        predictions = predictions.argmax(axis=1)
    matrix = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(matrix, (labels, predictions.astype(int)), 1)
    return matrix
''',
    },
    "train_with_early_stopping": {
        "best weights not restored": '''
def train_with_early_stopping(x_train, y_train, x_val, y_val, hidden_units, n_classes, learning_rate,
                              batch_size, max_epochs, patience, seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((x_train.shape[1],))] + [keras.layers.Dense(u, activation="relu")
                             for u in hidden_units] + [keras.layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience)
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=max_epochs,
                        batch_size=batch_size, callbacks=[stop], verbose=0)
    return model, history.history, int(np.argmin(history.history["val_loss"])) + 1
''',
        "early stopping on the training loss": '''
def train_with_early_stopping(x_train, y_train, x_val, y_val, hidden_units, n_classes, learning_rate,
                              batch_size, max_epochs, patience, seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((x_train.shape[1],))] + [keras.layers.Dense(u, activation="relu")
                             for u in hidden_units] + [keras.layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=patience, restore_best_weights=True)
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=max_epochs,
                        batch_size=batch_size, callbacks=[stop], verbose=0)
    return model, history.history, int(np.argmin(history.history["val_loss"])) + 1
''',
        "best_epoch counted from 0": '''
def train_with_early_stopping(x_train, y_train, x_val, y_val, hidden_units, n_classes, learning_rate,
                              batch_size, max_epochs, patience, seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((x_train.shape[1],))] + [keras.layers.Dense(u, activation="relu")
                             for u in hidden_units] + [keras.layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=max_epochs,
                        batch_size=batch_size, callbacks=[stop], verbose=0)
    return model, history.history, stop.best_epoch
''',
        "no seed: a second run differs": '''
def train_with_early_stopping(x_train, y_train, x_val, y_val, hidden_units, n_classes, learning_rate,
                              batch_size, max_epochs, patience, seed):
    model = keras.Sequential([keras.Input((x_train.shape[1],))] + [keras.layers.Dense(u, activation="relu")
                             for u in hidden_units] + [keras.layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=max_epochs,
                        batch_size=batch_size, callbacks=[stop], verbose=0)
    return model, history.history, int(np.argmin(history.history["val_loss"])) + 1
''',
        "returns the History object, not its dict": '''
def train_with_early_stopping(x_train, y_train, x_val, y_val, hidden_units, n_classes, learning_rate,
                              batch_size, max_epochs, patience, seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((x_train.shape[1],))] + [keras.layers.Dense(u, activation="relu")
                             for u in hidden_units] + [keras.layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=max_epochs,
                        batch_size=batch_size, callbacks=[stop], verbose=0)
    return model, history, int(np.argmin(history.history["val_loss"])) + 1
''',
        "validation split of the training data instead of the validation set": '''
def train_with_early_stopping(x_train, y_train, x_val, y_val, hidden_units, n_classes, learning_rate,
                              batch_size, max_epochs, patience, seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((x_train.shape[1],))] + [keras.layers.Dense(u, activation="relu")
                             for u in hidden_units] + [keras.layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    history = model.fit(x_train, y_train, validation_split=0.25, epochs=max_epochs,
                        batch_size=batch_size, callbacks=[stop], verbose=0)
    return model, history.history, int(np.argmin(history.history["val_loss"])) + 1
''',
    },
    "save_and_reload": {
        "returns the model it was given": '''
def save_and_reload(model, folder):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.keras")
    model.save(path)
    keras.saving.load_model(path)
    return path, model
''',
        "weights only, into a .weights.h5 file": '''
def save_and_reload(model, folder):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.weights.h5")
    model.save_weights(path)
    copy = keras.models.clone_model(model)
    copy.load_weights(path)
    return path, copy
''',
        "the folder is not created": '''
def save_and_reload(model, folder):
    path = os.path.join(folder, "model.keras")
    model.save(path)
    return path, keras.saving.load_model(path)
''',
        "saved in the working folder, not the one given": '''
def save_and_reload(model, folder):
    os.makedirs(folder, exist_ok=True)
    model.save("model.keras")
    return "model.keras", keras.saving.load_model("model.keras")
''',
        "a fresh clone: same architecture, new random weights": '''
def save_and_reload(model, folder):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.keras")
    model.save(path)
    return path, keras.models.clone_model(model)
''',
        "TensorFlow's loader": '''
import tensorflow as tf

def save_and_reload(model, folder):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.keras")
    model.save(path)
    return path, tf.keras.models.load_model(path)
''',
    },
}

REASONS = {
    "preprocess": {
        "hard-coded 784 pixels": "preprocess raised",
        "divides by the batch's brightest pixel": "divide by 255, the largest possible pixel value",
        "no check of the labels (one_hot gives a zero row)": "must raise ValueError when a label",
        "numpy instead of keras.ops": "uses `np`",
        "height times width only (channels dropped)": "for images of shape (3, 6, 5, 3)",
        "float64 output": "must be float32",
    },
    "build_mlp": {
        "a Dropout layer even when dropout is 0": "The layers of your model",
        "Dropout before its Dense layer": "The layers of your model",
        "no softmax on the last layer": "activation 'linear'",
        "the last entry of hidden_units taken for the output": "The layers of your model",
        "a functional model instead of a Sequential one": "build a keras.Sequential model",
        "input shape hard-coded to Fashion-MNIST's": "count_params()",
    },
    "build_skip_mlp": {
        "every block adds h0 instead of the previous block's output": "the output of your model",
        "blocks without the ReLU": "the output of your model",
        "Concatenate instead of Add": "Add layers",
        "one block too few": "Add layers",
        "a Sequential chain, no skip": "functional API",
        "always at least one block": "has 1 Add layers",
    },
    "confusion_matrix": {
        "rows are the predicted classes": "Rows are true classes",
        "index arithmetic in the labels' own uint8 dtype": "for uint8 labels",
        "argmax of scores along the wrong axis": "for (n, n_classes) scores",
        "bincount without minlength": "raised ValueError for a single sample",
        "scikit-learn's confusion matrix": "uses `confusion_matrix`",
        "no check of the class indices": "must raise ValueError",
    },
    "train_with_early_stopping": {
        "best weights not restored": "does not hold the weights of its best epoch",
        "early stopping on the training loss": "monitor 'val_loss'",
        "best_epoch counted from 0": "best_epoch",
        "no seed: a second run differs": "same seed",
        "returns the History object, not its dict": "must be the dict History.history",
        "validation split of the training data instead of the validation set": "does not hold the weights",
    },
    "save_and_reload": {
        "returns the model it was given": "Return the model loaded from the file",
        "weights only, into a .weights.h5 file": "model.keras inside the folder",
        "the folder is not created": "does the folder exist yet",
        "saved in the working folder, not the one given": "model.keras inside the folder",
        "a fresh clone: same architecture, new random weights": "the reloaded model's predictions",
        "TensorFlow's loader": "uses `tf`",
    },
}

# Every solution cell of the release starts with `import keras` (the locked cells do not import it, so
# that the judge process never loads Keras): a student's cell keeps that line.
for _answers in (*CORRECT.values(), *WRONG.values()):
    _items = _answers.items() if isinstance(_answers, dict) else enumerate(_answers)
    for _key, _source in list(_items):
        _answers[_key] = "import keras\n\n" + _source.lstrip("\n")
