"""Student answers for exercise 08 (convolutional networks), used to test its grader through nbgrader.

For each graded part (keyed by the grade_id of its solution cell): ``CORRECT`` holds alternative
correct implementations written differently from the reference (loops over output pixels against
einsum over kernel offsets, ``sliding_window_view``, a dilated-gradient "full correlation" backward,
float32 arithmetic, a backward recursion for receptive fields, the Sequential ``add`` style, a sum
instead of a mean where a normalisation cancels it), each of which must earn full marks, and ``WRONG``
the plausible mistakes a student makes, each of which must earn zero on its part. Each entry is the
whole source of the solution cell, as a student would leave it.

``REASONS`` says, for every wrong answer, what its test cell must report (a substring of
``"ExceptionName: message"`` of the error the test cell raised). No part's tests call another part's
code, so the wrong answers of one submission are independent.
"""

CORRECT = {
    "conv2d_forward": [
        # a loop over output pixels, one tensordot per pixel, float32 arithmetic
        '''
def conv2d_forward(x, w, b, stride, pad):
    n, c, h, width = x.shape
    f, c2, kh, kw = w.shape
    if c != c2:
        raise ValueError("channels differ")
    if b.shape != (f,):
        raise ValueError("one bias per filter")
    H, W = h + 2 * pad, width + 2 * pad
    if kh > H or kw > W:
        raise ValueError("kernel too large")
    xp = np.zeros((n, c, H, W), dtype=np.float32)
    xp[:, :, pad:pad + h, pad:pad + width] = x
    ho, wo = (H - kh) // stride + 1, (W - kw) // stride + 1
    out = np.empty((n, f, ho, wo), dtype=np.float32)
    for r in range(ho):
        for s in range(wo):
            window = xp[:, :, r * stride:r * stride + kh, s * stride:s * stride + kw]
            out[:, :, r, s] = np.tensordot(window, w.astype(np.float32), axes=([1, 2, 3], [1, 2, 3])) + b
    return out
''',
        # im2col with sliding_window_view, then a single einsum
        '''
from numpy.lib.stride_tricks import sliding_window_view

def conv2d_forward(x, w, b, stride, pad):
    f, c, kh, kw = w.shape
    if x.shape[1] != c or b.shape != (f,):
        raise ValueError("shapes do not fit")
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)], mode="constant")
    windows = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    return np.einsum("nchwpq,fcpq->nfhw", windows, w) + b.reshape(1, f, 1, 1)
''',
    ],
    "conv2d_backward": [
        # a loop over output pixels: each window sends dout back to the pixels and weights it met (float32)
        '''
def conv2d_backward(dout, x, w, b, stride, pad):
    n, c, h, width = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))).astype(np.float32)
    g = dout.astype(np.float32)
    dxp = np.zeros(xp.shape, dtype=np.float32)
    dw = np.zeros(w.shape, dtype=np.float32)
    for r in range(dout.shape[2]):
        for s in range(dout.shape[3]):
            rows = slice(r * stride, r * stride + kh)
            cols = slice(s * stride, s * stride + kw)
            dw += np.einsum("nf,nchw->fchw", g[:, :, r, s], xp[:, :, rows, cols])
            dxp[:, :, rows, cols] += np.einsum("nf,fchw->nchw", g[:, :, r, s], w.astype(np.float32))
    db = g.sum(axis=0).sum(axis=-1).sum(axis=-1)
    return dxp[:, :, pad:pad + h, pad:pad + width], dw, db
''',
        # dilate dout onto the grid of window origins; dw is a correlation of x with it, dx a full
        # correlation of it with the flipped kernels
        '''
from numpy.lib.stride_tricks import sliding_window_view

def conv2d_backward(dout, x, w, b, stride, pad):
    n, c, h, width = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    H, W = xp.shape[2], xp.shape[3]
    dilated = np.zeros((n, f, H - kh + 1, W - kw + 1))
    dilated[:, :, ::stride, ::stride] = dout
    big = sliding_window_view(xp, (H - kh + 1, W - kw + 1), axis=(2, 3))
    dw = np.einsum("nfij,ncpqij->fcpq", dilated, big)
    full = np.pad(dilated, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    small = sliding_window_view(full, (kh, kw), axis=(2, 3))
    dxp = np.einsum("nfijpq,fcpq->ncij", small, w[:, :, ::-1, ::-1])
    return dxp[:, :, pad:pad + h, pad:pad + width], dw, np.einsum("nfij->f", dout)
''',
    ],
    "max_pool": [
        # explicit loops over output pixels; the first maximum found by a masked flat index
        '''
def max_pool_forward(x, size, stride):
    n, c, h, w = x.shape
    if size > min(h, w):
        raise ValueError("window too large")
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.empty((n, c, ho, wo), dtype=x.dtype)
    for r in range(ho):
        for s in range(wo):
            out[:, :, r, s] = x[:, :, r * stride:r * stride + size, s * stride:s * stride + size].max(axis=(2, 3))
    return out


def max_pool_backward(dout, x, size, stride):
    n, c, h, w = x.shape
    dx = np.zeros_like(x, dtype=np.float64)
    for i in range(n):
        for j in range(c):
            for r in range(dout.shape[2]):
                for s in range(dout.shape[3]):
                    window = x[i, j, r * stride:r * stride + size, s * stride:s * stride + size]
                    flat = np.flatnonzero(window == window.max())[0]
                    dx[i, j, r * stride + flat // size, s * stride + flat % size] += dout[i, j, r, s]
    return dx
''',
        # sliding_window_view for both; all first maxima scattered at once with unravel_index and add.at
        '''
from numpy.lib.stride_tricks import sliding_window_view

def max_pool_forward(x, size, stride):
    if size > x.shape[2] or size > x.shape[3]:
        raise ValueError("the window does not fit")
    return sliding_window_view(x, (size, size), axis=(2, 3))[:, :, ::stride, ::stride].max(axis=(-2, -1))


def max_pool_backward(dout, x, size, stride):
    windows = sliding_window_view(x, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]
    n, c, ho, wo = windows.shape[:4]
    first = windows.reshape(n, c, ho, wo, size * size).argmax(axis=-1)
    p, q = np.unravel_index(first, (size, size))
    rows = np.arange(ho)[None, None, :, None] * stride + p
    cols = np.arange(wo)[None, None, None, :] * stride + q
    ni = np.arange(n)[:, None, None, None] + np.zeros_like(p)
    ci = np.arange(c)[None, :, None, None] + np.zeros_like(p)
    dx = np.zeros(x.shape)
    np.add.at(dx, (ni, ci, rows, cols), dout)
    return dx
''',
    ],
    "cnn_geometry": [
        # math.floor / math.ceil, the jump kept as the product of the strides so far
        '''
import math

def cnn_geometry(input_size, in_channels, layers):
    rows = []
    s, ch = input_size, in_channels
    strides_so_far = []
    rf = 1
    for kind, k, st, padding, filters in layers:
        if padding == "same":
            s = math.ceil(s / st)
        elif k <= s:
            s = math.floor((s - k) / st) + 1
        else:
            raise ValueError(f"kernel {k} larger than input {s}")
        rf = rf + (k - 1) * math.prod(strides_so_far)
        strides_so_far.append(st)
        params = (k * k * ch + 1) * filters if kind == "conv" else 0
        ch = filters if kind == "conv" else ch
        rows.append(dict(size=int(s), channels=ch, receptive_field=rf, params=params))
    return rows
''',
        # the receptive field from the top down: r = (r - 1) * stride + kernel back to the image
        '''
def cnn_geometry(input_size, in_channels, layers):
    result = []
    size, channels = input_size, in_channels
    for index, (kind, kernel, stride, padding, filters) in enumerate(layers):
        if padding == "valid" and kernel > size:
            raise ValueError("a valid layer needs kernel <= input size")
        size = (size - kernel) // stride + 1 if padding == "valid" else (size + stride - 1) // stride
        field = 1
        for k2, s2 in reversed([(layer[1], layer[2]) for layer in layers[:index + 1]]):
            field = (field - 1) * s2 + k2
        params = 0
        if kind == "conv":
            params = filters * (kernel ** 2 * channels + 1)
            channels = filters
        result.append({"size": size, "channels": channels, "receptive_field": field, "params": params})
    return result
''',
    ],
    "build_cnn": [
        # the add() style, MaxPool2D alias with explicit strides, tuple kernel size, activation objects
        '''
def build_cnn(input_shape, filters, n_classes, kernel_size):
    model = keras.Sequential()
    model.add(keras.layers.Input(shape=input_shape))
    for f in filters:
        model.add(keras.layers.Conv2D(filters=f, kernel_size=(kernel_size, kernel_size), padding="same",
                                      activation=keras.activations.relu))
        model.add(keras.layers.MaxPool2D(pool_size=(2, 2), strides=2))
    model.add(keras.layers.Flatten())
    model.add(keras.layers.Dense(n_classes, activation=keras.activations.softmax))
    return model
''',
        # a comprehension of blocks, a named and compiled model (allowed)
        '''
def build_cnn(input_shape, filters, n_classes, kernel_size):
    blocks = [layer for f in filters for layer in (keras.layers.Conv2D(f, kernel_size, padding="same", activation="relu"),
                                                   keras.layers.MaxPooling2D())]
    model = keras.Sequential([keras.Input(input_shape), *blocks, keras.layers.Flatten(),
                              keras.layers.Dense(n_classes, activation="softmax")], name="my_cnn")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model
''',
    ],
    "grad_cam": [
        # a loop over images, tensordot, float32 result
        '''
def grad_cam(feature_maps, gradients):
    n, h, w, c = feature_maps.shape
    out = np.zeros((n, h, w), dtype=np.float32)
    for i in range(n):
        alpha = gradients[i].reshape(h * w, c).mean(axis=0)
        m = np.tensordot(feature_maps[i], alpha, axes=1)
        m[m < 0] = 0
        if m.max() > 0:
            out[i] = m / m.max()
    return out
''',
        # the sum over positions instead of the mean: the per-image normalisation cancels the factor h*w
        '''
def grad_cam(feature_maps, gradients):
    alpha = gradients.sum(axis=(1, 2), keepdims=True)
    m = np.clip((feature_maps * alpha).sum(axis=-1), 0, None)
    top = m.max(axis=(1, 2), keepdims=True)
    return m / np.where(top > 0, top, 1.0)
''',
    ],
}

