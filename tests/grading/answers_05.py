"""Student answers for exercise 05 (optimisation), used to test its grader through nbgrader.

For each graded part (keyed by the grade_id of its solution cell): ``CORRECT`` holds alternative
correct implementations written differently from the reference (loops against vectorised code,
another valid formula, float32 where the prompt allows it), each of which must earn full marks, and
``WRONG`` the plausible mistakes a student makes, each of which must earn zero on its part. Each
entry is the whole source of the solution cell, as a student would leave it.

``REASONS`` says, for every wrong answer, what its test cell must report (a substring of
``"ExceptionName: message"`` of the error the test cell raised), so that each wrong answer is shown
to fail for the reason it was written for, not by accident.

The wrong answers cover: edge shapes (0-d arrays, a batch of one vector, rank-4 fans, statistics
over axis 0 only), edge values (all-zero gradients, the norm exactly at the threshold, warm-up of 0
steps, steps past the end, a zero first gradient), scales (squares that overflow at 1e200, eps
inside the root at gradients of 1e-10, float32 and finite differences where float64 and the chain
rule are asked), wrong maths (per-array clipping, a full cosine period, no bias correction,
momentum weights swapped, unbiased variance, the mean and variance treated as constants), randomness
not from ``rng``, in-place changes of the inputs, wrong return types and forbidden helpers.
"""

