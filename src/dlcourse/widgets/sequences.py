"""Lesson 09 (course/09-sequences.ipynb): gradients through time, and sampling temperature.

``gradient_time_explorer`` runs a tanh RNN and an LSTM (32 units, random weights, one random input
sequence) and backpropagates the gradient of a loss on the last hidden state to every earlier state:
it plots the norm of dL/dh_t against the time step t for both cells (log scale), and the norm that
reaches the first step as the sequence grows. Controls: the sequence length, the scale of the
recurrent weights (the RNN's recurrent matrix is that scale times an orthogonal matrix, so its
largest singular value is the scale) and the LSTM's forget-gate bias. NumPy only: no training, so
every redraw takes milliseconds.

``temperature_explorer`` generates text one character at a time at a chosen temperature and shows
the distribution of the next character after the prompt at that temperature next to the text. The
model is either a function the lesson passes (e.g. its trained Keras GRU wrapped as
``next_logits(context) -> logits``) or, by default, a character n-gram model counted from the text
inside this module: counting takes a fraction of a second, where a Keras model would have to be
trained first, which is too slow for the widget tests.

Exercise 09 asks students to write an RNN's forward and backward passes, an LSTM cell, gradient
clipping and temperature sampling, so the maths here stays private (underscore names): nothing an
exercise asks for is importable from ``dlcourse``. Importing this module imports neither TensorFlow
nor Keras.
"""

from __future__ import annotations

import html
import math
import re
import textwrap
from collections import Counter, defaultdict

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ._common import _control_explorer, _number, _show, _show_problem

__all__ = ["gradient_time_explorer", "temperature_explorer"]

_HIDDEN = 32        # units of both cells
_INPUTS = 8         # features per input step
_MAX_LENGTH = 300
_FLOOR = 1e-300     # norms below this (underflow) are drawn at it


# --------------------------------------------------------------------------------------------------
# gradients through time
# --------------------------------------------------------------------------------------------------

def _sig(v):
    return 0.5 * (1.0 + np.tanh(0.5 * v))


def _weights(scale, forget_bias, seed=0):
    """Random weights for both cells and one input sequence of _MAX_LENGTH steps (fixed by the seed)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(_MAX_LENGTH, _INPUTS))
    u = rng.normal(size=_HIDDEN)
    rnn = {"Wx": rng.normal(size=(_INPUTS, _HIDDEN)) / np.sqrt(_INPUTS),
           "Wh": scale * np.linalg.qr(rng.normal(size=(_HIDDEN, _HIDDEN)))[0]}
    bias = np.zeros(4 * _HIDDEN)
    bias[_HIDDEN:2 * _HIDDEN] = forget_bias
    lstm = {"Wx": rng.normal(size=(_INPUTS, 4 * _HIDDEN)) / np.sqrt(_INPUTS),
            "Wh": np.concatenate([scale * np.linalg.qr(rng.normal(size=(_HIDDEN, _HIDDEN)))[0] for _ in range(4)],
                                 axis=1),
            "b": bias}
    return x, u / np.linalg.norm(u), rnn, lstm


def _rnn_forward(x, w):
    hs, h = [], np.zeros(_HIDDEN)
    for xt in x:
        h = np.tanh(xt @ w["Wx"] + h @ w["Wh"])
        hs.append(h)
    return hs


def _rnn_norms(hs, u, w, T):
    """||dL/dh_t|| for t = 0..T-1 of L = u . h_{T-1} through a tanh RNN started from zeros (states hs)."""
    g, norms = u.copy(), [1.0]
    for t in range(T - 1, 0, -1):
        g = (g * (1.0 - hs[t] ** 2)) @ w["Wh"].T
        norms.append(float(np.linalg.norm(g)))
    return np.array(norms[::-1])


def _lstm_forward(x, w):
    H = _HIDDEN
    h, c, cache = np.zeros(H), np.zeros(H), []
    for xt in x:
        z = xt @ w["Wx"] + h @ w["Wh"] + w["b"]
        i, f, g, o = _sig(z[:H]), _sig(z[H:2 * H]), np.tanh(z[2 * H:3 * H]), _sig(z[3 * H:])
        c_prev, c = c, f * c + i * g
        h = o * np.tanh(c)
        cache.append((i, f, g, o, c_prev, np.tanh(c)))
    return cache


def _lstm_norms(cache, u, w, T):
    """||dL/dh_t|| for t = 0..T-1 of L = u . h_{T-1} through an LSTM (Keras' gate order i, f, g, o)."""
    gh, gc, norms = u.copy(), np.zeros(_HIDDEN), [1.0]
    for t in range(T - 1, 0, -1):
        i, f, g, o, c_prev, tc = cache[t]
        dc = gc + gh * o * (1.0 - tc ** 2)
        dz = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g ** 2),
                             gh * tc * o * (1 - o)])
        gh, gc = w["Wh"] @ dz, dc * f
        norms.append(float(np.linalg.norm(gh)))
    return np.array(norms[::-1])


