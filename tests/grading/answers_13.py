"""Student answers for exercise 13 (attention and transformers), used to test its grader through nbgrader.

For each graded part (keyed by the grade_id of its solution cell): ``CORRECT`` holds alternative
correct implementations written differently from the reference (loops over queries, a softmax that
skips masked keys instead of using -inf, index grids against broadcasting, exp-log frequencies,
per-head loops against einsum, a subclassed layer against the functional API), each of which must earn
full marks, and ``WRONG`` the plausible mistakes a student makes, each of which must earn zero on its
part. Each entry is the whole source of the solution cell, as a student would leave it.

``REASONS`` says, for every wrong answer, what its test cell must report (a substring of
``"ExceptionName: message"`` of the error the test cell raised). No part's answers call another part's
code, so the wrong answers of one submission are independent.
"""

CORRECT = {
    "attention": [
        # loops over the batch and the queries; only the allowed keys enter the softmax; float32 kept
        '''
def attention(q, k, v, mask=None):
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError("shapes do not fit")
    lead = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    Tq, Tk = q.shape[-2], k.shape[-2]
    m = np.ones(lead + (Tq, Tk), bool) if mask is None else np.broadcast_to(mask, lead + (Tq, Tk))
    qb, kb, vb = (np.broadcast_to(a, lead + a.shape[-2:]) for a in (q, k, v))
    dtype = np.result_type(q.dtype, k.dtype, v.dtype, np.float32)
    weights = np.zeros(lead + (Tq, Tk), dtype)
    out = np.zeros(lead + (Tq, v.shape[-1]), dtype)
    for index in np.ndindex(*lead):
        for i in range(Tq):
            keep = m[index][i]
            if not keep.any():
                continue
            s = kb[index][keep] @ qb[index][i] / np.sqrt(q.shape[-1])
            p = np.exp(s - s.max())
            weights[index + (i,)][keep] = p / p.sum()
            out[index + (i,)] = weights[index + (i,)] @ vb[index]
    return out, weights
''',
        # einsum over flattened batch axes; a large negative fill, then zeros where nothing is allowed
        '''
def attention(q, k, v, mask=None):
    scores = np.einsum("...qd,...kd->...qk", q, k) * (1.0 / np.sqrt(q.shape[-1]))
    if k.shape[-2] != v.shape[-2]:
        raise ValueError("k and v need the same number of keys")
    allowed = np.ones(scores.shape, bool) if mask is None else np.broadcast_to(mask, scores.shape)
    filled = np.where(allowed, scores, np.finfo(np.float64).min)
    shifted = filled - filled.max(axis=-1, keepdims=True)
    e = np.where(allowed, np.exp(shifted), 0.0)
    sums = e.sum(axis=-1, keepdims=True)
    weights = e / np.where(sums == 0, 1.0, sums)
    return np.einsum("...qk,...kv->...qv", weights, v), weights
''',
    ],
    "attention_mask": [
        # three nested loops
        '''
def attention_mask(lengths, t, causal):
    if t < 1:
        raise ValueError("t must be at least 1")
    for length in lengths:
        if length < 0 or length > t:
            raise ValueError(f"bad length {length}")
    mask = np.zeros((len(lengths), t, t), dtype=bool)
    for i, length in enumerate(lengths):
        for a in range(t):
            for b in range(t):
                mask[i, a, b] = (b < length) and (not causal or b <= a)
    return mask
''',
        # index grids from np.indices, np.tril for the causal part
        '''
def attention_mask(lengths, t, causal):
    lengths = np.array(lengths, dtype=np.int64)
    if t <= 0 or lengths.min(initial=0) < 0 or lengths.max(initial=0) > t:
        raise ValueError("need 0 <= lengths <= t and t >= 1")
    _, _, key = np.indices((len(lengths), t, t))
    mask = key < lengths.reshape(-1, 1, 1)
    if causal:
        mask = np.logical_and(mask, np.tril(np.ones((t, t), dtype=bool)))
    return mask
''',
    ],
    "positional_encoding": [
        # frequencies through exp and log, sines and cosines written into slices
        '''
def positional_encoding(length, d_model):
    if length < 1 or d_model < 1:
        raise ValueError("length and d_model must be positive")
    pe = np.zeros((length, d_model))
    position = np.arange(length)[:, None].astype(float)
    rates = np.exp(-np.log(10000.0) * np.arange(0, d_model, 2) / d_model)
    pe[:, 0::2] = np.sin(position * rates)
    pe[:, 1::2] = np.cos(position * rates[: d_model // 2])
    return pe
''',
        # one column at a time
        '''
import math

def positional_encoding(length, d_model):
    if min(length, d_model) < 1:
        raise ValueError("positive sizes only")
    out = np.empty((length, d_model), dtype=np.float64)
    for j in range(d_model):
        pair = j - (j % 2)
        angles = np.arange(length) / math.pow(10000, pair / d_model)
        out[:, j] = np.sin(angles) if j % 2 == 0 else np.cos(angles)
    return out
''',
    ],
    "multi_head_attention": [
        # a loop over heads, each head's weights sliced out, float32 arithmetic
        '''
def multi_head_attention(query, value, weights, mask=None):
    Wq, bq, Wk, bk, Wv, bv, Wo, bo = [np.asarray(w, dtype=np.float32) for w in weights]
    x = np.asarray(query, dtype=np.float32)
    y = np.asarray(value, dtype=np.float32)
    out = np.zeros((x.shape[0], x.shape[1], Wo.shape[-1]), dtype=np.float32)
    for j in range(Wq.shape[1]):
        Q = x @ Wq[:, j, :] + bq[j]
        K = y @ Wk[:, j, :] + bk[j]
        V = y @ Wv[:, j, :] + bv[j]
        s = Q @ K.transpose(0, 2, 1) / np.float32(np.sqrt(Wq.shape[2]))
        if mask is not None:
            s = np.where(mask, s, np.float32(-1e30))
        s = s - s.max(axis=2, keepdims=True)
        p = np.exp(s)
        p = p / p.sum(axis=2, keepdims=True)
        out += (p @ V) @ Wo[j]
    return out + bo
''',
        # the kernels flattened to matrices, heads split by reshape and transpose, then merged back
        '''
def multi_head_attention(query, value, weights, mask=None):
    Wq, bq, Wk, bk, Wv, bv, Wo, bo = weights
    h, kd = bq.shape
    md = bv.shape[1]
    n, Tq, _ = query.shape
    Tv = value.shape[1]
    def split(x, W, b, size, T):
        flat = x.reshape(n * T, -1) @ W.reshape(W.shape[0], -1) + b.reshape(-1)
        return flat.reshape(n, T, h, size).transpose(0, 2, 1, 3)
    Q, K, V = split(query, Wq, bq, kd, Tq), split(value, Wk, bk, kd, Tv), split(value, Wv, bv, md, Tv)
    Q = Q / np.sqrt(kd)
    s = np.matmul(Q, K.transpose(0, 1, 3, 2))
    if mask is not None:
        s = s + np.where(mask[:, None, :, :], 0.0, -np.inf)
    s = s - np.max(s, axis=-1, keepdims=True)
    p = np.exp(s) / np.exp(s).sum(axis=-1, keepdims=True)
    merged = np.matmul(p, V).transpose(0, 2, 1, 3).reshape(n, Tq, h * md)
    return merged @ Wo.reshape(h * md, -1) + bo
''',
    ],
    "encoder_block": [
        # Sequential-looking functional code with a residual written as "+" (keras tensors add)
        '''
import keras


def encoder_block(d_model, num_heads, ff_dim):
    if d_model % num_heads:
        raise ValueError("d_model must be a multiple of num_heads")
    inputs = keras.Input((None, d_model))
    mha = keras.layers.MultiHeadAttention(num_heads=num_heads, key_dim=d_model // num_heads)
    norm1, norm2 = keras.layers.LayerNormalization(), keras.layers.LayerNormalization()
    ff1 = keras.layers.Dense(ff_dim, activation="relu")
    ff2 = keras.layers.Dense(d_model)
    y = norm1(inputs + mha(inputs, inputs))
    return keras.Model(inputs, norm2(y + ff2(ff1(y))))
''',
        # a subclassed layer wrapped in a model, keras.ops for the ReLU
        '''
import keras
from keras import ops


class Block(keras.layers.Layer):
    def __init__(self, d_model, num_heads, ff_dim, **kwargs):
        super().__init__(**kwargs)
        self.attention = keras.layers.MultiHeadAttention(num_heads, d_model // num_heads)
        self.first = keras.layers.Dense(ff_dim)
        self.second = keras.layers.Dense(d_model)
        self.norm_a = keras.layers.LayerNormalization()
        self.norm_b = keras.layers.LayerNormalization()

    def call(self, x):
        y = self.norm_a(x + self.attention(x, x))
        return self.norm_b(y + self.second(ops.relu(self.first(y))))


def encoder_block(d_model, num_heads, ff_dim):
    if d_model % num_heads != 0:
        raise ValueError("num_heads must divide d_model")
    inputs = keras.Input(shape=(None, d_model))
    return keras.Model(inputs, Block(d_model, num_heads, ff_dim)(inputs))
''',
    ],
}

