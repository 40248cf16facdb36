"""Student answers for exercise 04 (backpropagation from scratch), used to test its grader through nbgrader.

For each graded part (keyed by the grade_id of its solution cell): ``CORRECT`` holds alternative
correct implementations written differently from the reference (dispatch tables, einsum and
tensordot, logaddexp.reduce, calls to the student's own earlier parts, float32 where the prompt
allows it), each of which must earn full marks, and ``WRONG`` the plausible mistakes a student makes,
each of which must earn zero on its part. Each entry is the whole source of the solution cell, as a
student would leave it.

``REASONS`` says, for every wrong answer, what its test cell must report (a substring of
``"ExceptionName: message"`` of the error the test cell raised), so that each wrong answer is shown
to fail for the reason it was written for, not by accident.

The wrong answers cover: wrong maths (a slope written as if A were Z, tanh' = 1 - A, a forgotten
slope, smoothing over k - 1 classes, a one-sided difference, 1/h for 1/(2h), clipping per layer or
always), edge values (ReLU'(0) = 1, ReLU outputs at 0), edge shapes (a transposed weight gradient,
a flattened result, gradients only for linear layers, a dropped last batch), scales (no shift, a
log of an underflowed probability, saturated units against finite differences and float32),
normalisation (sum for mean, n forgotten), randomness that does not come from ``rng`` or comes in
the wrong order, in-place changes of inputs and stacks, call counts, unknown kinds accepted and
forbidden helpers.
"""

