"""Student answers for exercise 02 (the neuron), used to test its grader through nbgrader.

For each graded part (keyed by the grade_id of its solution cell): ``CORRECT`` holds alternative
correct implementations written differently from the reference (loops against vectorised code,
float32 where the prompt allows it, other valid formulas), each of which must earn full marks, and
``WRONG`` the plausible mistakes a student makes, each of which must earn zero on its part. Each
entry is the whole source of the solution cell, as a student would leave it.

``REASONS`` says, for every wrong answer, what its test cell must report (a substring of
``"ExceptionName: message"`` of the error the test cell raised), so that each wrong answer is shown
to fail for the reason it was written for, not by accident.

The wrong answers cover: edge values (z = 0 exactly, a point exactly on the perceptron's boundary,
p = q = 0 in a divergence), edge shapes (a size-1 axis, rank 3 and 4, a batch axis summed away),
scales (logits in the thousands against naive exponentials and clipped probabilities, saturated
sigmoid and tanh slopes lost to rounding, probabilities of 1e-200 against an epsilon), wrong maths
(sign, missing 1/n, the MSE gradient in place of the cross-entropy one, the reversed divergence),
off-by-one loss histories, in-place mutation, wrong return types and forbidden libraries.
"""

CORRECT = {
    "activation": [
        # one entry at a time with the math module, stable case by case
        '''
import math

def activation(z, name, alpha=None):
    def one(v):
        if name == "sigmoid":
            if v >= 0:
                s = 1 / (1 + math.exp(-v))
                return s, s * (1 - s) if v < 20 else math.exp(-v) / (1 + math.exp(-v)) ** 2
            e = math.exp(v)
            return e / (1 + e), e / (1 + e) ** 2
        if name == "tanh":
            e = math.exp(-2 * abs(v))
            return math.tanh(v), 4 * e / (1 + e) ** 2
        if name == "relu":
            return (v, 1.0) if v > 0 else (0.0, 0.0)
        if name == "leaky_relu":
            k = 0.01 if alpha is None else alpha
            return (v, 1.0) if v > 0 else (k * v, k)
        if name == "elu":
            k = 1.0 if alpha is None else alpha
            return (v, 1.0) if v > 0 else (k * math.expm1(v), k * math.exp(v))
        raise ValueError(name)
    if name not in ("sigmoid", "tanh", "relu", "leaky_relu", "elu"):
        raise ValueError(f"no activation called {name}")
    a, da = np.empty(z.shape), np.empty(z.shape)
    for index in np.ndindex(z.shape):
        a[index], da[index] = one(float(z[index]))
    return a, da
''',
        # log-add-exp for the sigmoid, tanh through the sigmoid, a dispatch table
        '''
def _sig(z):
    return np.exp(-np.logaddexp(0.0, -z))

def activation(z, name, alpha=None):
    table = {
        "sigmoid": lambda: (_sig(z), np.exp(-np.logaddexp(0.0, -z) - np.logaddexp(0.0, z))),
        "tanh": lambda: (2 * _sig(2 * z) - 1, 4 * _sig(2 * z) * _sig(-2 * z)),
        "relu": lambda: (z * (z > 0), np.heaviside(z, 0.0)),
        "leaky_relu": lambda: (np.where(z > 0, z, (alpha or 0.01) * z), np.where(z > 0, 1.0, alpha or 0.01)),
        "elu": lambda: (np.where(z > 0, z, (alpha or 1.0) * (np.exp(np.minimum(z, 0)) - 1)),
                        np.where(z > 0, 1.0, (alpha or 1.0) * np.exp(np.minimum(z, 0)))),
    }
    if name not in table:
        raise ValueError(f"unknown activation {name}")
    return table[name]()
''',
        # float32 arithmetic: the prompt allows it
        '''
def activation(z, name, alpha=None):
    z = z.astype(np.float32)
    if name == "sigmoid":
        s, s_neg = 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z)))
        sig = np.where(z >= 0, s, s_neg)
        return sig, s * s_neg
    if name == "tanh":
        return np.tanh(z), 1 / np.cosh(np.minimum(np.abs(z), np.float32(40))) ** 2
    if name == "relu":
        return np.maximum(z, 0), (z > 0).astype(np.float32)
    if name == "leaky_relu":
        k = np.float32(0.01 if alpha is None else alpha)
        return np.where(z > 0, z, k * z), np.where(z > 0, np.float32(1), k)
    if name == "elu":
        k = np.float32(1.0 if alpha is None else alpha)
        zn = np.minimum(z, 0)
        return np.where(z > 0, z, k * np.expm1(zn)), np.where(z > 0, np.float32(1), k * np.exp(zn))
    raise ValueError(name)
''',
    ],
    "bce_with_logits": [
        '''
def bce_with_logits(z, t):
    loss = np.mean(np.logaddexp(0.0, z) - t * z)
    sigma = np.exp(-np.logaddexp(0.0, -z))
    return loss, (sigma - t) / np.size(z)
''',
        # the two-term form, each softplus stable; one entry at a time
        '''
import math

def bce_with_logits(z, t):
    def softplus(v):
        return max(v, 0.0) + math.log1p(math.exp(-abs(v)))
    flat_z, flat_t = z.ravel(), t.ravel()
    total = 0.0
    grad = np.empty(flat_z.shape)
    for i in range(flat_z.size):
        v, target = float(flat_z[i]), float(flat_t[i])
        total += target * softplus(-v) + (1 - target) * softplus(v)
        sigma = 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))
        grad[i] = (sigma - target) / flat_z.size
    return total / flat_z.size, grad.reshape(z.shape)
''',
        # float32 arithmetic: the prompt allows it
        '''
def bce_with_logits(z, t):
    z32, t32 = z.astype(np.float32), t.astype(np.float32)
    n = np.float32(z32.size)
    loss = (np.maximum(z32, 0) - t32 * z32 + np.log1p(np.exp(-np.abs(z32)))).sum() / n
    p = 0.5 * (1 + np.tanh(z32 / 2))
    return np.array(loss), (p - t32) / n
''',
    ],
    "perceptron_epoch": [
        '''
def perceptron_epoch(w, b, X, y, lr=1.0):
    w = w.copy()
    count = 0
    for i in range(X.shape[0]):
        if y[i] * (np.dot(w, X[i]) + b) <= 0:
            w += lr * y[i] * X[i]
            b += lr * y[i]
            count += 1
    return w, b, count
''',
        # prediction by sign, with 0 counted as wrong
        '''
def perceptron_epoch(w, b, X, y, lr=1.0):
    w_new, b_new, mistakes = w.astype(np.float64), float(b), np.int64(0)
    i = 0
    while i < len(y):
        prediction = np.sign(X[i] @ w_new + b_new)
        if prediction != y[i]:
            w_new = w_new + lr * y[i] * X[i]
            b_new += lr * y[i]
            mistakes += 1
        i += 1
    return (w_new, b_new, mistakes)
''',
        # float32 arithmetic: the prompt allows it
        '''
def perceptron_epoch(w, b, X, y, lr=1.0):
    w32, b32 = w.astype(np.float32), np.float32(b)
    X32, step = X.astype(np.float32), np.float32(lr)
    mistakes = 0
    for x_i, y_i in zip(X32, y):
        if not y_i * (x_i @ w32 + b32) > 0:
            w32 = w32 + step * np.float32(y_i) * x_i
            b32 = b32 + step * np.float32(y_i)
            mistakes = mistakes + 1
    return w32, b32, mistakes
''',
    ],
    "logistic_regression": [
        '''
def logistic_regression(X, t, lr, epochs):
    w = np.zeros(X.shape[1])
    b = 0.0
    losses = []
    for _ in range(epochs):
        z = X @ w + b
        losses.append(np.mean(np.maximum(z, 0) - t * z + np.log1p(np.exp(-np.abs(z)))))
        e = np.exp(-np.abs(z))
        p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
        grad_w = X.T @ (p - t) / len(t)
        grad_b = np.mean(p - t)
        w -= lr * grad_w
        b -= lr * grad_b
    return w, b, np.array(losses)
''',
        # parameters stacked with a column of ones for the bias
        '''
def logistic_regression(X, t, lr, epochs):
    n = X.shape[0]
    Xb = np.hstack([X, np.ones((n, 1))])
    theta = np.zeros(Xb.shape[1])
    losses = np.empty(epochs)
    for k in range(epochs):
        z = Xb @ theta
        losses[k] = np.mean(t * np.logaddexp(0, -z) + (1 - t) * np.logaddexp(0, z))
        p = np.exp(-np.logaddexp(0, -z))
        theta = theta - lr * np.einsum("nd,n->d", Xb, p - t) / n
    return theta[:-1], theta[-1], losses
''',
        # float32 arithmetic: the prompt allows it
        '''
def logistic_regression(X, t, lr, epochs):
    X32, t32, lr32 = X.astype(np.float32), t.astype(np.float32), np.float32(lr)
    w, b = np.zeros(X.shape[1], dtype=np.float32), np.float32(0)
    losses = np.zeros(epochs, dtype=np.float32)
    for k in range(epochs):
        z = X32 @ w + b
        losses[k] = np.mean(np.logaddexp(np.float32(0), z) - t32 * z)
        error = 0.5 * (1 + np.tanh(z / 2)) - t32
        w, b = w - lr32 * (X32.T @ error) / len(t32), b - lr32 * error.mean()
    return w, b, losses
''',
    ],
    "kl_divergence": [
        '''
def kl_divergence(p, q):
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = p * np.log(p / q)
    terms[p == 0] = 0.0
    return terms.sum(axis=-1)
''',
        # cross-entropy minus entropy, each with its own zero handling
        '''
def kl_divergence(p, q):
    mask = p > 0
    safe_p = np.where(mask, p, 1.0)
    with np.errstate(divide="ignore"):
        log_q = np.log(q)
    cross = -np.sum(np.where(mask, p * log_q, 0.0), axis=-1)
    entropy = -np.sum(np.where(mask, p * np.log(safe_p), 0.0), axis=-1)
    return cross - entropy
''',
        # one distribution at a time
        '''
import math

def kl_divergence(p, q):
    rows_p, rows_q = p.reshape(-1, p.shape[-1]), q.reshape(-1, q.shape[-1])
    out = []
    for pr, qr in zip(rows_p, rows_q):
        total = 0.0
        for pj, qj in zip(pr, qr):
            if pj > 0:
                total = math.inf if qj == 0 else total + pj * (math.log(pj) - math.log(qj))
        out.append(total)
    result = np.array(out).reshape(p.shape[:-1])
    return float(result) if p.ndim == 1 else result
''',
    ],
}