WRONG = {
    "attention": {
        "no scaling by sqrt(dk)": '''
def attention(q, k, v, mask=None):
    scores = q @ np.swapaxes(k, -1, -2)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    top = np.max(scores, axis=-1, keepdims=True)
    e = np.exp(scores - np.where(np.isfinite(top), top, 0.0))
    total = e.sum(axis=-1, keepdims=True)
    weights = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    return weights @ v, weights
''',
        "softmax over the queries (axis -2)": '''
def attention(q, k, v, mask=None):
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    top = np.max(scores, axis=-2, keepdims=True)
    e = np.exp(scores - np.where(np.isfinite(top), top, 0.0))
    total = e.sum(axis=-2, keepdims=True)
    weights = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    return weights @ v, weights
''',
        "masked scores set to -1e9: a fully masked row averages every key": '''
def attention(q, k, v, mask=None):
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -1e9)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = e / e.sum(axis=-1, keepdims=True)
    return weights @ v, weights
''',
        "one shift for the whole array (its global maximum)": '''
def attention(q, k, v, mask=None):
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        e = np.exp(scores - np.max(scores[np.isfinite(scores)]))
        total = e.sum(axis=-1, keepdims=True)
        weights = np.where(total > 0, e / total, 0.0) if mask is not None else e / total
    return weights @ v, weights
''',
        "the mask's meaning inverted (True = blocked)": '''
def attention(q, k, v, mask=None):
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask, -np.inf, scores)
    top = np.max(scores, axis=-1, keepdims=True)
    e = np.exp(scores - np.where(np.isfinite(top), top, 0.0))
    total = e.sum(axis=-1, keepdims=True)
    weights = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    return weights @ v, weights
''',
        "written for a 3-d batch only (transpose(0, 2, 1))": '''
def attention(q, k, v, mask=None):
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    top = np.max(scores, axis=-1, keepdims=True)
    e = np.exp(scores - np.where(np.isfinite(top), top, 0.0))
    total = e.sum(axis=-1, keepdims=True)
    weights = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    return weights @ v, weights
''',
        "each row shifted by its maximum taken before the mask": '''
def attention(q, k, v, mask=None):
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    if mask is not None:
        e = e * mask
    total = e.sum(axis=-1, keepdims=True)
    weights = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    return weights @ v, weights
''',
        "scipy's softmax": '''
from scipy.special import softmax

def attention(q, k, v, mask=None):
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = np.nan_to_num(softmax(scores, axis=-1))
    return weights @ v, weights
''',
        "scores clipped to [-50, 50] instead of shifted": '''
def attention(q, k, v, mask=None):
    scores = np.clip(q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1]), -50, 50)
    e = np.exp(scores)
    if mask is not None:
        e = np.where(mask, e, 0.0)
    total = e.sum(axis=-1, keepdims=True)
    weights = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    return weights @ v, weights
''',
    },
    "attention_mask": {
        "causal without the diagonal (b < a)": '''
def attention_mask(lengths, t, causal):
    lengths = np.asarray(lengths)
    if t < 1 or np.any(lengths < 0) or np.any(lengths > t):
        raise ValueError("bad lengths")
    b = np.arange(t)
    mask = np.broadcast_to(b[None, None, :] < lengths[:, None, None], (len(lengths), t, t))
    if causal:
        mask = mask & (b[None, :] < b[:, None])
    return np.array(mask)
''',
        "the causal triangle transposed (the future, not the past)": '''
def attention_mask(lengths, t, causal):
    lengths = np.asarray(lengths)
    if t < 1 or np.any(lengths < 0) or np.any(lengths > t):
        raise ValueError("bad lengths")
    b = np.arange(t)
    mask = np.broadcast_to(b[None, None, :] < lengths[:, None, None], (len(lengths), t, t))
    if causal:
        mask = mask & np.triu(np.ones((t, t), bool))
    return np.array(mask)
''',
        "padding masks the queries, not the keys": '''
def attention_mask(lengths, t, causal):
    lengths = np.asarray(lengths)
    if t < 1 or np.any(lengths < 0) or np.any(lengths > t):
        raise ValueError("bad lengths")
    a = np.arange(t)
    mask = np.broadcast_to(a[None, :, None] < lengths[:, None, None], (len(lengths), t, t))
    if causal:
        mask = mask & np.tril(np.ones((t, t), bool))
    return np.array(mask)
''',
        "the last real token counted as padding (b < length - 1)": '''
def attention_mask(lengths, t, causal):
    lengths = np.asarray(lengths)
    if t < 1 or np.any(lengths < 0) or np.any(lengths > t):
        raise ValueError("bad lengths")
    b = np.arange(t)
    mask = np.broadcast_to(b[None, None, :] < lengths[:, None, None] - 1, (len(lengths), t, t))
    if causal:
        mask = mask & np.tril(np.ones((t, t), bool))
    return np.array(mask)
''',
        "a mask of 0.0 and 1.0 (floats)": '''
def attention_mask(lengths, t, causal):
    lengths = np.asarray(lengths)
    if t < 1 or np.any(lengths < 0) or np.any(lengths > t):
        raise ValueError("bad lengths")
    mask = np.zeros((len(lengths), t, t))
    for i, length in enumerate(lengths):
        mask[i, :, :length] = 1.0
    if causal:
        mask = mask * np.tril(np.ones((t, t)))
    return mask
''',
        "causal ignored (always the padding mask only)": '''
def attention_mask(lengths, t, causal):
    lengths = np.asarray(lengths)
    if t < 1 or np.any(lengths < 0) or np.any(lengths > t):
        raise ValueError("bad lengths")
    b = np.arange(t)
    return np.array(np.broadcast_to(b[None, None, :] < lengths[:, None, None], (len(lengths), t, t)))
''',
        "TensorFlow's sequence_mask for the padding": '''
import tensorflow as tf

def attention_mask(lengths, t, causal):
    lengths = np.asarray(lengths)
    if t < 1 or np.any(lengths < 0) or np.any(lengths > t):
        raise ValueError("bad lengths")
    keys = tf.sequence_mask(lengths, t).numpy()[:, None, :]
    mask = np.broadcast_to(keys, (len(lengths), t, t))
    if causal:
        mask = mask & np.tril(np.ones((t, t), bool))
    return np.array(mask)
''',
        "no ValueError for lengths longer than t": '''
def attention_mask(lengths, t, causal):
    lengths = np.asarray(lengths)
    if t < 1:
        raise ValueError("t must be positive")
    b = np.arange(t)
    mask = np.broadcast_to(b[None, None, :] < lengths[:, None, None], (len(lengths), t, t))
    if causal:
        mask = mask & np.tril(np.ones((t, t), bool))
    return np.array(mask)
''',
    },
    "positional_encoding": {
        "each column its own frequency (j / d_model, not 2 floor(j/2) / d_model)": '''
def positional_encoding(length, d_model):
    if length < 1 or d_model < 1:
        raise ValueError("sizes must be positive")
    j = np.arange(d_model)
    angles = np.arange(length)[:, None] / 10000.0 ** (j / d_model)
    return np.where(j % 2 == 0, np.sin(angles), np.cos(angles))
''',
        "sines in the first half, cosines in the second": '''
def positional_encoding(length, d_model):
    if length < 1 or d_model < 1:
        raise ValueError("sizes must be positive")
    half = (d_model + 1) // 2
    rates = 10000.0 ** (-2 * np.arange(half) / d_model)
    angles = np.arange(length)[:, None] * rates
    return np.concatenate([np.sin(angles), np.cos(angles)[:, : d_model - half]], axis=1)
''',
        "sine and cosine swapped": '''
def positional_encoding(length, d_model):
    if length < 1 or d_model < 1:
        raise ValueError("sizes must be positive")
    j = np.arange(d_model)
    angles = np.arange(length)[:, None] / 10000.0 ** ((j - j % 2) / d_model)
    return np.where(j % 2 == 0, np.cos(angles), np.sin(angles))
''',
        "the classic slice assignment that fails for an odd width": '''
def positional_encoding(length, d_model):
    if length < 1 or d_model < 1:
        raise ValueError("sizes must be positive")
    pe = np.zeros((length, d_model))
    rates = 10000.0 ** (-np.arange(0, d_model, 2) / d_model)
    position = np.arange(length)[:, None]
    pe[:, 0::2] = np.sin(position * rates)
    pe[:, 1::2] = np.cos(position * rates)
    return pe
''',
        "float32 angles": '''
def positional_encoding(length, d_model):
    if length < 1 or d_model < 1:
        raise ValueError("sizes must be positive")
    j = np.arange(d_model)
    rates = (10000.0 ** (-(j - j % 2) / d_model)).astype(np.float32)
    angles = np.arange(length, dtype=np.float32)[:, None] * rates
    return np.where(j % 2 == 0, np.sin(angles), np.cos(angles)).astype(np.float64)
''',
        "positions counted from 1": '''
def positional_encoding(length, d_model):
    if length < 1 or d_model < 1:
        raise ValueError("sizes must be positive")
    j = np.arange(d_model)
    angles = np.arange(1, length + 1)[:, None] / 10000.0 ** ((j - j % 2) / d_model)
    return np.where(j % 2 == 0, np.sin(angles), np.cos(angles))
''',
    },
    "multi_head_attention": {
        "no scaling by sqrt(key_dim)": '''
def multi_head_attention(query, value, weights, mask=None):
    Wq, bq, Wk, bk, Wv, bv, Wo, bo = weights
    q = np.einsum("ntd,dhk->nhtk", query, Wq) + bq[:, None, :]
    k = np.einsum("nsd,dhk->nhsk", value, Wk) + bk[:, None, :]
    v = np.einsum("nsd,dhm->nhsm", value, Wv) + bv[:, None, :]
    scores = q @ np.swapaxes(k, -1, -2)
    if mask is not None:
        scores = np.where(mask[:, None], scores, -np.inf)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return np.einsum("nhtm,hmo->nto", (e / e.sum(axis=-1, keepdims=True)) @ v, Wo) + bo
''',
        "the heads split by a reshape without a transpose": '''
def multi_head_attention(query, value, weights, mask=None):
    Wq, bq, Wk, bk, Wv, bv, Wo, bo = weights
    n, Tq, _ = query.shape
    Tv = value.shape[1]
    h, kd = bq.shape
    md = bv.shape[1]
    Q = (query @ Wq.reshape(Wq.shape[0], -1) + bq.reshape(-1)).reshape(n, h, Tq, kd)
    K = (value @ Wk.reshape(Wk.shape[0], -1) + bk.reshape(-1)).reshape(n, h, Tv, kd)
    V = (value @ Wv.reshape(Wv.shape[0], -1) + bv.reshape(-1)).reshape(n, h, Tv, md)
    s = Q @ np.swapaxes(K, -1, -2) / np.sqrt(kd)
    if mask is not None:
        s = np.where(mask[:, None], s, -np.inf)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    heads = (e / e.sum(axis=-1, keepdims=True)) @ V
    return heads.reshape(n, Tq, h * md) @ Wo.reshape(h * md, -1) + bo
''',
        "the keys projected with the value kernel": '''
def multi_head_attention(query, value, weights, mask=None):
    Wq, bq, Wk, bk, Wv, bv, Wo, bo = weights
    q = np.einsum("ntd,dhk->nhtk", query, Wq) + bq[:, None, :]
    k = np.einsum("nsd,dhk->nhsk", value, Wv) + bv[:, None, :]
    v = np.einsum("nsd,dhm->nhsm", value, Wv) + bv[:, None, :]
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(Wq.shape[-1])
    if mask is not None:
        scores = np.where(mask[:, None], scores, -np.inf)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return np.einsum("nhtm,hmo->nto", (e / e.sum(axis=-1, keepdims=True)) @ v, Wo) + bo
''',
        "the output bias forgotten": '''
def multi_head_attention(query, value, weights, mask=None):
    Wq, bq, Wk, bk, Wv, bv, Wo, bo = weights
    q = np.einsum("ntd,dhk->nhtk", query, Wq) + bq[:, None, :]
    k = np.einsum("nsd,dhk->nhsk", value, Wk) + bk[:, None, :]
    v = np.einsum("nsd,dhm->nhsm", value, Wv) + bv[:, None, :]
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(Wq.shape[-1])
    if mask is not None:
        scores = np.where(mask[:, None], scores, -np.inf)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return np.einsum("nhtm,hmo->nto", (e / e.sum(axis=-1, keepdims=True)) @ v, Wo)
''',
        "the mask ignored": '''
def multi_head_attention(query, value, weights, mask=None):
    Wq, bq, Wk, bk, Wv, bv, Wo, bo = weights
    q = np.einsum("ntd,dhk->nhtk", query, Wq) + bq[:, None, :]
    k = np.einsum("nsd,dhk->nhsk", value, Wk) + bk[:, None, :]
    v = np.einsum("nsd,dhm->nhsm", value, Wv) + bv[:, None, :]
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(Wq.shape[-1])
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return np.einsum("nhtm,hmo->nto", (e / e.sum(axis=-1, keepdims=True)) @ v, Wo) + bo
''',
        "keras.layers.MultiHeadAttention itself": '''
def multi_head_attention(query, value, weights, mask=None):
    layer = keras.layers.MultiHeadAttention(num_heads=weights[1].shape[0], key_dim=weights[1].shape[1],
                                            value_dim=weights[5].shape[1], output_shape=weights[7].shape[0])
    layer(query, value)
    layer.set_weights(weights)
    return np.asarray(layer(query, value, attention_mask=mask), dtype=np.float64)
''',
        "no shift before exp: overflow for large scores": '''
def multi_head_attention(query, value, weights, mask=None):
    Wq, bq, Wk, bk, Wv, bv, Wo, bo = weights
    q = np.einsum("ntd,dhk->nhtk", query, Wq) + bq[:, None, :]
    k = np.einsum("nsd,dhk->nhsk", value, Wk) + bk[:, None, :]
    v = np.einsum("nsd,dhm->nhsm", value, Wv) + bv[:, None, :]
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(Wq.shape[-1])
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(scores)
        if mask is not None:
            e = np.where(mask[:, None], e, 0.0)
        p = e / e.sum(axis=-1, keepdims=True)
    return np.einsum("nhtm,hmo->nto", p @ v, Wo) + bo
''',
    },
    "encoder_block": {
        "no residual around the attention": '''
import keras


def encoder_block(d_model, num_heads, ff_dim):
    if d_model % num_heads:
        raise ValueError("d_model must be a multiple of num_heads")
    x = keras.Input((None, d_model))
    y = keras.layers.LayerNormalization()(keras.layers.MultiHeadAttention(num_heads, d_model // num_heads)(x, x))
    z = y + keras.layers.Dense(d_model)(keras.layers.Dense(ff_dim, activation="relu")(y))
    return keras.Model(x, keras.layers.LayerNormalization()(z))
''',
        "pre-norm (the norm inside the residual branch)": '''
import keras


def encoder_block(d_model, num_heads, ff_dim):
    if d_model % num_heads:
        raise ValueError("d_model must be a multiple of num_heads")
    x = keras.Input((None, d_model))
    n1 = keras.layers.LayerNormalization()(x)
    y = x + keras.layers.MultiHeadAttention(num_heads, d_model // num_heads)(n1, n1)
    n2 = keras.layers.LayerNormalization()(y)
    return keras.Model(x, y + keras.layers.Dense(d_model)(keras.layers.Dense(ff_dim, activation="relu")(n2)))
''',
        "no ReLU in the feed-forward part": '''
import keras


def encoder_block(d_model, num_heads, ff_dim):
    if d_model % num_heads:
        raise ValueError("d_model must be a multiple of num_heads")
    x = keras.Input((None, d_model))
    y = keras.layers.LayerNormalization()(x + keras.layers.MultiHeadAttention(num_heads, d_model // num_heads)(x, x))
    z = y + keras.layers.Dense(d_model)(keras.layers.Dense(ff_dim)(y))
    return keras.Model(x, keras.layers.LayerNormalization()(z))
''',
        "key_dim = d_model in every head": '''
import keras


def encoder_block(d_model, num_heads, ff_dim):
    if d_model % num_heads:
        raise ValueError("d_model must be a multiple of num_heads")
    x = keras.Input((None, d_model))
    y = keras.layers.LayerNormalization()(x + keras.layers.MultiHeadAttention(num_heads, d_model)(x, x))
    z = y + keras.layers.Dense(d_model)(keras.layers.Dense(ff_dim, activation="relu")(y))
    return keras.Model(x, keras.layers.LayerNormalization()(z))
''',
        "a fixed sequence length of 5": '''
import keras


def encoder_block(d_model, num_heads, ff_dim):
    if d_model % num_heads:
        raise ValueError("d_model must be a multiple of num_heads")
    x = keras.Input((5, d_model))
    y = keras.layers.LayerNormalization()(x + keras.layers.MultiHeadAttention(num_heads, d_model // num_heads)(x, x))
    z = y + keras.layers.Dense(d_model)(keras.layers.Dense(ff_dim, activation="relu")(y))
    return keras.Model(x, keras.layers.LayerNormalization()(z))
''',
        "TensorFlow's ReLU (tf.nn.relu) in the block": '''
import keras
import tensorflow as tf


def encoder_block(d_model, num_heads, ff_dim):
    if d_model % num_heads:
        raise ValueError("d_model must be a multiple of num_heads")
    x = keras.Input((None, d_model))
    y = keras.layers.LayerNormalization()(x + keras.layers.MultiHeadAttention(num_heads, d_model // num_heads)(x, x))
    z = y + keras.layers.Dense(d_model)(keras.layers.Dense(ff_dim, activation=tf.nn.relu)(y))
    return keras.Model(x, keras.layers.LayerNormalization()(z))
''',
        "a causal mask in the block (use_causal_mask=True)": '''
import keras


def encoder_block(d_model, num_heads, ff_dim):
    if d_model % num_heads:
        raise ValueError("d_model must be a multiple of num_heads")
    x = keras.Input((None, d_model))
    mha = keras.layers.MultiHeadAttention(num_heads, d_model // num_heads)
    y = keras.layers.LayerNormalization()(x + mha(x, x, use_causal_mask=True))
    z = y + keras.layers.Dense(d_model)(keras.layers.Dense(ff_dim, activation="relu")(y))
    return keras.Model(x, keras.layers.LayerNormalization()(z))
''',
    },
}

