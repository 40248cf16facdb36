"""Student answers for exercise 03 (XOR and hidden layers), used to test its grader through nbgrader.

For each graded part (keyed by the grade_id of its solution cell): ``CORRECT`` holds alternative
correct implementations written differently from the reference (loops against vectorised code,
einsum, other valid constructions, float32 where the prompt allows it), each of which must earn
full marks, and ``WRONG`` the plausible mistakes a student makes, each of which must earn zero on
its part. Each entry is the whole source of the solution cell, as a student would leave it.

``REASONS`` says, for every wrong answer, what its test cell must report (a substring of
``"ExceptionName: message"`` of the error the test cell raised), so that each wrong answer is shown
to fail for the reason it was written for, not by accident.

The wrong answers cover: edge shapes (k = 1 squeezed away, a transposed product that only works
when d = h, a bias summed over the wrong axis, a last partial batch dropped), edge values
(ReLU'(0) = 1, d = 1 or K = 1), scales (the loss from log sigmoid with logits in the thousands,
saturated tanh units against finite differences and float32), wrong maths (a missing bias, an
activation on the output, a missing f'(Z1), the wrong normalisation, ReLU used as a step, slopes in
place of slope changes), hard-coding the public case, randomness that does not come from ``rng``,
in-place changes of the params dict, wrong return types and forbidden libraries.
"""