CORRECT = {
    "clip_by_global_norm": [
        # np.linalg.norm of each array after dividing by the largest entry, a loop over the keys
        '''
def clip_by_global_norm(grads, max_norm):
    peak = 0.0
    for g in grads.values():
        if g.size:
            peak = max(peak, float(np.abs(g).max()))
    if peak == 0:
        return {k: g.astype(float) for k, g in grads.items()}, 0.0
    total = 0.0
    for g in grads.values():
        total += np.linalg.norm(np.ravel(g) / peak) ** 2
    norm = peak * np.sqrt(total)
    out = {}
    for k, g in grads.items():
        out[k] = g * (max_norm / norm) if norm > max_norm else g.copy()
    return out, norm
''',
        # one long vector, hypot-style scaling, float32 kept where given
        '''
def clip_by_global_norm(grads, max_norm):
    flat = np.concatenate([np.ravel(g) for g in grads.values()]).astype(np.float64)
    m = np.max(np.abs(flat))
    norm = float(m * np.sqrt(np.dot(flat / m, flat / m))) if m > 0 else 0.0
    scale = max_norm / max(norm, max_norm)
    return {k: np.asarray(g * scale, dtype=g.dtype) for k, g in grads.items()}, np.float64(norm)
''',
    ],
    "warmup_cosine": [
        # a scalar function, vectorised with np.vectorize; math.cos
        '''
import math

def _one(s, base_lr, W, T, final_lr):
    if s < W:
        return base_lr * (s + 1) / W
    if s < T:
        return final_lr + 0.5 * (base_lr - final_lr) * (1 + math.cos(math.pi * (s - W) / (T - W)))
    return final_lr

def warmup_cosine(step, base_lr, warmup_steps, total_steps, final_lr=0.0):
    if not (0 <= warmup_steps <= total_steps and total_steps >= 1):
        raise ValueError("bad schedule")
    if isinstance(step, np.ndarray):
        return np.vectorize(_one, otypes=[float])(step, base_lr, warmup_steps, total_steps, final_lr)
    return _one(step, base_lr, warmup_steps, total_steps, final_lr)
''',
        # np.select with the cosine written as cos^2, float32 rates
        '''
def warmup_cosine(step, base_lr, warmup_steps, total_steps, final_lr=0.0):
    if warmup_steps > total_steps or warmup_steps < 0 or total_steps < 1:
        raise ValueError("need 0 <= warmup_steps <= total_steps, total_steps >= 1")
    s = np.array(step, dtype=np.float64)
    W, T = warmup_steps, total_steps
    with np.errstate(divide="ignore", invalid="ignore"):
        warm = base_lr * (s + 1) / W
        p = (s - W) / (T - W)
        decay = final_lr + (base_lr - final_lr) * np.cos(np.pi * p / 2) ** 2
    out = np.select([s < W, s < T], [warm, decay], final_lr).astype(np.float32)
    return out if isinstance(step, np.ndarray) else float(out)
''',
    ],
    "init_weights": [
        # standard normals scaled, uniform from rng.random; fans with math.prod
        '''
import math

def init_weights(shape, scheme, rng):
    if len(shape) not in (2, 4):
        raise ValueError("rank 2 or 4 only")
    field = math.prod(shape[:-2])
    fin, fout = field * shape[-2], field * shape[-1]
    if scheme == "zeros":
        return np.zeros(shape)
    if scheme == "he_normal":
        return rng.standard_normal(shape) * math.sqrt(2 / fin)
    if scheme == "glorot_normal":
        return rng.standard_normal(shape) * math.sqrt(2 / (fin + fout))
    if scheme == "glorot_uniform":
        a = math.sqrt(6 / (fin + fout))
        return (2 * rng.random(shape) - 1) * a
    raise ValueError(scheme)
''',
        # a dispatch table, float32 weights
        '''
def init_weights(shape, scheme, rng):
    shape = tuple(shape)
    if len(shape) == 2:
        fan_in, fan_out = shape
    elif len(shape) == 4:
        kh, kw, cin, cout = shape
        fan_in, fan_out = kh * kw * cin, kh * kw * cout
    else:
        raise ValueError("shape must be (fan_in, fan_out) or (kh, kw, c_in, c_out)")
    draws = {
        "zeros": lambda: np.zeros(shape, dtype=np.float32),
        "he_normal": lambda: rng.normal(scale=(2.0 / fan_in) ** 0.5, size=shape),
        "glorot_normal": lambda: rng.normal(scale=(2.0 / (fan_in + fan_out)) ** 0.5, size=shape),
        "glorot_uniform": lambda: rng.uniform(-(6.0 / (fan_in + fan_out)) ** 0.5, (6.0 / (fan_in + fan_out)) ** 0.5,
                                              size=shape),
    }
    if scheme not in draws:
        raise ValueError(f"unknown scheme {scheme}")
    return draws[scheme]().astype(np.float32)
''',
    ],
    "adam_update": [
        # dict comprehensions, zeros created on the first step, bias correction folded into the step size
        '''
def adam_update(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state["t"] + 1 if state else 1
    m0 = state["m"] if state else {k: np.zeros_like(p) for k, p in params.items()}
    v0 = state["v"] if state else {k: np.zeros_like(p) for k, p in params.items()}
    m = {k: beta1 * m0[k] + (1 - beta1) * grads[k] for k in params}
    v = {k: beta2 * v0[k] + (1 - beta2) * np.square(grads[k]) for k in params}
    new = {k: params[k] - lr * (m[k] / (1 - beta1 ** t)) / (np.sqrt(v[k] / (1 - beta2 ** t)) + eps)
           for k in params}
    return new, {"t": t, "m": m, "v": v}
''',
        # deep copies of the state, updated in place on the copies only; float32 kept
        '''
import copy

def adam_update(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    st = copy.deepcopy(state) if state else {"t": 0, "m": {}, "v": {}}
    st["t"] = int(st["t"]) + 1
    out = {}
    for name in params:
        g = np.asarray(grads[name])
        m = np.array(st["m"].get(name, np.zeros_like(g)), dtype=g.dtype)
        v = np.array(st["v"].get(name, np.zeros_like(g)), dtype=g.dtype)
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g * g
        st["m"][name], st["v"][name] = m, v
        mh = m / (1 - beta1 ** st["t"])
        vh = v / (1 - beta2 ** st["t"])
        out[name] = np.asarray(params[name] - lr * mh / (np.sqrt(vh) + eps))
    return out, st
''',
    ],
    "batchnorm_forward": [
        # reshape to (m, d), explicit two-pass variance
        '''
def batchnorm_forward(x, gamma, beta, state, training, momentum=0.9, eps=1e-5):
    d = x.shape[-1]
    flat = x.reshape(-1, d)
    if training:
        if flat.shape[0] == 1:
            raise ValueError("one value per feature")
        mu = flat.sum(axis=0) / flat.shape[0]
        var = ((flat - mu) ** 2).sum(axis=0) / flat.shape[0]
        run_mean = momentum * state["mean"] + (1 - momentum) * mu
        run_var = momentum * state["var"] + (1 - momentum) * var
    else:
        mu, var = state["mean"], state["var"]
        run_mean, run_var = state["mean"], state["var"]
    out = (flat - mu) / np.sqrt(var + eps) * gamma + beta
    return out.reshape(x.shape), {"mean": run_mean, "var": run_var}
''',
        # keepdims statistics, float32 arithmetic, running stats by lerp
        '''
def batchnorm_forward(x, gamma, beta, state, training, momentum=0.9, eps=1e-5):
    x32 = x.astype(np.float32)
    axes = tuple(range(x.ndim - 1))
    if training:
        if x.size // x.shape[-1] < 2:
            raise ValueError("need at least two values per feature in training")
        mean = x32.mean(axis=axes, keepdims=True)
        var = ((x32 - mean) ** 2).mean(axis=axes, keepdims=True)
        new_state = {"mean": state["mean"] + (1 - momentum) * (mean.ravel() - state["mean"]),
                     "var": state["var"] + (1 - momentum) * (var.ravel() - state["var"])}
    else:
        mean, var = state["mean"].astype(np.float32), state["var"].astype(np.float32)
        new_state = dict(state)
    y = gamma.astype(np.float32) * (x32 - mean) * (1 / np.sqrt(var + np.float32(eps))) + beta.astype(np.float32)
    return y, new_state
''',
    ],
    "batchnorm_backward": [
        # the staged computation graph: dxhat, dvar, dmean
        '''
def batchnorm_backward(dout, x, gamma, eps=1e-5):
    axes = tuple(range(x.ndim - 1))
    m = x.size / x.shape[-1]
    mu = x.mean(axis=axes)
    xc = x - mu
    var = (xc ** 2).mean(axis=axes)
    std = np.sqrt(var + eps)
    xhat = xc / std
    dxhat = dout * gamma
    dvar = np.sum(dxhat * xc, axis=axes) * -0.5 * std ** -3
    dmean = np.sum(-dxhat / std, axis=axes) + dvar * np.mean(-2 * xc, axis=axes)
    dx = dxhat / std + dvar * 2 * xc / m + dmean / m
    return dx, np.sum(dout * xhat, axis=axes), np.sum(dout, axis=axes)
''',
        # flattened to (m, d), the projection form: (dxhat - mean(dxhat) - xhat mean(dxhat xhat)) / std
        '''
def batchnorm_backward(dout, x, gamma, eps=1e-5):
    d = x.shape[-1]
    X, G = x.reshape(-1, d), dout.reshape(-1, d)
    std = np.sqrt(X.var(axis=0) + eps)
    xhat = (X - X.mean(axis=0)) / std
    dxhat = G * gamma
    dx = (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0)) / std
    return dx.reshape(x.shape), np.einsum("md,md->d", G, xhat), G.sum(axis=0)
''',
    ],
}