CORRECT = {
    "activation_backward": [
        # float32 throughout, ReLU by selecting dA
        '''
def activation_backward(dA, A, kind):
    A32, d32 = np.asarray(A, dtype=np.float32), np.asarray(dA, dtype=np.float32)
    if kind == "sigmoid":
        return d32 * A32 * (np.float32(1) - A32)
    if kind == "tanh":
        return d32 - d32 * A32 * A32
    if kind == "relu":
        return np.where(A32 > 0, d32, np.float32(0))
    raise ValueError(kind)
''',
        # a dispatch table of slopes, (1 - A)(1 + A) for tanh
        '''
def activation_backward(dA, A, kind):
    slopes = {"sigmoid": lambda a: a - a * a,
              "tanh": lambda a: (1 - a) * (1 + a),
              "relu": lambda a: np.where(a > 0, 1.0, 0.0)}
    if kind not in slopes:
        raise ValueError(f"no such activation: {kind}")
    return np.multiply(dA, slopes[kind](A))
''',
    ],
    "softmax_cross_entropy": [
        # log-sum-exp with np.logaddexp.reduce, the loss written out term by term
        '''
def softmax_cross_entropy(Z, labels, smoothing=0.0):
    n, k = Z.shape
    lse = np.logaddexp.reduce(Z, axis=1)
    rows = np.arange(n)
    per_sample = lse - (1 - smoothing) * Z[rows, labels] - smoothing / k * Z.sum(axis=1)
    P = np.exp(Z - lse[:, None])
    T = smoothing / k + (1 - smoothing) * np.eye(k)[labels]
    return per_sample.mean(), (P - T) / n
''',
        # float32, one-hot by comparison, einsum for the weighted sum
        '''
def softmax_cross_entropy(Z, labels, smoothing=0.0):
    Z32 = Z.astype(np.float32)
    n, k = Z32.shape
    onehot = (np.arange(k)[None, :] == np.asarray(labels)[:, None]).astype(np.float32)
    T = np.float32(1 - smoothing) * onehot + np.float32(smoothing / k)
    m = Z32.max(axis=1, keepdims=True)
    log_p = Z32 - m - np.log(np.sum(np.exp(Z32 - m), axis=1, keepdims=True))
    loss = -np.einsum("ij,ij->", T, log_p) / n
    return loss, (np.exp(log_p) - T) / np.float32(n)
''',
    ],
    "directional_gradient_check": [
        # np.vdot, the two nudged outputs subtracted first, forward calls before backward
        '''
def directional_gradient_check(forward, backward, x, rng, h=1e-6):
    out = forward(x)
    g = rng.standard_normal(out.shape)
    v = rng.standard_normal(x.shape)
    up, down = forward(x + h * v), forward(x - h * v)
    numeric = np.vdot(g, up - down) / (2 * h)
    analytic = np.vdot(backward(x, g), v)
    diff, denom = abs(analytic - numeric), abs(analytic) + abs(numeric)
    return diff / denom if denom > 1e-12 else diff / 1e-12
''',
        # tensordot over every axis, size= keywords, the divisions written apart
        '''
def directional_gradient_check(forward, backward, x, rng, h=1e-6):
    y = np.asarray(forward(x), dtype=float)
    g = rng.standard_normal(size=y.shape)
    v = rng.standard_normal(size=x.shape)
    a = float(np.tensordot(backward(x, g), v, axes=v.ndim))
    s_plus = float(np.sum(np.multiply(g, forward(x + v * h))))
    s_minus = float(np.sum(np.multiply(g, forward(x - v * h))))
    num = (s_plus - s_minus) / h / 2
    return abs(a - num) / max(abs(a) + abs(num), 1e-12)
''',
    ],
    "stack_backward": [
        # slopes from the cached pre-activations Z (stable formulas), grads collected by insert(0, ...)
        '''
def stack_backward(layers, X, dout):
    cache = []
    a = X
    for layer in layers:
        kind = layer["kind"]
        if kind not in ("linear", "sigmoid", "tanh", "relu"):
            raise ValueError("unknown kind " + str(kind))
        cache.append(a)
        if kind == "linear":
            a = a @ layer["W"] + layer["b"]
        elif kind == "sigmoid":
            a = np.exp(-np.logaddexp(0, -a))
        elif kind == "tanh":
            a = np.tanh(a)
        else:
            a = np.maximum(a, 0)
    grads = []
    G = dout
    for layer, Z in zip(reversed(layers), reversed(cache)):
        kind = layer["kind"]
        if kind == "linear":
            grads.insert(0, {"W": Z.T @ G, "b": np.sum(G, axis=0)})
            G = G @ layer["W"].T
            continue
        grads.insert(0, {})
        if kind == "sigmoid":
            e = np.exp(-np.abs(Z))
            G = G * e / (1 + e) ** 2
        elif kind == "tanh":
            G = G / np.cosh(np.clip(Z, -300, 300)) ** 2
        else:
            G = G * (Z > 0)
    return G, grads
''',
        # einsum, calls the student's own activation_backward, list reversed at the end
        '''
def stack_backward(layers, X, dout):
    ins, outs = [], []
    a = X
    for layer in layers:
        ins.append(a)
        if layer["kind"] == "linear":
            a = np.einsum("nd,dm->nm", a, layer["W"]) + layer["b"]
        elif layer["kind"] == "sigmoid":
            a = 0.5 + 0.5 * np.tanh(0.5 * a)
        elif layer["kind"] == "tanh":
            a = np.tanh(a)
        elif layer["kind"] == "relu":
            a = a * (a > 0)
        else:
            raise ValueError(layer["kind"])
        outs.append(a)
    backwards = []
    G = dout
    for i in reversed(range(len(layers))):
        if layers[i]["kind"] == "linear":
            backwards.append({"b": np.einsum("nm->m", G), "W": np.einsum("nd,nm->dm", ins[i], G)})
            G = np.einsum("nm,dm->nd", G, layers[i]["W"])
        else:
            backwards.append({})
            G = activation_backward(G, outs[i], layers[i]["kind"])
    return G, backwards[::-1]
''',
    ],
    "train_stack": [
        # calls the student's own softmax_cross_entropy and stack_backward
        '''
def train_stack(layers, X, labels, lr, epochs, batch_size, rng, max_norm=None):
    def logits_of(stack, data):
        for layer in stack:
            if layer["kind"] == "linear":
                data = data @ layer["W"] + layer["b"]
            elif layer["kind"] == "relu":
                data = np.maximum(data, 0)
            elif layer["kind"] == "tanh":
                data = np.tanh(data)
            else:
                data = 1 / (1 + np.exp(-data))
        return data

    current = [dict(layer) for layer in layers]
    n = len(X)
    history = []
    for _ in range(epochs):
        perm = rng.permutation(n)
        for b in range(int(np.ceil(n / batch_size))):
            idx = perm[b * batch_size:(b + 1) * batch_size]
            _, dZ = softmax_cross_entropy(logits_of(current, X[idx]), labels[idx])
            _, grads = stack_backward(current, X[idx], dZ)
            scale = 1.0
            if max_norm is not None:
                total = np.sqrt(sum(np.sum(g["W"] ** 2) + np.sum(g["b"] ** 2) for g in grads if g))
                scale = min(1.0, max_norm / total)
            current = [{"kind": "linear", "W": layer["W"] - lr * scale * g["W"], "b": layer["b"] - lr * scale * g["b"]}
                       if layer["kind"] == "linear" else layer for layer, g in zip(current, grads)]
        history.append(softmax_cross_entropy(logits_of(current, X), labels)[0])
    return current, np.array(history)
''',
        # float32, a while loop over the batches, the global norm of one concatenated vector
        '''
def train_stack(layers, X, labels, lr, epochs, batch_size, rng, max_norm=None):
    stack = [{k: (v.astype(np.float32) if isinstance(v, np.ndarray) else v) for k, v in layer.items()} for layer in layers]
    X32 = X.astype(np.float32)
    f = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh,
         "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "linear": None}

    def run(data):
        ins, outs = [], []
        for layer in stack:
            ins.append(data)
            data = data @ layer["W"] + layer["b"] if layer["kind"] == "linear" else f[layer["kind"]](data)
            outs.append(data)
        return ins, outs

    def mean_ce(Z, y):
        m = Z.max(axis=1, keepdims=True)
        logp = Z - m - np.log(np.exp(Z - m).sum(axis=1, keepdims=True))
        return -logp[np.arange(len(y)), y].mean(), np.exp(logp)

    losses = np.zeros(epochs, dtype=np.float32)
    for epoch in range(epochs):
        order = rng.permutation(len(X))
        start = 0
        while start < len(X):
            idx = order[start:start + batch_size]
            start += batch_size
            ins, outs = run(X32[idx])
            _, P = mean_ce(outs[-1], labels[idx])
            P[np.arange(len(idx)), labels[idx]] -= 1
            G = P / len(idx)
            found = []
            for i in range(len(stack) - 1, -1, -1):
                kind, out = stack[i]["kind"], outs[i]
                if kind == "linear":
                    found.append((i, ins[i].T @ G, G.sum(axis=0)))
                    G = G @ stack[i]["W"].T
                elif kind == "relu":
                    G = G * (out > 0)
                elif kind == "tanh":
                    G = G * (1 - out * out)
                else:
                    G = G * out * (1 - out)
            if max_norm is not None:
                norm = np.linalg.norm(np.concatenate([np.ravel(p) for _, dW, db in found for p in (dW, db)]))
                if norm > max_norm:
                    found = [(i, dW * (max_norm / norm), db * (max_norm / norm)) for i, dW, db in found]
            for i, dW, db in found:
                stack[i] = {"kind": "linear", "W": stack[i]["W"] - lr * dW, "b": stack[i]["b"] - lr * db}
        losses[epoch] = mean_ce(run(X32)[1][-1], labels)[0]
    return stack, losses
''',
    ],
}