WRONG = {
    "conv2d_forward": {
        "true convolution: the kernel flipped": '''
def conv2d_forward(x, w, b, stride, pad):
    n, c, h, width = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    h_out, w_out = (h + 2 * pad - kh) // stride + 1, (width + 2 * pad - kw) // stride + 1
    flipped = w[:, :, ::-1, ::-1]
    out = np.zeros((n, f, h_out, w_out))
    for p in range(kh):
        for q in range(kw):
            patch = xp[:, :, p:p + stride * (h_out - 1) + 1:stride, q:q + stride * (w_out - 1) + 1:stride]
            out += np.einsum("nchw,fc->nfhw", patch, flipped[:, :, p, q])
    return out + b[None, :, None, None]
''',
        "only the first channel (the visible test has one)": '''
def conv2d_forward(x, w, b, stride, pad):
    n, c, h, width = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x[:, 0], ((0, 0), (pad, pad), (pad, pad)))
    h_out, w_out = (h + 2 * pad - kh) // stride + 1, (width + 2 * pad - kw) // stride + 1
    out = np.zeros((n, f, h_out, w_out))
    for p in range(kh):
        for q in range(kw):
            patch = xp[:, p:p + stride * (h_out - 1) + 1:stride, q:q + stride * (w_out - 1) + 1:stride]
            out += patch[:, None] * w[None, :, 0, p, q, None, None]
    return out + b[None, :, None, None]
''',
        "square images assumed (the width taken from the height)": '''
def conv2d_forward(x, w, b, stride, pad):
    n, c, h, _ = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    size = (h + 2 * pad - kh) // stride + 1
    out = np.zeros((n, f, size, size))
    for p in range(kh):
        for q in range(kw):
            patch = xp[:, :, p:p + stride * (size - 1) + 1:stride, q:q + stride * (size - 1) + 1:stride]
            out += np.einsum("nchw,fc->nfhw", patch, w[:, :, p, q])
    return out + b[None, :, None, None]
''',
        "the bias forgotten": '''
def conv2d_forward(x, w, b, stride, pad):
    n, c, h, width = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    h_out, w_out = (h + 2 * pad - kh) // stride + 1, (width + 2 * pad - kw) // stride + 1
    out = np.zeros((n, f, h_out, w_out))
    for p in range(kh):
        for q in range(kw):
            patch = xp[:, :, p:p + stride * (h_out - 1) + 1:stride, q:q + stride * (w_out - 1) + 1:stride]
            out += np.einsum("nchw,fc->nfhw", patch, w[:, :, p, q])
    return out
''',
        "scipy's correlate": '''
from scipy.signal import correlate

def conv2d_forward(x, w, b, stride, pad):
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.stack([np.stack([correlate(xp[i], w[j], mode="valid")[0] for j in range(w.shape[0])])
                    for i in range(x.shape[0])])
    return out[:, :, ::stride, ::stride] + b[None, :, None, None]
''',
        "the output size without the + 1": '''
def conv2d_forward(x, w, b, stride, pad):
    n, c, h, width = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    h_out, w_out = max((h + 2 * pad - kh) // stride, 1), max((width + 2 * pad - kw) // stride, 1)
    out = np.zeros((n, f, h_out, w_out))
    for p in range(kh):
        for q in range(kw):
            patch = xp[:, :, p:p + stride * (h_out - 1) + 1:stride, q:q + stride * (w_out - 1) + 1:stride]
            out += np.einsum("nchw,fc->nfhw", patch, w[:, :, p, q])
    return out + b[None, :, None, None]
''',
        "padding on the top and left only": '''
def conv2d_forward(x, w, b, stride, pad):
    n, c, h, width = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (2 * pad, 0), (2 * pad, 0)))
    h_out, w_out = (h + 2 * pad - kh) // stride + 1, (width + 2 * pad - kw) // stride + 1
    out = np.zeros((n, f, h_out, w_out))
    for p in range(kh):
        for q in range(kw):
            patch = xp[:, :, p:p + stride * (h_out - 1) + 1:stride, q:q + stride * (w_out - 1) + 1:stride]
            out += np.einsum("nchw,fc->nfhw", patch, w[:, :, p, q])
    return out + b[None, :, None, None]
''',
    },
    "conv2d_backward": {
        "finite differences through conv2d_forward": '''
def conv2d_backward(dout, x, w, b, stride, pad):
    def loss(xv, wv, bv):
        return float(np.sum(dout * conv2d_forward(xv, wv, bv, stride, pad)))
    grads = []
    for which in range(3):
        args = [x.astype(float).copy(), w.astype(float).copy(), b.astype(float).copy()]
        g = np.zeros(args[which].shape)
        for idx in np.ndindex(g.shape):
            plus = [a.copy() for a in args]; plus[which][idx] += 1e-5
            minus = [a.copy() for a in args]; minus[which][idx] -= 1e-5
            g[idx] = (loss(*plus) - loss(*minus)) / 2e-5
        grads.append(g)
    return tuple(grads)
''',
        "db summed over the batch only": '''
def conv2d_backward(dout, x, w, b, stride, pad):
    n, c, h, width = x.shape
    f, _, kh, kw = w.shape
    h_out, w_out = dout.shape[2], dout.shape[3]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))).astype(np.float64)
    dxp = np.zeros_like(xp)
    dw = np.zeros(w.shape)
    for p in range(kh):
        for q in range(kw):
            rows = slice(p, p + stride * (h_out - 1) + 1, stride)
            cols = slice(q, q + stride * (w_out - 1) + 1, stride)
            dw[:, :, p, q] = np.einsum("nfhw,nchw->fc", dout, xp[:, :, rows, cols])
            dxp[:, :, rows, cols] += np.einsum("nfhw,fc->nchw", dout, w[:, :, p, q])
    return dxp[:, :, pad:pad + h, pad:pad + width], dw, dout.sum(axis=0)
''',
        "dx keeps the padding": '''
def conv2d_backward(dout, x, w, b, stride, pad):
    f, _, kh, kw = w.shape
    h_out, w_out = dout.shape[2], dout.shape[3]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))).astype(np.float64)
    dxp = np.zeros_like(xp)
    dw = np.zeros(w.shape)
    for p in range(kh):
        for q in range(kw):
            rows = slice(p, p + stride * (h_out - 1) + 1, stride)
            cols = slice(q, q + stride * (w_out - 1) + 1, stride)
            dw[:, :, p, q] = np.einsum("nfhw,nchw->fc", dout, xp[:, :, rows, cols])
            dxp[:, :, rows, cols] += np.einsum("nfhw,fc->nchw", dout, w[:, :, p, q])
    return dxp, dw, dout.sum(axis=(0, 2, 3))
''',
        "dw ignores the stride": '''
def conv2d_backward(dout, x, w, b, stride, pad):
    n, c, h, width = x.shape
    f, _, kh, kw = w.shape
    h_out, w_out = dout.shape[2], dout.shape[3]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))).astype(np.float64)
    dxp = np.zeros_like(xp)
    dw = np.zeros(w.shape)
    for p in range(kh):
        for q in range(kw):
            rows = slice(p, p + stride * (h_out - 1) + 1, stride)
            cols = slice(q, q + stride * (w_out - 1) + 1, stride)
            dw[:, :, p, q] = np.einsum("nfhw,nchw->fc", dout, xp[:, :, p:p + h_out, q:q + w_out])
            dxp[:, :, rows, cols] += np.einsum("nfhw,fc->nchw", dout, w[:, :, p, q])
    return dxp[:, :, pad:pad + h, pad:pad + width], dw, dout.sum(axis=(0, 2, 3))
''',
        "dx overwritten where windows overlap": '''
def conv2d_backward(dout, x, w, b, stride, pad):
    n, c, h, width = x.shape
    f, _, kh, kw = w.shape
    h_out, w_out = dout.shape[2], dout.shape[3]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))).astype(np.float64)
    dxp = np.zeros_like(xp)
    dw = np.zeros(w.shape)
    for p in range(kh):
        for q in range(kw):
            rows = slice(p, p + stride * (h_out - 1) + 1, stride)
            cols = slice(q, q + stride * (w_out - 1) + 1, stride)
            dw[:, :, p, q] = np.einsum("nfhw,nchw->fc", dout, xp[:, :, rows, cols])
            dxp[:, :, rows, cols] = np.einsum("nfhw,fc->nchw", dout, w[:, :, p, q])
    return dxp[:, :, pad:pad + h, pad:pad + width], dw, dout.sum(axis=(0, 2, 3))
''',
        "dx with the kernel flipped": '''
def conv2d_backward(dout, x, w, b, stride, pad):
    n, c, h, width = x.shape
    f, _, kh, kw = w.shape
    h_out, w_out = dout.shape[2], dout.shape[3]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))).astype(np.float64)
    dxp = np.zeros_like(xp)
    dw = np.zeros(w.shape)
    flipped = w[:, :, ::-1, ::-1]
    for p in range(kh):
        for q in range(kw):
            rows = slice(p, p + stride * (h_out - 1) + 1, stride)
            cols = slice(q, q + stride * (w_out - 1) + 1, stride)
            dw[:, :, p, q] = np.einsum("nfhw,nchw->fc", dout, xp[:, :, rows, cols])
            dxp[:, :, rows, cols] += np.einsum("nfhw,fc->nchw", dout, flipped[:, :, p, q])
    return dxp[:, :, pad:pad + h, pad:pad + width], dw, dout.sum(axis=(0, 2, 3))
''',
    },
    "max_pool": {
        "ties: every maximum gets the gradient": '''
def max_pool_forward(x, size, stride):
    n, c, h, w = x.shape
    if size > h or size > w:
        raise ValueError("window too large")
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.full((n, c, ho, wo), -np.inf)
    for r in range(ho):
        for s in range(wo):
            out[:, :, r, s] = x[:, :, r * stride:r * stride + size, s * stride:s * stride + size].max(axis=(2, 3))
    return out


def max_pool_backward(dout, x, size, stride):
    dx = np.zeros(x.shape)
    for r in range(dout.shape[2]):
        for s in range(dout.shape[3]):
            window = x[:, :, r * stride:r * stride + size, s * stride:s * stride + size]
            mask = window == window.max(axis=(2, 3), keepdims=True)
            dx[:, :, r * stride:r * stride + size, s * stride:s * stride + size] += mask * dout[:, :, r, s, None, None]
    return dx
''',
        "overlapping windows overwrite each other's gradient": '''
def max_pool_forward(x, size, stride):
    n, c, h, w = x.shape
    if size > h or size > w:
        raise ValueError("window too large")
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.full((n, c, ho, wo), -np.inf)
    for r in range(ho):
        for s in range(wo):
            out[:, :, r, s] = x[:, :, r * stride:r * stride + size, s * stride:s * stride + size].max(axis=(2, 3))
    return out


def max_pool_backward(dout, x, size, stride):
    n, c = x.shape[:2]
    dx = np.zeros(x.shape)
    ni, ci = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
    for r in range(dout.shape[2]):
        for s in range(dout.shape[3]):
            window = x[:, :, r * stride:r * stride + size, s * stride:s * stride + size].reshape(n, c, -1)
            first = window.argmax(axis=2)
            dx[ni, ci, r * stride + first // size, s * stride + first % size] = dout[:, :, r, s]
    return dx
''',
        "partial windows at the border kept (ceil)": '''
def max_pool_forward(x, size, stride):
    n, c, h, w = x.shape
    if size > h or size > w:
        raise ValueError("window too large")
    ho, wo = -(-(h - size) // stride) + 1, -(-(w - size) // stride) + 1
    out = np.full((n, c, ho, wo), -np.inf)
    for r in range(ho):
        for s in range(wo):
            out[:, :, r, s] = x[:, :, r * stride:r * stride + size, s * stride:s * stride + size].max(axis=(2, 3))
    return out


def max_pool_backward(dout, x, size, stride):
    n, c = x.shape[:2]
    dx = np.zeros(x.shape)
    for i in range(n):
        for j in range(c):
            for r in range(dout.shape[2]):
                for s in range(dout.shape[3]):
                    window = x[i, j, r * stride:r * stride + size, s * stride:s * stride + size]
                    p, q = np.unravel_index(window.argmax(), window.shape)
                    dx[i, j, r * stride + p, s * stride + q] += dout[i, j, r, s]
    return dx
''',
        "the running maximum starts at 0": '''
def max_pool_forward(x, size, stride):
    n, c, h, w = x.shape
    if size > h or size > w:
        raise ValueError("window too large")
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.zeros((n, c, ho, wo))
    for p in range(size):
        for q in range(size):
            out = np.maximum(out, x[:, :, p:p + stride * (ho - 1) + 1:stride, q:q + stride * (wo - 1) + 1:stride])
    return out


def max_pool_backward(dout, x, size, stride):
    n, c = x.shape[:2]
    dx = np.zeros(x.shape)
    ni, ci = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
    for r in range(dout.shape[2]):
        for s in range(dout.shape[3]):
            window = x[:, :, r * stride:r * stride + size, s * stride:s * stride + size].reshape(n, c, -1)
            first = window.argmax(axis=2)
            np.add.at(dx, (ni, ci, r * stride + first // size, s * stride + first % size), dout[:, :, r, s])
    return dx
''',
        "average-pooling's backward (dout shared by the window)": '''
def max_pool_forward(x, size, stride):
    n, c, h, w = x.shape
    if size > h or size > w:
        raise ValueError("window too large")
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.full((n, c, ho, wo), -np.inf)
    for p in range(size):
        for q in range(size):
            out = np.maximum(out, x[:, :, p:p + stride * (ho - 1) + 1:stride, q:q + stride * (wo - 1) + 1:stride])
    return out


def max_pool_backward(dout, x, size, stride):
    dx = np.zeros(x.shape)
    for r in range(dout.shape[2]):
        for s in range(dout.shape[3]):
            dx[:, :, r * stride:r * stride + size, s * stride:s * stride + size] += dout[:, :, r, s, None, None] / size ** 2
    return dx
''',
        "ties: the last maximum gets the gradient": '''
def max_pool_forward(x, size, stride):
    n, c, h, w = x.shape
    if size > h or size > w:
        raise ValueError("window too large")
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.full((n, c, ho, wo), -np.inf)
    for p in range(size):
        for q in range(size):
            out = np.maximum(out, x[:, :, p:p + stride * (ho - 1) + 1:stride, q:q + stride * (wo - 1) + 1:stride])
    return out


def max_pool_backward(dout, x, size, stride):
    n, c = x.shape[:2]
    dx = np.zeros(x.shape)
    ni, ci = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
    for r in range(dout.shape[2]):
        for s in range(dout.shape[3]):
            window = x[:, :, r * stride:r * stride + size, s * stride:s * stride + size].reshape(n, c, -1)
            last = size * size - 1 - window[:, :, ::-1].argmax(axis=2)
            np.add.at(dx, (ni, ci, r * stride + last // size, s * stride + last % size), dout[:, :, r, s])
    return dx
''',
    },
    "cnn_geometry": {
        "'same' size from a symmetric padding of (k - 1) // 2": '''
def cnn_geometry(input_size, in_channels, layers):
    size, channels, field, jump, table = input_size, in_channels, 1, 1, []
    for kind, kernel, stride, padding, filters in layers:
        pad = (kernel - 1) // 2 if padding == "same" else 0
        if size + 2 * pad < kernel:
            raise ValueError("kernel too large")
        size = (size + 2 * pad - kernel) // stride + 1
        field += (kernel - 1) * jump
        jump *= stride
        params = kernel * kernel * channels * filters + filters if kind == "conv" else 0
        channels = filters if kind == "conv" else channels
        table.append({"size": size, "channels": channels, "receptive_field": field, "params": params})
    return table
''',
        "receptive field that ignores the strides": '''
def cnn_geometry(input_size, in_channels, layers):
    size, channels, field, table = input_size, in_channels, 1, []
    for kind, kernel, stride, padding, filters in layers:
        if padding == "valid":
            if kernel > size:
                raise ValueError("kernel too large")
            size = (size - kernel) // stride + 1
        else:
            size = -(-size // stride)
        field += kernel - 1
        params = kernel * kernel * channels * filters + filters if kind == "conv" else 0
        channels = filters if kind == "conv" else channels
        table.append({"size": size, "channels": channels, "receptive_field": field, "params": params})
    return table
''',
        "no biases in the parameter count": '''
def cnn_geometry(input_size, in_channels, layers):
    size, channels, field, jump, table = input_size, in_channels, 1, 1, []
    for kind, kernel, stride, padding, filters in layers:
        if padding == "valid":
            if kernel > size:
                raise ValueError("kernel too large")
            size = (size - kernel) // stride + 1
        else:
            size = -(-size // stride)
        field += (kernel - 1) * jump
        jump *= stride
        params = kernel * kernel * channels * filters if kind == "conv" else 0
        channels = filters if kind == "conv" else channels
        table.append({"size": size, "channels": channels, "receptive_field": field, "params": params})
    return table
''',
        "the layer's own stride counted in its receptive field": '''
def cnn_geometry(input_size, in_channels, layers):
    size, channels, field, jump, table = input_size, in_channels, 1, 1, []
    for kind, kernel, stride, padding, filters in layers:
        if padding == "valid":
            if kernel > size:
                raise ValueError("kernel too large")
            size = (size - kernel) // stride + 1
        else:
            size = -(-size // stride)
        jump *= stride
        field += (kernel - 1) * jump
        params = kernel * kernel * channels * filters + filters if kind == "conv" else 0
        channels = filters if kind == "conv" else channels
        table.append({"size": size, "channels": channels, "receptive_field": field, "params": params})
    return table
''',
        "true division: sizes come out as floats": '''
import math

def cnn_geometry(input_size, in_channels, layers):
    size, channels, field, jump, table = input_size, in_channels, 1, 1, []
    for kind, kernel, stride, padding, filters in layers:
        if padding == "valid":
            if kernel > size:
                raise ValueError("kernel too large")
            size = (size - kernel) / stride + 1
        else:
            size = math.ceil(size / stride)
        field += (kernel - 1) * jump
        jump *= stride
        params = kernel * kernel * channels * filters + filters if kind == "conv" else 0
        channels = filters if kind == "conv" else channels
        table.append({"size": size, "channels": channels, "receptive_field": field, "params": params})
    return table
''',
        "pooling counted like a convolution with as many filters as channels": '''
def cnn_geometry(input_size, in_channels, layers):
    size, channels, field, jump, table = input_size, in_channels, 1, 1, []
    for kind, kernel, stride, padding, filters in layers:
        if padding == "valid":
            if kernel > size:
                raise ValueError("kernel too large")
            size = (size - kernel) // stride + 1
        else:
            size = -(-size // stride)
        field += (kernel - 1) * jump
        jump *= stride
        out_channels = filters if kind == "conv" else channels
        params = kernel * kernel * channels * out_channels + out_channels
        channels = out_channels
        table.append({"size": size, "channels": channels, "receptive_field": field, "params": params})
    return table
''',
    },
    "build_cnn": {
        "'valid' padding": '''
def build_cnn(input_shape, filters, n_classes, kernel_size):
    layers = [keras.Input(shape=input_shape)]
    for f in filters:
        layers += [keras.layers.Conv2D(f, kernel_size, activation="relu"), keras.layers.MaxPooling2D(2)]
    return keras.Sequential(layers + [keras.layers.Flatten(), keras.layers.Dense(n_classes, activation="softmax")])
''',
        "no pooling": '''
def build_cnn(input_shape, filters, n_classes, kernel_size):
    layers = [keras.Input(shape=input_shape)]
    for f in filters:
        layers.append(keras.layers.Conv2D(f, kernel_size, padding="same", activation="relu"))
    return keras.Sequential(layers + [keras.layers.Flatten(), keras.layers.Dense(n_classes, activation="softmax")])
''',
        "Dense on the feature maps without Flatten": '''
def build_cnn(input_shape, filters, n_classes, kernel_size):
    layers = [keras.Input(shape=input_shape)]
    for f in filters:
        layers += [keras.layers.Conv2D(f, kernel_size, padding="same", activation="relu"), keras.layers.MaxPooling2D(2)]
    return keras.Sequential(layers + [keras.layers.Dense(n_classes, activation="softmax")])
''',
        "kernel size fixed at 3 (the visible test's)": '''
def build_cnn(input_shape, filters, n_classes, kernel_size):
    layers = [keras.Input(shape=input_shape)]
    for f in filters:
        layers += [keras.layers.Conv2D(f, 3, padding="same", activation="relu"), keras.layers.MaxPooling2D(2)]
    return keras.Sequential(layers + [keras.layers.Flatten(), keras.layers.Dense(n_classes, activation="softmax")])
''',
        "TensorFlow's tf.keras": '''
import tensorflow as tf

def build_cnn(input_shape, filters, n_classes, kernel_size):
    layers = [tf.keras.Input(shape=input_shape)]
    for f in filters:
        layers += [tf.keras.layers.Conv2D(f, kernel_size, padding="same", activation="relu"),
                   tf.keras.layers.MaxPooling2D(2)]
    return tf.keras.Sequential(layers + [tf.keras.layers.Flatten(), tf.keras.layers.Dense(n_classes, activation="softmax")])
''',
        "global average pooling instead of Flatten": '''
def build_cnn(input_shape, filters, n_classes, kernel_size):
    layers = [keras.Input(shape=input_shape)]
    for f in filters:
        layers += [keras.layers.Conv2D(f, kernel_size, padding="same", activation="relu"), keras.layers.MaxPooling2D(2)]
    return keras.Sequential(layers + [keras.layers.GlobalAveragePooling2D(),
                                      keras.layers.Dense(n_classes, activation="softmax")])
''',
    },
    "grad_cam": {
        "gradient times activation, pixel by pixel (no average)": '''
def grad_cam(feature_maps, gradients):
    maps = np.maximum((feature_maps * gradients).sum(axis=-1), 0.0)
    top = maps.max(axis=(1, 2), keepdims=True)
    return np.divide(maps, top, out=np.zeros(maps.shape), where=top > 0)
''',
        "no ReLU": '''
def grad_cam(feature_maps, gradients):
    maps = np.einsum("nhwc,nc->nhw", feature_maps, gradients.mean(axis=(1, 2)))
    top = maps.max(axis=(1, 2), keepdims=True)
    return np.divide(maps, top, out=np.zeros(maps.shape), where=top > 0)
''',
        "one maximum for the whole batch": '''
def grad_cam(feature_maps, gradients):
    maps = np.maximum(np.einsum("nhwc,nc->nhw", feature_maps, gradients.mean(axis=(1, 2))), 0.0)
    return maps / maps.max() if maps.max() > 0 else maps
''',
        "a zero map divided by its maximum (NaN)": '''
def grad_cam(feature_maps, gradients):
    maps = np.maximum(np.einsum("nhwc,nc->nhw", feature_maps, gradients.mean(axis=(1, 2))), 0.0)
    with np.errstate(invalid="ignore"):
        return maps / maps.max(axis=(1, 2), keepdims=True)
''',
        "min-max scaling instead of dividing by the maximum": '''
def grad_cam(feature_maps, gradients):
    maps = np.maximum(np.einsum("nhwc,nc->nhw", feature_maps, gradients.mean(axis=(1, 2))), 0.0)
    low = maps.min(axis=(1, 2), keepdims=True)
    span = maps.max(axis=(1, 2), keepdims=True) - low
    return np.divide(maps - low, span, out=np.zeros(maps.shape), where=span > 0)
''',
        "ReLU on the gradients before averaging": '''
def grad_cam(feature_maps, gradients):
    weights = np.maximum(gradients, 0.0).mean(axis=(1, 2))
    maps = np.maximum(np.einsum("nhwc,nc->nhw", feature_maps, weights), 0.0)
    top = maps.max(axis=(1, 2), keepdims=True)
    return np.divide(maps, top, out=np.zeros(maps.shape), where=top > 0)
''',
    },
}

