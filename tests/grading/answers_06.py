"""Student answers for exercise 06 (generalisation and evaluation), used to test its grader through nbgrader.

For each graded part (keyed by the grade_id of its solution cell): ``CORRECT`` holds alternative
correct implementations written differently from the reference (loops against vectorised code,
masked arrays, other valid formulas, float32 where the prompt allows it), each of which must earn
full marks, and ``WRONG`` the plausible mistakes a student makes, each of which must earn zero on
its part. Each entry is the whole source of the solution cell, as a student would leave it.

``REASONS`` says, for every wrong answer, what its test cell must report (a substring of
``"ExceptionName: message"`` of the error the test cell raised), so that each wrong answer is shown
to fail for the reason it was written for, not by accident.

The wrong answers cover: leakage (statistics or categories taken from the data being transformed),
missing values (NaN means, NaN imputed before scaling, all-NaN columns), edge shapes and values
(constant columns, empty inputs, weights exactly 0, p = 0, p = 1, labels only in the predictions,
labels that are not 0..K-1), scales (E[x^2] - E[x]^2 near 3e8, powers of the odds at k = 1000,
float32 near 1e-250, finite differences at 1e8), wrong maths (ddof=1, biases penalised, a missing
1/2, dropout not inverted or inverted the wrong way, precision and recall swapped, a transposed
confusion matrix, macro F1 from macro averages, balanced accuracy, the base rate ignored),
randomness that does not come from ``rng``, in-place changes, wrong return types and forbidden
libraries and helpers.
"""

