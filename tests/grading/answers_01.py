"""Student answers for exercise 01, used to test its grader through nbgrader.

For each graded part (keyed by the grade_id of its solution cell): ``CORRECT`` holds alternative
correct implementations written differently from the reference (each must earn full marks: loops
against vectorised code, float32 where the prompt allows it, other valid formulas and stencils),
and ``WRONG`` the plausible mistakes a student makes (each must earn zero on its part). Each entry
is the whole source of the solution cell, as a student would leave it.

``REASONS`` says, for every wrong answer, what its test cell must report (a substring of
``"ExceptionName: message"`` of the error the test cell raised), so that each wrong answer is shown
to fail for the reason it was written for, not by accident.

The wrong answers cover every class of grader gap found so far: edge shapes (k = 1, rank 3 and 4, a
size-1 axis, wrong ranks numpy accepts silently), scales (rows spanning thousands of both signs
against a mean, minimum, first-entry, global or clipped shift), analytic parts answered numerically
(finite differences of the loss, a difference quotient for sigmoid', float32 where float64 is
demanded), and forbidden shortcuts (checks.numeric_gradient called, aliased or reached through a
helper; scipy).
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
        # float32 arithmetic: the prompt allows it
        '''
def affine(X, W, b):
    if len(X.shape) != 2 or len(W.shape) != 2 or len(b.shape) != 1:
        raise ValueError(f"ranks: X {X.shape}, W {W.shape}, b {b.shape}")
    if X.shape[1:] != W.shape[:1] or W.shape[1:] != b.shape:
        raise ValueError(f"sizes: X {X.shape}, W {W.shape}, b {b.shape}")
    X32, W32, b32 = (np.asarray(a, dtype=np.float32) for a in (X, W, b))
    return X32 @ W32 + b32
''',
        '''
def affine(X, W, b):
    try:
        (n, d), (d_w, k), (k_b,) = X.shape, W.shape, b.shape
    except ValueError:
        raise ValueError(f"X must be (n, d), W (d, k), b (k,): got {X.shape}, {W.shape}, {b.shape}") from None
    if d != d_w or k != k_b:
        raise ValueError(f"X {X.shape}, W {W.shape} and b {b.shape} do not fit")
    return np.matmul(X, W) + b.reshape(1, k)
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
        # a five-point central stencil: more accurate than the prompt's formula, which is allowed
        '''
def numeric_gradient(f, x, h=1e-5):
    work = np.array(x, dtype=np.float64)
    grad = np.zeros(work.shape)
    for index in np.ndindex(work.shape):
        saved = work[index]
        values = []
        for k in (2, 1, -1, -2):
            work[index] = saved + k * h
            values.append(f(work))
        work[index] = saved
        f2, f1, fm1, fm2 = values
        grad[index] = (-f2 + 8 * f1 - 8 * fm1 + fm2) / (12 * h)
    return grad
''',
        '''
def numeric_gradient(f, x, h=1e-5):
    x_work = x.copy()
    grad = np.zeros_like(x, dtype=float)
    it = np.nditer(x_work, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        original = float(x_work[i])
        x_work[i] = original + h
        up = f(x_work)
        x_work[i] = original - h
        down = f(x_work)
        x_work[i] = original
        grad[i] = (up - down) / (2 * h)
    return grad
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
        # float32 arithmetic: the prompt allows it
        '''
def mse_grad(w, X, y):
    X32, w32, y32 = X.astype(np.float32), w.astype(np.float32), y.astype(np.float32)
    return X32.T @ (X32 @ w32 - y32) / np.float32(len(y32))
''',
        # the same gradient, expanded: (X^T X w - X^T y) / n
        '''
def mse_grad(w, X, y):
    n = X.shape[0]
    return (X.T @ X @ w - X.T @ y) / n
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
        # float32 arithmetic: the prompt allows it
        '''
def softmax(Z):
    Z32 = np.asarray(Z, dtype=np.float32)
    e = np.exp(Z32 - Z32.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
''',
        '''
def softmax(Z):
    k = Z.shape[-1]
    rows = Z.reshape(-1, k)
    e = np.exp(rows - rows.max(axis=1)[:, None])
    return (e / e.sum(axis=1)[:, None]).reshape(Z.shape)
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
        # float32 arithmetic, and the log-sum-exp added last: the prompt allows both
        '''
def cross_entropy(Z, y):
    Z32 = Z.astype(np.float32)
    m = Z32.max(axis=1)
    lse = m + np.log(np.exp(Z32 - m[:, None]).sum(axis=1))
    return np.mean(lse - Z32[np.arange(len(y)), y])
''',
        # numpy's pairwise log-add-exp is stable too
        '''
def cross_entropy(Z, y):
    lse = np.logaddexp.reduce(Z, axis=1)
    picked = np.take_along_axis(Z, y[:, None], axis=1)[:, 0]
    return np.array(np.mean(lse - picked))
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
        # sigma'(z) = sigma(z) sigma(-z): exact even where 1 - sigma(z) would cancel
        '''
def neuron_grad(w, b, X, t):
    z = X @ w + b
    delta = (sigmoid(z) - t) * sigmoid(z) * sigmoid(-z)
    return np.einsum("n,nd->d", delta, X) / len(t), np.mean(delta)
''',
        '''
def neuron_grad(w, b, X, t):
    n = X.shape[0]
    a = sigmoid(np.dot(X, w) + b)
    dL_da = (a - t) / n
    da_dz = a * (1.0 - a)
    dL_dz = dL_da * da_dz
    return X.T.dot(dL_dz), dL_dz.sum()
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
        # k = 1: over-applies the visible test's rule and rejects the valid (1,) bias of a 1-unit layer
        "rejects a (1,) bias even when k = 1": "def affine(X, W, b):" + _AFFINE_CHECKS + '''
    if b.shape == (1,):
        raise ValueError("a bias of shape (1,) would broadcast")
    return X @ W + b
''',
        # k = 1: treats a (1,) bias as the broadcasting mistake and drops it
        "drops a (1,) bias": "def affine(X, W, b):" + _AFFINE_CHECKS
        + "    return X @ W + (b if b.size > 1 else 0.0)\n",
        # a size-1 axis: squeezes (n, 1) to (n,) and (1, k) to (k,)
        "squeezes size-1 axes": "def affine(X, W, b):" + _AFFINE_CHECKS + "    return np.squeeze(X @ W + b)\n",
        # rejects a 1-D W (W.shape[1] would fail) but relies on numpy for the rest: a (d, k, 1) W slips through
        "no upper rank check on W": '''
def affine(X, W, b):
    if X.ndim != 2 or W.ndim < 2 or b.ndim != 1:
        raise ValueError(f"X must be 2-D, W at least 2-D and b 1-D: X {X.shape}, W {W.shape}, b {b.shape}")
    if X.shape[1] != W.shape[0] or W.shape[1] != b.shape[0]:
        raise ValueError(f"shapes do not fit: X {X.shape}, W {W.shape}, b {b.shape}")
    return X @ W + b
''',
        # compares the last axes only: a (1, k) or (1, 1) bias and a 3-D X slip through
        "checks sizes, not ranks": '''
def affine(X, W, b):
    if X.shape[-1] != W.shape[0] or W.shape[-1] != b.shape[-1]:
        raise ValueError(f"shapes do not fit: X {X.shape}, W {W.shape}, b {b.shape}")
    return X @ W + b
''',
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
        # rank 3: handles vectors and matrices, and nudges whole fibres of a higher-rank x
        "handles 1-D and 2-D x only": '''
def numeric_gradient(f, x, h=1e-5):
    x = x.astype(float)
    grad = np.zeros_like(x)
    if x.ndim == 1:
        indices = [(i,) for i in range(x.shape[0])]
    else:
        indices = [(i, j) for i in range(x.shape[0]) for j in range(x.shape[1])]
    for i in indices:
        old = x[i].copy()
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
''',
        # undoes the nudge by arithmetic: x + h - 2h + h is not always x
        "restores x by adding h back": '''
def numeric_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        f_plus = f(x)
        x[i] -= 2 * h
        f_minus = f(x)
        x[i] += h
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
''',
        # float64 demanded: x + 1e-5 in float32 is off by up to 1% near 1
        "works in float32": '''
def numeric_gradient(f, x, h=1e-5):
    x32 = x.astype(np.float32)
    grad = np.zeros(x.shape, dtype=np.float32)
    for i in np.ndindex(x.shape):
        old = x32[i]
        x32[i] = old + h
        f_plus = f(x32)
        x32[i] = old - h
        f_minus = f(x32)
        x32[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
''',
        # forbidden: the helper that solves the part
        "calls checks.numeric_gradient": '''
def numeric_gradient(f, x, h=1e-5):
    return checks.numeric_gradient(f, x, h)
''',
        # forbidden, through an alias bound in the same cell
        "aliases checks.numeric_gradient": '''
ng = checks.numeric_gradient

def numeric_gradient(f, x, h=1e-5):
    return ng(f, x, h)
''',
        # forbidden library; numerically right (forward and backward differences averaged)
        "scipy's approx_fprime": '''
from scipy.optimize import approx_fprime

def numeric_gradient(f, x, h=1e-5):
    flat = lambda v: f(v.reshape(x.shape))
    forward = approx_fprime(x.ravel(), flat, h)
    backward = approx_fprime(x.ravel(), flat, -h)
    return ((forward + backward) / 2).reshape(x.shape)
''',
    },
    "mse_grad": {
        "sign error": "def mse_grad(w, X, y):\n    return X.T @ (y - X @ w) / len(y)\n",
        "missing 1/n": "def mse_grad(w, X, y):\n    return X.T @ (X @ w - y)\n",
        "factor of two": "def mse_grad(w, X, y):\n    return 2 * X.T @ (X @ w - y) / len(y)\n",
        "missing transpose": "def mse_grad(w, X, y):\n    return X @ (X @ w - y) / len(y)\n",
        "column-vector shape": "def mse_grad(w, X, y):\n    return (X.T @ (X @ w - y) / len(y)).reshape(-1, 1)\n",
        "hard-codes the public answer": "def mse_grad(w, X, y):\n    return np.array([0.5, -1.625])\n",
        "divides by d instead of n": "def mse_grad(w, X, y):\n    return X.T @ (X @ w - y) / X.shape[1]\n",
        # analytic asked for: finite differences of the loss, written out
        "finite differences of mse_loss": '''
def mse_grad(w, X, y):
    h = 1e-5
    grad = np.zeros(len(w))
    for j in range(len(w)):
        step = np.zeros(len(w))
        step[j] = h
        grad[j] = (mse_loss(w + step, X, y) - mse_loss(w - step, X, y)) / (2 * h)
    return grad
''',
        # analytic asked for: the part-2 function (forbidden by name)
        "uses numeric_gradient": '''
def mse_grad(w, X, y):
    return numeric_gradient(lambda v: mse_loss(v, X, y), w)
''',
        # forbidden library
        "scipy's approx_fprime": '''
import scipy.optimize

def mse_grad(w, X, y):
    return scipy.optimize.approx_fprime(w, mse_loss, 1e-7, X, y)
''',
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
        # scale: a per-row shift, but the wrong constant
        "shift by the row mean": '''
def softmax(Z):
    e = np.exp(Z - Z.mean(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
''',
        "shift by the row minimum": '''
def softmax(Z):
    e = np.exp(Z - Z.min(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
''',
        "shift by the first logit": '''
def softmax(Z):
    e = np.exp(Z - Z[..., :1])
    return e / e.sum(axis=-1, keepdims=True)
''',
        # rank: right for a batch (n, k) only
        "only for 2-D batches": '''
def softmax(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
''',
        # forbidden library
        "scipy.special.softmax": '''
from scipy.special import softmax as scipy_softmax

def softmax(Z):
    return scipy_softmax(Z, axis=-1)
''',
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
        # scale: one shift for the whole batch underflows rows far below the batch's largest logit
        "one shift for the whole batch": '''
def cross_entropy(Z, y):
    m = Z.max()
    lse = m + np.log(np.exp(Z - m).sum(axis=1))
    return float(np.mean(lse - Z[np.arange(len(y)), y]))
''',
        # scale: a per-row shift by the mean overflows rows that spread over thousands
        "shift by the row mean": '''
def cross_entropy(Z, y):
    m = Z.mean(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(Z - m).sum(axis=1))
    return float(np.mean(lse - Z[np.arange(len(y)), y]))
''',
        # scale: clipping the probability hides the underflow but caps the loss at 27.6
        "clips the probability before the log": '''
def cross_entropy(Z, y):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = e / e.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(np.clip(P[np.arange(len(y)), y], 1e-12, 1.0))))
''',
        # forbidden library
        "scipy's logsumexp": '''
from scipy.special import logsumexp

def cross_entropy(Z, y):
    return float(np.mean(logsumexp(Z, axis=1) - Z[np.arange(len(y)), y]))
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
        "grad_b as a length-1 array": '''
def neuron_grad(w, b, X, t):
    a = sigmoid(X @ w + b)
    dz = (a - t) * a * (1 - a) / len(t)
    return X.T @ dz, dz.sum(keepdims=True)
''',
        # analytic asked for: central differences of the loss, written out
        "finite differences of neuron_loss": '''
def neuron_grad(w, b, X, t):
    h = 1e-6
    grad_w = np.zeros(len(w))
    for j in range(len(w)):
        e = np.zeros(len(w))
        e[j] = h
        grad_w[j] = (neuron_loss(w + e, b, X, t) - neuron_loss(w - e, b, X, t)) / (2 * h)
    grad_b = (neuron_loss(w, b + h, X, t) - neuron_loss(w, b - h, X, t)) / (2 * h)
    return grad_w, grad_b
''',
        # analytic asked for: sigma' by a difference quotient
        "sigmoid' by a difference quotient": '''
def neuron_grad(w, b, X, t):
    z = X @ w + b
    h = 1e-5
    dsigma = (sigmoid(z + h) - sigmoid(z - h)) / (2 * h)
    dz = (sigmoid(z) - t) * dsigma / len(t)
    return X.T @ dz, float(dz.sum())
''',
        # float64 demanded: sigma(24) is exactly 1 in float32
        "works in float32": '''
def neuron_grad(w, b, X, t):
    X32, w32, t32 = X.astype(np.float32), w.astype(np.float32), t.astype(np.float32)
    a = 1 / (1 + np.exp(-(X32 @ w32 + np.float32(b))))
    dz = (a - t32) * a * (1 - a) / len(t)
    return X32.T @ dz, float(dz.sum())
''',
        # forbidden: the checks helper for the bias gradient
        "checks.numeric_gradient for grad_b": '''
def neuron_grad(w, b, X, t):
    a = sigmoid(X @ w + b)
    dz = (a - t) * a * (1 - a) / len(t)
    grad_b = checks.numeric_gradient(lambda v: neuron_loss(w, v[0], X, t), np.array([b]))[0]
    return X.T @ dz, grad_b
''',
    },
}

_OFF = "values are off"
_NOT_USED = "This part forbids it"

REASONS = {
    "affine": {
        "missing bias": _OFF,
        "no shape checks": "must raise ValueError",
        "bias on the wrong axis": _OFF,
        "returns a list": "is a list, not a numpy array",
        "hard-codes the public answer": "has shape (3, 3), but the shape should be (5, 3)",
        "rejects a (1,) bias even when k = 1": "raised ValueError for valid shapes",
        "drops a (1,) bias": _OFF,
        "squeezes size-1 axes": "has shape (2,), but the shape should be (1, 2)",
        "no upper rank check on W": "when W is 3-D",
        "checks sizes, not ranks": "when X is 1-D",
    },
    "numeric_gradient": {
        "one-sided difference": _OFF,
        "divides by h instead of 2h": _OFF,
        "nudges all entries at once": _OFF,
        "only works for 1-D x": "for an x of shape (2, 3)",
        "changes x in place": "changed argument 2 in place",
        "ignores the step h": "values are around 1e10",
        "handles 1-D and 2-D x only": "for an x of shape (2, 1, 3)",
        "restores x by adding h back": "changed argument 2 in place",
        "works in float32": _OFF,
        "calls checks.numeric_gradient": "uses `numeric_gradient`",
        "aliases checks.numeric_gradient": "through `ng`",
        "scipy's approx_fprime": "uses `scipy`",
    },
    "mse_grad": {
        "sign error": "disagrees with a numeric",
        "missing 1/n": "disagrees with a numeric",
        "factor of two": "disagrees with a numeric",
        "missing transpose": "ValueError: matmul",
        "column-vector shape": "has shape (2, 1)",
        "hard-codes the public answer": "mse_grad with n=7, d=3",
        "divides by d instead of n": "disagrees with a numeric",
        "finite differences of mse_loss": "targets around 1e14",
        "uses numeric_gradient": "uses `numeric_gradient`",
        "scipy's approx_fprime": "uses `scipy`",
    },
    "softmax": {
        "no shift (overflows)": "contains NaN",
        "wrong axis": _OFF,
        "no keepdims": "ValueError: operands could not be broadcast",
        "one shift for the whole array": "rows in the thousands",
        "changes Z in place": "changed argument 1 in place",
        "normalises over everything": _OFF,
        "shift by the row mean": "rows in the thousands",
        "shift by the row minimum": "rows in the thousands",
        "shift by the first logit": "rows in the thousands",
        "only for 2-D batches": "ValueError: In a hidden test",  # numpy's AxisError, named by its builtin base
        "scipy.special.softmax": "uses `scipy`",
    },
    "cross_entropy": {
        "log of a naive softmax": "for logits in the thousands is inf",
        "log of an underflowed softmax": "for logits in the thousands is inf",
        "sum instead of mean": "is off",
        "indexes Z[:, y]": "is off",
        "sign error": "is off",
        "labels off by one": "is off",
        "returns one loss per sample": "is an array of shape",
        "one shift for the whole batch": "rows in the thousands",
        "shift by the row mean": "rows in the thousands",
        "clips the probability before the log": "for logits in the thousands is off",
        "scipy's logsumexp": "uses `scipy`",
    },
    "neuron_grad": {
        "forgets the sigmoid derivative": "disagrees with a numeric",
        "missing 1/n": "disagrees with a numeric",
        "sign error": "disagrees with a numeric",
        "bias gradient not summed": "grad_b is an array of shape",
        "derivative taken at z instead of a": "disagrees with a numeric",
        "returns a list": "must return a tuple",
        "grad_b as a length-1 array": "grad_b is an array of shape (1,)",
        "finite differences of neuron_loss": "for saturated neurons",
        "sigmoid' by a difference quotient": "for saturated neurons (z near +24)",
        "works in float32": "for saturated neurons (z near +24)",
        "checks.numeric_gradient for grad_b": "uses `numeric_gradient`",
    },
}