_ACT_HEAD = '''
def activation_backward(dA, A, kind):
    if kind not in ("sigmoid", "tanh", "relu"):
        raise ValueError(kind)
'''

_SCE_HEAD = '''
def softmax_cross_entropy(Z, labels, smoothing=0.0):
    n, k = Z.shape
    T = np.full((n, k), smoothing / k)
    T[np.arange(n), labels] += 1 - smoothing
'''

_STACK_FORWARD = '''
def _run_forward(layers, X):
    ins, outs, a = [], [], X
    for layer in layers:
        ins.append(a)
        kind = layer["kind"]
        if kind == "linear":
            a = a @ layer["W"] + layer["b"]
        elif kind == "sigmoid":
            a = 0.5 * (1 + np.tanh(a / 2))
        elif kind == "tanh":
            a = np.tanh(a)
        elif kind == "relu":
            a = np.maximum(a, 0.0)
        else:
            raise ValueError(kind)
        outs.append(a)
    return ins, outs

def _slope(kind, A):
    return {"sigmoid": A * (1 - A), "tanh": 1 - A ** 2, "relu": (A > 0) * 1.0}[kind]
'''

_TRAIN_HEAD = '''
def _logits(stack, data):
    for layer in stack:
        if layer["kind"] == "linear":
            data = data @ layer["W"] + layer["b"]
        elif layer["kind"] == "relu":
            data = np.maximum(data, 0)
        elif layer["kind"] == "tanh":
            data = np.tanh(data)
        else:
            data = 0.5 * (1 + np.tanh(data / 2))
    return data

def _mean_ce(Z, y):
    m = Z.max(axis=1, keepdims=True)
    logp = Z - m - np.log(np.exp(Z - m).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].mean(), np.exp(logp)

def _grads(stack, Xb, yb):
    ins, outs, a = [], [], Xb
    for layer in stack:
        ins.append(a)
        a = _logits([layer], a)
        outs.append(a)
    P = _mean_ce(a, yb)[1]
    P[np.arange(len(yb)), yb] -= 1
    G = P / len(yb)
    grads = {}
    for i in range(len(stack) - 1, -1, -1):
        kind, out = stack[i]["kind"], outs[i]
        if kind == "linear":
            grads[i] = [ins[i].T @ G, G.sum(axis=0)]
            G = G @ stack[i]["W"].T
        else:
            G = G * {"relu": (out > 0) * 1.0, "tanh": 1 - out ** 2, "sigmoid": out * (1 - out)}[kind]
    return grads
'''