WRONG = {
    "activation": {
        # scale: exp(z) / (1 + exp(z)) is inf / inf for z above 709
        "naive sigmoid overflows": '''
def activation(z, name, alpha=None):
    if name == "sigmoid":
        s = np.exp(z) / (1 + np.exp(z))
        return s, s * (1 - s)
    if name == "tanh":
        return np.tanh(z), 1 / np.cosh(z) ** 2
    if name == "relu":
        return np.maximum(z, 0), (z > 0) * 1.0
    a = 0.01 if name == "leaky_relu" else 1.0
    a = a if alpha is None else alpha
    if name == "leaky_relu":
        return np.where(z > 0, z, a * z), np.where(z > 0, 1.0, a)
    if name == "elu":
        return np.where(z > 0, z, a * np.expm1(np.minimum(z, 0))), np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0)))
    raise ValueError(name)
''',
        # scale: 1 - sigma(z) loses its digits once sigma(z) is within 1e-13 of 1
        "sigmoid' as s (1 - s)": '''
def activation(z, name, alpha=None):
    if name == "sigmoid":
        e = np.exp(-np.abs(z))
        s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
        return s, s * (1 - s)
    if name == "tanh":
        e = np.exp(-2 * np.abs(z))
        return np.tanh(z), 4 * e / (1 + e) ** 2
    if name == "relu":
        return np.maximum(z, 0), (z > 0) * 1.0
    a = (0.01 if name == "leaky_relu" else 1.0) if alpha is None else alpha
    if name == "leaky_relu":
        return np.where(z > 0, z, a * z), np.where(z > 0, 1.0, a)
    if name == "elu":
        return np.where(z > 0, z, a * np.expm1(np.minimum(z, 0))), np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0)))
    raise ValueError(name)
''',
        # scale: 0.5 (1 + tanh(z/2)) rounds tiny sigmoids to 0
        "sigmoid through tanh": '''
def activation(z, name, alpha=None):
    if name == "sigmoid":
        s = 0.5 * (1 + np.tanh(z / 2))
        e = np.exp(-np.abs(z))
        return s, e / (1 + e) ** 2
    if name == "tanh":
        e = np.exp(-2 * np.abs(z))
        return np.tanh(z), 4 * e / (1 + e) ** 2
    if name == "relu":
        return np.maximum(z, 0), (z > 0) * 1.0
    a = (0.01 if name == "leaky_relu" else 1.0) if alpha is None else alpha
    if name == "leaky_relu":
        return np.where(z > 0, z, a * z), np.where(z > 0, 1.0, a)
    if name == "elu":
        return np.where(z > 0, z, a * np.expm1(np.minimum(z, 0))), np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0)))
    raise ValueError(name)
''',
        # scale: 1 - tanh(z)^2 cancels to 0 for |z| above about 19
        "tanh' as 1 - tanh^2": '''
def activation(z, name, alpha=None):
    if name == "sigmoid":
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e)), e / (1 + e) ** 2
    if name == "tanh":
        a = np.tanh(z)
        return a, 1 - a ** 2
    if name == "relu":
        return np.maximum(z, 0), (z > 0) * 1.0
    a = (0.01 if name == "leaky_relu" else 1.0) if alpha is None else alpha
    if name == "leaky_relu":
        return np.where(z > 0, z, a * z), np.where(z > 0, 1.0, a)
    if name == "elu":
        return np.where(z > 0, z, a * np.expm1(np.minimum(z, 0))), np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0)))
    raise ValueError(name)
''',
        # scale: tanh from its definition with exponentials overflows to inf / inf
        "tanh from exponentials": '''
def activation(z, name, alpha=None):
    if name == "sigmoid":
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e)), e / (1 + e) ** 2
    if name == "tanh":
        a = (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
        return a, 4 / (np.exp(z) + np.exp(-z)) ** 2
    if name == "relu":
        return np.maximum(z, 0), (z > 0) * 1.0
    a = (0.01 if name == "leaky_relu" else 1.0) if alpha is None else alpha
    if name == "leaky_relu":
        return np.where(z > 0, z, a * z), np.where(z > 0, 1.0, a)
    if name == "elu":
        return np.where(z > 0, z, a * np.expm1(np.minimum(z, 0))), np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0)))
    raise ValueError(name)
''',
        # edge value: z = 0 put on the positive side
        "relu'(0) = 1": '''
def activation(z, name, alpha=None):
    if name == "sigmoid":
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e)), e / (1 + e) ** 2
    if name == "tanh":
        e = np.exp(-2 * np.abs(z))
        return np.tanh(z), 4 * e / (1 + e) ** 2
    if name == "relu":
        return np.maximum(z, 0), (z >= 0) * 1.0
    a = (0.01 if name == "leaky_relu" else 1.0) if alpha is None else alpha
    if name == "leaky_relu":
        return np.where(z >= 0, z, a * z), np.where(z >= 0, 1.0, a)
    if name == "elu":
        return np.where(z >= 0, z, a * np.expm1(np.minimum(z, 0))), np.where(z >= 0, 1.0, a * np.exp(np.minimum(z, 0)))
    raise ValueError(name)
''',
        # ignores the alpha argument
        "leaky slope hard-coded": '''
def activation(z, name, alpha=None):
    if name == "sigmoid":
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e)), e / (1 + e) ** 2
    if name == "tanh":
        e = np.exp(-2 * np.abs(z))
        return np.tanh(z), 4 * e / (1 + e) ** 2
    if name == "relu":
        return np.maximum(z, 0), (z > 0) * 1.0
    if name == "leaky_relu":
        return np.where(z > 0, z, 0.01 * z), np.where(z > 0, 1.0, 0.01)
    if name == "elu":
        a = 1.0 if alpha is None else alpha
        return np.where(z > 0, z, a * np.expm1(np.minimum(z, 0))), np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0)))
    raise ValueError(name)
''',
        # forgets alpha in the ELU's derivative
        "ELU derivative without alpha": '''
def activation(z, name, alpha=None):
    if name == "sigmoid":
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e)), e / (1 + e) ** 2
    if name == "tanh":
        e = np.exp(-2 * np.abs(z))
        return np.tanh(z), 4 * e / (1 + e) ** 2
    if name == "relu":
        return np.maximum(z, 0), (z > 0) * 1.0
    a = (0.01 if name == "leaky_relu" else 1.0) if alpha is None else alpha
    if name == "leaky_relu":
        return np.where(z > 0, z, a * z), np.where(z > 0, 1.0, a)
    if name == "elu":
        return np.where(z > 0, z, a * np.expm1(np.minimum(z, 0))), np.where(z > 0, 1.0, np.exp(np.minimum(z, 0)))
    raise ValueError(name)
''',
        # shape: a list comprehension over the first axis works for vectors only
        "one entry at a time, vectors only": '''
import math

def activation(z, name, alpha=None):
    funcs = {
        "sigmoid": lambda v: (1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v)),
                              math.exp(-abs(v)) / (1 + math.exp(-abs(v))) ** 2),
        "tanh": lambda v: (math.tanh(v), 4 * math.exp(-2 * abs(v)) / (1 + math.exp(-2 * abs(v))) ** 2),
        "relu": lambda v: (max(v, 0.0), 1.0 if v > 0 else 0.0),
        "leaky_relu": lambda v: (v, 1.0) if v > 0 else ((alpha or 0.01) * v, alpha or 0.01),
        "elu": lambda v: (v, 1.0) if v > 0 else ((alpha or 1.0) * math.expm1(v), (alpha or 1.0) * math.exp(v)),
    }
    if name not in funcs:
        raise ValueError(name)
    pairs = [funcs[name](v) for v in z]
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
''',
        # returns a list, not a tuple
        "returns a list": '''
def activation(z, name, alpha=None):
    if name == "sigmoid":
        e = np.exp(-np.abs(z))
        return [np.where(z >= 0, 1 / (1 + e), e / (1 + e)), e / (1 + e) ** 2]
    if name == "tanh":
        e = np.exp(-2 * np.abs(z))
        return [np.tanh(z), 4 * e / (1 + e) ** 2]
    if name == "relu":
        return [np.maximum(z, 0), (z > 0) * 1.0]
    a = (0.01 if name == "leaky_relu" else 1.0) if alpha is None else alpha
    if name == "leaky_relu":
        return [np.where(z > 0, z, a * z), np.where(z > 0, 1.0, a)]
    if name == "elu":
        return [np.where(z > 0, z, a * np.expm1(np.minimum(z, 0))), np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0)))]
    raise ValueError(name)
''',
        # an unknown name falls through to the identity instead of raising
        "unknown names give the identity": '''
def activation(z, name, alpha=None):
    if name == "sigmoid":
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e)), e / (1 + e) ** 2
    if name == "tanh":
        e = np.exp(-2 * np.abs(z))
        return np.tanh(z), 4 * e / (1 + e) ** 2
    if name == "relu":
        return np.maximum(z, 0), (z > 0) * 1.0
    a = (0.01 if name == "leaky_relu" else 1.0) if alpha is None else alpha
    if name == "leaky_relu":
        return np.where(z > 0, z, a * z), np.where(z > 0, 1.0, a)
    if name == "elu":
        return np.where(z > 0, z, a * np.expm1(np.minimum(z, 0))), np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0)))
    return z.copy(), np.ones_like(z)
''',
        # in place: scales the caller's negative entries
        "leaky ReLU in place": '''
def activation(z, name, alpha=None):
    if name == "sigmoid":
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e)), e / (1 + e) ** 2
    if name == "tanh":
        e = np.exp(-2 * np.abs(z))
        return np.tanh(z), 4 * e / (1 + e) ** 2
    if name == "relu":
        return np.maximum(z, 0), (z > 0) * 1.0
    a = (0.01 if name == "leaky_relu" else 1.0) if alpha is None else alpha
    if name == "leaky_relu":
        slope = np.where(z > 0, 1.0, a)
        z[z <= 0] *= a
        return z, slope
    if name == "elu":
        return np.where(z > 0, z, a * np.expm1(np.minimum(z, 0))), np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0)))
    raise ValueError(name)
''',
        # analytic asked for: a central difference for the smooth activations (exact at the kinks)
        "sigmoid' and tanh' by central differences": '''
def activation(z, name, alpha=None):
    if name in ("sigmoid", "tanh"):
        def f(v):
            if name == "tanh":
                return np.tanh(v)
            e = np.exp(-np.abs(v))
            return np.where(v >= 0, 1 / (1 + e), e / (1 + e))
        h = 1e-6
        return f(z), (f(z + h) - f(z - h)) / (2 * h)
    if name == "relu":
        return np.maximum(z, 0), (z > 0) * 1.0
    a = (0.01 if name == "leaky_relu" else 1.0) if alpha is None else alpha
    if name == "leaky_relu":
        return np.where(z > 0, z, a * z), np.where(z > 0, 1.0, a)
    if name == "elu":
        return np.where(z > 0, z, a * np.expm1(np.minimum(z, 0))), np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0)))
    raise ValueError(name)
''',
        # forbidden library
        "scipy's expit": '''
from scipy.special import expit

def activation(z, name, alpha=None):
    if name == "sigmoid":
        return expit(z), expit(z) * expit(-z)
    if name == "tanh":
        return np.tanh(z), 4 * expit(2 * z) * expit(-2 * z)
    if name == "relu":
        return np.maximum(z, 0), (z > 0) * 1.0
    a = (0.01 if name == "leaky_relu" else 1.0) if alpha is None else alpha
    if name == "leaky_relu":
        return np.where(z > 0, z, a * z), np.where(z > 0, 1.0, a)
    if name == "elu":
        return np.where(z > 0, z, a * np.expm1(np.minimum(z, 0))), np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0)))
    raise ValueError(name)
''',
    },
    "bce_with_logits": {
        # scale: log of a sigmoid that rounded to 0 or 1
        "log of the sigmoid": '''
def bce_with_logits(z, t):
    p = 1 / (1 + np.exp(-z))
    loss = np.mean(-t * np.log(p) - (1 - t) * np.log(1 - p))
    return loss, (p - t) / z.size
''',
        # scale: clipping hides the infinity but caps the loss near 16
        "clips the probability": '''
def bce_with_logits(z, t):
    e = np.exp(-np.abs(z))
    p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    pc = np.clip(p, 1e-7, 1 - 1e-7)
    return np.mean(-t * np.log(pc) - (1 - t) * np.log(1 - pc)), (p - t) / z.size
''',
        # scale: softplus written as it reads overflows for large z
        "softplus as log(1 + exp(z))": '''
def bce_with_logits(z, t):
    e = np.exp(-np.abs(z))
    p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return np.mean(np.log(1 + np.exp(z)) - t * z), (p - t) / z.size
''',
        "sum instead of mean": '''
def bce_with_logits(z, t):
    e = np.exp(-np.abs(z))
    p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return np.sum(np.maximum(z, 0) - t * z + np.log1p(e)), p - t
''',
        "gradient sign error": '''
def bce_with_logits(z, t):
    e = np.exp(-np.abs(z))
    p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return np.mean(np.maximum(z, 0) - t * z + np.log1p(e)), (t - p) / z.size
''',
        "gradient without 1/n": '''
def bce_with_logits(z, t):
    e = np.exp(-np.abs(z))
    p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return np.mean(np.maximum(z, 0) - t * z + np.log1p(e)), p - t
''',
        # shape: divides by len(z), the first axis only
        "divides by len(z)": '''
def bce_with_logits(z, t):
    e = np.exp(-np.abs(z))
    p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return np.mean(np.maximum(z, 0) - t * z + np.log1p(e)), (p - t) / len(z)
''',
        # soft targets: a formula that is right for t in {0, 1} only
        "hard labels only": '''
def bce_with_logits(z, t):
    e = np.exp(-np.abs(z))
    p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    softplus = lambda v: np.maximum(v, 0) + np.log1p(np.exp(-np.abs(v)))
    return np.mean(np.where(t > 0.5, softplus(-z), softplus(z))), (p - t) / z.size
''',
        "returns the loss per entry": '''
def bce_with_logits(z, t):
    e = np.exp(-np.abs(z))
    p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return np.maximum(z, 0) - t * z + np.log1p(e), (p - t) / z.size
''',
        # in place: shifts the caller's logits
        "changes z in place": '''
def bce_with_logits(z, t):
    n = z.size
    loss = np.mean(np.logaddexp(0.0, z) - t * z)
    z *= -1
    np.exp(z, out=z)
    grad = (1 / (1 + z) - t) / n
    return loss, grad
''',
        # forbidden library
        "scipy's expit": '''
import scipy.special

def bce_with_logits(z, t):
    return np.mean(np.logaddexp(0, z) - t * z), (scipy.special.expit(z) - t) / z.size
''',
    },
    "perceptron_epoch": {
        # edge value: a point on the boundary is not counted, so from w = 0 nothing ever changes
        "strict inequality": '''
def perceptron_epoch(w, b, X, y, lr=1.0):
    w, mistakes = w.copy(), 0
    for x_i, y_i in zip(X, y):
        if y_i * (x_i @ w + b) < 0:
            w, b, mistakes = w + lr * y_i * x_i, b + lr * y_i, mistakes + 1
    return w, b, mistakes
''',
        # every mistake judged with the weights from the start of the epoch
        "batch update": '''
def perceptron_epoch(w, b, X, y, lr=1.0):
    wrong = y * (X @ w + b) <= 0
    w_new = w + lr * (y[wrong][:, None] * X[wrong]).sum(axis=0)
    b_new = b + lr * y[wrong].sum()
    return w_new, float(b_new), int(wrong.sum())
''',
        "forgets the bias": '''
def perceptron_epoch(w, b, X, y, lr=1.0):
    w, mistakes = w.copy(), 0
    for x_i, y_i in zip(X, y):
        if y_i * (x_i @ w + b) <= 0:
            w = w + lr * y_i * x_i
            mistakes += 1
    return w, b, mistakes
''',
        # in place: w += changes the caller's array
        "updates w in place": '''
def perceptron_epoch(w, b, X, y, lr=1.0):
    mistakes = 0
    for x_i, y_i in zip(X, y):
        if y_i * (x_i @ w + b) <= 0:
            w += lr * y_i * x_i
            b += lr * y_i
            mistakes += 1
    return w, b, mistakes
''',
        "ignores the learning rate": '''
def perceptron_epoch(w, b, X, y, lr=1.0):
    w, mistakes = w.copy(), 0
    for x_i, y_i in zip(X, y):
        if y_i * (x_i @ w + b) <= 0:
            w, b, mistakes = w + y_i * x_i, b + y_i, mistakes + 1
    return w, b, mistakes
''',
        # counts the samples it got right
        "counts the correct samples": '''
def perceptron_epoch(w, b, X, y, lr=1.0):
    w, correct = w.copy(), 0
    for x_i, y_i in zip(X, y):
        if y_i * (x_i @ w + b) <= 0:
            w, b = w + lr * y_i * x_i, b + lr * y_i
        else:
            correct += 1
    return w, b, correct
''',
        "mistakes as a float": '''
def perceptron_epoch(w, b, X, y, lr=1.0):
    w, mistakes = w.copy(), 0.0
    for x_i, y_i in zip(X, y):
        if y_i * (x_i @ w + b) <= 0:
            w, b, mistakes = w + lr * y_i * x_i, b + lr * y_i, mistakes + 1
    return w, b, mistakes
''',
        "returns a list": '''
def perceptron_epoch(w, b, X, y, lr=1.0):
    w, mistakes = w.copy(), 0
    for x_i, y_i in zip(X, y):
        if y_i * (x_i @ w + b) <= 0:
            w, b, mistakes = w + lr * y_i * x_i, b + lr * y_i, mistakes + 1
    return [w, b, mistakes]
''',
        # the samples visited last to first
        "visits the samples in reverse": '''
def perceptron_epoch(w, b, X, y, lr=1.0):
    w, mistakes = w.copy(), 0
    for x_i, y_i in zip(X[::-1], y[::-1]):
        if y_i * (x_i @ w + b) <= 0:
            w, b, mistakes = w + lr * y_i * x_i, b + lr * y_i, mistakes + 1
    return w, b, mistakes
''',
        # hard-codes the public test's answer
        "hard-codes the public answer": '''
def perceptron_epoch(w, b, X, y, lr=1.0):
    return np.array([-1.0, 3.0]), 0.0, 2
''',
    },
    "logistic_regression": {
        # scale: 0 * log(0) is NaN once predictions saturate
        "loss from log of the sigmoid": '''
def logistic_regression(X, t, lr, epochs):
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        losses.append(np.mean(-t * np.log(p) - (1 - t) * np.log(1 - p)))
        w = w - lr * X.T @ (p - t) / len(t)
        b = b - lr * np.mean(p - t)
    return w, b, np.array(losses)
''',
        # off by one: the loss recorded after the step
        "loss recorded after the step": '''
def logistic_regression(X, t, lr, epochs):
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        p = np.exp(-np.logaddexp(0, -(X @ w + b)))
        w = w - lr * X.T @ (p - t) / len(t)
        b = b - lr * np.mean(p - t)
        z = X @ w + b
        losses.append(np.mean(np.logaddexp(0, z) - t * z))
    return w, b, np.array(losses)
''',
        "gradient summed, not averaged": '''
def logistic_regression(X, t, lr, epochs):
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        z = X @ w + b
        losses.append(np.mean(np.logaddexp(0, z) - t * z))
        p = np.exp(-np.logaddexp(0, -z))
        w = w - lr * X.T @ (p - t)
        b = b - lr * np.sum(p - t)
    return w, b, np.array(losses)
''',
        "never updates the bias": '''
def logistic_regression(X, t, lr, epochs):
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        z = X @ w + b
        losses.append(np.mean(np.logaddexp(0, z) - t * z))
        p = np.exp(-np.logaddexp(0, -z))
        w = w - lr * X.T @ (p - t) / len(t)
    return w, b, np.array(losses)
''',
        "gradient ascent": '''
def logistic_regression(X, t, lr, epochs):
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        z = X @ w + b
        losses.append(np.mean(np.logaddexp(0, z) - t * z))
        p = np.exp(-np.logaddexp(0, -z))
        w = w + lr * X.T @ (p - t) / len(t)
        b = b + lr * np.mean(p - t)
    return w, b, np.array(losses)
''',
        # the squared error's chain rule: an extra sigma'(z) factor
        "MSE gradient through the sigmoid": '''
def logistic_regression(X, t, lr, epochs):
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        z = X @ w + b
        losses.append(np.mean(np.logaddexp(0, z) - t * z))
        p = np.exp(-np.logaddexp(0, -z))
        delta = (p - t) * p * (1 - p)
        w = w - lr * X.T @ delta / len(t)
        b = b - lr * np.mean(delta)
    return w, b, np.array(losses)
''',
        # off by one: the final loss appended too
        "one loss too many": '''
def logistic_regression(X, t, lr, epochs):
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    for k in range(epochs + 1):
        z = X @ w + b
        losses.append(np.mean(np.logaddexp(0, z) - t * z))
        if k == epochs:
            break
        p = np.exp(-np.logaddexp(0, -z))
        w = w - lr * X.T @ (p - t) / len(t)
        b = b - lr * np.mean(p - t)
    return w, b, np.array(losses)
''',
        # per-sample (stochastic) updates instead of full-batch steps
        "one update per sample": '''
def logistic_regression(X, t, lr, epochs):
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        z = X @ w + b
        losses.append(np.mean(np.logaddexp(0, z) - t * z))
        for x_i, t_i in zip(X, t):
            p_i = np.exp(-np.logaddexp(0, -(x_i @ w + b)))
            w = w - lr * (p_i - t_i) * x_i / len(t)
            b = b - lr * (p_i - t_i) / len(t)
    return w, b, np.array(losses)
''',
        "starts from ones": '''
def logistic_regression(X, t, lr, epochs):
    w, b, losses = np.ones(X.shape[1]), 0.0, []
    for _ in range(epochs):
        z = X @ w + b
        losses.append(np.mean(np.logaddexp(0, z) - t * z))
        p = np.exp(-np.logaddexp(0, -z))
        w = w - lr * X.T @ (p - t) / len(t)
        b = b - lr * np.mean(p - t)
    return w, b, np.array(losses)
''',
        # forbidden library
        "scikit-learn": '''
from sklearn.linear_model import LogisticRegression

def logistic_regression(X, t, lr, epochs):
    model = LogisticRegression(C=1e6, max_iter=epochs).fit(X, t)
    return model.coef_[0], float(model.intercept_[0]), np.full(epochs, np.log(2))
''',
    },
    "kl_divergence": {
        # 0 * log(0 / q) is NaN
        "no zero handling": '''
def kl_divergence(p, q):
    return np.sum(p * np.log(p / q), axis=-1)
''',
        # scale: an epsilon changes every tiny probability
        "adds an epsilon": '''
def kl_divergence(p, q):
    eps = 1e-12
    return np.sum(p * np.log((p + eps) / (q + eps)), axis=-1)
''',
        "reversed divergence": '''
def kl_divergence(p, q):
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(q > 0, q * (np.log(np.where(q > 0, q, 1.0)) - np.log(p)), 0.0)
    return terms.sum(axis=-1)
''',
        # shape: sums over every axis
        "sums everything": '''
def kl_divergence(p, q):
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0) / q), 0.0)
    return terms.sum()
''',
        "sums along the first axis": '''
def kl_divergence(p, q):
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0) / q), 0.0)
    return terms.sum(axis=0)
''',
        "log base 2": '''
def kl_divergence(p, q):
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log2(np.where(p > 0, p, 1.0) / q), 0.0)
    return terms.sum(axis=-1)
''',
        # clipping q, even far below any real probability, turns the infinity into a finite number
        "clips q": '''
def kl_divergence(p, q):
    q = np.clip(q, 1e-300, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0) / q), 0.0)
    return terms.sum(axis=-1)
''',
        # nan_to_num also turns the infinity into 1.8e308
        "nan_to_num": '''
def kl_divergence(p, q):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(p * np.log(p / q)).sum(axis=-1)
''',
        # in place: overwrites the caller's zeros
        "fills zeros in place": '''
def kl_divergence(p, q):
    zero = p == 0
    p[zero] = 1.0
    with np.errstate(divide="ignore"):
        terms = p * (np.log(p) - np.log(q))
    terms[zero] = 0.0
    return terms.sum(axis=-1)
''',
        # float64 demanded: 1e-200 underflows to 0 in float32
        "works in float32": '''
def kl_divergence(p, q):
    p32, q32 = p.astype(np.float32), q.astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p32 > 0, p32 * (np.log(np.where(p32 > 0, p32, 1)) - np.log(q32)), 0)
    return terms.sum(axis=-1)
''',
        # forbidden library
        "scipy's rel_entr": '''
from scipy.special import rel_entr

def kl_divergence(p, q):
    return rel_entr(p, q).sum(axis=-1)
''',
    },
}