CORRECT = {
    "forward": [
        # one sample at a time, the activation from a dispatch table
        '''
import math

def forward(X, params, activation):
    table = {"tanh": math.tanh, "relu": lambda v: max(v, 0.0),
             "sigmoid": lambda v: 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))}
    if activation not in table:
        raise ValueError("unknown activation")
    f = np.vectorize(table[activation], otypes=[float])
    rows_z, rows_a, rows_out = [], [], []
    for x in X:
        z = x @ params["W1"] + params["b1"]
        a = f(z)
        rows_z.append(z)
        rows_a.append(a)
        rows_out.append(a @ params["W2"] + params["b2"])
    return np.array(rows_out), {"Z1": np.array(rows_z), "A1": np.array(rows_a)}
''',
        # einsum, float32
        '''
def forward(X, params, activation):
    W1, b1 = params["W1"].astype(np.float32), params["b1"].astype(np.float32)
    Z1 = np.einsum("nd,dh->nh", X.astype(np.float32), W1) + b1
    if activation == "tanh":
        A1 = np.tanh(Z1)
    elif activation == "sigmoid":
        A1 = np.exp(-np.logaddexp(np.float32(0), -Z1))
    elif activation == "relu":
        A1 = Z1 * (Z1 > 0)
    else:
        raise ValueError(activation)
    Z2 = np.einsum("nh,hk->nk", A1, params["W2"].astype(np.float32)) + params["b2"].astype(np.float32)
    return Z2, dict(Z1=Z1, A1=A1, W2=params["W2"])
''',
    ],
    "parity_network": [
        # step-like ReLU pairs: relu(s - j + 1) - relu(s - j) is a unit step at s = j for integers,
        # written here as one unit per threshold with the zigzag slopes
        '''
def parity_network(d, margin=1.0):
    W1 = np.ones((d, d))
    b1 = -np.arange(d, dtype=float)
    out = np.zeros((d, 1))
    out[0, 0] = 2 * margin
    for j in range(1, d):
        out[j, 0] = 4 * margin if j % 2 == 0 else -4 * margin
    return {"W1": W1, "b1": b1, "W2": out, "b2": np.array([-margin])}
''',
        # a bigger margin than asked, float32, keys built in another order
        '''
def parity_network(d, margin=1.0):
    m = np.float32(2 * margin)
    slopes = np.array([(-1) ** j for j in range(d)], dtype=np.float32)  # target slope on [j, j + 1]
    change = np.diff(np.concatenate([[0], slopes])).astype(np.float32)   # 1, -2, 2, -2, ...
    params = {}
    params["b2"] = np.array([-m], dtype=np.float32)
    params["W2"] = (2 * m * change).reshape(-1, 1)
    params["b1"] = -np.arange(d, dtype=np.float32)
    params["W1"] = np.ones((d, d), dtype=np.float32)
    return params
''',
    ],
    "loss_and_grads": [
        # calls forward, derivatives from the cached activations
        '''
def loss_and_grads(X, T, params, activation):
    Z2, cache = forward(X, params, activation)
    Z1, A1 = cache["Z1"], cache["A1"]
    if activation == "tanh":
        dA = 1 - A1 ** 2
    elif activation == "sigmoid":
        dA = A1 * (1 - A1)
    else:
        dA = np.where(Z1 > 0, 1.0, 0.0)
    m = Z2.shape[0] * Z2.shape[1]
    loss = np.sum(np.logaddexp(0, Z2) - T * Z2) / m
    G2 = (np.exp(-np.logaddexp(0, -Z2)) - T) / m
    G1 = G2 @ params["W2"].T * dA
    return loss, {"W1": X.T @ G1, "b1": G1.sum(0), "W2": A1.T @ G2, "b2": G2.sum(0)}
''',
        # einsum, tanh' as 1 / cosh^2, sums with np.add.reduce
        '''
def loss_and_grads(X, T, params, activation):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    Z1 = np.einsum("nd,dh->nh", X, W1) + b1
    if activation == "tanh":
        A1, slope = np.tanh(Z1), 1 / np.cosh(np.clip(Z1, -300, 300)) ** 2
    elif activation == "sigmoid":
        A1 = 1 / (1 + np.exp(-np.clip(Z1, -500, 500)))
        slope = np.exp(-np.abs(Z1)) / (1 + np.exp(-np.abs(Z1))) ** 2
    elif activation == "relu":
        A1, slope = np.maximum(Z1, 0), np.heaviside(Z1, 0.0)
    else:
        raise ValueError(activation)
    Z2 = np.einsum("nh,hk->nk", A1, W2) + b2
    loss = np.mean(np.maximum(Z2, 0) + np.log1p(np.exp(-np.abs(Z2))) - T * Z2)
    P = np.where(Z2 >= 0, 1 / (1 + np.exp(-np.abs(Z2))), np.exp(-np.abs(Z2)) / (1 + np.exp(-np.abs(Z2))))
    E = (P - T) / T.size
    D = np.einsum("nk,hk->nh", E, W2) * slope
    return np.float64(loss), {"W2": np.einsum("nh,nk->hk", A1, E), "b2": np.add.reduce(E, axis=0),
                             "W1": np.einsum("nd,nh->dh", X, D), "b1": np.add.reduce(D, axis=0)}
''',
    ],
    "train": [
        # calls loss_and_grads, updates in a loop over the keys
        '''
def train(X, T, params, lr, epochs, batch_size, rng):
    current = {name: value.copy() for name, value in params.items()}
    history = []
    n = len(X)
    for _ in range(epochs):
        perm = rng.permutation(n)
        for i in range(int(np.ceil(n / batch_size))):
            rows = perm[i * batch_size:(i + 1) * batch_size]
            _, grads = loss_and_grads(X[rows], T[rows], current, "tanh")
            for name in current:
                current[name] = current[name] - lr * grads[name]
        history.append(loss_and_grads(X, T, current, "tanh")[0])
    return current, np.array(history)
''',
        # np.array_split of the permutation, float32: the prompt allows it
        '''
def train(X, T, params, lr, epochs, batch_size, rng):
    W1, b1, W2, b2 = (params[key].astype(np.float32) for key in ("W1", "b1", "W2", "b2"))
    X, T, lr = X.astype(np.float32), T.astype(np.float32), np.float32(lr)
    losses = np.empty(epochs, dtype=np.float32)
    n = X.shape[0]
    for e in range(epochs):
        order = rng.permutation(n)
        for batch in np.array_split(order, range(batch_size, n, batch_size)):
            xb, tb = X[batch], T[batch]
            hidden = np.tanh(xb @ W1 + b1)
            logits = hidden @ W2 + b2
            g2 = (1 / (1 + np.exp(-logits)) - tb) / tb.size
            g1 = g2 @ W2.T * (1 - hidden ** 2)
            W1, b1, W2, b2 = W1 - lr * xb.T @ g1, b1 - lr * g1.sum(0), W2 - lr * hidden.T @ g2, b2 - lr * g2.sum(0)
        logits = np.tanh(X @ W1 + b1) @ W2 + b2
        losses[e] = np.mean(np.logaddexp(0, logits) - T * logits)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, losses
''',
    ],
    "relu_interpolant": [
        # loop over the sorted points, slopes kept as Python floats
        '''
def relu_interpolant(x, y):
    pts = sorted(zip(x.tolist(), y.tolist()))
    K = len(pts)
    weights, previous = [], 0.0
    for i in range(K):
        slope = (pts[i + 1][1] - pts[i][1]) / (pts[i + 1][0] - pts[i][0]) if i + 1 < K else 0.0
        weights.append(slope - previous)
        previous = slope
    return {"W1": np.ones((1, K)), "b1": -np.array([p[0] for p in pts]),
            "W2": np.array(weights).reshape(-1, 1), "b2": np.array([pts[0][1]])}
''',
        # slope changes written out index by index; a single point gets one silent unit
        '''
def relu_interpolant(x, y):
    idx = np.argsort(x)
    xs, ys = x[idx], y[idx]
    if len(xs) == 1:
        return {"W1": np.zeros((1, 1)), "b1": np.zeros(1), "W2": np.zeros((1, 1)), "b2": ys.copy()}
    s = np.diff(ys) / np.diff(xs)
    c = np.empty(len(xs))
    c[0] = s[0]
    c[1:-1] = s[1:] - s[:-1]
    c[-1] = -s[-1]
    return {"W1": np.ones((1, len(xs))), "b1": -xs, "W2": c[:, None], "b2": np.array([ys[0]])}
''',
    ],
}

