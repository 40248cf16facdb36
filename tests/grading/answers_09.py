"""Student answers for exercise 09 (sequences: RNN, LSTM), used to test its grader through nbgrader.

For each graded part (keyed by the grade_id of its solution cell): ``CORRECT`` holds alternative
correct implementations written differently from the reference (loops over the batch, einsum, a
recursion kept in lists, float32 where the prompt allows it, exp-based sigmoids, inverse-CDF sampling
against ``rng.choice`` per row, Gumbel-max sampling), each of which must earn full marks, and
``WRONG`` the plausible mistakes a student makes, each of which must earn zero on its part. Each entry
is the whole source of the solution cell, as a student would leave it.

``REASONS`` says, for every wrong answer, what its test cell must report (a substring of
``"ExceptionName: message"`` of the error the test cell raised). No part's tests call another part's
code (part 2's answers define their own forward pass where they use one), so the wrong answers of
one submission are independent.
"""

CORRECT = {
    "rnn_forward": [
        # a loop over sequences and steps, states kept in a list, float32 arithmetic
        '''
def rnn_forward(x, h0, Wx, Wh, b):
    out = []
    for i in range(x.shape[0]):
        h = h0[i].astype(np.float32)
        states = []
        for t in range(x.shape[1]):
            h = np.tanh(x[i, t].astype(np.float32) @ Wx.astype(np.float32) + h @ Wh.astype(np.float32) + b)
            states.append(h)
        out.append(np.stack(states))
    return np.array(out, dtype=np.float32)
''',
        # inputs projected for all steps at once with einsum; tanh written with exp
        '''
def rnn_forward(x, h0, Wx, Wh, b):
    xw = np.einsum("ntd,dh->nth", x, Wx) + b
    hs = np.empty(xw.shape)
    h = h0.copy()
    for t in range(x.shape[1]):
        z = xw[:, t, :] + np.dot(h, Wh)
        h = 1.0 - 2.0 / (np.exp(2.0 * z) + 1.0)
        hs[:, t, :] = h
    return hs
''',
    ],
    "rnn_backward": [
        # its own forward kept in a list; derivative 1 / cosh^2 of the pre-activations
        '''
def rnn_backward(dhs, x, h0, Wx, Wh, b):
    zs, hs, h = [], [h0], h0
    for t in range(x.shape[1]):
        z = x[:, t] @ Wx + h @ Wh + b
        h = np.tanh(z)
        zs.append(z)
        hs.append(h)
    dx = np.zeros_like(x, dtype=float)
    dWx, dWh, db = np.zeros_like(Wx, dtype=float), np.zeros_like(Wh, dtype=float), np.zeros_like(b, dtype=float)
    carry = 0.0
    for t in range(x.shape[1] - 1, -1, -1):
        dz = (dhs[:, t] + carry) / np.cosh(zs[t]) ** 2
        dx[:, t] = dz @ Wx.T
        dWx = dWx + x[:, t].T @ dz
        dWh = dWh + hs[t].T @ dz
        db = db + dz.sum(0)
        carry = dz @ Wh.T
    return dx, carry * np.ones_like(h0, dtype=float), dWx, dWh, db
''',
        # einsum over the whole batch; the weight gradients summed once at the end from stored dz
        '''
def rnn_backward(dhs, x, h0, Wx, Wh, b):
    n, T, d = x.shape
    H = Wh.shape[0]
    hs = np.zeros((n, T + 1, H))
    hs[:, 0] = h0
    for t in range(T):
        hs[:, t + 1] = np.tanh(x[:, t] @ Wx + hs[:, t] @ Wh + b)
    dzs = np.zeros((n, T, H))
    dnext = np.zeros((n, H))
    for t in range(T - 1, -1, -1):
        dzs[:, t] = (dhs[:, t] + dnext) * (1 - hs[:, t + 1] * hs[:, t + 1])
        dnext = np.einsum("nj,ij->ni", dzs[:, t], Wh)
    dx = np.einsum("ntj,dj->ntd", dzs, Wx)
    dWx = np.einsum("ntd,ntj->dj", x, dzs)
    dWh = np.einsum("nti,ntj->ij", hs[:, :-1], dzs)
    return dx, dnext, dWx, dWh, dzs.sum(axis=(0, 1))
''',
    ],
    "clip_by_global_norm": [
        # flatten everything into one vector for the norm; np.linalg.norm; float32 output
        '''
def clip_by_global_norm(grads, max_norm):
    flat = np.concatenate([np.ravel(g) for g in grads]) if grads else np.zeros(0)
    norm = float(np.linalg.norm(flat.astype(np.float64)))
    factor = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [(np.array(g) * factor).astype(np.float32) if np.asarray(g).dtype == np.float32 else np.array(g) * factor
            for g in grads], norm
''',
        # a loop that accumulates squares; copies first, then scales the copies in place
        '''
def clip_by_global_norm(grads, max_norm):
    total = 0.0
    for g in grads:
        for v in np.asarray(g, dtype=float).ravel():
            total += v * v
    norm = total ** 0.5
    out = [np.array(g, dtype=float) for g in grads]
    if norm > max_norm:
        for a in out:
            a *= max_norm / norm
    return out, float(norm)
''',
    ],
    "lstm_cell": [
        # the four gates sliced by hand; sigmoid through exp with a clip; float32
        '''
def lstm_cell(x, h, c, kernel, recurrent_kernel, bias):
    H = h.shape[1]
    z = (x.astype(np.float32) @ kernel.astype(np.float32) + h.astype(np.float32) @ recurrent_kernel.astype(np.float32)
         + bias.astype(np.float32))
    sig = lambda v: 1.0 / (1.0 + np.exp(-np.clip(v, -60, 60)))
    i = sig(z[:, 0:H])
    f = sig(z[:, H:2 * H])
    g = np.tanh(z[:, 2 * H:3 * H])
    o = sig(z[:, 3 * H:4 * H])
    c_new = f * c + i * g
    h_new = o * np.tanh(c_new)
    return h_new, c_new
''',
        # each gate its own matrix product; a sigmoid that never overflows (np.where on the sign)
        '''
def _sigmoid(v):
    e = np.exp(-np.abs(v))
    return np.where(v >= 0, 1 / (1 + e), e / (1 + e))


def lstm_cell(x, h, c, kernel, recurrent_kernel, bias):
    H = h.shape[-1]
    gates = []
    for k in range(4):
        cols = slice(k * H, (k + 1) * H)
        gates.append(np.dot(x, kernel[:, cols]) + np.dot(h, recurrent_kernel[:, cols]) + bias[cols])
    i, f, g, o = _sigmoid(gates[0]), _sigmoid(gates[1]), np.tanh(gates[2]), _sigmoid(gates[3])
    c_new = np.add(np.multiply(f, c), np.multiply(i, g))
    return o * np.tanh(c_new), c_new
''',
    ],
    "make_windows": [
        # sliding_window_view, then slicing off the last windows
        '''
from numpy.lib.stride_tricks import sliding_window_view

def make_windows(series, lookback, horizon):
    series = np.asarray(series, dtype=float)
    if lookback < 1 or horizon < 1 or len(series) < lookback + horizon:
        raise ValueError("series too short")
    m = len(series) - lookback - horizon + 1
    windows = sliding_window_view(series, lookback, axis=0)[:m]
    if series.ndim == 2:
        windows = np.moveaxis(windows, -1, 1)
    return windows.copy(), series[-m:].copy()
''',
        # index arithmetic: a (m, lookback) grid of time indices, fancy indexing
        '''
def make_windows(series, lookback, horizon):
    if min(lookback, horizon) <= 0:
        raise ValueError("lookback and horizon must be >= 1")
    T = series.shape[0]
    m = T - lookback - horizon + 1
    if m <= 0:
        raise ValueError("not enough steps")
    idx = np.arange(m)[:, None] + np.arange(lookback)[None, :]
    return series[idx], series[np.arange(m) + lookback + horizon - 1]
''',
    ],
    "sample_with_temperature": [
        # rng.choice row by row from a stable softmax; argmax below a tiny temperature
        '''
def sample_with_temperature(logits, temperature, rng):
    logits = np.asarray(logits, dtype=float)
    if temperature <= 0:
        return np.argmax(logits, axis=-1)
    out = np.empty(len(logits), dtype=np.int64)
    for r, row in enumerate(logits):
        z = (row - row.max()) / temperature
        p = np.exp(z)
        out[r] = rng.choice(len(row), p=p / p.sum())
    return out
''',
        # the Gumbel-max trick: argmax of logits / T plus Gumbel noise
        '''
def sample_with_temperature(logits, temperature, rng):
    if temperature == 0:
        return logits.argmax(axis=1)
    gumbel = -np.log(-np.log(rng.uniform(np.finfo(float).tiny, 1.0, size=logits.shape)))
    return np.argmax(logits / temperature + gumbel, axis=1)
''',
    ],
}