_OFF = "values are off"
_NOT_USED = "This part forbids it"

REASONS = {
    "activation": {
        "naive sigmoid overflows": "sigmoid(z) for z from -1000 to 1000 contains NaN",
        "sigmoid' as s (1 - s)": "sigmoid'(z) for z between 30 and 40",
        "sigmoid through tanh": "sigmoid(z) for z between -40 and -30",
        "tanh' as 1 - tanh^2": "tanh'(z) for z between 15 and 25",
        "tanh from exponentials": "tanh(z) for z from -1000 to 1000 contains NaN",
        "relu'(0) = 1": "relu'(z) has the right shape, but",
        "leaky slope hard-coded": "leaky_relu(z) with alpha = 0.2",
        "ELU derivative without alpha": "elu'(z) with alpha = 0.5",
        "one entry at a time, vectors only": "ValueError: The truth value of an array",
        "returns a list": "must return a tuple",
        "unknown names give the identity": "must raise ValueError",
        "leaky ReLU in place": "changed argument 1 in place",
        "sigmoid' and tanh' by central differences": "sigmoid'(z) for z between 30 and 40",
        "scipy's expit": "uses `scipy`",
    },
    "bce_with_logits": {
        "log of the sigmoid": "for logits in the thousands is nan",
        "clips the probability": "the loss for logits in the thousands is off",
        "softplus as log(1 + exp(z))": "for logits in the thousands is inf",
        "sum instead of mean": "the loss is off",
        "gradient sign error": "the gradient has the right shape",
        "gradient without 1/n": "the gradient has the right shape",
        "divides by len(z)": "the gradient on an array of shape (1, 4)",
        "hard labels only": "the loss with soft targets",
        "returns the loss per entry": "the loss is an array of shape",
        "changes z in place": "changed argument 1 in place",
        "scipy's expit": "uses `scipy`",
    },
    "perceptron_epoch": {
        "strict inequality": "w after one epoch from w = 0",
        "batch update": "w after one epoch from w = 0",
        "forgets the bias": "b from w = 0 with n=6, d=2",
        "updates w in place": "changed argument 1 in place",
        "ignores the learning rate": "lr=0.5",
        "counts the correct samples": "number of mistakes after one epoch",
        "mistakes as a float": "mistakes must be an integer",
        "returns a list": "must return a tuple",
        "visits the samples in reverse": "w after one epoch from w = 0",
        "hard-codes the public answer": "from w = 0 with n=6, d=2",
    },
    "logistic_regression": {
        "loss from log of the sigmoid": "losses with features in the hundreds contains NaN",
        "loss recorded after the step": "losses after 2 epochs",
        "gradient summed, not averaged": "losses after 2 epochs",
        "never updates the bias": "losses with n=20, d=2",
        "gradient ascent": "losses after 2 epochs",
        "MSE gradient through the sigmoid": "losses after 2 epochs",
        "one loss too many": "has shape (3,), but the shape should be (2,)",
        "one update per sample": "losses with n=20, d=2",
        "starts from ones": "losses after 2 epochs",
        "scikit-learn": "uses `sklearn`",
    },
    "kl_divergence": {
        "no zero handling": "contains NaN",
        "adds an epsilon": "with probabilities as small as 1e-200",
        "reversed divergence": "kl_divergence(p, q) contains inf",
        "sums everything": "is a float64",
        "sums along the first axis": "has shape (3,), but the shape should be (2,)",
        "log base 2": "kl_divergence(p, q) has the right shape",
        "clips q": "is not inf exactly where q gives 0",
        "nan_to_num": "is not inf exactly where q gives 0",
        "fills zeros in place": "changed argument 1 in place",
        "works in float32": "with probabilities as small as 1e-200",
        "scipy's rel_entr": "uses `scipy`",
    },
}