_FORWARD_HEAD = '''
def forward(X, params, activation):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    f = {"tanh": np.tanh, "sigmoid": lambda z: 0.5 * (1 + np.tanh(z / 2)), "relu": lambda z: np.maximum(z, 0.0)}
    if activation not in f:
        raise ValueError(activation)
'''

_GRADS_HEAD = '''
def loss_and_grads(X, T, params, activation):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    Z1 = X @ W1 + b1
    if activation == "tanh":
        A1 = np.tanh(Z1)
        dA = 1 - A1 ** 2
    elif activation == "sigmoid":
        A1 = 0.5 * (1 + np.tanh(Z1 / 2))
        dA = A1 * (1 - A1)
    else:
        A1, dA = np.maximum(Z1, 0.0), (Z1 > 0) * 1.0
    Z2 = A1 @ W2 + b2
'''

_TRAIN_STEP = '''
def _grads(Xb, Tb, p):
    A1 = np.tanh(Xb @ p["W1"] + p["b1"])
    Z2 = A1 @ p["W2"] + p["b2"]
    dZ2 = (0.5 * (1 + np.tanh(Z2 / 2)) - Tb) / Z2.size
    dZ1 = dZ2 @ p["W2"].T * (1 - A1 ** 2)
    return {"W1": Xb.T @ dZ1, "b1": dZ1.sum(0), "W2": A1.T @ dZ2, "b2": dZ2.sum(0)}

def _loss(X, T, p):
    Z2 = np.tanh(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
    return np.mean(np.logaddexp(0, Z2) - T * Z2)
'''

_INTERP_HEAD = '''
def relu_interpolant(x, y):
    order = np.argsort(x)
    xs, ys = x[order], y[order]
    K = len(xs)
'''