WRONG = {
    "rnn_forward": {
        "h0 ignored: the states start from zeros": '''
def rnn_forward(x, h0, Wx, Wh, b):
    hs = np.zeros((x.shape[0], x.shape[1], Wh.shape[0]))
    h = np.zeros_like(h0)
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        hs[:, t] = h
    return hs
''',
        "Wh multiplied from the left (Wh h instead of h Wh)": '''
def rnn_forward(x, h0, Wx, Wh, b):
    hs = np.zeros((x.shape[0], x.shape[1], Wh.shape[0]))
    h = h0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh.T + b)
        hs[:, t] = h
    return hs
''',
        "h0 returned as the first state (T + 1 states)": '''
def rnn_forward(x, h0, Wx, Wh, b):
    states = [h0]
    for t in range(x.shape[1]):
        states.append(np.tanh(x[:, t] @ Wx + states[-1] @ Wh + b))
    return np.stack(states, axis=1)
''',
        "the bias forgotten": '''
def rnn_forward(x, h0, Wx, Wh, b):
    hs = np.zeros((x.shape[0], x.shape[1], Wh.shape[0]))
    h = h0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh)
        hs[:, t] = h
    return hs
''',
        "the states stacked time first (T, n, H)": '''
def rnn_forward(x, h0, Wx, Wh, b):
    states, h = [], h0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        states.append(h)
    return np.array(states)
''',
        "the previous state taken before the tanh (z carried, not h)": '''
def rnn_forward(x, h0, Wx, Wh, b):
    hs = np.zeros((x.shape[0], x.shape[1], Wh.shape[0]))
    z = h0
    for t in range(x.shape[1]):
        z = x[:, t] @ Wx + z @ Wh + b
        hs[:, t] = np.tanh(z)
    return hs
''',
    },
    "rnn_backward": {
        "finite differences with checks.numeric_gradient": '''
def rnn_backward(dhs, x, h0, Wx, Wh, b):
    def forward(x, h0, Wx, Wh, b):
        h, out = h0, []
        for t in range(x.shape[1]):
            h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
            out.append(h)
        return np.stack(out, axis=1)
    args = [x, h0, Wx, Wh, b]
    grads = []
    for k in range(5):
        def loss(v, k=k):
            values = list(args)
            values[k] = v
            return np.sum(dhs * forward(*values))
        grads.append(checks.numeric_gradient(loss, args[k]))
    return tuple(grads)
''',
        "hand-written central differences (no helper)": '''
def rnn_backward(dhs, x, h0, Wx, Wh, b):
    def forward(x, h0, Wx, Wh, b):
        h, out = h0, []
        for t in range(x.shape[1]):
            h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
            out.append(h)
        return np.stack(out, axis=1)
    args = [np.array(a, dtype=float) for a in (x, h0, Wx, Wh, b)]
    grads = []
    for k, a in enumerate(args):
        g = np.zeros_like(a)
        for index in np.ndindex(a.shape):
            old = a[index]
            a[index] = old + 1e-6
            up = np.sum(dhs * forward(*args))
            a[index] = old - 1e-6
            down = np.sum(dhs * forward(*args))
            a[index] = old
            g[index] = (up - down) / 2e-6
        grads.append(g)
    return tuple(grads)
''',
        "truncated: no gradient carried to earlier steps": '''
def rnn_backward(dhs, x, h0, Wx, Wh, b):
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        hs.append(h)
    dx = np.zeros(x.shape)
    dWx, dWh, db, dh0 = np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(b.shape), np.zeros(h0.shape)
    for t in range(x.shape[1]):
        dz = dhs[:, t] * (1 - hs[t] ** 2)
        prev = hs[t - 1] if t else h0
        dx[:, t] = dz @ Wx.T
        dWx += x[:, t].T @ dz
        dWh += prev.T @ dz
        db += dz.sum(0)
        if t == 0:
            dh0 = dz @ Wh.T
    return dx, dh0, dWx, dWh, db
''',
        "the tanh derivative forgotten": '''
def rnn_backward(dhs, x, h0, Wx, Wh, b):
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        hs.append(h)
    dx = np.zeros(x.shape)
    dWx, dWh, db = np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(b.shape)
    dh = np.zeros(h0.shape)
    for t in reversed(range(x.shape[1])):
        dz = dhs[:, t] + dh
        prev = hs[t - 1] if t else h0
        dx[:, t] = dz @ Wx.T
        dWx += x[:, t].T @ dz
        dWh += prev.T @ dz
        db += dz.sum(0)
        dh = dz @ Wh.T
    return dx, dh, dWx, dWh, db
''',
        "dWh paired with the current state, not the previous one": '''
def rnn_backward(dhs, x, h0, Wx, Wh, b):
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        hs.append(h)
    dx = np.zeros(x.shape)
    dWx, dWh, db = np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(b.shape)
    dh = np.zeros(h0.shape)
    for t in reversed(range(x.shape[1])):
        dz = (dhs[:, t] + dh) * (1 - hs[t] ** 2)
        dx[:, t] = dz @ Wx.T
        dWx += x[:, t].T @ dz
        dWh += hs[t].T @ dz
        db += dz.sum(0)
        dh = dz @ Wh.T
    return dx, dh, dWx, dWh, db
''',
        "the gradient carried back through Wh, not its transpose": '''
def rnn_backward(dhs, x, h0, Wx, Wh, b):
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        hs.append(h)
    dx = np.zeros(x.shape)
    dWx, dWh, db = np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(b.shape)
    dh = np.zeros(h0.shape)
    for t in reversed(range(x.shape[1])):
        dz = (dhs[:, t] + dh) * (1 - hs[t] ** 2)
        prev = hs[t - 1] if t else h0
        dx[:, t] = dz @ Wx.T
        dWx += x[:, t].T @ dz
        dWh += prev.T @ dz
        db += dz.sum(0)
        dh = dz @ Wh
    return dx, dh, dWx, dWh, db
''',
        "float32 throughout": '''
def rnn_backward(dhs, x, h0, Wx, Wh, b):
    f = np.float32
    x, h0, Wx, Wh, b, dhs = (np.asarray(a, dtype=f) for a in (x, h0, Wx, Wh, b, dhs))
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        hs.append(h)
    dx = np.zeros(x.shape, f)
    dWx, dWh, db = np.zeros(Wx.shape, f), np.zeros(Wh.shape, f), np.zeros(b.shape, f)
    dh = np.zeros(h0.shape, f)
    for t in reversed(range(x.shape[1])):
        dz = (dhs[:, t] + dh) * (1 - hs[t] ** 2)
        prev = hs[t - 1] if t else h0
        dx[:, t] = dz @ Wx.T
        dWx += x[:, t].T @ dz
        dWh += prev.T @ dz
        db += dz.sum(0)
        dh = dz @ Wh.T
    return dx, dh, dWx, dWh, db
''',
    },
    "clip_by_global_norm": {
        "each array clipped by its own norm": '''
def clip_by_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    out = []
    for g in grads:
        own = np.sqrt(np.sum(np.square(g)))
        out.append(g * (max_norm / own) if own > max_norm else np.array(g, dtype=float))
    return out, norm
''',
        "always rescaled to max_norm, even when smaller": '''
def clip_by_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    return [g * (max_norm / norm) for g in grads], norm
''',
        "the sum of squares returned as the norm (no square root)": '''
def clip_by_global_norm(grads, max_norm):
    norm = float(sum(np.sum(np.square(g)) for g in grads))
    scale = max_norm / norm if norm > max_norm else 1.0
    return [g * scale for g in grads], norm
''',
        "the arrays scaled in place": '''
def clip_by_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    if norm > max_norm:
        for g in grads:
            g *= max_norm / norm
    return list(grads), norm
''',
        "clipping each entry to [-max_norm, max_norm]": '''
def clip_by_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    return [np.clip(g, -max_norm, max_norm) for g in grads], norm
''',
        "min(1, max_norm / norm) without a guard: NaN for zero gradients": '''
def clip_by_global_norm(grads, max_norm):
    norm = np.sqrt(sum(np.sum(np.square(g)) for g in grads))
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.minimum(1.0, max_norm / norm) if norm != 0 else np.nan
    return [g * factor for g in grads], float(norm)
''',
    },
    "lstm_cell": {
        "gates in the order input, forget, output, candidate": '''
def lstm_cell(x, h, c, kernel, recurrent_kernel, bias):
    z = x @ kernel + h @ recurrent_kernel + bias
    zi, zf, zo, zg = np.split(z, 4, axis=1)
    s = lambda v: 1 / (1 + np.exp(-v))
    c_new = s(zf) * c + s(zi) * np.tanh(zg)
    return s(zo) * np.tanh(c_new), c_new
''',
        "h_new without the tanh of the cell state": '''
def lstm_cell(x, h, c, kernel, recurrent_kernel, bias):
    z = x @ kernel + h @ recurrent_kernel + bias
    zi, zf, zg, zo = np.split(z, 4, axis=1)
    s = lambda v: 1 / (1 + np.exp(-v))
    c_new = s(zf) * c + s(zi) * np.tanh(zg)
    return s(zo) * c_new, c_new
''',
        "the candidate squashed with a sigmoid": '''
def lstm_cell(x, h, c, kernel, recurrent_kernel, bias):
    z = x @ kernel + h @ recurrent_kernel + bias
    zi, zf, zg, zo = np.split(z, 4, axis=1)
    s = lambda v: 1 / (1 + np.exp(-v))
    c_new = s(zf) * c + s(zi) * s(zg)
    return s(zo) * np.tanh(c_new), c_new
''',
        "the gates split along the batch axis": '''
def lstm_cell(x, h, c, kernel, recurrent_kernel, bias):
    z = (x @ kernel + h @ recurrent_kernel + bias).reshape(-1, 4, h.shape[1])
    s = lambda v: 1 / (1 + np.exp(-v))
    zi, zf, zg, zo = z[:, 0], z[:, 1], z[:, 2], z[:, 3]
    if h.shape[0] > 1:
        zi, zf, zg, zo = np.split(z.reshape(len(x), -1), 4, axis=0) if len(x) % 4 == 0 else (z[:, 0], z[:, 0], z[:, 0], z[:, 0])
    c_new = s(zf) * c + s(zi) * np.tanh(zg)
    return s(zo) * np.tanh(c_new), c_new
''',
        "the forget gate applied to the candidate and the input gate to the old cell": '''
def lstm_cell(x, h, c, kernel, recurrent_kernel, bias):
    z = x @ kernel + h @ recurrent_kernel + bias
    zi, zf, zg, zo = np.split(z, 4, axis=1)
    s = lambda v: 1 / (1 + np.exp(-v))
    c_new = s(zi) * c + s(zf) * np.tanh(zg)
    return s(zo) * np.tanh(c_new), c_new
''',
        "scipy's expit for the sigmoid": '''
from scipy.special import expit

def lstm_cell(x, h, c, kernel, recurrent_kernel, bias):
    z = x @ kernel + h @ recurrent_kernel + bias
    zi, zf, zg, zo = np.split(z, 4, axis=1)
    c_new = expit(zf) * c + expit(zi) * np.tanh(zg)
    return expit(zo) * np.tanh(c_new), c_new
''',
    },
    "make_windows": {
        "one window too few (range(T - lookback - horizon))": '''
def make_windows(series, lookback, horizon):
    if lookback < 1 or horizon < 1 or len(series) < lookback + horizon:
        raise ValueError("too short")
    m = len(series) - lookback - horizon
    X = np.array([series[i:i + lookback] for i in range(m)])
    y = np.array([series[i + lookback + horizon - 1] for i in range(m)])
    return X, y
''',
        "the target one step too late (i + lookback + horizon)": '''
def make_windows(series, lookback, horizon):
    m = len(series) - lookback - horizon + 1
    if lookback < 1 or horizon < 1 or m < 1:
        raise ValueError("too short")
    X = np.array([series[i:i + lookback] for i in range(m)])
    y = np.array([series[min(i + lookback + horizon, len(series) - 1)] for i in range(m)])
    return X, y
''',
        "horizon ignored (always the next step)": '''
def make_windows(series, lookback, horizon):
    m = len(series) - lookback - horizon + 1
    if lookback < 1 or horizon < 1 or m < 1:
        raise ValueError("too short")
    X = np.array([series[i:i + lookback] for i in range(m)])
    y = np.array([series[i + lookback] for i in range(m)])
    return X, y
''',
        "the window includes its target": '''
def make_windows(series, lookback, horizon):
    m = len(series) - lookback - horizon + 1
    if lookback < 1 or horizon < 1 or m < 1:
        raise ValueError("too short")
    X = np.array([series[i + horizon:i + horizon + lookback] for i in range(m)])
    y = np.array([series[i + lookback + horizon - 1] for i in range(m)])
    return X, y
''',
        "no ValueError: an empty data set for a short series": '''
def make_windows(series, lookback, horizon):
    m = max(len(series) - lookback - horizon + 1, 0)
    X = np.array([series[i:i + lookback] for i in range(m)])
    y = np.array([series[i + lookback + horizon - 1] for i in range(m)])
    return X, y
''',
        "a 2-d series flattened into the windows": '''
def make_windows(series, lookback, horizon):
    m = len(series) - lookback - horizon + 1
    if lookback < 1 or horizon < 1 or m < 1:
        raise ValueError("too short")
    X = np.array([np.ravel(series[i:i + lookback]) for i in range(m)])
    y = np.array([series[i + lookback + horizon - 1] for i in range(m)])
    return X, y
''',
    },
    "sample_with_temperature": {
        "the logits multiplied by the temperature": '''
def sample_with_temperature(logits, temperature, rng):
    if temperature == 0:
        return np.argmax(logits, axis=1)
    z = logits * temperature
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return np.array([rng.choice(len(row), p=row) for row in p])
''',
        "no shift before exp: overflow for large logits": '''
def sample_with_temperature(logits, temperature, rng):
    if temperature == 0:
        return np.argmax(logits, axis=1)
    with np.errstate(over="ignore", invalid="ignore"):
        p = np.exp(logits / temperature)
        p = p / p.sum(axis=1, keepdims=True)
    u = rng.random((len(p), 1))
    return np.minimum((np.cumsum(p, axis=1) < u).sum(axis=1), p.shape[1] - 1)
''',
        "np.random's global state instead of rng": '''
def sample_with_temperature(logits, temperature, rng):
    if temperature == 0:
        return np.argmax(logits, axis=1)
    z = logits / temperature
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return np.array([np.random.choice(len(row), p=row) for row in p])
''',
        "normalised over the batch (axis 0) instead of each row": '''
def sample_with_temperature(logits, temperature, rng):
    if temperature == 0:
        return np.argmax(logits, axis=1)
    z = logits / temperature
    p = np.exp(z - z.max())
    p = p / p.sum(axis=0, keepdims=True)
    p = p / p.sum(axis=1, keepdims=True)
    u = rng.random((len(p), 1))
    return np.minimum((np.cumsum(p, axis=1) < u).sum(axis=1), p.shape[1] - 1)
''',
        "temperature ignored (always the plain softmax)": '''
def sample_with_temperature(logits, temperature, rng):
    if temperature == 0:
        return np.argmax(logits, axis=1)
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    u = rng.random((len(p), 1))
    return np.minimum((np.cumsum(p, axis=1) < u).sum(axis=1), p.shape[1] - 1)
''',
        "temperature 0 divides by zero": '''
def sample_with_temperature(logits, temperature, rng):
    z = logits / temperature
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    u = rng.random((len(p), 1))
    return np.minimum((np.cumsum(p, axis=1) < u).sum(axis=1), p.shape[1] - 1)
''',
        "the shift by the row maximum done in place on the logits": '''
def sample_with_temperature(logits, temperature, rng):
    if temperature == 0:
        return np.argmax(logits, axis=1)
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits / temperature)
    p /= p.sum(axis=1, keepdims=True)
    u = rng.random((len(p), 1))
    return np.minimum((np.cumsum(p, axis=1) < u).sum(axis=1), p.shape[1] - 1)
''',
    },
}