_TRAIN_LOOP = '''
def train_stack(layers, X, labels, lr, epochs, batch_size, rng, max_norm=None):
    stack = [dict(layer) for layer in layers]
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            grads = _grads(stack, X[idx], labels[idx])
            grads = _clip(grads, max_norm)
            for i, (dW, db) in grads.items():
                stack[i] = {"kind": "linear", "W": stack[i]["W"] - lr * dW, "b": stack[i]["b"] - lr * db}
        losses.append(_mean_ce(_logits(stack, X), labels)[0])
    return stack, np.array(losses)
'''

WRONG = {
    "activation_backward": {
        "sigmoid slope as if A were Z": _ACT_HEAD + '''
    if kind == "sigmoid":
        s = 1 / (1 + np.exp(-A))
        return dA * s * (1 - s)
    if kind == "tanh":
        return dA * (1 - A ** 2)
    return dA * (A > 0)
''',
        "tanh' = 1 - A": _ACT_HEAD + '''
    slope = {"sigmoid": A * (1 - A), "tanh": 1 - A, "relu": (A > 0) * 1.0}[kind]
    return dA * slope
''',
        "ReLU slope from A >= 0": _ACT_HEAD + '''
    slope = {"sigmoid": A * (1 - A), "tanh": 1 - A ** 2, "relu": (A >= 0) * 1.0}[kind]
    return dA * slope
''',
        "returns the slope only": _ACT_HEAD + '''
    return {"sigmoid": A * (1 - A), "tanh": 1 - A ** 2, "relu": (A > 0) * 1.0}[kind]
''',
        "multiplies dA in place": _ACT_HEAD + '''
    dA *= {"sigmoid": A * (1 - A), "tanh": 1 - A ** 2, "relu": (A > 0) * 1.0}[kind]
    return dA
''',
        "unknown kinds fall back to ReLU": '''
def activation_backward(dA, A, kind):
    if kind == "sigmoid":
        return dA * A * (1 - A)
    if kind == "tanh":
        return dA * (1 - A ** 2)
    return dA * (A > 0)
''',
        "flattens the result": _ACT_HEAD + '''
    slope = {"sigmoid": A * (1 - A), "tanh": 1 - A ** 2, "relu": (A > 0) * 1.0}[kind]
    return (dA * slope).ravel()
''',
        "works for matrices only": _ACT_HEAD + '''
    n, m = A.shape
    slope = {"sigmoid": A * (1 - A), "tanh": 1 - A ** 2, "relu": (A > 0) * 1.0}[kind]
    return np.reshape(dA * slope, (n, m))
''',
    },
    "softmax_cross_entropy": {
        "no shift: exp overflows": _SCE_HEAD + '''
    E = np.exp(Z)
    P = E / E.sum(axis=1, keepdims=True)
    loss = -np.sum(T * (Z - np.log(E.sum(axis=1, keepdims=True)))) / n
    return loss, (P - T) / n
''',
        "one shift for the whole batch": _SCE_HEAD + '''
    shifted = Z - Z.max()
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.sum(T * log_p) / n, (np.exp(log_p) - T) / n
''',
        "log of the softmax": _SCE_HEAD + '''
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    return -np.sum(T * np.log(P)) / n, (P - T) / n
''',
        "sum over samples, not mean": _SCE_HEAD + '''
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.sum(T * log_p), np.exp(log_p) - T
''',
        "smoothing spread over the other k - 1 classes": '''
def softmax_cross_entropy(Z, labels, smoothing=0.0):
    n, k = Z.shape
    T = np.full((n, k), smoothing / max(k - 1, 1))
    T[np.arange(n), labels] = 1 - smoothing
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.sum(T * log_p) / n, (np.exp(log_p) - T) / n
''',
        "ignores the smoothing": '''
def softmax_cross_entropy(Z, labels, smoothing=0.0):
    n, k = Z.shape
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    P = np.exp(log_p)
    P[np.arange(n), labels] -= 1
    return -np.mean(log_p[np.arange(n), labels]), P / n
''',
        "shifts Z in place": _SCE_HEAD + '''
    Z -= Z.max(axis=1, keepdims=True)
    log_p = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return -np.sum(T * log_p) / n, (np.exp(log_p) - T) / n
''',
        "gradient not divided by n": _SCE_HEAD + '''
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.sum(T * log_p) / n, np.exp(log_p) - T
''',
    },
    "directional_gradient_check": {
        "one-sided difference": '''
def directional_gradient_check(forward, backward, x, rng, h=1e-6):
    y = forward(x)
    g = rng.standard_normal(y.shape)
    v = rng.standard_normal(x.shape)
    analytic = np.sum(backward(x, g) * v)
    numeric = (np.sum(g * forward(x + h * v)) - np.sum(g * y)) / h
    return abs(analytic - numeric) / max(abs(analytic) + abs(numeric), 1e-12)
''',
        "v drawn before g": '''
def directional_gradient_check(forward, backward, x, rng, h=1e-6):
    y = forward(x)
    v = rng.standard_normal(x.shape)
    g = rng.standard_normal(y.shape)
    analytic = np.sum(backward(x, g) * v)
    numeric = (np.sum(g * forward(x + h * v)) - np.sum(g * forward(x - h * v))) / (2 * h)
    return abs(analytic - numeric) / max(abs(analytic) + abs(numeric), 1e-12)
''',
        "global numpy random": '''
def directional_gradient_check(forward, backward, x, rng, h=1e-6):
    y = forward(x)
    g = np.random.standard_normal(y.shape)
    v = np.random.standard_normal(x.shape)
    analytic = np.sum(backward(x, g) * v)
    numeric = (np.sum(g * forward(x + h * v)) - np.sum(g * forward(x - h * v))) / (2 * h)
    return abs(analytic - numeric) / max(abs(analytic) + abs(numeric), 1e-12)
''',
        "nudges x in place": '''
def directional_gradient_check(forward, backward, x, rng, h=1e-6):
    y = forward(x)
    g = rng.standard_normal(y.shape)
    v = rng.standard_normal(x.shape)
    analytic = np.sum(backward(x, g) * v)
    x += h * v
    plus = np.sum(g * forward(x))
    x -= 2 * h * v
    minus = np.sum(g * forward(x))
    numeric = (plus - minus) / (2 * h)
    return abs(analytic - numeric) / max(abs(analytic) + abs(numeric), 1e-12)
''',
        "absolute error": '''
def directional_gradient_check(forward, backward, x, rng, h=1e-6):
    y = forward(x)
    g = rng.standard_normal(y.shape)
    v = rng.standard_normal(x.shape)
    analytic = np.sum(backward(x, g) * v)
    numeric = (np.sum(g * forward(x + h * v)) - np.sum(g * forward(x - h * v))) / (2 * h)
    return float(abs(analytic - numeric))
''',
        "divides by h, not 2h": '''
def directional_gradient_check(forward, backward, x, rng, h=1e-6):
    y = forward(x)
    g = rng.standard_normal(y.shape)
    v = rng.standard_normal(x.shape)
    analytic = np.sum(backward(x, g) * v)
    numeric = (np.sum(g * forward(x + h * v)) - np.sum(g * forward(x - h * v))) / h
    return abs(analytic - numeric) / max(abs(analytic) + abs(numeric), 1e-12)
''',
        "checks.numeric_gradient": '''
def directional_gradient_check(forward, backward, x, rng, h=1e-6):
    y = forward(x)
    g = rng.standard_normal(y.shape)
    v = rng.standard_normal(x.shape)
    full = checks.numeric_gradient(lambda z: np.sum(g * forward(z)), x, h)
    numeric = np.sum(full * v)
    analytic = np.sum(backward(x, g) * v)
    return abs(analytic - numeric) / max(abs(analytic) + abs(numeric), 1e-12)
''',
    },
    "stack_backward": {
        "forgets the activation slope": _STACK_FORWARD + '''
def stack_backward(layers, X, dout):
    ins, outs = _run_forward(layers, X)
    grads, G = [None] * len(layers), dout
    for i in range(len(layers) - 1, -1, -1):
        if layers[i]["kind"] == "linear":
            grads[i] = {"W": ins[i].T @ G, "b": G.sum(axis=0)}
            G = G @ layers[i]["W"].T
        else:
            grads[i] = {}
    return G, grads
''',
        "transposed weight gradient": _STACK_FORWARD + '''
def stack_backward(layers, X, dout):
    ins, outs = _run_forward(layers, X)
    grads, G = [None] * len(layers), dout
    for i in range(len(layers) - 1, -1, -1):
        if layers[i]["kind"] == "linear":
            grads[i] = {"W": G.T @ ins[i], "b": G.sum(axis=0)}
            G = G @ layers[i]["W"].T
        else:
            grads[i] = {}
            G = G * _slope(layers[i]["kind"], outs[i])
    return G, grads
''',
        "bias gradient averaged": _STACK_FORWARD + '''
def stack_backward(layers, X, dout):
    ins, outs = _run_forward(layers, X)
    grads, G = [None] * len(layers), dout
    for i in range(len(layers) - 1, -1, -1):
        if layers[i]["kind"] == "linear":
            grads[i] = {"W": ins[i].T @ G, "b": G.mean(axis=0)}
            G = G @ layers[i]["W"].T
        else:
            grads[i] = {}
            G = G * _slope(layers[i]["kind"], outs[i])
    return G, grads
''',
        "grads only for linear layers": _STACK_FORWARD + '''
def stack_backward(layers, X, dout):
    ins, outs = _run_forward(layers, X)
    grads, G = [], dout
    for i in range(len(layers) - 1, -1, -1):
        if layers[i]["kind"] == "linear":
            grads.insert(0, {"W": ins[i].T @ G, "b": G.sum(axis=0)})
            G = G @ layers[i]["W"].T
        else:
            G = G * _slope(layers[i]["kind"], outs[i])
    return G, grads
''',
        "ReLU'(0) = 1": _STACK_FORWARD + '''
def stack_backward(layers, X, dout):
    ins, outs = _run_forward(layers, X)
    grads, G = [None] * len(layers), dout
    for i in range(len(layers) - 1, -1, -1):
        if layers[i]["kind"] == "linear":
            grads[i] = {"W": ins[i].T @ G, "b": G.sum(axis=0)}
            G = G @ layers[i]["W"].T
        else:
            grads[i] = {}
            if layers[i]["kind"] == "relu":
                G = G * (ins[i] >= 0)
            else:
                G = G * _slope(layers[i]["kind"], outs[i])
    return G, grads
''',
        "finite differences of the output": _STACK_FORWARD + '''
def stack_backward(layers, X, dout):
    def s(stack, data):
        return np.sum(dout * _run_forward(stack, data)[1][-1])

    def numeric(f, x, h=1e-6):
        x = np.array(x, dtype=float)
        grad = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            old = x[idx]
            x[idx] = old + h
            plus = f(x)
            x[idx] = old - h
            minus = f(x)
            x[idx] = old
            grad[idx] = (plus - minus) / (2 * h)
        return grad

    _run_forward(layers, X)
    grads = []
    for i, layer in enumerate(layers):
        if layer["kind"] != "linear":
            grads.append({})
            continue
        entry = {}
        for key in ("W", "b"):
            def f(value, i=i, key=key):
                stack = [dict(l) for l in layers]
                stack[i][key] = value
                return s(stack, X)
            entry[key] = numeric(f, layer[key])
        grads.append(entry)
    return numeric(lambda data: s(layers, data), X), grads
''',
        "float32": _STACK_FORWARD + '''
def stack_backward(layers, X, dout):
    layers = [{k: (v.astype(np.float32) if isinstance(v, np.ndarray) else v) for k, v in l.items()} for l in layers]
    ins, outs = _run_forward(layers, X.astype(np.float32))
    grads, G = [None] * len(layers), dout.astype(np.float32)
    for i in range(len(layers) - 1, -1, -1):
        if layers[i]["kind"] == "linear":
            grads[i] = {"W": ins[i].T @ G, "b": G.sum(axis=0)}
            G = G @ layers[i]["W"].T
        else:
            grads[i] = {}
            G = G * _slope(layers[i]["kind"], outs[i])
    return G, grads
''',
        "keeps the cache in the layer dicts": '''
def stack_backward(layers, X, dout):
    a = X
    for layer in layers:
        layer["input"] = a
        if layer["kind"] == "linear":
            a = a @ layer["W"] + layer["b"]
        elif layer["kind"] == "sigmoid":
            a = 0.5 * (1 + np.tanh(a / 2))
        elif layer["kind"] == "tanh":
            a = np.tanh(a)
        elif layer["kind"] == "relu":
            a = np.maximum(a, 0.0)
        else:
            raise ValueError(layer["kind"])
        layer["output"] = a
    grads, G = [None] * len(layers), dout
    for i in range(len(layers) - 1, -1, -1):
        layer = layers[i]
        if layer["kind"] == "linear":
            grads[i] = {"W": layer["input"].T @ G, "b": G.sum(axis=0)}
            G = G @ layer["W"].T
        else:
            grads[i] = {}
            A = layer["output"]
            G = G * {"sigmoid": A * (1 - A), "tanh": 1 - A ** 2, "relu": (A > 0) * 1.0}[layer["kind"]]
    return G, grads
''',
        "unknown kinds pass through": '''
def stack_backward(layers, X, dout):
    ins, outs, a = [], [], X
    for layer in layers:
        ins.append(a)
        if layer["kind"] == "linear":
            a = a @ layer["W"] + layer["b"]
        elif layer["kind"] == "sigmoid":
            a = 0.5 * (1 + np.tanh(a / 2))
        elif layer["kind"] == "tanh":
            a = np.tanh(a)
        elif layer["kind"] == "relu":
            a = np.maximum(a, 0.0)
        outs.append(a)
    grads, G = [None] * len(layers), dout
    for i in range(len(layers) - 1, -1, -1):
        kind, A = layers[i]["kind"], outs[i]
        if kind == "linear":
            grads[i] = {"W": ins[i].T @ G, "b": G.sum(axis=0)}
            G = G @ layers[i]["W"].T
        else:
            grads[i] = {}
            G = G * {"sigmoid": A * (1 - A), "tanh": 1 - A ** 2, "relu": (A > 0) * 1.0}.get(kind, 1.0)
    return G, grads
''',
    },
    "train_stack": {
        "clips each layer on its own": _TRAIN_HEAD + '''
def _clip(grads, max_norm):
    if max_norm is None:
        return grads
    out = {}
    for i, (dW, db) in grads.items():
        norm = np.sqrt(np.sum(dW ** 2) + np.sum(db ** 2))
        f = max_norm / norm if norm > max_norm else 1.0
        out[i] = (dW * f, db * f)
    return out
''' + _TRAIN_LOOP,
        "always rescales to max_norm": _TRAIN_HEAD + '''
def _clip(grads, max_norm):
    if max_norm is None:
        return grads
    norm = np.sqrt(sum(np.sum(dW ** 2) + np.sum(db ** 2) for dW, db in grads.values()))
    return {i: (dW * max_norm / norm, db * max_norm / norm) for i, (dW, db) in grads.items()}
''' + _TRAIN_LOOP,
        "no clipping at all": _TRAIN_HEAD + '''
def _clip(grads, max_norm):
    return grads
''' + _TRAIN_LOOP,
        "updates the caller's arrays in place": _TRAIN_HEAD + '''
def train_stack(layers, X, labels, lr, epochs, batch_size, rng, max_norm=None):
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            grads = _grads(layers, X[idx], labels[idx])
            norm = np.sqrt(sum(np.sum(dW ** 2) + np.sum(db ** 2) for dW, db in grads.values()))
            f = max_norm / norm if max_norm is not None and norm > max_norm else 1.0
            for i, (dW, db) in grads.items():
                layers[i]["W"] -= lr * f * dW
                layers[i]["b"] -= lr * f * db
        losses.append(_mean_ce(_logits(layers, X), labels)[0])
    return layers, np.array(losses)
''',
        "drops the last partial batch": _TRAIN_HEAD + '''
def _clip(grads, max_norm):
    if max_norm is None:
        return grads
    norm = np.sqrt(sum(np.sum(dW ** 2) + np.sum(db ** 2) for dW, db in grads.values()))
    f = max_norm / norm if norm > max_norm else 1.0
    return {i: (dW * f, db * f) for i, (dW, db) in grads.items()}

def train_stack(layers, X, labels, lr, epochs, batch_size, rng, max_norm=None):
    stack = [dict(layer) for layer in layers]
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for b in range(len(X) // batch_size):
            idx = order[b * batch_size:(b + 1) * batch_size]
            for i, (dW, db) in _clip(_grads(stack, X[idx], labels[idx]), max_norm).items():
                stack[i] = {"kind": "linear", "W": stack[i]["W"] - lr * dW, "b": stack[i]["b"] - lr * db}
        losses.append(_mean_ce(_logits(stack, X), labels)[0])
    return stack, np.array(losses)
''',
        "loss recorded before the epoch": _TRAIN_HEAD + '''
def _clip(grads, max_norm):
    if max_norm is None:
        return grads
    norm = np.sqrt(sum(np.sum(dW ** 2) + np.sum(db ** 2) for dW, db in grads.values()))
    f = max_norm / norm if norm > max_norm else 1.0
    return {i: (dW * f, db * f) for i, (dW, db) in grads.items()}

def train_stack(layers, X, labels, lr, epochs, batch_size, rng, max_norm=None):
    stack = [dict(layer) for layer in layers]
    losses = []
    for _ in range(epochs):
        losses.append(_mean_ce(_logits(stack, X), labels)[0])
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            for i, (dW, db) in _clip(_grads(stack, X[idx], labels[idx]), max_norm).items():
                stack[i] = {"kind": "linear", "W": stack[i]["W"] - lr * dW, "b": stack[i]["b"] - lr * db}
    return stack, np.array(losses)
''',
        "global numpy random": _TRAIN_HEAD + '''
def _clip(grads, max_norm):
    if max_norm is None:
        return grads
    norm = np.sqrt(sum(np.sum(dW ** 2) + np.sum(db ** 2) for dW, db in grads.values()))
    f = max_norm / norm if norm > max_norm else 1.0
    return {i: (dW * f, db * f) for i, (dW, db) in grads.items()}

def train_stack(layers, X, labels, lr, epochs, batch_size, rng, max_norm=None):
    stack = [dict(layer) for layer in layers]
    losses = []
    for _ in range(epochs):
        order = np.random.permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            for i, (dW, db) in _clip(_grads(stack, X[idx], labels[idx]), max_norm).items():
                stack[i] = {"kind": "linear", "W": stack[i]["W"] - lr * dW, "b": stack[i]["b"] - lr * db}
        losses.append(_mean_ce(_logits(stack, X), labels)[0])
    return stack, np.array(losses)
''',
        "gradient of the summed batch loss": _TRAIN_HEAD + '''
def _clip(grads, max_norm):
    if max_norm is None:
        return grads
    norm = np.sqrt(sum(np.sum(dW ** 2) + np.sum(db ** 2) for dW, db in grads.values()))
    f = max_norm / norm if norm > max_norm else 1.0
    return {i: (dW * f, db * f) for i, (dW, db) in grads.items()}

def train_stack(layers, X, labels, lr, epochs, batch_size, rng, max_norm=None):
    stack = [dict(layer) for layer in layers]
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            grads = {i: (dW * len(idx), db * len(idx)) for i, (dW, db) in _grads(stack, X[idx], labels[idx]).items()}
            for i, (dW, db) in _clip(grads, max_norm).items():
                stack[i] = {"kind": "linear", "W": stack[i]["W"] - lr * dW, "b": stack[i]["b"] - lr * db}
        losses.append(_mean_ce(_logits(stack, X), labels)[0])
    return stack, np.array(losses)
''',
    },
}

