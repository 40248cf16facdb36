"""Lesson 12 (course/12-gans.ipynb): a 1-D GAN you can watch, and a walk through a generator's latent space.

``gan_1d_explorer`` trains a GAN on numbers, not images: the real data are a mixture of two bumps (at -2 and
+2), the generator a small tanh network from a 1-D noise to a number, the discriminator a small tanh network
from a number to a logit. Both are trained in NumPy (hand-written gradients, Adam), so a run of a thousand
steps takes about a second, and it is seeded: the same controls always give the same run. Controls: the
``ratio`` of the discriminator's learning rate to the generator's and the number of ``steps``. The plot shows
the real density, a histogram of the generated numbers and the discriminator's belief D(x) at the end, and
each player's loss and the share of samples near each bump over the run (a collapsed generator puts nearly
all of them on one bump).

``latent_explorer`` walks in a straight line (or along a great circle) from one latent vector to another and
draws what a generator makes along the way, each image labelled by a classifier.

Exercise 12 asks students to write the losses, a training step and class coverage with Keras and NumPy; the
NumPy maths here stays private (underscore names) and has other signatures. Importing this module imports
neither TensorFlow nor Keras.
"""

from __future__ import annotations

import html
import math

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ._common import _control_explorer, _number, _show, _show_problem

__all__ = ["gan_1d_explorer", "train_gan_1d", "latent_explorer", "MODES"]

#: Where the two bumps of the 1-D data sit, and their width.
MODES = (-2.0, 2.0)
_WIDTH = 0.3
_HIDDEN = 16
MAX_STEPS = 5000
_G_LR = 2e-3
#: The explorer's choices of run length.
STEP_CHOICES = ("0", "50", "100", "300", "1000", "2000", "3000", "5000")


def _sample_real(rng, n):
    return rng.choice(MODES, size=n) + rng.normal(scale=_WIDTH, size=n)


def _softplus(x):
    return np.logaddexp(0.0, x)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class _Adam:
    def __init__(self, params, lr, beta1=0.5, beta2=0.999):
        self.lr, self.b1, self.b2, self.t = lr, beta1, beta2, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, params, grads):
        self.t += 1
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * g * g
            mhat, vhat = m / (1 - self.b1 ** self.t), v / (1 - self.b2 ** self.t)
            p -= self.lr * mhat / (np.sqrt(vhat) + 1e-8)


def _d_forward(d, x):
    w1, c1, w2, c2 = d
    h = np.tanh(x[:, None] * w1 + c1)
    return h @ w2 + c2, h


def _d_backward(d, x, h, dlogit):
    """Gradients of the parameters of D, and of its input, given dL/dlogit."""
    w1, c1, w2, c2 = d
    dh = dlogit[:, None] * w2
    du = dh * (1 - h * h)
    return [(du * x[:, None]).sum(0), du.sum(0), h.T @ dlogit, np.array(dlogit.sum())], du @ w1


def _g_forward(g, z):
    a1, b1, a2, b2 = g
    h = np.tanh(z[:, None] * a1 + b1)
    return h @ a2 + b2, h


