"""Lesson 13 (course/13-attention.ipynb): the attention map of each head, for a text the student types.

``attention_explorer`` splits the text into characters and draws, for every head, the matrix of
attention weights: row ``i`` is query position ``i``, column ``j`` key position ``j``, and each row sums
to 1 (or is all zero where the mask leaves a query nothing to look at). Controls: the ``text``, which
``head`` to show (all of them side by side, or one large with its labels), the ``mask`` (none, or
causal: no query may look ahead) and the ``sharpness``, a factor on the scores before the softmax (0
gives uniform weights; large values approach a hard argmax).

By default the heads are four hand-built ones, so that each has a job you can read off the plot and no
training is needed (the widget redraws in milliseconds): queries and keys are built from each
character's features (its letter, its position through sinusoidal encodings, its word) and the score
is their dot product over the square root of their width, exactly as in a trained head:

- **same character** attends to every occurrence of the query's character;
- **previous character** attends to the position before, found from the positional encodings alone
  (the query carries the encoding of position ``i - 1``, the key that of ``j``);
- **start of the word** attends to the first character of the query's word;
- **vowels** attends to the vowels of the whole text, whatever the query.

A lesson can pass its own heads instead: ``scores_fn(text) -> array (heads, T, T)`` of scores (for a
Keras ``MultiHeadAttention`` layer, the log of the weights that ``return_attention_scores=True`` gives),
with ``head_names`` and ``vocab`` (the characters the model knows).

Exercise 13 asks students to write attention with masks, the masks of a batch, positional encodings,
multi-head attention and an encoder block; the maths here stays private (underscore names): nothing
an exercise asks for is importable from ``dlcourse``. Importing this module imports neither TensorFlow
nor Keras.
"""

from __future__ import annotations

import html
import math

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ._common import _control_explorer, _number, _show, _show_problem

__all__ = ["attention_explorer"]

MAX_CHARACTERS = 48     # longer texts are cut (a 48 x 48 map is already small print)
_HEADS = ("same character", "previous character", "start of the word", "vowels")
_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"
_VOWELS = set("aeiouy")
_PE_WIDTH = 32


def _encodings(positions, width=_PE_WIDTH):
    """Sinusoidal encodings of (possibly negative) positions: (len(positions), width)."""
    columns = np.arange(width)
    angles = np.asarray(positions, dtype=np.float64)[:, None] * 10000.0 ** (-(columns - columns % 2) / width)
    return np.where(columns % 2 == 0, np.sin(angles), np.cos(angles))


def _letter_features(text):
    """One-hot of each character's lower-case letter or digit (one bucket for everything else)."""
    out = np.zeros((len(text), len(_LETTERS) + 1))
    for i, ch in enumerate(text.lower()):
        out[i, _LETTERS.index(ch) if ch in _LETTERS else len(_LETTERS)] = 1.0
    return out


def _word_ids(text):
    """Word number of every character (spaces and punctuation belong to no word: -1) and the word starts."""
    ids, starts, current, inside = np.full(len(text), -1), np.zeros(len(text), bool), -1, False
    for i, ch in enumerate(text):
        if ch.isalnum():
            if not inside:
                current += 1
                starts[i] = True
            ids[i], inside = current, True
        else:
            inside = False
    return ids, starts


def _designed_queries_keys(text):
    """Per head, queries (T, d) and keys (T, d) whose scaled dot products do the head's job."""
    T = len(text)
    letters = _letter_features(text)
    same_q = letters[:, :-1] * 5.0
    same_k = letters[:, :-1] * 5.0
    positions = np.arange(T)
    previous_q = _encodings(positions - 1) * 5.0
    previous_k = _encodings(positions) * 5.0
    words, starts = _word_ids(text)
    n_words = max(int(words.max()) + 1, 1)
    word_onehot = np.zeros((T, n_words))
    word_onehot[words >= 0, words[words >= 0]] = 1.0
    start_q = np.hstack([word_onehot * 4.0, np.ones((T, 1)) * 4.0])
    start_k = np.hstack([word_onehot * 4.0, starts[:, None] * 4.0])
    vowel = np.array([ch.lower() in _VOWELS for ch in text], dtype=np.float64)
    vowel_q = np.ones((T, 1)) * 3.0
    vowel_k = (vowel[:, None] - 0.5) * 6.0
    return [(same_q, same_k), (previous_q, previous_k), (start_q, start_k), (vowel_q, vowel_k)]


def _designed_scores(text):
    """(4, T, T) scores q k^T / sqrt(d) of the four hand-built heads."""
    return np.stack([q @ k.T / math.sqrt(q.shape[1]) for q, k in _designed_queries_keys(text)])