CORRECT = {
    "scaler": [
        # a loop over the columns with numpy's nan-aware reductions
        '''
def fit_scaler(X):
    d = X.shape[1]
    mean, scale = np.zeros(d), np.ones(d)
    for j in range(d):
        column = X[:, j]
        column = column[~np.isnan(column)]
        if len(column) == 0:
            continue
        mean[j] = np.nanmean(column)
        spread = np.nanstd(column)
        if spread > 0:
            scale[j] = spread
    return {"mean": mean, "scale": scale}


def apply_scaler(stats, X):
    out = (X - stats["mean"][None, :]) / stats["scale"][None, :]
    out[np.isnan(X)] = 0.0
    return out
''',
        # masked arrays
        '''
def fit_scaler(X):
    masked = np.ma.masked_invalid(np.asarray(X, dtype=float))
    mean = masked.mean(axis=0).filled(0.0)
    std = masked.std(axis=0).filled(0.0)
    return dict(scale=np.where(std == 0, 1.0, std).astype(float), mean=np.asarray(mean, dtype=float))


def apply_scaler(stats, X):
    return np.nan_to_num((X - stats["mean"]) / stats["scale"], nan=0.0)
''',
        # numpy's nan-functions, whose all-NaN warnings are ignored, and NaN fixed afterwards
        '''
def fit_scaler(X):
    mean = np.nanmean(X, axis=0)
    std = np.nanstd(X, axis=0)
    mean = np.where(np.isnan(mean), 0.0, mean)
    std = np.where(np.isnan(std) | (std == 0), 1.0, std)
    return {"mean": mean, "scale": std}


def apply_scaler(stats, X):
    Z = (X - stats["mean"]) / stats["scale"]
    Z[np.isnan(Z)] = 0
    return Z
''',
    ],
    "one_hot_encode": [
        # broadcast comparison of object arrays
        '''
def one_hot_encode(train_values, values):
    categories = sorted(set(v for v in train_values if isinstance(v, str)))
    given = np.array(list(values) + [None], dtype=object)[:-1]
    table = np.array(categories, dtype=object)
    return categories, (given[:, None] == table[None, :]).astype(np.float64)
''',
        # rows of an identity matrix, float32
        '''
def one_hot_encode(train_values, values):
    categories = []
    for value in train_values:
        if value is not None and value not in categories:
            categories.append(value)
    categories.sort()
    eye = np.eye(len(categories), dtype=np.float32)
    encoded = np.zeros((len(values), len(categories)), dtype=np.float32)
    for i, value in enumerate(values):
        if value is not None and value in categories:
            encoded[i] = eye[categories.index(value)]
    return (categories, encoded)
''',
    ],
    "penalty": [
        # np.where for the sign, vdot for the sum of squares
        '''
def penalty(params, kind, lam):
    if kind not in {"none", "l1", "l2"}:
        raise ValueError("kind must be none, l1 or l2")
    total = 0.0
    grads = {}
    for key in params:
        w = params[key]
        if key[0] != "W" or kind == "none":
            grads[key] = np.zeros(w.shape)
            continue
        if kind == "l2":
            total = total + lam / 2 * np.vdot(w, w)
            grads[key] = lam * w
        else:
            total = total + lam * np.abs(w).sum()
            grads[key] = np.where(w > 0, lam, np.where(w < 0, -lam, 0.0))
    return total, grads
''',
        # float32, norms
        '''
def penalty(params, kind, lam):
    if kind == "none":
        return 0.0, {k: np.zeros_like(v, dtype=np.float32) for k, v in params.items()}
    if kind == "l2":
        weights = {k: v.astype(np.float32) for k, v in params.items() if k.startswith("W")}
        value = lam / 2 * sum(float(np.linalg.norm(w.ravel())) ** 2 for w in weights.values())
        grads = {k: (np.float32(lam) * weights[k] if k in weights else np.zeros(v.shape, np.float32))
                 for k, v in params.items()}
        return value, grads
    if kind == "l1":
        value = lam * sum(np.linalg.norm(v.ravel(), 1) for k, v in params.items() if k.startswith("W"))
        grads = {k: (lam * np.sign(v) if k.startswith("W") else 0 * v).astype(np.float32) for k, v in params.items()}
        return np.float32(value), grads
    raise ValueError(kind)
''',
    ],
    "dropout": [
        # explicit keep mask with np.where
        '''
def dropout(A, p, rng, training):
    if p < 0 or p >= 1:
        raise ValueError("p must be in [0, 1)")
    if training and p > 0:
        u = rng.random(A.shape)
        mask = np.where(u >= p, 1.0, 0.0) * (1.0 / (1.0 - p))
        return np.multiply(A, mask), mask
    return A.copy(), np.ones_like(A, dtype=float)
''',
        # float32; the input itself returned at inference
        '''
def dropout(A, p, rng, training):
    if not (0.0 <= p < 1.0):
        raise ValueError(f"bad p {p}")
    if not training or p == 0.0:
        return A, np.full(A.shape, 1.0)
    survive = rng.random(size=A.shape) >= p
    mask = survive.astype(np.float32) / np.float32(1 - p)
    return (A.astype(np.float32) * mask), mask
''',
    ],
    "scores": [
        # loops over the labels
        '''
def scores(y_true, y_pred):
    labels = np.array(sorted(set(y_true.tolist()) | set(y_pred.tolist())))
    K = len(labels)
    confusion = np.zeros((K, K), dtype=int)
    for a in range(K):
        for b in range(K):
            confusion[a, b] = np.sum((y_true == labels[a]) & (y_pred == labels[b]))
    precision, recall, f1 = np.zeros(K), np.zeros(K), np.zeros(K)
    for c in range(K):
        tp = confusion[c, c]
        fp = confusion[:, c].sum() - tp
        fn = confusion[c, :].sum() - tp
        precision[c] = tp / (tp + fp) if tp + fp else 0.0
        recall[c] = tp / (tp + fn) if tp + fn else 0.0
        f1[c] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return {"labels": labels, "confusion": confusion, "precision": precision, "recall": recall,
            "f1": f1, "accuracy": np.mean(y_true == y_pred), "macro_f1": f1.mean()}
''',
        # one-hot matrices multiplied, float32 metrics, nan_to_num for the empty denominators
        '''
def scores(y_true, y_pred):
    labels = np.unique(np.concatenate([y_true, y_pred]))
    T = (y_true[:, None] == labels[None, :]).astype(np.int64)
    P = (y_pred[:, None] == labels[None, :]).astype(np.int64)
    confusion = T.T @ P
    tp = np.diag(confusion).astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.nan_to_num(tp / P.sum(axis=0))
        recall = np.nan_to_num(tp / T.sum(axis=0))
        f1 = np.nan_to_num(2 * precision * recall / (precision + recall))
    return dict(labels=labels, confusion=confusion, precision=precision, recall=recall, f1=f1,
                accuracy=float(np.trace(confusion)) / len(y_true), macro_f1=np.float32(np.mean(f1)))
''',
    ],
    "posterior": [
        # a stable logistic on the log-odds, branch by sign
        '''
def posterior(base_rate, recall, fpr, k):
    lo = np.log(np.divide(base_rate, 1 - np.asarray(base_rate, dtype=float))) + k * np.log(np.divide(recall, fpr))
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(lo >= 0, 1 / (1 + np.exp(-lo)), np.exp(lo) / (1 + np.exp(lo)))
''',
        # log of numerator minus log of the total, with logaddexp
        '''
def posterior(base_rate, recall, fpr, k):
    b = np.asarray(base_rate, dtype=np.float64)
    log_pos = np.log(b) + k * np.log(recall)
    log_neg = np.log1p(-b) + k * np.log(fpr)
    return np.exp(log_pos - np.logaddexp(log_pos, log_neg))
''',
    ],
}