def train_gan_1d(steps=1000, ratio=1.0, seed=0, batch=128, every=25, g_lr=_G_LR):
    """Train the 1-D GAN for ``steps`` steps: each step one Adam step of the discriminator (learning rate
    ``ratio * g_lr``) on ``batch`` real and ``batch`` generated numbers, then one Adam step of the generator
    (``g_lr``) with the non-saturating loss. Returns a dict of NumPy arrays: ``step``, ``d_loss``, ``g_loss``,
    ``near`` (share of generated samples within 1 of each mode, (snapshots, 2)) every ``every`` steps, and at
    the end ``samples`` (2000 generated numbers), ``grid`` and ``belief`` (D(x) on the grid)."""
    if not (isinstance(steps, (int, np.integer)) and 0 <= steps <= MAX_STEPS):
        raise ValueError(f"steps must be an integer from 0 to {MAX_STEPS}")
    if not (math.isfinite(ratio) and 1e-3 <= ratio <= 1e3):
        raise ValueError("ratio must be a number from 0.001 to 1000")
    rng = np.random.default_rng(seed)
    g = [rng.normal(size=_HIDDEN), rng.normal(size=_HIDDEN) * 0.5, rng.normal(size=_HIDDEN) / 4, np.array(0.0)]
    d = [rng.normal(size=_HIDDEN), rng.normal(size=_HIDDEN) * 0.5, rng.normal(size=_HIDDEN) / 4, np.array(0.0)]
    g_opt, d_opt = _Adam(g, g_lr), _Adam(d, g_lr * ratio)
    probe = np.random.default_rng(seed + 1).normal(size=1000)
    record = {"step": [], "d_loss": [], "g_loss": [], "near": []}

    def near():
        x, _ = _g_forward(g, probe)
        return [float(np.mean(np.abs(x - m) < 1.0)) for m in MODES]

    for i in range(1, steps + 1):
        real = _sample_real(rng, batch)
        z = rng.normal(size=batch)
        fake, hg = _g_forward(g, z)
        # discriminator: -log D(real) - log(1 - D(fake)); dL/dlogit = sigmoid(l) - target
        lr_, h_r = _d_forward(d, real)
        lf_, h_f = _d_forward(d, fake)
        d_loss = _softplus(-lr_).mean() + _softplus(lf_).mean()
        gr, _ = _d_backward(d, real, h_r, (_sigmoid(lr_) - 1) / batch)
        gf, _ = _d_backward(d, fake, h_f, _sigmoid(lf_) / batch)
        d_opt.step(d, [a + b for a, b in zip(gr, gf)])
        # generator: non-saturating -log D(G(z)) against the updated discriminator
        lf_, h_f = _d_forward(d, fake)
        g_loss = _softplus(-lf_).mean()
        _, dx = _d_backward(d, fake, h_f, (_sigmoid(lf_) - 1) / batch)
        dh = dx[:, None] * g[2]
        du = dh * (1 - hg * hg)
        g_opt.step(g, [(du * z[:, None]).sum(0), du.sum(0), hg.T @ dx, np.array(dx.sum())])
        if i % every == 0 or i == steps:
            record["step"].append(i)
            record["d_loss"].append(float(d_loss))
            record["g_loss"].append(float(g_loss))
            record["near"].append(near())
    out = {k: np.array(v, dtype=np.float64) for k, v in record.items()}
    if steps == 0:
        out["near"] = np.zeros((0, 2))
    out["samples"], _ = _g_forward(g, np.random.default_rng(seed + 2).normal(size=2000))
    out["grid"] = np.linspace(-5, 5, 201)
    out["belief"] = _sigmoid(_d_forward(d, out["grid"])[0])
    out["final_near"] = np.array(near())
    return out


def _real_density(x):
    return sum(np.exp(-0.5 * ((x - m) / _WIDTH) ** 2) for m in MODES) / (len(MODES) * _WIDTH * math.sqrt(2 * math.pi))


def _draw_1d(run, steps, ratio):
    fig = Figure(figsize=(11, 3.8), layout="constrained")
    left, middle, right = fig.subplots(1, 3)
    grid = run["grid"]
    left.plot(grid, _real_density(grid), color="black", lw=1.5, label="real density")
    samples = np.clip(run["samples"], -5, 5)
    left.hist(samples, bins=80, range=(-5, 5), density=True, color="tab:orange", alpha=0.6, label="generated")
    twin = left.twinx()
    twin.plot(grid, run["belief"], color="tab:blue", lw=1.2, label="D(x)")
    twin.set_ylim(0, 1)
    twin.set_ylabel("D(x): belief that x is real", fontsize=8, color="tab:blue")
    left.set_xlabel("x")
    left.set_title(f"after {steps} steps (D lr / G lr = {_number(ratio)})", fontsize=10)
    left.legend(loc="upper left", fontsize=7)
    if len(run["step"]):
        middle.plot(run["step"], run["d_loss"], label="discriminator")
        middle.plot(run["step"], run["g_loss"], label="generator")
        middle.axhline(2 * math.log(2), color="gray", ls=":", lw=1)
        middle.axhline(math.log(2), color="gray", ls=":", lw=1)
        middle.set_xlabel("step")
        middle.set_title("losses (dotted: 2 log 2 and log 2, the balance)", fontsize=9)
        middle.legend(fontsize=7)
        near = run["near"]
        right.plot(run["step"], near[:, 0], label=f"near {MODES[0]:g}")
        right.plot(run["step"], near[:, 1], label=f"near {MODES[1]:g}")
        right.set_ylim(0, 1.02)
        right.axhline(0.5, color="gray", ls=":", lw=1)
        right.set_xlabel("step")
        right.set_title("share of generated samples near each mode", fontsize=9)
        right.legend(fontsize=7)
    else:
        for ax in (middle, right):
            ax.set_axis_off()
            ax.text(0.5, 0.5, "no training yet", ha="center", va="center")
    return fig


