"""Student answers for exercise 01, used to test its grader through nbgrader.

For each graded part (keyed by the grade_id of its solution cell): ``correct`` holds alternative
correct implementations written differently from the reference (each must earn full marks), and
``wrong`` the plausible mistakes a student makes (each must earn zero on its part). Each entry is
the whole source of the solution cell, as a student would leave it.
"""

CORRECT = {
    "affine": [
        '''
def affine(X, W, b):
    n, d = X.shape if X.ndim == 2 else (None, None)
    if n is None or W.ndim != 2 or b.ndim != 1 or W.shape != (d, len(b)):
        raise ValueError(f"bad shapes X {X.shape}, W {W.shape}, b {b.shape}")
    return np.einsum("nd,dk->nk", X, W) + b[np.newaxis, :]
''',
        '''
def affine(X, W, b):
    if not (X.ndim == W.ndim == 2 and b.ndim == 1):
        raise ValueError("X and W must be 2-D and b 1-D")
    if X.shape[1] != W.shape[0] or b.shape[0] != W.shape[1]:
        raise ValueError("inner sizes differ")
    Z = np.empty((X.shape[0], W.shape[1]))
    for i in range(X.shape[0]):
        Z[i] = np.dot(X[i], W) + b
    return Z
''',
    ],
    "numeric_gradient": [
        '''
def numeric_gradient(f, x, h=1e-5):
    grad = np.empty(x.shape)
    for i in range(x.size):
        step = np.zeros(x.size)
        step[i] = h
        step = step.reshape(x.shape)
        grad.flat[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad
''',
        '''
def numeric_gradient(f, x, h=1e-5):
    steps = np.eye(x.size).reshape((x.size,) + x.shape) * h
    return np.array([(f(x + e) - f(x - e)) / (2 * h) for e in steps]).reshape(x.shape)
''',
    ],
    "mse_grad": [
        '''
def mse_grad(w, X, y):
    total = np.zeros_like(w)
    for x_i, y_i in zip(X, y):
        total += (x_i @ w - y_i) * x_i
    return total / len(y)
''',
        '''
def mse_grad(w, X, y):
    return np.einsum("nd,n->d", X, X.dot(w) - y) / X.shape[0]
''',
    ],
    "softmax": [
        '''
def softmax(Z):
    m = np.max(Z, axis=-1, keepdims=True)
    log_norm = m + np.log(np.sum(np.exp(Z - m), axis=-1, keepdims=True))
    return np.exp(Z - log_norm)
''',
        '''
def softmax(Z):
    def one(z):
        e = np.exp(z - z.max())
        return e / e.sum()
    return np.apply_along_axis(one, -1, Z)
''',
    ],
    "cross_entropy": [
        '''
def cross_entropy(Z, y):
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(Z.shape[0]), y].mean()
''',
        '''
def cross_entropy(Z, y):
    n, k = Z.shape
    one_hot = np.eye(k)[y]
    m = Z.max(axis=1, keepdims=True)
    log_p = Z - m - np.log(np.sum(np.exp(Z - m), axis=1, keepdims=True))
    return float(-(one_hot * log_p).sum() / n)
''',
    ],
    "neuron_grad": [
        '''
def neuron_grad(w, b, X, t):
    n = len(t)
    grad_w, grad_b = np.zeros_like(w), 0.0
    for x_i, t_i in zip(X, t):
        a = sigmoid(x_i @ w + b)
        delta = (a - t_i) * a * (1 - a)
        grad_w += delta * x_i / n
        grad_b += delta / n
    return grad_w, grad_b
''',
        '''
def neuron_grad(w, b, X, t):
    z = X @ w + b
    dsigma = np.exp(-z) / (1 + np.exp(-z)) ** 2
    dL_dz = (sigmoid(z) - t) * dsigma / X.shape[0]
    return dL_dz @ X, np.sum(dL_dz)
''',
    ],
}

_AFFINE_CHECKS = '''
    if X.ndim != 2 or W.ndim != 2 or b.ndim != 1 or X.shape[1] != W.shape[0] or W.shape[1] != b.shape[0]:
        raise ValueError("shapes do not fit")
'''