def _weights(scores, sharpness, causal):
    """Row-wise softmax of sharpness * scores over allowed keys; masked keys (and rows with none) get 0."""
    scores = np.asarray(scores, dtype=np.float64)
    T = scores.shape[-1]
    allowed = ~np.isneginf(scores)                      # -inf: a key the model itself masks
    scores = np.where(allowed, scores, 0.0) * sharpness
    if causal:
        allowed = allowed & np.tril(np.ones((T, T), bool))
    filled = np.where(allowed, scores, -np.inf)
    top = filled.max(axis=-1, keepdims=True)
    e = np.where(allowed, np.exp(filled - np.where(np.isfinite(top), top, 0.0)), 0.0)
    total = e.sum(axis=-1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def _label(ch):
    """How a character is shown on an axis: spaces and control characters made visible."""
    shown = {" ": "\u2423", "\n": "\u23ce", "\t": "\u21e5", "$": r"\$"}.get(ch, ch)
    return shown if shown.isprintable() and ord(shown[-1]) < 0x2500 else "?"   # beyond the font: "?"


def _draw(state, names):
    weights, tokens, chosen = state["weights"], state["tokens"], state["head"]
    shown = list(range(len(names))) if chosen == "all heads" else [names.index(chosen)]
    fig = Figure(figsize=(11, 4.4) if len(shown) > 1 else (7.5, 6.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(shown)))
    labels = [_label(ch) for ch in tokens]
    for ax, h in zip(axes, shown):
        image = ax.imshow(weights[h], cmap="viridis", vmin=0.0, vmax=1.0, gid=f"attention-map-{h}")
        ax.set_title(names[h], fontsize=10)
        if len(shown) == 1 or len(tokens) <= 16:
            ax.set_xticks(range(len(tokens)), labels, fontsize=8 if len(tokens) <= 30 else 6)
            ax.set_yticks(range(len(tokens)), labels, fontsize=8 if len(tokens) <= 30 else 6)
        else:
            ax.set_xticks([])
            ax.set_yticks([])
        ax.set_xlabel("key (looked at)", fontsize=8)
    axes[0].set_ylabel("query (looking)", fontsize=8)
    if len(shown) == 1:
        fig.colorbar(image, ax=axes[0], shrink=0.8, label="attention weight")
    return fig


def attention_explorer(text="the cat sat on the mat", scores_fn=None, head_names=None, vocab=None, head="all heads",
                       mask="none", sharpness=1.0):
    """Draw every head's attention weights for the characters of ``text``.

    Controls: ``text`` (at most 48 characters are used), ``head`` ("all heads" or one of them), ``mask``
    ("none" or "causal") and ``sharpness`` (0 to 4, a factor on the scores). The heads are four hand-built
    ones (see the module's docstring) unless ``scores_fn(text) -> (heads, T, T)`` is given, with
    ``head_names`` and ``vocab`` (the characters it accepts). ``.state`` holds the ``tokens`` used, the
    ``weights`` (heads, T, T), the ``head``, ``mask``, ``sharpness``, whether the text was ``truncated``,
    and for the head shown (the first one when all are) the key each query looks at most (``focus``).
    """
    if scores_fn is None:
        scores_fn, names = _designed_scores, list(_HEADS)
    else:
        if head_names is None or len(head_names) < 1:
            raise ValueError("scores_fn needs head_names: one name per head it returns")
        names = [str(n) for n in head_names]
    known = None if vocab is None else set(vocab)
    choices = ["all heads", *names]
    controls = {
        "text": widgets.Text(value=str(text), description="text", continuous_update=False,
                             layout=widgets.Layout(width="30em")),
        "head": widgets.Dropdown(options=choices, value=head if head in choices else "all heads", description="head"),
        "mask": widgets.Dropdown(options=["none", "causal"], value=mask if mask in ("none", "causal") else "none",
                                 description="mask"),
        "sharpness": widgets.FloatSlider(value=float(sharpness), min=0.0, max=4.0, step=0.1, description="sharpness",
                                         continuous_update=False, layout=widgets.Layout(width="22em")),
    }
    explorer, info, output = _control_explorer("dlcourse-attention-explorer", controls)

    def redraw(_=None):
        typed = controls["text"].value
        explorer.state.clear()
        if not typed.strip():
            _show_problem(explorer, info, output, "Type some text: attention needs at least one character to look at.")
            return
        tokens = typed[:MAX_CHARACTERS]
        if known is not None:
            unknown = sorted(set(tokens) - known)
            if unknown:
                _show_problem(explorer, info, output, "The model never saw the character(s) "
                              f"{' '.join(map(repr, unknown[:8]))}: use characters of its training text.")
                return
        sharp = float(controls["sharpness"].value)
        if not math.isfinite(sharp) or sharp < 0:
            _show_problem(explorer, info, output, "sharpness must be a number from 0 to 4.")
            return
        scores = np.asarray(scores_fn(tokens), dtype=np.float64)
        if scores.shape != (len(names), len(tokens), len(tokens)) or np.isnan(scores).any():
            _show_problem(explorer, info, output, f"The heads gave scores of shape {scores.shape} (or NaN); "
                          f"expected ({len(names)}, {len(tokens)}, {len(tokens)}).")
            return
        causal = controls["mask"].value == "causal"
        weights = _weights(scores, sharp, causal)
        chosen = controls["head"].value
        h = 0 if chosen == "all heads" else names.index(chosen)
        focus = [int(np.argmax(row)) if row.sum() > 0 else -1 for row in weights[h]]
        truncated = len(typed) > MAX_CHARACTERS
        state = {"valid": True, "text": typed, "tokens": tokens, "weights": weights, "head": chosen,
                 "mask": controls["mask"].value, "sharpness": sharp, "truncated": truncated, "focus": focus}
        last = len(tokens) - 1
        if focus[last] < 0:
            message = f"{len(tokens)} characters; in head '{names[h]}' the last character may look at nothing."
        else:
            message = (f"{len(tokens)} characters; in head '{names[h]}' the last character "
                       f"{tokens[last]!r} looks most at position {focus[last]} "
                       f"({tokens[focus[last]]!r}, weight {_number(weights[h, last, focus[last]])}).")
        if truncated:
            message = f"Only the first {MAX_CHARACTERS} of {len(typed)} characters are used. " + message
        state["message"] = message
        explorer.state.update(state)
        info.value = html.escape(message)
        explorer.figure = _draw(state, names)
        _show(output, explorer.figure)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return explorer