def _parse(text, kind, low, high, what):
    """A number typed into a box, or an error message."""
    text = str(text).strip()
    if not text:
        return None, f"Type a value for {what}."
    if len(text) > 20:
        return None, f"{what} is too long to be a number: type something like {kind(low)!r}."
    try:
        value = kind(float(text)) if kind is int else float(text)
    except (ValueError, OverflowError):
        return None, f"{what} must be a number, not {ascii(text[:20])}."
    if kind is int and float(text) != int(float(text)):
        return None, f"{what} must be a whole number."
    if not (math.isfinite(value) and low <= value <= high):
        return None, f"{what} must be from {_number(low)} to {_number(high)}."
    return value, None


def gan_1d_explorer(ratio="1", steps="1000", seed=0):
    """Train the 1-D GAN with the controls' settings and draw the end state and the run.

    Controls: ``ratio`` (a text box), the discriminator's learning rate over the generator's (0.001 to 1000),
    and ``steps`` (a list, 0 to 5000). ``.state`` holds the ``run`` (see ``train_gan_1d``), the parsed ``ratio`` and
    ``steps``, ``near`` (final share of samples near each mode) and ``collapsed`` (one mode holds under 10%).
    """
    controls = {
        "ratio": widgets.Text(value=str(ratio), description="D lr / G lr", continuous_update=False,
                              style={"description_width": "initial"}, layout=widgets.Layout(width="14em")),
        "steps": widgets.Dropdown(options=STEP_CHOICES, value=str(steps) if str(steps) in STEP_CHOICES else "1000",
                                  description="steps", layout=widgets.Layout(width="14em")),
    }
    explorer, info, output = _control_explorer("dlcourse-gan-1d-explorer", controls)

    def redraw(_=None):
        explorer.state.clear()
        ratio_value, problem = _parse(controls["ratio"].value, float, 1e-3, 1e3, "The learning-rate ratio")
        if problem is None:
            steps_value, problem = _parse(controls["steps"].value, int, 0, MAX_STEPS, "The number of steps")
        if problem is not None:
            _show_problem(explorer, info, output, problem, width=11)
            return
        run = train_gan_1d(steps_value, ratio_value, seed=seed)
        near = run["final_near"]
        collapsed = bool(steps_value > 0 and near.min() < 0.1)
        explorer.state.update(valid=True, run=run, ratio=ratio_value, steps=steps_value, near=near.tolist(),
                              collapsed=collapsed)
        message = (f"After {steps_value} steps: {_number(100 * near[0], 2)}% of the generated samples lie near "
                   f"{MODES[0]:g}, {_number(100 * near[1], 2)}% near {MODES[1]:g}")
        message += " - mode collapse: one mode is (nearly) missing." if collapsed else "."
        explorer.state["message"] = message
        info.value = html.escape(message)
        explorer.figure = _draw_1d(run, steps_value, ratio_value)
        _show(output, explorer.figure)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return explorer


def _path(z0, z1, frames, kind):
    t = np.linspace(0.0, 1.0, frames)[:, None]
    if kind == "linear":
        return (1 - t) * z0 + t * z1
    # spherical: along the great circle between the two directions, the norm interpolated linearly
    n0, n1 = np.linalg.norm(z0), np.linalg.norm(z1)
    u0, u1 = z0 / n0, z1 / n1
    omega = math.acos(float(np.clip(u0 @ u1, -1.0, 1.0)))
    if omega < 1e-6:
        return (1 - t) * z0 + t * z1
    direction = (np.sin((1 - t) * omega) * u0 + np.sin(t * omega) * u1) / math.sin(omega)
    return direction * ((1 - t) * n0 + t * n1)