_CLIP_HEAD = '''
def clip_by_global_norm(grads, max_norm):
    peak = max(float(np.max(np.abs(g))) for g in grads.values())
'''

_BN_HEAD = '''
def batchnorm_forward(x, gamma, beta, state, training, momentum=0.9, eps=1e-5):
    axes = tuple(range(x.ndim - 1))
    if training and x.size == x.shape[-1]:
        raise ValueError("one value per feature")
'''

_BACK_HEAD = '''
def batchnorm_backward(dout, x, gamma, eps=1e-5):
    axes = tuple(range(x.ndim - 1))
    m = x.size // x.shape[-1]
    inv = 1 / np.sqrt(x.var(axis=axes) + eps)
    xhat = (x - x.mean(axis=axes)) * inv
    dbeta, dgamma = dout.sum(axis=axes), (dout * xhat).sum(axis=axes)
'''

WRONG = {
    "clip_by_global_norm": {
        "clips each array by its own norm": '''
def clip_by_global_norm(grads, max_norm):
    out, total = {}, 0.0
    for k, g in grads.items():
        n = np.sqrt(np.sum(g.astype(float) ** 2))
        total += n ** 2
        out[k] = g * (max_norm / n) if n > max_norm else g.copy()
    return out, float(np.sqrt(total))
''',
        "clips each entry by value": '''
def clip_by_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}, norm
''',
        "squares overflow at 1e200": '''
def clip_by_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g.astype(float) ** 2) for g in grads.values())))
    factor = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {k: g * factor for k, g in grads.items()}, norm
''',
        "always rescales to max_norm": _CLIP_HEAD + '''
    if peak == 0:
        return {k: g.copy() for k, g in grads.items()}, 0.0
    norm = peak * float(np.sqrt(sum(np.sum((g / peak) ** 2) for g in grads.values())))
    return {k: g * (max_norm / norm) for k, g in grads.items()}, norm
''',
        "scales the arrays in place": _CLIP_HEAD + '''
    norm = peak * float(np.sqrt(sum(np.sum((g / peak) ** 2) for g in grads.values()))) if peak else 0.0
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return dict(grads), norm
''',
        "NaN for all-zero gradients": _CLIP_HEAD + '''
    norm = peak * float(np.sqrt(sum(np.sum((g / peak) ** 2) for g in grads.values())))
    return {k: g * min(1.0, max_norm / norm) for k, g in grads.items()}, norm
''',
        "returns the norm after clipping": _CLIP_HEAD + '''
    norm = peak * float(np.sqrt(sum(np.sum((g / peak) ** 2) for g in grads.values()))) if peak else 0.0
    factor = min(1.0, max_norm / norm) if norm else 1.0
    return {k: g * factor for k, g in grads.items()}, norm * factor
''',
    },
    "warmup_cosine": {
        "warm-up starts at 0 (step / W)": '''
def warmup_cosine(step, base_lr, warmup_steps, total_steps, final_lr=0.0):
    if warmup_steps > total_steps or warmup_steps < 0 or total_steps < 1:
        raise ValueError("bad")
    s = np.asarray(step, dtype=float)
    p = np.clip((s - warmup_steps) / max(total_steps - warmup_steps, 1), 0, 1)
    lr = np.where(s < warmup_steps, base_lr * s / max(warmup_steps, 1),
                  final_lr + 0.5 * (base_lr - final_lr) * (1 + np.cos(np.pi * p)))
    return lr if isinstance(step, np.ndarray) else float(lr)
''',
        "a full cosine period": '''
def warmup_cosine(step, base_lr, warmup_steps, total_steps, final_lr=0.0):
    if warmup_steps > total_steps or warmup_steps < 0 or total_steps < 1:
        raise ValueError("bad")
    s = np.asarray(step, dtype=float)
    p = np.clip((s - warmup_steps) / max(total_steps - warmup_steps, 1), 0, 1)
    lr = np.where(s < warmup_steps, base_lr * (s + 1) / max(warmup_steps, 1),
                  final_lr + 0.5 * (base_lr - final_lr) * (1 + np.cos(2 * np.pi * p)))
    return lr if isinstance(step, np.ndarray) else float(lr)
''',
        "only works for an int step": '''
import math

def warmup_cosine(step, base_lr, warmup_steps, total_steps, final_lr=0.0):
    if warmup_steps > total_steps or warmup_steps < 0 or total_steps < 1:
        raise ValueError("bad")
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    if step >= total_steps:
        return final_lr
    return final_lr + 0.5 * (base_lr - final_lr) * (1 + math.cos(math.pi * (step - warmup_steps) / (total_steps - warmup_steps)))
''',
        "the cosine goes on past total_steps": '''
def warmup_cosine(step, base_lr, warmup_steps, total_steps, final_lr=0.0):
    if warmup_steps > total_steps or warmup_steps < 0 or total_steps < 1:
        raise ValueError("bad")
    s = np.asarray(step, dtype=float)
    p = (s - warmup_steps) / max(total_steps - warmup_steps, 1)
    lr = np.where(s < warmup_steps, base_lr * (s + 1) / max(warmup_steps, 1),
                  final_lr + 0.5 * (base_lr - final_lr) * (1 + np.cos(np.pi * p)))
    return lr if isinstance(step, np.ndarray) else float(lr)
''',
        "divides by zero when the warm-up fills the schedule": '''
def warmup_cosine(step, base_lr, warmup_steps, total_steps, final_lr=0.0):
    if warmup_steps > total_steps or warmup_steps < 0 or total_steps < 1:
        raise ValueError("bad")
    s = np.asarray(step, dtype=float)
    warm = base_lr * (s + 1) / warmup_steps
    p = np.clip((s - warmup_steps) / (total_steps - warmup_steps), 0, 1)
    lr = np.where(s < warmup_steps, warm, final_lr + 0.5 * (base_lr - final_lr) * (1 + np.cos(np.pi * p)))
    return lr if isinstance(step, np.ndarray) else float(lr)
''',
        "never raises for a bad schedule": '''
def warmup_cosine(step, base_lr, warmup_steps, total_steps, final_lr=0.0):
    s = np.asarray(step, dtype=float)
    p = np.clip((s - warmup_steps) / max(total_steps - warmup_steps, 1), 0, 1)
    lr = np.where(s < warmup_steps, base_lr * (s + 1) / max(warmup_steps, 1),
                  final_lr + 0.5 * (base_lr - final_lr) * (1 + np.cos(np.pi * p)))
    return lr if isinstance(step, np.ndarray) else float(lr)
''',
    },
    "init_weights": {
        "He with fan_out": '''
def init_weights(shape, scheme, rng):
    if len(shape) not in (2, 4):
        raise ValueError("rank")
    r = int(np.prod(shape[:-2]))
    fi, fo = r * shape[-2], r * shape[-1]
    std = {"he_normal": np.sqrt(2 / fo), "glorot_normal": np.sqrt(2 / (fi + fo))}
    if scheme == "zeros":
        return np.zeros(shape)
    if scheme in std:
        return rng.normal(0, std[scheme], size=shape)
    if scheme == "glorot_uniform":
        return rng.uniform(-np.sqrt(6 / (fi + fo)), np.sqrt(6 / (fi + fo)), size=shape)
    raise ValueError(scheme)
''',
        "rank-4 fans ignore the kernel window": '''
def init_weights(shape, scheme, rng):
    if len(shape) not in (2, 4):
        raise ValueError("rank")
    fi, fo = shape[-2], shape[-1]
    std = {"he_normal": np.sqrt(2 / fi), "glorot_normal": np.sqrt(2 / (fi + fo))}
    if scheme == "zeros":
        return np.zeros(shape)
    if scheme in std:
        return rng.normal(0, std[scheme], size=shape)
    if scheme == "glorot_uniform":
        return rng.uniform(-np.sqrt(6 / (fi + fo)), np.sqrt(6 / (fi + fo)), size=shape)
    raise ValueError(scheme)
''',
        "draws from np.random's global state": '''
def init_weights(shape, scheme, rng):
    if len(shape) not in (2, 4):
        raise ValueError("rank")
    r = int(np.prod(shape[:-2]))
    fi, fo = r * shape[-2], r * shape[-1]
    if scheme == "zeros":
        return np.zeros(shape)
    if scheme == "he_normal":
        return np.random.normal(0, np.sqrt(2 / fi), size=shape)
    if scheme == "glorot_normal":
        return np.random.normal(0, np.sqrt(2 / (fi + fo)), size=shape)
    if scheme == "glorot_uniform":
        return np.random.uniform(-np.sqrt(6 / (fi + fo)), np.sqrt(6 / (fi + fo)), size=shape)
    raise ValueError(scheme)
''',
        "variance used as the standard deviation": '''
def init_weights(shape, scheme, rng):
    if len(shape) not in (2, 4):
        raise ValueError("rank")
    r = int(np.prod(shape[:-2]))
    fi, fo = r * shape[-2], r * shape[-1]
    if scheme == "zeros":
        return np.zeros(shape)
    if scheme == "he_normal":
        return rng.normal(0, 2 / fi, size=shape)
    if scheme == "glorot_normal":
        return rng.normal(0, 2 / (fi + fo), size=shape)
    if scheme == "glorot_uniform":
        return rng.uniform(-np.sqrt(6 / (fi + fo)), np.sqrt(6 / (fi + fo)), size=shape)
    raise ValueError(scheme)
''',
        "glorot_uniform drawn from a normal": '''
def init_weights(shape, scheme, rng):
    if len(shape) not in (2, 4):
        raise ValueError("rank")
    r = int(np.prod(shape[:-2]))
    fi, fo = r * shape[-2], r * shape[-1]
    if scheme == "zeros":
        return np.zeros(shape)
    if scheme == "he_normal":
        return rng.normal(0, np.sqrt(2 / fi), size=shape)
    if scheme in ("glorot_normal", "glorot_uniform"):
        return rng.normal(0, np.sqrt(2 / (fi + fo)), size=shape)
    raise ValueError(scheme)
''',
        "a generator of its own": '''
def init_weights(shape, scheme, rng):
    gen = np.random.default_rng(0)
    if len(shape) not in (2, 4):
        raise ValueError("rank")
    r = int(np.prod(shape[:-2]))
    fi, fo = r * shape[-2], r * shape[-1]
    if scheme == "zeros":
        return np.zeros(shape)
    if scheme == "he_normal":
        return gen.normal(0, np.sqrt(2 / fi), size=shape)
    if scheme == "glorot_normal":
        return gen.normal(0, np.sqrt(2 / (fi + fo)), size=shape)
    if scheme == "glorot_uniform":
        return gen.uniform(-np.sqrt(6 / (fi + fo)), np.sqrt(6 / (fi + fo)), size=shape)
    raise ValueError(scheme)
''',
        "unknown schemes fall back to He": '''
def init_weights(shape, scheme, rng):
    if len(shape) not in (2, 4):
        raise ValueError("rank")
    r = int(np.prod(shape[:-2]))
    fi, fo = r * shape[-2], r * shape[-1]
    if scheme == "zeros":
        return np.zeros(shape)
    if scheme == "glorot_normal":
        return rng.normal(0, np.sqrt(2 / (fi + fo)), size=shape)
    if scheme == "glorot_uniform":
        return rng.uniform(-np.sqrt(6 / (fi + fo)), np.sqrt(6 / (fi + fo)), size=shape)
    return rng.normal(0, np.sqrt(2 / fi), size=shape)
''',
    },
    "adam_update": {
        "no bias correction": '''
def adam_update(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = {k: beta1 * state["m"][k] + (1 - beta1) * grads[k] if state else (1 - beta1) * grads[k] for k in params}
    v = {k: beta2 * state["v"][k] + (1 - beta2) * grads[k] ** 2 if state else (1 - beta2) * grads[k] ** 2
         for k in params}
    return {k: params[k] - lr * m[k] / (np.sqrt(v[k]) + eps) for k in params}, {"t": t, "m": m, "v": v}
''',
        "eps inside the square root": '''
def adam_update(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = {k: beta1 * state["m"][k] + (1 - beta1) * grads[k] if state else (1 - beta1) * grads[k] for k in params}
    v = {k: beta2 * state["v"][k] + (1 - beta2) * grads[k] ** 2 if state else (1 - beta2) * grads[k] ** 2
         for k in params}
    new = {k: params[k] - lr * (m[k] / (1 - beta1 ** t)) / np.sqrt(v[k] / (1 - beta2 ** t) + eps) for k in params}
    return new, {"t": t, "m": m, "v": v}
''',
        "updates the state's arrays in place": '''
def adam_update(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    if not state:
        state = {"t": 0, "m": {k: np.zeros_like(p) for k, p in params.items()},
                 "v": {k: np.zeros_like(p) for k, p in params.items()}}
    t = state["t"] + 1
    m, v = state["m"], state["v"]
    new = {}
    for k in params:
        m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
        v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
        new[k] = params[k] - lr * (m[k] / (1 - beta1 ** t)) / (np.sqrt(v[k] / (1 - beta2 ** t)) + eps)
    state["t"] = t
    return new, state
''',
        "v averages g, not g squared": '''
def adam_update(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = {k: beta1 * state["m"][k] + (1 - beta1) * grads[k] if state else (1 - beta1) * grads[k] for k in params}
    v = {k: beta2 * state["v"][k] + (1 - beta2) * np.abs(grads[k]) if state else (1 - beta2) * np.abs(grads[k])
         for k in params}
    new = {k: params[k] - lr * (m[k] / (1 - beta1 ** t)) / (np.sqrt(v[k] / (1 - beta2 ** t)) + eps) for k in params}
    return new, {"t": t, "m": m, "v": v}
''',
        "the step counter never advances": '''
def adam_update(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    t = 1
    m = {k: beta1 * state["m"][k] + (1 - beta1) * grads[k] if state else (1 - beta1) * grads[k] for k in params}
    v = {k: beta2 * state["v"][k] + (1 - beta2) * grads[k] ** 2 if state else (1 - beta2) * grads[k] ** 2
         for k in params}
    new = {k: params[k] - lr * (m[k] / (1 - beta1 ** t)) / (np.sqrt(v[k] / (1 - beta2 ** t)) + eps) for k in params}
    return new, {"t": t, "m": m, "v": v}
''',
        "params changed in place": '''
def adam_update(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = {k: beta1 * state["m"][k] + (1 - beta1) * grads[k] if state else (1 - beta1) * grads[k] for k in params}
    v = {k: beta2 * state["v"][k] + (1 - beta2) * grads[k] ** 2 if state else (1 - beta2) * grads[k] ** 2
         for k in params}
    for k in params:
        params[k] -= lr * (m[k] / (1 - beta1 ** t)) / (np.sqrt(v[k] / (1 - beta2 ** t)) + eps)
    return params, {"t": t, "m": m, "v": v}
''',
        "momentum weights swapped": '''
def adam_update(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = {k: (1 - beta1) * state["m"][k] + beta1 * grads[k] if state else beta1 * grads[k] for k in params}
    v = {k: (1 - beta2) * state["v"][k] + beta2 * grads[k] ** 2 if state else beta2 * grads[k] ** 2 for k in params}
    new = {k: params[k] - lr * (m[k] / (1 - beta1 ** t)) / (np.sqrt(v[k] / (1 - beta2 ** t)) + eps) for k in params}
    return new, {"t": t, "m": m, "v": v}
''',
    },
    "batchnorm_forward": {
        "statistics over axis 0 only": '''
def batchnorm_forward(x, gamma, beta, state, training, momentum=0.9, eps=1e-5):
    if training and x.shape[0] == 1:
        raise ValueError("one sample")
    if training:
        mean, var = x.mean(axis=0), x.var(axis=0)
        new = {"mean": momentum * state["mean"] + (1 - momentum) * mean,
               "var": momentum * state["var"] + (1 - momentum) * var}
    else:
        mean, var, new = state["mean"], state["var"], dict(state)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, new
''',
        "unbiased variance": _BN_HEAD + '''
    if training:
        m = x.size // x.shape[-1]
        mean, var = x.mean(axis=axes), x.var(axis=axes) * m / (m - 1)
        new = {"mean": momentum * state["mean"] + (1 - momentum) * mean,
               "var": momentum * state["var"] + (1 - momentum) * var}
    else:
        mean, var, new = state["mean"], state["var"], dict(state)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, new
''',
        "running statistics weighted the wrong way": _BN_HEAD + '''
    if training:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        new = {"mean": (1 - momentum) * state["mean"] + momentum * mean,
               "var": (1 - momentum) * state["var"] + momentum * var}
    else:
        mean, var, new = state["mean"], state["var"], dict(state)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, new
''',
        "batch statistics in inference too": _BN_HEAD + '''
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    if training:
        new = {"mean": momentum * state["mean"] + (1 - momentum) * mean,
               "var": momentum * state["var"] + (1 - momentum) * var}
    else:
        new = dict(state)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, new
''',
        "eps outside the square root": _BN_HEAD + '''
    if training:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        new = {"mean": momentum * state["mean"] + (1 - momentum) * mean,
               "var": momentum * state["var"] + (1 - momentum) * var}
    else:
        mean, var, new = state["mean"], state["var"], dict(state)
    return gamma * (x - mean) / (np.sqrt(var) + eps) + beta, new
''',
        "updates the given state dict": _BN_HEAD + '''
    if training:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        state["mean"] = momentum * state["mean"] + (1 - momentum) * mean
        state["var"] = momentum * state["var"] + (1 - momentum) * var
    else:
        mean, var = state["mean"], state["var"]
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, state
''',
        "a batch of one is normalised to zeros": '''
def batchnorm_forward(x, gamma, beta, state, training, momentum=0.9, eps=1e-5):
    axes = tuple(range(x.ndim - 1))
    if training:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        new = {"mean": momentum * state["mean"] + (1 - momentum) * mean,
               "var": momentum * state["var"] + (1 - momentum) * var}
    else:
        mean, var, new = state["mean"], state["var"], dict(state)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, new
''',
    },
    "batchnorm_backward": {
        "treats the mean and variance as constants": _BACK_HEAD + '''
    return dout * gamma * inv, dgamma, dbeta
''',
        "forgets the variance's path": _BACK_HEAD + '''
    return gamma * inv * (dout - dbeta / m), dgamma, dbeta
''',
        "sums over axis 0 only": '''
def batchnorm_backward(dout, x, gamma, eps=1e-5):
    m = x.shape[0]
    inv = 1 / np.sqrt(x.var(axis=0) + eps)
    xhat = (x - x.mean(axis=0)) * inv
    dbeta, dgamma = dout.sum(axis=0), (dout * xhat).sum(axis=0)
    return gamma * inv / m * (m * dout - dbeta - xhat * dgamma), dgamma, dbeta
''',
        "finite differences of the loss": '''
def _bn_y(x, gamma, eps):
    axes = tuple(range(x.ndim - 1))
    return gamma * (x - x.mean(axis=axes)) / np.sqrt(x.var(axis=axes) + eps)

def batchnorm_backward(dout, x, gamma, eps=1e-5):
    axes = tuple(range(x.ndim - 1))
    xhat = _bn_y(x, np.ones_like(gamma), eps)
    dx = np.zeros_like(x, dtype=float)
    h = 1e-4
    for index in np.ndindex(x.shape):
        xp, xm = x.astype(float), x.astype(float)
        xp[index] += h
        xm[index] -= h
        dx[index] = (np.sum(dout * _bn_y(xp, gamma, eps)) - np.sum(dout * _bn_y(xm, gamma, eps))) / (2 * h)
    return dx, (dout * xhat).sum(axis=axes), dout.sum(axis=axes)
''',
        "uses checks.numeric_gradient": '''
def batchnorm_backward(dout, x, gamma, eps=1e-5):
    axes = tuple(range(x.ndim - 1))
    def loss(z):
        return np.sum(dout * gamma * (z - z.mean(axis=axes)) / np.sqrt(z.var(axis=axes) + eps))
    xhat = (x - x.mean(axis=axes)) / np.sqrt(x.var(axis=axes) + eps)
    return checks.numeric_gradient(loss, x), (dout * xhat).sum(axis=axes), dout.sum(axis=axes)
''',
        "in float32": '''
def batchnorm_backward(dout, x, gamma, eps=1e-5):
    dout, x, gamma = dout.astype(np.float32), x.astype(np.float32), gamma.astype(np.float32)
    axes = tuple(range(x.ndim - 1))
    m = x.size // x.shape[-1]
    inv = 1 / np.sqrt(x.var(axis=axes) + np.float32(eps))
    xhat = (x - x.mean(axis=axes)) * inv
    dbeta, dgamma = dout.sum(axis=axes), (dout * xhat).sum(axis=axes)
    return gamma * inv / m * (m * dout - dbeta - xhat * dgamma), dgamma, dbeta
''',
    },
}