WRONG = {
    "affine": {
        "missing bias": "def affine(X, W, b):" + _AFFINE_CHECKS + "    return X @ W\n",
        "no shape checks": "def affine(X, W, b):\n    return X @ W + b\n",
        "bias on the wrong axis": "def affine(X, W, b):" + _AFFINE_CHECKS + "    return X @ W + b[:, None]\n",
        "returns a list": "def affine(X, W, b):" + _AFFINE_CHECKS + "    return (X @ W + b).tolist()\n",
        "hard-codes the public answer": "def affine(X, W, b):" + _AFFINE_CHECKS
        + "    return np.array([[2.1, 4.2, -0.7], [5.1, 8.2, -2.7], [8.1, 12.2, -4.7]])\n",
    },
    "numeric_gradient": {
        "one-sided difference": '''
def numeric_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x_step = x.copy()
        x_step[i] += h
        grad[i] = (f(x_step) - f(x)) / h
    return grad
''',
        "divides by h instead of 2h": '''
def numeric_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        grad[i] = (f(xp) - f(xm)) / h
    return grad
''',
        "nudges all entries at once": '''
def numeric_gradient(f, x, h=1e-5):
    return np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h))
''',
        "only works for 1-D x": '''
def numeric_gradient(f, x, h=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    for i in range(len(x)):
        old = x[i].copy()
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
''',
        "changes x in place": '''
def numeric_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        f_plus = f(x)
        x[i] -= 2 * h
        grad[i] = (f_plus - f(x)) / (2 * h)
    return grad
''',
        "ignores the step h": '''
def numeric_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += 1e-5
        xm[i] -= 1e-5
        grad[i] = (f(xp) - f(xm)) / 2e-5
    return grad
''',
    },
    "mse_grad": {
        "sign error": "def mse_grad(w, X, y):\n    return X.T @ (y - X @ w) / len(y)\n",
        "missing 1/n": "def mse_grad(w, X, y):\n    return X.T @ (X @ w - y)\n",
        "factor of two": "def mse_grad(w, X, y):\n    return 2 * X.T @ (X @ w - y) / len(y)\n",
        "missing transpose": "def mse_grad(w, X, y):\n    return X @ (X @ w - y) / len(y)\n",
        "column-vector shape": "def mse_grad(w, X, y):\n    return (X.T @ (X @ w - y) / len(y)).reshape(-1, 1)\n",
        "hard-codes the public answer": "def mse_grad(w, X, y):\n    return np.array([0.5, -1.625])\n",
    },
    "softmax": {
        "no shift (overflows)": "def softmax(Z):\n    e = np.exp(Z)\n    return e / e.sum(axis=-1, keepdims=True)\n",
        "wrong axis": '''
def softmax(Z):
    e = np.exp(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
''',
        "no keepdims": "def softmax(Z):\n    e = np.exp(Z - Z.max(axis=-1))\n    return e / e.sum(axis=-1)\n",
        "one shift for the whole array": "def softmax(Z):\n    e = np.exp(Z - Z.max())\n    return e / e.sum(axis=-1, keepdims=True)\n",
        "changes Z in place": '''
def softmax(Z):
    Z -= Z.max(axis=-1, keepdims=True)
    e = np.exp(Z)
    return e / e.sum(axis=-1, keepdims=True)
''',
        "normalises over everything": "def softmax(Z):\n    e = np.exp(Z - Z.max())\n    return e / e.sum()\n",
    },
    "cross_entropy": {
        "log of a naive softmax": '''
def cross_entropy(Z, y):
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    return -np.mean(np.log(P[np.arange(len(y)), y]))
''',
        "log of an underflowed softmax": '''
def cross_entropy(Z, y):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = e / e.sum(axis=1, keepdims=True)
    return -np.mean(np.log(P[np.arange(len(y)), y]))
''',
        "sum instead of mean": '''
def cross_entropy(Z, y):
    m = Z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(Z - m).sum(axis=1))
    return float(np.sum(lse - Z[np.arange(len(y)), y]))
''',
        "indexes Z[:, y]": '''
def cross_entropy(Z, y):
    m = Z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(Z - m).sum(axis=1))
    return float(np.mean(lse - Z[:, y]))
''',
        "sign error": '''
def cross_entropy(Z, y):
    m = Z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(Z - m).sum(axis=1))
    return float(np.mean(Z[np.arange(len(y)), y] - lse))
''',
        "labels off by one": '''
def cross_entropy(Z, y):
    m = Z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(Z - m).sum(axis=1))
    return float(np.mean(lse - Z[np.arange(len(y)), y - 1]))
''',
        "returns one loss per sample": '''
def cross_entropy(Z, y):
    m = Z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(Z - m).sum(axis=1))
    return lse - Z[np.arange(len(y)), y]
''',
    },
    "neuron_grad": {
        "forgets the sigmoid derivative": '''
def neuron_grad(w, b, X, t):
    a = sigmoid(X @ w + b)
    dz = (a - t) / len(t)
    return X.T @ dz, float(dz.sum())
''',
        "missing 1/n": '''
def neuron_grad(w, b, X, t):
    a = sigmoid(X @ w + b)
    dz = (a - t) * a * (1 - a)
    return X.T @ dz, float(dz.sum())
''',
        "sign error": '''
def neuron_grad(w, b, X, t):
    a = sigmoid(X @ w + b)
    dz = (t - a) * a * (1 - a) / len(t)
    return X.T @ dz, float(dz.sum())
''',
        "bias gradient not summed": '''
def neuron_grad(w, b, X, t):
    a = sigmoid(X @ w + b)
    dz = (a - t) * a * (1 - a) / len(t)
    return X.T @ dz, dz
''',
        "derivative taken at z instead of a": '''
def neuron_grad(w, b, X, t):
    z = X @ w + b
    dz = (sigmoid(z) - t) * z * (1 - z) / len(t)
    return X.T @ dz, float(dz.sum())
''',
        "returns a list": '''
def neuron_grad(w, b, X, t):
    a = sigmoid(X @ w + b)
    dz = (a - t) * a * (1 - a) / len(t)
    return [X.T @ dz, float(dz.sum())]
''',
    },
}