def _g(value):
    """A norm for the info line: two significant digits, however small."""
    return f"{float(value):.2g}"


def _lengths(length):
    return np.unique(np.linspace(2, length, num=min(length - 1, 16)).astype(int))


def _draw_gradients(state):
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    ax, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1]})
    t = np.arange(state["length"])
    for key, colour, label in (("rnn", "tab:red", "tanh RNN"), ("lstm", "tab:blue", "LSTM")):
        ax.semilogy(t, np.maximum(state[key], _FLOOR), color=colour, lw=2, label=label, gid=f"{key}-by-step")
        ax2.semilogy(state["lengths"], np.maximum(state[f"{key}_first"], _FLOOR), "o-", color=colour, label=label,
                     gid=f"{key}-by-length")
    for axis in (ax, ax2):
        axis.axhline(1.0, color="0.6", lw=1, ls="--")
        axis.grid(alpha=0.3, which="major")
        axis.legend(loc="best")
    ax.set_xlabel("time step t (the loss is on the last step)")
    ax.set_ylabel("||dL/dh_t||")
    ax.set_title(f"gradient reaching each step, T = {state['length']}, weight scale {_number(state['scale'])}")
    ax2.set_xlabel("sequence length T")
    ax2.set_ylabel("||dL/dh_0|| (first step)")
    ax2.set_title(f"as the sequence grows (LSTM forget bias {_number(state['forget_bias'])})")
    return fig


def gradient_time_explorer(length=60, scale=1.0, forget_bias=1.0):
    """How far back a gradient reaches: ||dL/dh_t|| against t for a tanh RNN and an LSTM.

    Controls: ``length`` (2 to 300 steps), ``scale`` (the recurrent weights' scale, 0.05 to 10) and
    ``forget_bias`` (the LSTM forget gate's bias, -10 to 10). ``.state`` holds the two curves
    (``rnn``, ``lstm``: one norm per step, 1 at the last step), and the norms reaching the first step
    for the sequence lengths in ``lengths`` (``rnn_first``, ``lstm_first``).
    """
    controls = {
        "length": widgets.IntSlider(value=int(length), min=2, max=_MAX_LENGTH, step=1, description="length T",
                                    continuous_update=False, layout=widgets.Layout(width="26em")),
        "scale": widgets.FloatText(value=float(scale), step=0.1, description="weight scale",
                                   layout=widgets.Layout(width="14em")),
        "forget_bias": widgets.FloatText(value=float(forget_bias), step=0.5, description="forget bias",
                                         layout=widgets.Layout(width="14em")),
    }
    explorer, info, output = _control_explorer("dlcourse-gradient-time-explorer", controls)

    def redraw(_=None):
        length_now = int(controls["length"].value)
        scale_now, bias_now = controls["scale"].value, controls["forget_bias"].value
        explorer.state.clear()
        if not (np.isfinite(scale_now) and 0.05 <= scale_now <= 10):
            _show_problem(explorer, info, output, "Choose a weight scale between 0.05 and 10: at 0 nothing "
                          "flows back at all, and beyond 10 every tanh unit is saturated.", width=11)
            return
        if not (np.isfinite(bias_now) and -10 <= bias_now <= 10):
            _show_problem(explorer, info, output, "Choose a forget bias between -10 and 10 (sigmoid(10) is already "
                          "0.99995: the gate is fully open).", width=11)
            return
        if not 2 <= length_now <= _MAX_LENGTH:
            _show_problem(explorer, info, output, f"Choose a length between 2 and {_MAX_LENGTH}.", width=11)
            return
        x, u, rnn, lstm = _weights(scale_now, bias_now)
        lengths = _lengths(length_now)
        hs, cache = _rnn_forward(x[:length_now], rnn), _lstm_forward(x[:length_now], lstm)
        state = {"length": length_now, "scale": scale_now, "forget_bias": bias_now, "lengths": lengths,
                 "rnn": _rnn_norms(hs, u, rnn, length_now), "lstm": _lstm_norms(cache, u, lstm, length_now),
                 "rnn_first": np.array([_rnn_norms(hs, u, rnn, n)[0] for n in lengths]),
                 "lstm_first": np.array([_lstm_norms(cache, u, lstm, n)[0] for n in lengths])}
        message = (f"Gradient reaching step 0 of {length_now}: tanh RNN {_g(state['rnn'][0])}, "
                   f"LSTM {_g(state['lstm'][0])} (1 at the last step).")
        if min(state["rnn"].min(), state["lstm"].min()) < _FLOOR:
            message += " Values below 1e-300 underflow and are drawn at 1e-300."
        explorer.state.update(state, valid=True, message=message)
        info.value = html.escape(message)
        explorer.figure = _draw_gradients(state)
        _show(output, explorer.figure)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return explorer