REASONS = {
    "activation_backward": {
        "sigmoid slope as if A were Z": "activation_backward(dA, A, 'sigmoid') has the right shape",
        "tanh' = 1 - A": "activation_backward(dA, A, 'tanh') has the right shape",
        "ReLU slope from A >= 0": "activation_backward(dA, A, 'relu') has the right shape",
        "returns the slope only": "activation_backward(dA, A, 'sigmoid') has the right shape",
        "multiplies dA in place": "changed argument 1 in place",
        "unknown kinds fall back to ReLU": "must raise ValueError for an unknown kind",
        "flattens the result": "has shape (6,)",
        "works for matrices only": "raised ValueError for sigmoid with shape (5,)",
    },
    "softmax_cross_entropy": {
        "no shift: exp overflows": "for logits spanning thousands",
        "one shift for the whole batch": "for logits spanning thousands",
        "log of the softmax": "labels on the smallest logits, smoothing 0.0",
        "sum over samples, not mean": "the loss with smoothing 0.0",
        "smoothing spread over the other k - 1 classes": "the loss with smoothing 0.3",
        "ignores the smoothing": "the loss with smoothing 0.3",
        "shifts Z in place": "changed argument 1 in place",
        "gradient not divided by n": "dZ with smoothing 0.0",
    },
    "directional_gradient_check": {
        "one-sided difference": "called forward 2 and backward 1 times",
        "v drawn before g": "the relative error for a buggy backward pass",
        "global numpy random": "rng is not in the state",
        "nudges x in place": "changed argument 3 in place",
        "absolute error": "the relative error for a buggy backward pass",
        "divides by h, not 2h": "the relative error for a buggy backward pass",
        "checks.numeric_gradient": "uses `numeric_gradient`",
    },
    "stack_backward": {
        "forgets the activation slope": "grads[0]['W'] has the right shape",
        "transposed weight gradient": "grads[0]['W'] has shape (3, 2)",
        "bias gradient averaged": "grads[0]['b'] has the right shape",
        "grads only for linear layers": "grads must be a list with one dict per layer",
        "ReLU'(0) = 1": "with ReLU inputs that are exactly 0",
        "finite differences of the output": "for saturated tanh units",
        "float32": "for saturated tanh units",
        "keeps the cache in the layer dicts": "stack_backward changed",
        "unknown kinds pass through": "must raise ValueError for an unknown layer kind",
    },
    "train_stack": {
        "clips each layer on its own": "with max_norm = 0.1",
        "always rescales to max_norm": "batch_size=1, max_norm=1.0",
        "no clipping at all": "losses with max_norm = 0.1",
        "updates the caller's arrays in place": "train_stack changed",
        "drops the last partial batch": "losses after 2 epochs without clipping",
        "loss recorded before the epoch": "losses after 2 epochs without clipping",
        "global numpy random": "rng is not in the state",
        "gradient of the summed batch loss": "losses after 2 epochs without clipping",
    },
}