def latent_explorer(generate, classify=None, latent_dim=32, class_names=None, start="1", end="2", frames="8",
                    path="linear"):
    """Images along a path from latent vector ``z(start)`` to ``z(end)`` (each drawn from N(0, I) with that seed).

    ``generate(z) -> images`` maps an array (k, latent_dim) to images (k, 28, 28) or (k, 28, 28, 1) in [-1, 1];
    ``classify(images in [0, 1], (k, 28, 28, 1)) -> probabilities (k, classes)`` labels them (optional).
    Controls: ``start`` and ``end`` (seeds, whole numbers), ``frames`` (2 to 16) and ``path`` ("linear" or
    "spherical"). ``.state`` holds ``z`` (frames, latent_dim), ``images``, and where a classifier is given the
    ``labels`` and ``confidence`` of every frame.
    """
    controls = {
        "start": widgets.Text(value=str(start), description="start seed", continuous_update=False,
                              style={"description_width": "initial"}, layout=widgets.Layout(width="12em")),
        "end": widgets.Text(value=str(end), description="end seed", continuous_update=False,
                            style={"description_width": "initial"}, layout=widgets.Layout(width="12em")),
        "frames": widgets.Text(value=str(frames), description="frames", continuous_update=False,
                               layout=widgets.Layout(width="10em")),
        "path": widgets.Dropdown(options=["linear", "spherical"], value=path if path in ("linear", "spherical")
                                 else "linear", description="path"),
    }
    explorer, info, output = _control_explorer("dlcourse-latent-explorer", controls)

    def redraw(_=None):
        explorer.state.clear()
        seeds = []
        for name, what in (("start", "The start seed"), ("end", "The end seed")):
            value, problem = _parse(controls[name].value, int, 0, 2 ** 31 - 1, what)
            if problem is not None:
                _show_problem(explorer, info, output, problem, width=11)
                return
            seeds.append(value)
        frames_value, problem = _parse(controls["frames"].value, int, 2, 16, "The number of frames")
        if problem is not None:
            _show_problem(explorer, info, output, problem, width=11)
            return
        z0, z1 = (np.random.default_rng(s).normal(size=latent_dim) for s in seeds)
        z = _path(z0, z1, frames_value, controls["path"].value).astype(np.float32)
        images = np.asarray(generate(z), dtype=np.float32).reshape(frames_value, 28, 28)
        unit = ((images + 1) / 2).clip(0, 1)
        state = {"valid": True, "z": z, "images": unit, "seeds": seeds, "frames": frames_value,
                 "path": controls["path"].value}
        titles = [""] * frames_value
        if classify is not None:
            probs = np.asarray(classify(unit[..., None]), dtype=np.float64)
            labels = probs.argmax(axis=1)
            names = class_names or [str(i) for i in range(probs.shape[1])]
            state["labels"] = [names[k] for k in labels]
            state["confidence"] = probs.max(axis=1).tolist()
            titles = [f"{names[k]}\n{_number(p, 2)}" for k, p in zip(labels, probs.max(axis=1))]
        fig = Figure(figsize=(min(1.25 * frames_value, 14), 2.0), layout="constrained")
        axes = np.atleast_1d(fig.subplots(1, frames_value))
        for ax, image, title in zip(axes, unit, titles):
            ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
            ax.set_title(title, fontsize=7)
            ax.set_axis_off()
        message = f"{frames_value} images from seed {seeds[0]} to seed {seeds[1]} ({controls['path'].value} path)"
        if "labels" in state:
            changes = sum(a != b for a, b in zip(state["labels"], state["labels"][1:]))
            message += f"; the classifier's label changes {changes} time(s) along the way."
        else:
            message += "."
        state["message"] = message
        explorer.state.update(state)
        info.value = html.escape(message)
        explorer.figure = fig
        _show(output, fig)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return explorer