REASONS = {
    "conv2d_forward": {
        "true convolution: the kernel flipped": "for one 4x5 image and one 2x2 kernel (stride 1, no padding) has the right shape",
        "only the first channel (the visible test has one)": "for x (3, 2, 7, 6), w (4, 2, 3, 2), stride 2, padding 1 has the right shape",
        "square images assumed (the width taken from the height)": "for one 4x5 image and one 2x2 kernel (stride 1, no padding) has shape (1, 1, 3, 3)",
        "the bias forgotten": "for one 4x5 image and one 2x2 kernel (stride 1, no padding) has the right shape",
        "scipy's correlate": "uses `correlate`",
        "the output size without the + 1": "has shape (1, 1, 2, 3), but the shape should be (1, 1, 3, 4)",
        "padding on the top and left only": "for the same image with stride 2 and padding 1 has the right shape",
    },
    "conv2d_backward": {
        "finite differences through conv2d_forward": "uses `conv2d_forward`",
        "db summed over the batch only": "db for x (1, 2, 3, 3), w (2, 2, 2, 2), stride 2, padding 1 has shape",
        "dx keeps the padding": "dx for x (1, 2, 3, 3), w (2, 2, 2, 2), stride 2, padding 1 has shape (1, 2, 5, 5)",
        "dw ignores the stride": "dw for x (1, 2, 3, 3), w (2, 2, 2, 2), stride 2, padding 1 has the right shape",
        "dx overwritten where windows overlap": "dx for x (2, 2, 5, 5), w (3, 2, 3, 3), stride 1, padding 0 has the right shape",
        "dx with the kernel flipped": "dx for x (1, 2, 3, 3), w (2, 2, 2, 2), stride 2, padding 1 has the right shape",
    },
    "max_pool": {
        "ties: every maximum gets the gradient": "dx for x (3, 1, 4, 4) (ties values)",
        "overlapping windows overwrite each other's gradient": "dx for x (2, 3, 6, 6) (normal values), 3x3 windows, stride 1",
        "partial windows at the border kept (ceil)": "the pooled output for x (1, 1, 5, 5) (normal values), 2x2 windows, stride 2 has shape",
        "the running maximum starts at 0": "the pooled output for x (2, 1, 4, 5) (normal values), 1x1 windows",
        "average-pooling's backward (dout shared by the window)": "dx for one 4x4 image, 2x2 windows, stride 2 has the right shape",
        "ties: the last maximum gets the gradient": "dx for x (3, 1, 4, 4) (ties values)",
    },
    "cnn_geometry": {
        "'same' size from a symmetric padding of (k - 1) // 2": "'size' of layer 0 for 9x9x2 inputs",
        "receptive field that ignores the strides": "'receptive_field' of layer 2 for 28x28x1 inputs",
        "no biases in the parameter count": "'params' of layer 0 for a 3x3 'same' convolution",
        "the layer's own stride counted in its receptive field": "'receptive_field' of layer 1 for a 3x3 'same' convolution",
        "true division: sizes come out as floats": "'size' of layer 1 for a 3x3 'same' convolution with 8 filters and a 2x2 pooling on 28x28 greyscale images is a float",
        "pooling counted like a convolution with as many filters as channels": "'params' of layer 1 for a 3x3 'same' convolution",
    },
    "build_cnn": {
        "'valid' padding": "padding 'valid'",
        "no pooling": "The layers of your model for 8x8x1 inputs",
        "Dense on the feature maps without Flatten": "a Dense layer applied to feature maps that were not flattened",
        "kernel size fixed at 3 (the visible test's)": "kernel (3, 3)",
        "TensorFlow's tf.keras": "uses `tf`",
        "global average pooling instead of Flatten": "The layers of your model for 8x8x1 inputs",
    },
    "grad_cam": {
        "gradient times activation, pixel by pixel (no average)": "for one image with 2x2 positions and two channels has the right shape",
        "no ReLU": "for one image with 2x2 positions and two channels has the right shape",
        "one maximum for the whole batch": "the Grad-CAM maps for activations of shape (3, 7, 7, 16) has the right shape",
        "a zero map divided by its maximum (NaN)": "contains NaN",
        "min-max scaling instead of dividing by the maximum": "the Grad-CAM maps for",
        "ReLU on the gradients before averaging": "for one image with 2x2 positions and two channels has the right shape",
    },
}

# The Keras part's solution cell starts with `import keras` (the locked cells do not import it, so that
# the judge process never loads Keras): a student's cell keeps that line.
for _answers in (CORRECT["build_cnn"], WRONG["build_cnn"]):
    _items = _answers.items() if isinstance(_answers, dict) else enumerate(_answers)
    for _key, _source in list(_items):
        _answers[_key] = "import keras\n\n" + _source.lstrip("\n")