REASONS = {
    "clip_by_global_norm": {
        "clips each array by its own norm": "clipped['W'] has the right shape",
        "clips each entry by value": "clipped['W'] has the right shape",
        "squares overflow at 1e200": "with entries near 1e200",
        "always rescales to max_norm": "leave the gradients as they are when norm <= max_norm",
        "scales the arrays in place": "changed argument 1 in place",
        "NaN for all-zero gradients": "for all-zero gradients",
        "returns the norm after clipping": "the global norm is off",
    },
    "warmup_cosine": {
        "warm-up starts at 0 (step / W)": "warmup_cosine(0, 0.1, 4, 12) is off",
        "a full cosine period": "warmup_cosine(8, 0.1, 4, 12, 0.02) is off",
        "only works for an int step": "raised ValueError for an array of steps",
        "the cosine goes on past total_steps": "warmup_cosine(30, 0.1, 4, 12, 0.02) is off",
        "divides by zero when the warm-up fills the schedule": "warmup_steps=10, total_steps=10",
        "never raises for a bad schedule": "must raise ValueError",
    },
    "init_weights": {
        "He with fan_out": "far from 2 / fan_in",
        "rank-4 fans ignore the kernel window": "for he_normal, shape (3, 3, 64, 128)",
        "draws from np.random's global state": "The same seed must give the same weights",
        "variance used as the standard deviation": "far from 2 / fan_in",
        "glorot_uniform drawn from a normal": "for glorot_uniform, shape (400, 300)",
        "a generator of its own": "uses `default_rng`",
        "unknown schemes fall back to He": "must raise ValueError for an unknown scheme",
    },
    "adam_update": {
        "no bias correction": "new_params['w'] after one step",
        "eps inside the square root": "with gradients near 1e-10",
        "updates the state's arrays in place": "changed argument 3 in place",
        "v averages g, not g squared": "new_state['v']['b'] after one step",
        "the step counter never advances": "new_params['w'] after two steps",
        "params changed in place": "changed argument 1 in place",
        "momentum weights swapped": "new_state['m']['w'] after one step",
    },
    "batchnorm_forward": {
        "statistics over axis 0 only": "for x of shape (1, 4, 4, 3)",
        "unbiased variance": "y in training has the right shape",
        "running statistics weighted the wrong way": "the running mean after one training step",
        "batch statistics in inference too": "y[0] in inference",
        "eps outside the square root": "with momentum 0.5 and eps 1e-3",
        "updates the given state dict": "changed argument 4 in place",
        "a batch of one is normalised to zeros": "must raise ValueError in training for a batch of one vector",
    },
    "batchnorm_backward": {
        "treats the mean and variance as constants": "dx has the right shape",
        "forgets the variance's path": "dx has the right shape",
        "sums over axis 0 only": "for x of shape (1, 4, 4, 3)",
        "finite differences of the loss": "dout = 1e3 + parts of size 1e-6",
        "uses checks.numeric_gradient": "uses `numeric_gradient`",
        "in float32": "dout = 1e3 + parts of size 1e-6",
    },
}