# --------------------------------------------------------------------------------------------------
# sampling temperature
# --------------------------------------------------------------------------------------------------

class _NGram:
    """A character n-gram model counted from a text: log-probabilities of the next character given up to
    ``order - 1`` previous characters, backing off to shorter contexts never seen in the text."""

    def __init__(self, text, order=4):
        self.vocab = sorted(set(text))
        self.index = {ch: k for k, ch in enumerate(self.vocab)}
        self.order = order
        self.logits = {}
        self.counts = defaultdict(Counter)
        for n in range(order):
            for k in range(n, len(text)):
                self.counts[text[k - n:k]][text[k]] += 1

    def __call__(self, context):
        for n in range(min(self.order - 1, len(context)), -1, -1):
            key = context[len(context) - n:] if n else ""
            seen = self.counts.get(key)
            if seen:
                if key not in self.logits:
                    counts = np.full(len(self.vocab), 1e-3)   # a little mass for every character
                    for ch, count in seen.items():
                        counts[self.index[ch]] += count
                    self.logits[key] = np.log(counts)
                return self.logits[key]
        return np.zeros(len(self.vocab))


def _probabilities(logits, temperature):
    logits = np.asarray(logits, dtype=np.float64)
    if temperature == 0:
        p = np.zeros(len(logits))
        p[np.argmax(logits)] = 1.0
        return p
    z = logits / temperature
    p = np.exp(z - z.max())
    return p / p.sum()


def _generate(next_logits, vocab, prompt, temperature, length, seed):
    rng = np.random.default_rng(seed)
    text = prompt
    for _ in range(length):
        p = _probabilities(next_logits(text), temperature)
        text += vocab[int(rng.choice(len(p), p=p))]
    return text[len(prompt):]


def _entropy_bits(p):
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


def _shown(ch):
    """A character as a tick label: spaces, new lines and control characters made visible."""
    return {"\n": "\\n", " ": "␣", "\t": "\\t"}.get(ch, ch if ch.isprintable() else "?")


def _printable(text):
    return "".join(ch if ch.isprintable() or ch == "\n" else " " if ch == "\t" else "?" for ch in text)


def _draw_temperature(state, vocab):
    fig = Figure(figsize=(12, 4.4), layout="constrained")
    ax, ax_text = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.5]})
    top = np.argsort(-state["p_one"])[:12]
    positions = np.arange(len(top))
    ax.bar(positions, state["p_one"][top], color="none", edgecolor="0.4", label="temperature 1", gid="p-one")
    ax.bar(positions, state["p"][top], color="tab:orange", alpha=0.8, width=0.6,
           label=f"temperature {_number(state['temperature'])}", gid="p-temperature")
    ax.set_xticks(positions, [_shown(vocab[k]) for k in top])
    ax.set_ylim(0, 1)
    ax.set_ylabel("probability of the next character")
    ax.set_title(f"after {state['prompt'][-12:]!r}: entropy {_number(state['entropy'])} bits")
    ax.legend(loc="upper right")
    ax_text.set_axis_off()
    shown = "\n".join(textwrap.wrap(_printable(state["prompt"] + state["text"]), 62, replace_whitespace=True)[:14])
    ax_text.text(0, 1, shown, va="top", ha="left", family="monospace", fontsize=9.5, gid="generated")
    ax_text.set_title(f"generated at temperature {_number(state['temperature'])} (seed {state['seed']}): "
                      f"{_number(100 * state['known_words'], 3)}% real words", fontsize=10)
    return fig