WRONG = {
    "forward": {
        "forgets the hidden bias": _FORWARD_HEAD + '''
    Z1 = X @ W1
    A1 = f[activation](Z1)
    return A1 @ W2 + b2, {"Z1": Z1, "A1": A1}
''',
        "sigmoid on the output": _FORWARD_HEAD + '''
    Z1 = X @ W1 + b1
    A1 = f[activation](Z1)
    return 1 / (1 + np.exp(-(A1 @ W2 + b2))), {"Z1": Z1, "A1": A1}
''',
        "bias added after the activation": _FORWARD_HEAD + '''
    Z1 = X @ W1 + b1
    A1 = f[activation](X @ W1) + b1
    return A1 @ W2 + b2, {"Z1": Z1, "A1": A1}
''',
        "squeezes the output": _FORWARD_HEAD + '''
    Z1 = X @ W1 + b1
    A1 = f[activation](Z1)
    return np.squeeze(A1 @ W2 + b2), {"Z1": Z1, "A1": A1}
''',
        "cache keys swapped": _FORWARD_HEAD + '''
    Z1 = X @ W1 + b1
    A1 = f[activation](Z1)
    return A1 @ W2 + b2, {"Z1": A1, "A1": Z1}
''',
        "reshapes the biases in params": '''
def forward(X, params, activation):
    params["b1"] = params["b1"].reshape(1, -1)
    params["b2"] = params["b2"].reshape(1, -1)
    Z1 = X @ params["W1"] + params["b1"]
    A1 = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0), "sigmoid": lambda z: 0.5 * (1 + np.tanh(z / 2))}[activation](Z1)
    return A1 @ params["W2"] + params["b2"], {"Z1": Z1, "A1": A1}
''',
        "returns a list": _FORWARD_HEAD + '''
    Z1 = X @ W1 + b1
    A1 = f[activation](Z1)
    return [A1 @ W2 + b2, {"Z1": Z1, "A1": A1}]
''',
        "unknown names fall back to tanh": '''
def forward(X, params, activation):
    Z1 = X @ params["W1"] + params["b1"]
    if activation == "relu":
        A1 = np.maximum(Z1, 0)
    elif activation == "sigmoid":
        A1 = 0.5 * (1 + np.tanh(Z1 / 2))
    else:
        A1 = np.tanh(Z1)
    return A1 @ params["W2"] + params["b2"], {"Z1": Z1, "A1": A1}
''',
        "scipy's expit": '''
from scipy.special import expit

def forward(X, params, activation):
    Z1 = X @ params["W1"] + params["b1"]
    funcs = {"tanh": np.tanh, "sigmoid": expit, "relu": lambda z: np.maximum(z, 0)}
    if activation not in funcs:
        raise ValueError(activation)
    A1 = funcs[activation](Z1)
    return A1 @ params["W2"] + params["b2"], {"Z1": Z1, "A1": A1}
''',
    },
    "parity_network": {
        "XOR only": '''
def parity_network(d, margin=1.0):
    return {"W1": np.ones((2, 2)), "b1": np.array([0.0, -1.0]),
            "W2": np.array([[2.0 * margin], [-4.0 * margin]]), "b2": np.array([-margin])}
''',
        "ignores the margin": '''
def parity_network(d, margin=1.0):
    j = np.arange(d)
    return {"W1": np.ones((d, d)), "b1": -j.astype(float),
            "W2": (np.where(j == 0, 2.0, 4.0) * (-1.0) ** j).reshape(d, 1), "b2": np.array([-1.0])}
''',
        "parity reversed": '''
def parity_network(d, margin=1.0):
    j = np.arange(d)
    return {"W1": np.ones((d, d)), "b1": -j.astype(float),
            "W2": (-margin * np.where(j == 0, 2.0, 4.0) * (-1.0) ** j).reshape(d, 1), "b2": np.array([float(margin)])}
''',
        "ReLU used as a step": '''
def parity_network(d, margin=1.0):
    j = np.arange(d)
    return {"W1": np.ones((d, d)), "b1": 0.5 - j,
            "W2": (2 * margin * (-1.0) ** j).reshape(d, 1), "b2": np.array([-float(margin)])}
''',
        "one unit too many": '''
def parity_network(d, margin=1.0):
    j = np.arange(d + 1)
    return {"W1": np.ones((d, d + 1)), "b1": -j.astype(float),
            "W2": (margin * np.where(j == 0, 2.0, 4.0) * (-1.0) ** j).reshape(d + 1, 1), "b2": np.array([-float(margin)])}
''',
        "W2 as a vector": '''
def parity_network(d, margin=1.0):
    j = np.arange(d)
    return {"W1": np.ones((d, d)), "b1": -j.astype(float),
            "W2": margin * np.where(j == 0, 2.0, 4.0) * (-1.0) ** j, "b2": np.array([-float(margin)])}
''',
        "all slope changes 2 margin": '''
def parity_network(d, margin=1.0):
    j = np.arange(d)
    return {"W1": np.ones((d, d)), "b1": -j.astype(float),
            "W2": (2 * margin * (-1.0) ** j).reshape(d, 1), "b2": np.array([-float(margin)])}
''',
    },
    "loss_and_grads": {
        "transposed weight gradient": _GRADS_HEAD + '''
    m = Z2.size
    dZ2 = (0.5 * (1 + np.tanh(Z2 / 2)) - T) / m
    dZ1 = dZ2 @ W2.T * dA
    return float(np.mean(np.logaddexp(0, Z2) - T * Z2)), {"W1": dZ1.T @ X, "b1": dZ1.sum(0), "W2": A1.T @ dZ2, "b2": dZ2.sum(0)}
''',
        "forgets f'(Z1)": _GRADS_HEAD + '''
    m = Z2.size
    dZ2 = (0.5 * (1 + np.tanh(Z2 / 2)) - T) / m
    dZ1 = dZ2 @ W2.T
    return float(np.mean(np.logaddexp(0, Z2) - T * Z2)), {"W1": X.T @ dZ1, "b1": dZ1.sum(0), "W2": A1.T @ dZ2, "b2": dZ2.sum(0)}
''',
        "divides by n only": _GRADS_HEAD + '''
    dZ2 = (0.5 * (1 + np.tanh(Z2 / 2)) - T) / len(X)
    dZ1 = dZ2 @ W2.T * dA
    return float(np.mean(np.logaddexp(0, Z2) - T * Z2)), {"W1": X.T @ dZ1, "b1": dZ1.sum(0), "W2": A1.T @ dZ2, "b2": dZ2.sum(0)}
''',
        "bias gradient summed over units": _GRADS_HEAD + '''
    dZ2 = (0.5 * (1 + np.tanh(Z2 / 2)) - T) / Z2.size
    dZ1 = dZ2 @ W2.T * dA
    return float(np.mean(np.logaddexp(0, Z2) - T * Z2)), {"W1": X.T @ dZ1, "b1": dZ1.sum(1), "W2": A1.T @ dZ2, "b2": dZ2.sum(1)}
''',
        "loss from log sigmoid": _GRADS_HEAD + '''
    p = 1 / (1 + np.exp(-Z2))
    loss = -np.mean(T * np.log(p) + (1 - T) * np.log(1 - p))
    dZ2 = (p - T) / Z2.size
    dZ1 = dZ2 @ W2.T * dA
    return float(loss), {"W1": X.T @ dZ1, "b1": dZ1.sum(0), "W2": A1.T @ dZ2, "b2": dZ2.sum(0)}
''',
        "ReLU'(0) = 1": '''
def loss_and_grads(X, T, params, activation):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    Z1 = X @ W1 + b1
    if activation == "tanh":
        A1 = np.tanh(Z1)
        dA = 1 - A1 ** 2
    elif activation == "sigmoid":
        A1 = 0.5 * (1 + np.tanh(Z1 / 2))
        dA = A1 * (1 - A1)
    else:
        A1, dA = np.maximum(Z1, 0.0), (Z1 >= 0) * 1.0
    Z2 = A1 @ W2 + b2
    dZ2 = (0.5 * (1 + np.tanh(Z2 / 2)) - T) / Z2.size
    dZ1 = dZ2 @ W2.T * dA
    return float(np.mean(np.logaddexp(0, Z2) - T * Z2)), {"W1": X.T @ dZ1, "b1": dZ1.sum(0), "W2": A1.T @ dZ2, "b2": dZ2.sum(0)}
''',
        "finite differences of the loss": '''
def loss_and_grads(X, T, params, activation):
    f = {"tanh": np.tanh, "sigmoid": lambda z: 0.5 * (1 + np.tanh(z / 2)), "relu": lambda z: np.maximum(z, 0.0)}[activation]
    def loss(p):
        Z2 = f(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
        return np.mean(np.logaddexp(0, Z2) - T * Z2)
    h = 1e-6
    grads = {}
    for key, value in params.items():
        g = np.zeros(value.shape)
        for index in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[key][index] += h
            minus[key][index] -= h
            g[index] = (loss(plus) - loss(minus)) / (2 * h)
        grads[key] = g
    return float(loss(params)), grads
''',
        "float32": '''
def loss_and_grads(X, T, params, activation):
    X, T = X.astype(np.float32), T.astype(np.float32)
    W1, b1, W2, b2 = (params[k].astype(np.float32) for k in ("W1", "b1", "W2", "b2"))
    Z1 = X @ W1 + b1
    if activation == "tanh":
        A1 = np.tanh(Z1)
        dA = 1 - A1 ** 2
    elif activation == "sigmoid":
        A1 = 1 / (1 + np.exp(-Z1))
        dA = A1 * (1 - A1)
    else:
        A1, dA = np.maximum(Z1, 0), (Z1 > 0).astype(np.float32)
    Z2 = A1 @ W2 + b2
    dZ2 = (1 / (1 + np.exp(-Z2)) - T) / Z2.size
    dZ1 = dZ2 @ W2.T * dA
    return np.mean(np.logaddexp(0, Z2) - T * Z2), {"W1": X.T @ dZ1, "b1": dZ1.sum(0), "W2": A1.T @ dZ2, "b2": dZ2.sum(0)}
''',
        "checks.numeric_gradient": '''
from dlcourse import checks as _c

def loss_and_grads(X, T, params, activation):
    f = {"tanh": np.tanh, "sigmoid": lambda z: 0.5 * (1 + np.tanh(z / 2)), "relu": lambda z: np.maximum(z, 0.0)}[activation]
    def loss(p):
        Z2 = f(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
        return np.mean(np.logaddexp(0, Z2) - T * Z2)
    grads = {key: _c.numeric_gradient(lambda v, key=key: loss({**params, key: v}), params[key]) for key in params}
    return float(loss(params)), grads
''',
    },
    "train": {
        "global numpy random": _TRAIN_STEP + '''
def train(X, T, params, lr, epochs, batch_size, rng):
    p = {k: v.copy() for k, v in params.items()}
    losses = []
    for _ in range(epochs):
        order = np.random.permutation(len(X))
        for s in range(0, len(X), batch_size):
            g = _grads(X[order[s:s + batch_size]], T[order[s:s + batch_size]], p)
            p = {k: p[k] - lr * g[k] for k in p}
        losses.append(_loss(X, T, p))
    return p, np.array(losses)
''',
        "shuffles once, before the first epoch": _TRAIN_STEP + '''
def train(X, T, params, lr, epochs, batch_size, rng):
    p = {k: v.copy() for k, v in params.items()}
    losses = []
    order = rng.permutation(len(X))
    for _ in range(epochs):
        for s in range(0, len(X), batch_size):
            g = _grads(X[order[s:s + batch_size]], T[order[s:s + batch_size]], p)
            p = {k: p[k] - lr * g[k] for k in p}
        losses.append(_loss(X, T, p))
    return p, np.array(losses)
''',
        "drops the last partial batch": _TRAIN_STEP + '''
def train(X, T, params, lr, epochs, batch_size, rng):
    p = {k: v.copy() for k, v in params.items()}
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for b in range(max(len(X) // batch_size, 1)):
            idx = order[b * batch_size:(b + 1) * batch_size]
            g = _grads(X[idx], T[idx], p)
            p = {k: p[k] - lr * g[k] for k in p}
        losses.append(_loss(X, T, p))
    return p, np.array(losses)
''',
        "loss recorded before the epoch": _TRAIN_STEP + '''
def train(X, T, params, lr, epochs, batch_size, rng):
    p = {k: v.copy() for k, v in params.items()}
    losses = []
    for _ in range(epochs):
        losses.append(_loss(X, T, p))
        order = rng.permutation(len(X))
        for s in range(0, len(X), batch_size):
            g = _grads(X[order[s:s + batch_size]], T[order[s:s + batch_size]], p)
            p = {k: p[k] - lr * g[k] for k in p}
    return p, np.array(losses)
''',
        "updates the caller's arrays in place": _TRAIN_STEP + '''
def train(X, T, params, lr, epochs, batch_size, rng):
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for s in range(0, len(X), batch_size):
            g = _grads(X[order[s:s + batch_size]], T[order[s:s + batch_size]], params)
            for k in params:
                params[k] -= lr * g[k]
        losses.append(_loss(X, T, params))
    return dict(params), np.array(losses)
''',
        "layer 1 updated with the new W2": _TRAIN_STEP + '''
def train(X, T, params, lr, epochs, batch_size, rng):
    p = {k: v.copy() for k, v in params.items()}
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for s in range(0, len(X), batch_size):
            Xb, Tb = X[order[s:s + batch_size]], T[order[s:s + batch_size]]
            g = _grads(Xb, Tb, p)
            p["W2"], p["b2"] = p["W2"] - lr * g["W2"], p["b2"] - lr * g["b2"]
            g = _grads(Xb, Tb, p)
            p["W1"], p["b1"] = p["W1"] - lr * g["W1"], p["b1"] - lr * g["b1"]
        losses.append(_loss(X, T, p))
    return p, np.array(losses)
''',
        "gradient divided by n, not the batch": _TRAIN_STEP + '''
def train(X, T, params, lr, epochs, batch_size, rng):
    p = {k: v.copy() for k, v in params.items()}
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for s in range(0, len(X), batch_size):
            idx = order[s:s + batch_size]
            g = _grads(X[idx], T[idx], p)
            p = {k: p[k] - lr * g[k] * len(idx) / len(X) for k in p}
        losses.append(_loss(X, T, p))
    return p, np.array(losses)
''',
        "full batch, one permutation drawn for nothing": _TRAIN_STEP + '''
def train(X, T, params, lr, epochs, batch_size, rng):
    p = {k: v.copy() for k, v in params.items()}
    losses = []
    for _ in range(epochs):
        rng.permutation(len(X))
        g = _grads(X, T, p)
        p = {k: p[k] - lr * g[k] for k in p}
        losses.append(_loss(X, T, p))
    return p, np.array(losses)
''',
    },
    "relu_interpolant": {
        "assumes sorted x": '''
def relu_interpolant(x, y):
    K = len(x)
    slopes = np.diff(y) / np.diff(x)
    changes = np.diff(np.concatenate([[0.0], slopes, [0.0]]))
    return {"W1": np.ones((1, K)), "b1": -x.astype(float), "W2": changes.reshape(K, 1), "b2": y[:1].astype(float)}
''',
        "not flat right of the last point": _INTERP_HEAD + '''
    slopes = np.diff(ys) / np.diff(xs)
    changes = np.diff(np.concatenate([[0.0], slopes]))
    h = max(K - 1, 1)
    W2 = np.zeros((h, 1))
    W2[:len(changes), 0] = changes
    return {"W1": np.ones((1, h)), "b1": -xs[:h], "W2": W2, "b2": ys[:1].copy()}
''',
        "slopes in place of slope changes": _INTERP_HEAD + '''
    slopes = np.concatenate([np.diff(ys) / np.diff(xs), [0.0]])
    return {"W1": np.ones((1, K)), "b1": -xs, "W2": slopes.reshape(K, 1), "b2": ys[:1].copy()}
''',
        "no output bias": _INTERP_HEAD + '''
    slopes = np.diff(ys) / np.diff(xs)
    changes = np.diff(np.concatenate([[0.0], slopes, [0.0]]))
    return {"W1": np.ones((1, K)), "b1": -xs, "W2": changes.reshape(K, 1), "b2": np.zeros(1)}
''',
        "no unit for a single point": _INTERP_HEAD + '''
    slopes = np.diff(ys) / np.diff(xs)
    changes = np.diff(np.concatenate([[0.0], slopes, [0.0]]))[:K - 1] if K > 1 else np.zeros(0)
    changes = np.append(changes, -slopes[-1]) if K > 1 else changes
    return {"W1": np.ones((1, len(changes))), "b1": -xs[:len(changes)], "W2": changes.reshape(-1, 1), "b2": ys[:1].copy()}
''',
        "W1 as a vector": _INTERP_HEAD + '''
    slopes = np.diff(ys) / np.diff(xs)
    changes = np.diff(np.concatenate([[0.0], slopes, [0.0]]))
    return {"W1": np.ones(K), "b1": -xs, "W2": changes.reshape(K, 1), "b2": ys[:1].copy()}
''',
        "hard-codes the public tent": '''
def relu_interpolant(x, y):
    return {"W1": np.ones((1, 3)), "b1": np.array([0.0, -1.0, -2.0]), "W2": np.array([[1.0], [-2.0], [1.0]]),
            "b2": np.array([0.0])}
''',
        "sorts x in place": '''
def relu_interpolant(x, y):
    order = np.argsort(x)
    y[:] = y[order]
    x.sort()
    slopes = np.diff(y) / np.diff(x)
    changes = np.diff(np.concatenate([[0.0], slopes, [0.0]]))
    return {"W1": np.ones((1, len(x))), "b1": -x.copy(), "W2": changes.reshape(-1, 1), "b2": y[:1].copy()}
''',
    },
}