REASONS = {
    "rnn_forward": {
        "h0 ignored: the states start from zeros": "the hidden states for one sequence of 3 steps with one feature and one unit has the right shape",
        "Wh multiplied from the left (Wh h instead of h Wh)": "the hidden states for x (3, 5, 2) (n, T, d) and 4 units has the right shape",
        "h0 returned as the first state (T + 1 states)": "has shape (1, 4, 1), but the shape should be (1, 3, 1)",
        "the bias forgotten": "the hidden states for one sequence of 3 steps with one feature and one unit has the right shape",
        "the states stacked time first (T, n, H)": "has shape (3, 1, 1), but the shape should be (1, 3, 1)",
        "the previous state taken before the tanh (z carried, not h)": "2 of 3 values are off",
    },
    "rnn_backward": {
        "finite differences with checks.numeric_gradient": "uses `numeric_gradient`",
        "hand-written central differences (no helper)": "dx for saturated tanh units",
        "truncated: no gradient carried to earlier steps": "dx for x (2, 3, 2), 3 units, a loss on every step has the right shape",
        "the tanh derivative forgotten": "dx for x (2, 3, 2), 3 units, a loss on every step has the right shape",
        "dWh paired with the current state, not the previous one": "dWh for x (2, 3, 2), 3 units, a loss on every step has the right shape",
        "the gradient carried back through Wh, not its transpose": "dx for x (2, 3, 2), 3 units, a loss on every step has the right shape",
        "float32 throughout": "dx for saturated tanh units",
    },
    "clip_by_global_norm": {
        "each array clipped by its own norm": "clipped array 0 for [3, 0] and [[4]] with max_norm 1 (norm 5) has the right shape",
        "always rescaled to max_norm, even when smaller": "clipped array 0 for a norm 5 below max_norm 10",
        "the sum of squares returned as the norm (no square root)": "the global norm for [3, 0] and [[4]] with max_norm 1 (norm 5) is off",
        "the arrays scaled in place": "clip_by_global_norm changed argument 1 in place",
        "clipping each entry to [-max_norm, max_norm]": "clipped array 0 for [3, 0] and [[4]] with max_norm 1 (norm 5) has the right shape",
        "min(1, max_norm / norm) without a guard: NaN for zero gradients": "clipped array 0 for zero gradients contains NaN",
    },
    "lstm_cell": {
        "gates in the order input, forget, output, candidate": "c_new for one sequence, one feature and one unit has the right shape",
        "h_new without the tanh of the cell state": "h_new for one sequence, one feature and one unit has the right shape",
        "the candidate squashed with a sigmoid": "c_new for one sequence, one feature and one unit has the right shape",
        "the gates split along the batch axis": "c_new for x (3, 2) and 4 units has the right shape",
        "the forget gate applied to the candidate and the input gate to the old cell": "c_new for one sequence, one feature and one unit has the right shape",
        "scipy's expit for the sigmoid": "uses `scipy`",
    },
    "make_windows": {
        "one window too few (range(T - lookback - horizon))": "X for the series 1, ..., 6, lookback 3, horizon 1 has shape (2, 3)",
        "the target one step too late (i + lookback + horizon)": "y for the series 1, ..., 6, lookback 3, horizon 1 has the right shape",
        "horizon ignored (always the next step)": "y for a series of 40 steps, lookback 5, horizon 3 has the right shape",
        "the window includes its target": "X for the series 1, ..., 6, lookback 3, horizon 1 has the right shape",
        "no ValueError: an empty data set for a short series": "make_windows must raise ValueError",
        "a 2-d series flattened into the windows": "X for a (30, 3) series, lookback 4, horizon 2 has shape (25, 12)",
    },
    "sample_with_temperature": {
        "the logits multiplied by the temperature": "draws from logits [1, 2, 0] at temperature 2.5 do not match",
        "no shift before exp: overflow for large logits": "draws from logits in the thousands do not match",
        "np.random's global state instead of rng": "Two calls with generators seeded alike gave different draws",
        "normalised over the batch (axis 0) instead of each row": "draws from logits [1, 2, 0] at temperature 1 do not match",
        "temperature ignored (always the plain softmax)": "draws from logits [1, 2, 0] at temperature 2.5 do not match",
        "temperature 0 divides by zero": "the draws at temperature 0 has the right shape",
        "the shift by the row maximum done in place on the logits": "sample_with_temperature changed argument 1 in place",
    },
}