REASONS = {
    "attention": {
        "no scaling by sqrt(dk)": "the weights for a batch of 2, 3 queries, 5 keys, dk = 4, no mask has the right shape",
        "softmax over the queries (axis -2)": "the weights for a batch of 2, 3 queries, 5 keys, dk = 4, no mask has the right shape",
        "masked scores set to -1e9: a fully masked row averages every key":
            "the weights when some queries (a whole sequence, too) may attend to no key (fully masked rows) has the right shape",
        "one shift for the whole array (its global maximum)":
            "the weights for scores from -6250 to 5000 (rows far apart, spans in the thousands) contains NaN",
        "the mask's meaning inverted (True = blocked)": "the weights for a (3, 5) mask shared by the batch has the right shape",
        "written for a 3-d batch only (transpose(0, 2, 1))": "attention raised ValueError for q (4, 3), k (6, 3), v (6, 2)",
        "each row shifted by its maximum taken before the mask":
            "the weights for scores in the thousands where the mask removes each row's largest scores",
        "scipy's softmax": "uses `scipy`",
        "scores clipped to [-50, 50] instead of shifted":
            "the weights for scores from -6250 to 5000 (rows far apart, spans in the thousands) has the right shape",
    },
    "attention_mask": {
        "causal without the diagonal (b < a)": "the mask for lengths [3, 2], t = 3, causal has the right shape but the wrong values",
        "the causal triangle transposed (the future, not the past)":
            "the mask for lengths [3, 2], t = 3, causal has the right shape but the wrong values",
        "padding masks the queries, not the keys": "the mask for lengths [3, 1], t = 3, not causal has the right shape but the wrong",
        "the last real token counted as padding (b < length - 1)":
            "the mask for lengths [3, 1], t = 3, not causal has the right shape but the wrong",
        "a mask of 0.0 and 1.0 (floats)": "must return a boolean numpy array, not ndarray float64",
        "causal ignored (always the padding mask only)": "the mask for lengths [3, 2], t = 3, causal has the right shape but the wrong",
        "TensorFlow's sequence_mask for the padding": "uses `tf`",
        "no ValueError for lengths longer than t": "attention_mask must raise ValueError for lengths [4] and t = 3",
    },
    "positional_encoding": {
        "each column its own frequency (j / d_model, not 2 floor(j/2) / d_model)":
            "the encodings for 4 positions and width 6 has the right shape",
        "sines in the first half, cosines in the second": "the encodings for 4 positions and width 6 has the right shape",
        "sine and cosine swapped": "the encodings for 4 positions and width 6 has the right shape",
        "the classic slice assignment that fails for an odd width": "positional_encoding raised ValueError for 9 positions and width 5",
        "float32 angles": "the encodings for 5000 positions and width 8 (angles up to 5000 radians) has the right shape",
        "positions counted from 1": "the encodings for 4 positions and width 6 has the right shape",
    },
    "multi_head_attention": {
        "no scaling by sqrt(key_dim)": "the output for self-attention, 2 sequences of 3, width 4, 2 heads of key_dim 3 has the right",
        "the heads split by a reshape without a transpose":
            "the output for self-attention, 2 sequences of 3, width 4, 2 heads of key_dim 3 has the right",
        "the keys projected with the value kernel":
            "the output for self-attention, 2 sequences of 3, width 4, 2 heads of key_dim 3 has the right",
        "the output bias forgotten": "the output for self-attention, 2 sequences of 3, width 4, 2 heads of key_dim 3 has the right",
        "the mask ignored": "the output for self-attention with a random mask (compared with keras.layers.MultiHeadAttention)",
        "keras.layers.MultiHeadAttention itself": "uses `keras`",
        "no shift before exp: overflow for large scores":
            "the output for inputs 30 times larger (scores in the hundreds) contains NaN",
    },
    "encoder_block": {
        "no residual around the attention": "the output for d_model 8, 2 heads, ff_dim 16 with weights the test set has the right",
        "pre-norm (the norm inside the residual branch)":
            "the output for d_model 8, 2 heads, ff_dim 16 with weights the test set has the right",
        "no ReLU in the feed-forward part": "the output for d_model 8, 2 heads, ff_dim 16 with weights the test set has the right",
        "key_dim = d_model in every head": "has 880 parameters; the block described has 600",
        "a fixed sequence length of 5": "raised ValueError on a batch of shape (1, 3, 8)",
        "TensorFlow's ReLU (tf.nn.relu) in the block": "uses `tf`",
        "a causal mask in the block (use_causal_mask=True)":
            "the output for d_model 8, 2 heads, ff_dim 16 with weights the test set has the right",
    },
}