WRONG = {
    "scaler": {
        "means with NaN": '''
def fit_scaler(X):
    std = X.std(axis=0)
    return {"mean": X.mean(axis=0), "scale": np.where(std > 0, std, 1.0)}


def apply_scaler(stats, X):
    return np.nan_to_num((X - stats["mean"]) / stats["scale"])
''',
        "variance as E[x^2] - E[x]^2": '''
def fit_scaler(X):
    present = ~np.isnan(X)
    count = present.sum(axis=0)
    mean = np.where(count > 0, np.nansum(X, axis=0) / np.maximum(count, 1), 0.0)
    square = np.where(count > 0, np.nansum(X ** 2, axis=0) / np.maximum(count, 1), 0.0)
    std = np.sqrt(np.maximum(square - mean ** 2, 0.0))
    return {"mean": mean, "scale": np.where(std > 0, std, 1.0)}


def apply_scaler(stats, X):
    return np.nan_to_num((X - stats["mean"]) / stats["scale"])
''',
        "constant column divides by zero": '''
def fit_scaler(X):
    return {"mean": np.nanmean(X, axis=0), "scale": np.nanstd(X, axis=0)}


def apply_scaler(stats, X):
    return np.nan_to_num((X - stats["mean"]) / stats["scale"])
''',
        "sample standard deviation": '''
def fit_scaler(X):
    std = np.nanstd(X, axis=0, ddof=1)
    return {"mean": np.nanmean(X, axis=0), "scale": np.where(std > 0, std, 1.0)}


def apply_scaler(stats, X):
    return np.nan_to_num((X - stats["mean"]) / stats["scale"])
''',
        "missing values set to 0 before scaling": '''
def fit_scaler(X):
    std = np.nanstd(X, axis=0)
    return {"mean": np.nanmean(X, axis=0), "scale": np.where(std > 0, std, 1.0)}


def apply_scaler(stats, X):
    return (np.nan_to_num(X) - stats["mean"]) / stats["scale"]
''',
        "fills the caller's NaN in place": '''
def fit_scaler(X):
    std = np.nanstd(X, axis=0)
    return {"mean": np.nanmean(X, axis=0), "scale": np.where(std > 0, std, 1.0)}


def apply_scaler(stats, X):
    rows, cols = np.where(np.isnan(X))
    X[rows, cols] = stats["mean"][cols]
    return (X - stats["mean"]) / stats["scale"]
''',
        "apply refits on the data it is given": '''
def fit_scaler(X):
    std = np.nanstd(X, axis=0)
    return {"mean": np.nanmean(X, axis=0), "scale": np.where(std > 0, std, 1.0)}


def apply_scaler(stats, X):
    own = fit_scaler(X)
    return np.nan_to_num((X - own["mean"]) / own["scale"])
''',
        "scikit-learn's StandardScaler": '''
from sklearn.preprocessing import StandardScaler

def fit_scaler(X):
    scaler = StandardScaler().fit(X)
    return {"mean": scaler.mean_, "scale": scaler.scale_}


def apply_scaler(stats, X):
    return np.nan_to_num((X - stats["mean"]) / stats["scale"])
''',
        "an all-NaN column gives NaN": '''
def fit_scaler(X):
    mean = np.nanmean(X, axis=0)
    std = np.nanstd(X, axis=0)
    return {"mean": mean, "scale": np.where(std > 0, std, 1.0)}


def apply_scaler(stats, X):
    return np.nan_to_num((X - stats["mean"]) / stats["scale"])
''',
    },
    "one_hot_encode": {
        "categories from every split": '''
def one_hot_encode(train_values, values):
    categories = sorted({v for v in list(train_values) + list(values) if v is not None})
    encoded = np.zeros((len(values), len(categories)))
    for i, v in enumerate(values):
        if v in categories:
            encoded[i, categories.index(v)] = 1.0
    return categories, encoded
''',
        "categories in order of first appearance": '''
def one_hot_encode(train_values, values):
    categories = list(dict.fromkeys(v for v in train_values if v is not None))
    encoded = np.zeros((len(values), len(categories)))
    for i, v in enumerate(values):
        if v in categories:
            encoded[i, categories.index(v)] = 1.0
    return categories, encoded
''',
        "unknown values raise": '''
def one_hot_encode(train_values, values):
    categories = sorted({v for v in train_values if v is not None})
    index = {c: j for j, c in enumerate(categories)}
    encoded = np.zeros((len(values), len(categories)))
    for i, v in enumerate(values):
        if v is not None:
            encoded[i, index[v]] = 1.0
    return categories, encoded
''',
        "integer one-hot": '''
def one_hot_encode(train_values, values):
    categories = sorted({v for v in train_values if v is not None})
    encoded = np.zeros((len(values), len(categories)), dtype=int)
    for i, v in enumerate(values):
        if v in categories:
            encoded[i, categories.index(v)] = 1
    return categories, encoded
''',
        "None becomes a category": '''
def one_hot_encode(train_values, values):
    categories = sorted({str(v) for v in train_values})
    encoded = np.zeros((len(values), len(categories)))
    for i, v in enumerate(values):
        if str(v) in categories:
            encoded[i, categories.index(str(v))] = 1.0
    return categories, encoded
''',
        "returns a list of lists": '''
def one_hot_encode(train_values, values):
    categories = sorted({v for v in train_values if v is not None})
    return categories, [[1.0 if v == c else 0.0 for c in categories] for v in values]
''',
        "empty values give shape (0,)": '''
def one_hot_encode(train_values, values):
    categories = sorted({v for v in train_values if v is not None})
    return categories, np.array([[1.0 if v == c else 0.0 for c in categories] for v in values])
''',
        "categories as a numpy array": '''
def one_hot_encode(train_values, values):
    categories = np.unique([v for v in train_values if v is not None])
    encoded = np.zeros((len(values), len(categories)))
    for i, v in enumerate(values):
        hits = np.flatnonzero(categories == v) if v is not None else []
        if len(hits):
            encoded[i, hits[0]] = 1.0
    return categories, encoded
''',
    },
    "penalty": {
        "biases penalised too": '''
def penalty(params, kind, lam):
    if kind not in ("l1", "l2", "none"):
        raise ValueError(kind)
    if kind == "none":
        return 0.0, {k: np.zeros_like(v) for k, v in params.items()}
    if kind == "l2":
        return lam / 2 * sum(np.sum(v ** 2) for v in params.values()), {k: lam * v for k, v in params.items()}
    return lam * sum(np.sum(np.abs(v)) for v in params.values()), {k: lam * np.sign(v) for k, v in params.items()}
''',
        "L2 gradient 2 lam w": '''
def penalty(params, kind, lam):
    if kind not in ("l1", "l2", "none"):
        raise ValueError(kind)
    value, grads = 0.0, {}
    for k, v in params.items():
        if k.startswith("W") and kind == "l2":
            value += lam / 2 * np.sum(v ** 2)
            grads[k] = 2 * lam * v
        elif k.startswith("W") and kind == "l1":
            value += lam * np.sum(np.abs(v))
            grads[k] = lam * np.sign(v)
        else:
            grads[k] = np.zeros_like(v)
    return value, grads
''',
        "L1 gradient as w / |w|": '''
def penalty(params, kind, lam):
    if kind not in ("l1", "l2", "none"):
        raise ValueError(kind)
    value, grads = 0.0, {}
    for k, v in params.items():
        if k.startswith("W") and kind == "l2":
            value += lam / 2 * np.sum(v ** 2)
            grads[k] = lam * v
        elif k.startswith("W") and kind == "l1":
            value += lam * np.sum(np.abs(v))
            with np.errstate(invalid="ignore", divide="ignore"):
                grads[k] = lam * v / np.abs(v)
        else:
            grads[k] = np.zeros_like(v)
    return value, grads
''',
        "finite differences of the penalty": '''
def _omega(params, kind, lam):
    if kind == "l2":
        return sum(lam / 2 * np.sum(v ** 2) for k, v in params.items() if k.startswith("W"))
    if kind == "l1":
        return sum(lam * np.sum(np.abs(v)) for k, v in params.items() if k.startswith("W"))
    return 0.0


def penalty(params, kind, lam):
    if kind not in ("l1", "l2", "none"):
        raise ValueError(kind)
    h = 1e-5
    grads = {}
    for key, value in params.items():
        g = np.zeros(value.shape)
        for index in np.ndindex(value.shape):
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[key][index] += h
            down[key][index] -= h
            g[index] = (_omega(up, kind, lam) - _omega(down, kind, lam)) / (2 * h)
        grads[key] = g
    return float(_omega(params, kind, lam)), grads
''',
        "L2 value without the 1/2": '''
def penalty(params, kind, lam):
    if kind not in ("l1", "l2", "none"):
        raise ValueError(kind)
    value, grads = 0.0, {}
    for k, v in params.items():
        if k.startswith("W") and kind == "l2":
            value += lam * np.sum(v ** 2)
            grads[k] = lam * v
        elif k.startswith("W") and kind == "l1":
            value += lam * np.sum(np.abs(v))
            grads[k] = lam * np.sign(v)
        else:
            grads[k] = np.zeros_like(v)
    return value, grads
''',
        "gradients only for the weights": '''
def penalty(params, kind, lam):
    if kind not in ("l1", "l2", "none"):
        raise ValueError(kind)
    weights = {k: v for k, v in params.items() if k.startswith("W")}
    if kind == "none":
        return 0.0, {k: np.zeros_like(v) for k, v in weights.items()}
    if kind == "l2":
        return lam / 2 * sum(np.sum(v ** 2) for v in weights.values()), {k: lam * v for k, v in weights.items()}
    return lam * sum(np.sum(np.abs(v)) for v in weights.values()), {k: lam * np.sign(v) for k, v in weights.items()}
''',
        "checks.numeric_gradient": '''
def penalty(params, kind, lam):
    if kind not in ("l1", "l2", "none"):
        raise ValueError(kind)
    def omega(p):
        if kind == "l2":
            return sum(lam / 2 * np.sum(v ** 2) for k, v in p.items() if k.startswith("W"))
        if kind == "l1":
            return sum(lam * np.sum(np.abs(v)) for k, v in p.items() if k.startswith("W"))
        return 0.0
    grads = {}
    for key in params:
        def along(x, key=key):
            return omega({**params, key: x})
        grads[key] = checks.numeric_gradient(along, params[key])
    return float(omega(params)), grads
''',
        "kind names are not checked exactly": '''
def penalty(params, kind, lam):
    name = kind.strip().lower()
    if name not in ("l1", "l2", "none"):
        raise ValueError(kind)
    value, grads = 0.0, {}
    for k, v in params.items():
        if k.startswith("W") and name == "l2":
            value += lam / 2 * np.sum(v ** 2)
            grads[k] = lam * v
        elif k.startswith("W") and name == "l1":
            value += lam * np.sum(np.abs(v))
            grads[k] = lam * np.sign(v)
        else:
            grads[k] = np.zeros_like(v)
    return value, grads
''',
    },
    "dropout": {
        "not inverted": '''
def dropout(A, p, rng, training):
    if not 0 <= p < 1:
        raise ValueError(p)
    if not training or p == 0:
        return A.copy(), np.ones(A.shape)
    mask = (rng.random(A.shape) >= p).astype(float)
    return A * mask, mask
''',
        "keeps where u < p": '''
def dropout(A, p, rng, training):
    if not 0 <= p < 1:
        raise ValueError(p)
    if not training or p == 0:
        return A.copy(), np.ones(A.shape)
    mask = (rng.random(A.shape) < p) / (1 - p)
    return A * mask, mask
''',
        "global numpy random": '''
def dropout(A, p, rng, training):
    if not 0 <= p < 1:
        raise ValueError(p)
    if not training or p == 0:
        return A.copy(), np.ones(A.shape)
    mask = (np.random.random(A.shape) >= p) / (1 - p)
    return A * mask, mask
''',
        "drops at inference too": '''
def dropout(A, p, rng, training):
    if not 0 <= p < 1:
        raise ValueError(p)
    if p == 0:
        return A.copy(), np.ones(A.shape)
    mask = (rng.random(A.shape) >= p) / (1 - p)
    return A * mask, mask
''',
        "scales by 1/p": '''
def dropout(A, p, rng, training):
    if not 0 <= p < 1:
        raise ValueError(p)
    if not training or p == 0:
        return A.copy(), np.ones(A.shape)
    mask = (rng.random(A.shape) >= p) / p
    return A * mask, mask
''',
        "multiplies A in place": '''
def dropout(A, p, rng, training):
    if not 0 <= p < 1:
        raise ValueError(p)
    if not training or p == 0:
        return A, np.ones(A.shape)
    mask = (rng.random(A.shape) >= p) / (1 - p)
    A *= mask
    return A, mask
''',
        "draws even when p = 0": '''
def dropout(A, p, rng, training):
    if not 0 <= p < 1:
        raise ValueError(p)
    if not training:
        return A.copy(), np.ones(A.shape)
    mask = (rng.random(A.shape) >= p) / (1 - p)
    return A * mask, mask
''',
        "p = 1 accepted": '''
def dropout(A, p, rng, training):
    if not training or p == 0:
        return A.copy(), np.ones(A.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        mask = (rng.random(A.shape) >= p) / (1 - p)
    return A * mask, mask
''',
    },
    "scores": {
        "confusion transposed": '''
def scores(y_true, y_pred):
    labels = np.union1d(y_true, y_pred)
    K = len(labels)
    C = np.zeros((K, K), dtype=int)
    np.add.at(C, (np.searchsorted(labels, y_pred), np.searchsorted(labels, y_true)), 1)
    tp = np.diag(C).astype(float)
    pc, tc = C.sum(axis=1), C.sum(axis=0)
    precision = np.divide(tp, pc, out=np.zeros(K), where=pc > 0)
    recall = np.divide(tp, tc, out=np.zeros(K), where=tc > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(K), where=precision + recall > 0)
    return {"labels": labels, "confusion": C, "precision": precision, "recall": recall, "f1": f1,
            "accuracy": tp.sum() / len(y_true), "macro_f1": f1.mean()}
''',
        "labels only from y_true": '''
def scores(y_true, y_pred):
    labels = np.unique(y_true)
    K = len(labels)
    C = np.array([[np.sum((y_true == a) & (y_pred == b)) for b in labels] for a in labels])
    tp = np.diag(C).astype(float)
    predicted, actual = C.sum(axis=0), C.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros(K), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros(K), where=actual > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(K), where=precision + recall > 0)
    return {"labels": labels, "confusion": C, "precision": precision, "recall": recall, "f1": f1,
            "accuracy": float(np.mean(y_true == y_pred)), "macro_f1": float(f1.mean())}
''',
        "precision and recall swapped": '''
def scores(y_true, y_pred):
    labels = np.union1d(y_true, y_pred)
    K = len(labels)
    C = np.array([[np.sum((y_true == a) & (y_pred == b)) for b in labels] for a in labels])
    tp = np.diag(C).astype(float)
    predicted, actual = C.sum(axis=0), C.sum(axis=1)
    recall = np.divide(tp, predicted, out=np.zeros(K), where=predicted > 0)
    precision = np.divide(tp, actual, out=np.zeros(K), where=actual > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(K), where=precision + recall > 0)
    return {"labels": labels, "confusion": C, "precision": precision, "recall": recall, "f1": f1,
            "accuracy": float(np.mean(y_true == y_pred)), "macro_f1": float(f1.mean())}
''',
        "NaN for an empty denominator": '''
def scores(y_true, y_pred):
    labels = np.union1d(y_true, y_pred)
    C = np.array([[np.sum((y_true == a) & (y_pred == b)) for b in labels] for a in labels])
    tp = np.diag(C).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = tp / C.sum(axis=0)
        recall = tp / C.sum(axis=1)
        f1 = 2 * precision * recall / (precision + recall)
    return {"labels": labels, "confusion": C, "precision": precision, "recall": recall, "f1": f1,
            "accuracy": float(np.mean(y_true == y_pred)), "macro_f1": float(np.nanmean(f1))}
''',
        "macro F1 from macro precision and recall": '''
def scores(y_true, y_pred):
    labels = np.union1d(y_true, y_pred)
    K = len(labels)
    C = np.array([[np.sum((y_true == a) & (y_pred == b)) for b in labels] for a in labels])
    tp = np.diag(C).astype(float)
    predicted, actual = C.sum(axis=0), C.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros(K), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros(K), where=actual > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(K), where=precision + recall > 0)
    P, R = precision.mean(), recall.mean()
    return {"labels": labels, "confusion": C, "precision": precision, "recall": recall, "f1": f1,
            "accuracy": float(np.mean(y_true == y_pred)), "macro_f1": 2 * P * R / (P + R) if P + R else 0.0}
''',
        "labels assumed to be 0..K-1": '''
def scores(y_true, y_pred):
    K = int(max(y_true.max(), y_pred.max())) + 1
    C = np.bincount(y_true * K + y_pred, minlength=K * K).reshape(K, K)
    tp = np.diag(C).astype(float)
    predicted, actual = C.sum(axis=0), C.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros(K), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros(K), where=actual > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(K), where=precision + recall > 0)
    return {"labels": np.arange(K), "confusion": C, "precision": precision, "recall": recall, "f1": f1,
            "accuracy": float(np.mean(y_true == y_pred)), "macro_f1": float(f1.mean())}
''',
        "scikit-learn's metrics": '''
from sklearn import metrics

def scores(y_true, y_pred):
    labels = np.union1d(y_true, y_pred)
    p, r, f, _ = metrics.precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {"labels": labels, "confusion": metrics.confusion_matrix(y_true, y_pred, labels=labels),
            "precision": p, "recall": r, "f1": f, "accuracy": metrics.accuracy_score(y_true, y_pred),
            "macro_f1": float(np.mean(f))}
''',
        "accuracy as the mean recall": '''
def scores(y_true, y_pred):
    labels = np.union1d(y_true, y_pred)
    K = len(labels)
    C = np.array([[np.sum((y_true == a) & (y_pred == b)) for b in labels] for a in labels])
    tp = np.diag(C).astype(float)
    predicted, actual = C.sum(axis=0), C.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros(K), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros(K), where=actual > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(K), where=precision + recall > 0)
    return {"labels": labels, "confusion": C, "precision": precision, "recall": recall, "f1": f1,
            "accuracy": float(recall.mean()), "macro_f1": float(f1.mean())}
''',
    },
    "posterior": {
        "powers of the likelihood ratio": '''
def posterior(base_rate, recall, fpr, k):
    odds = base_rate / (1 - np.asarray(base_rate, dtype=float)) * (np.divide(recall, fpr)) ** k
    with np.errstate(over="ignore", invalid="ignore"):
        return odds / (1 + odds)
''',
        "ignores the base rate": '''
def posterior(base_rate, recall, fpr, k):
    log_odds = k * (np.log(recall) - np.log(fpr))
    return np.exp(-np.logaddexp(0.0, -log_odds))
''',
        "specificity in place of the false-positive rate": '''
def posterior(base_rate, recall, fpr, k):
    base_rate = np.asarray(base_rate, dtype=float)
    log_odds = np.log(base_rate) - np.log1p(-base_rate) + k * (np.log(recall) - np.log1p(-np.asarray(fpr, dtype=float)))
    return np.exp(-np.logaddexp(0.0, -log_odds))
''',
        "one test, whatever k is": '''
def posterior(base_rate, recall, fpr, k):
    base_rate, recall, fpr = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (base_rate, recall, fpr)))
    out = recall * base_rate / (recall * base_rate + fpr * (1 - base_rate))
    return np.broadcast_to(out, np.broadcast_shapes(out.shape, np.shape(k))).copy()
''',
        "float32": '''
def posterior(base_rate, recall, fpr, k):
    b = np.asarray(base_rate, dtype=np.float32)
    log_odds = np.log(b) - np.log1p(-b) + np.float32(1) * np.asarray(k, dtype=np.float32) * (
        np.log(np.asarray(recall, dtype=np.float32)) - np.log(np.asarray(fpr, dtype=np.float32)))
    return np.exp(-np.logaddexp(np.float32(0), -log_odds))
''',
        "exp(lo) / (1 + exp(lo)) overflows": '''
def posterior(base_rate, recall, fpr, k):
    base_rate = np.asarray(base_rate, dtype=float)
    lo = np.log(base_rate) - np.log1p(-base_rate) + k * (np.log(recall) - np.log(fpr))
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(lo) / (1 + np.exp(lo))
''',
        "Python math, scalars only": '''
import math

def posterior(base_rate, recall, fpr, k):
    lo = math.log(base_rate) - math.log(1 - base_rate) + k * (math.log(recall) - math.log(fpr))
    return 1 / (1 + math.exp(-lo)) if lo >= 0 else math.exp(lo) / (1 + math.exp(lo))
''',
    },
}