REASONS = {
    "forward": {
        "forgets the hidden bias": "cache['Z1'] has the right shape",
        "sigmoid on the output": "Z2 has the right shape",
        "bias added after the activation": "cache['A1'] has the right shape",
        "squeezes the output": "Z2 has shape (2,)",
        "cache keys swapped": "cache['Z1'] has the right shape",
        "reshapes the biases in params": "forward changed argument 2 in place",
        "returns a list": "must return a tuple (Z2, cache)",
        "unknown names fall back to tanh": "must raise ValueError",
        "scipy's expit": "uses `scipy`",
    },
    "parity_network": {
        "XOR only": "for d = 1, margin 1",
        "ignores the margin": "for d = 3, margin 100.0",
        "parity reversed": "misses the margin on 4 of the 4 inputs",
        "ReLU used as a step": "misses the margin",
        "one unit too many": "uses 3 hidden units",
        "W2 as a vector": "params['W2'] for d = 2 (XOR), margin 1 has shape (2,)",
        "all slope changes 2 margin": "for d = 2 (XOR), margin 1 misses the margin",
    },
    "loss_and_grads": {
        "transposed weight gradient": "grads['W1'] has shape (2, 3)",
        "forgets f'(Z1)": "grads['W1'] has the right shape",
        "divides by n only": "grads['W2'] with tanh, n=6, d=3, h=4, k=2",
        "bias gradient summed over units": "grads['b2'] has shape (2,)",
        "loss from log sigmoid": "the loss with logits in the thousands",
        "ReLU'(0) = 1": "with ReLU where some Z1 are exactly 0",
        "finite differences of the loss": "grads['W1'] for saturated tanh units",
        "float32": "grads['W1'] for saturated tanh units",
        "checks.numeric_gradient": "uses `numeric_gradient`",
    },
    "train": {
        "global numpy random": "rng is not in the state",
        "shuffles once, before the first epoch": "rng is not in the state",
        "drops the last partial batch": "losses after 2 epochs",
        "loss recorded before the epoch": "losses after 2 epochs",
        "updates the caller's arrays in place": "train changed argument 3 in place",
        "layer 1 updated with the new W2": "losses after 2 epochs",
        "gradient divided by n, not the batch": "losses after 2 epochs",
        "full batch, one permutation drawn for nothing": "losses after 2 epochs",
    },
    "relu_interpolant": {
        "assumes sorted x": "in random order",
        "not flat right of the last point": "right of the largest x",
        "slopes in place of slope changes": "at the points",
        "no output bias": "at the points",
        "no unit for a single point": "for K = 1 points in random order uses 0 hidden units",
        "W1 as a vector": "params['W1'] for a tent",
        "hard-codes the public tent": "for K = 1 points in random order",
        "sorts x in place": "changed argument 1 in place",
    },
}