def temperature_explorer(text=None, next_logits=None, vocab=None, prompt="The ", temperature=1.0, length=240,
                         seed=0):
    """Generate ``length`` characters after ``prompt`` at a chosen temperature.

    The model is ``next_logits(context) -> logits over vocab`` (``vocab``: the characters, in the
    logits' order) when given; otherwise a character 4-gram model counted from ``text``. Controls:
    ``temperature`` (0 to 3; 0 always picks the most likely character), ``seed``, ``prompt``,
    ``length``. ``.state`` holds the generated ``text``, the next-character distribution ``p`` after
    the prompt at this temperature and ``p_one`` at temperature 1, its ``entropy`` in bits, and
    ``known_words``: the share of generated words that occur in ``text`` (nan when no text is given).
    """
    if next_logits is None:
        if not isinstance(text, str) or len(text) < 20:
            raise ValueError("give the text to count a character model from (at least 20 characters), or next_logits")
        model = _NGram(text)
        next_logits, vocab = model, model.vocab
    elif vocab is None or len(vocab) < 2:
        raise ValueError("next_logits needs vocab: the characters its logits stand for, in order")
    vocab = list(vocab)
    words = set(re.findall(r"[a-z]+", (text or "").lower()))
    controls = {
        "temperature": widgets.FloatSlider(value=float(temperature), min=0.0, max=3.0, step=0.05,
                                           description="temperature", continuous_update=False,
                                           layout=widgets.Layout(width="24em")),
        "seed": widgets.IntText(value=int(seed), description="seed", layout=widgets.Layout(width="11em")),
        "prompt": widgets.Text(value=prompt, description="prompt", continuous_update=False,
                               layout=widgets.Layout(width="18em")),
        "length": widgets.IntSlider(value=int(length), min=20, max=600, step=20, description="length",
                                    continuous_update=False, layout=widgets.Layout(width="22em")),
    }
    explorer, info, output = _control_explorer("dlcourse-temperature-explorer", controls)

    def redraw(_=None):
        temp, prompt_now = float(controls["temperature"].value), controls["prompt"].value
        explorer.state.clear()
        unknown = sorted(set(prompt_now) - set(vocab))
        if not prompt_now:
            _show_problem(explorer, info, output, "Type a prompt: the model needs at least one character to go on.",
                          width=12)
            return
        if unknown:
            _show_problem(explorer, info, output, "The model never saw the character(s) "
                          f"{' '.join(map(repr, unknown[:8]))}: use characters of the training text.", width=12)
            return
        logits = np.asarray(next_logits(prompt_now), dtype=np.float64)
        p, p_one = _probabilities(logits, temp), _probabilities(logits, 1.0)
        generated = _generate(next_logits, vocab, prompt_now, temp, int(controls["length"].value),
                              int(controls["seed"].value))
        tokens = re.findall(r"[a-z]+", generated.lower())
        known = float(np.mean([t in words for t in tokens])) if tokens and words else math.nan
        state = {"temperature": temp, "seed": int(controls["seed"].value), "prompt": prompt_now, "text": generated,
                 "p": p, "p_one": p_one, "entropy": _entropy_bits(p), "known_words": known}
        message = (f"temperature {_number(temp)}: the next character's entropy is {_number(state['entropy'])} bits "
                   f"(at 1: {_number(_entropy_bits(p_one))}); {_number(100 * known, 3)}% of the generated words "
                   "occur in the training text.")
        explorer.state.update(state, valid=True, message=message)
        info.value = html.escape(message)
        explorer.figure = _draw_temperature(state, vocab)
        _show(output, explorer.figure)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return explorer