REASONS = {
    "scaler": {
        "means with NaN": "stats['mean'] contains NaN",
        "variance as E[x^2] - E[x]^2": "with columns near 3e8 that vary by about 1",
        "constant column divides by zero": "stats['scale'] has the right shape, but 1 of 3 values are off",
        "sample standard deviation": "stats['scale'] has the right shape, but 2 of 3 values are off",
        "missing values set to 0 before scaling": "apply_scaler's result has the right shape",
        "fills the caller's NaN in place": "apply_scaler changed argument 2 in place",
        "apply refits on the data it is given": "apply_scaler's result has the right shape",
        "scikit-learn's StandardScaler": "uses `sklearn`",
        "an all-NaN column gives NaN": "an all-NaN column",
    },
    "one_hot_encode": {
        "categories from every split": "categories is not the sorted list",
        "categories in order of first appearance": "categories is not the sorted list",
        "unknown values raise": "KeyError",
        "integer one-hot": "should hold floating-point numbers",
        "None becomes a category": "categories is not the sorted list",
        "returns a list of lists": "encoded is a list, not a numpy array",
        "empty values give shape (0,)": "encoded when values is empty has shape (0,)",
        "categories as a numpy array": "categories is a",
    },
    "penalty": {
        "biases penalised too": "the L2 penalty is off",
        "L2 gradient 2 lam w": "grads['W1'] for L2 has the right shape",
        "L1 gradient as w / |w|": "grads['W1'] for L1 contains NaN",
        "finite differences of the penalty": "with weights near 1e8",
        "L2 value without the 1/2": "the L2 penalty is off",
        "gradients only for the weights": "grads must be a dict with exactly the keys of params",
        "checks.numeric_gradient": "uses `numeric_gradient`",
        "kind names are not checked exactly": "must raise ValueError for an unknown kind",
    },
    "dropout": {
        "not inverted": "mask has the right shape",
        "keeps where u < p": "mask has the right shape",
        "global numpy random": "rng is not in the state",
        "drops at inference too": "At inference (training=False) dropout must not draw",
        "scales by 1/p": "p=0.2, training=True",
        "multiplies A in place": "dropout changed argument 1 in place",
        "draws even when p = 0": "p=0.0, training=True, rng is not in the state",
        "p = 1 accepted": "must raise ValueError for p = 1",
    },
    "scores": {
        "confusion transposed": "confusion has the right shape",
        "labels only from y_true": "labels when a label occurs only in the predictions has shape (3,)",
        "precision and recall swapped": "precision has the right shape",
        "NaN for an empty denominator": "precision contains NaN",
        "macro F1 from macro precision and recall": "macro_f1 is off",
        "labels assumed to be 0..K-1": "are your labels assumed to be 0, 1, ..., K-1?",
        "scikit-learn's metrics": "uses `sklearn`",
        "accuracy as the mean recall": "accuracy is off",
    },
    "posterior": {
        "powers of the likelihood ratio": "for k up to 1000",
        "ignores the base rate": "posterior(0.001, 0.99, 0.05, 1) is off",
        "specificity in place of the false-positive rate": "posterior(0.001, 0.99, 0.05, 1) is off",
        "one test, whatever k is": "posterior with k = 0 is off",
        "float32": "evidence AGAINST",
        "exp(lo) / (1 + exp(lo)) overflows": "for k up to 1000",
        "Python math, scalars only": "TypeError",
    },
}
