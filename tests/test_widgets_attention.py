"""Unit tests for dlcourse.widgets.attention (lesson 13): the attention explorer driven through its
controls, the jobs of its hand-built heads (the claims the lesson makes about their maps), masks and
sharpness, a model's own heads passed in, its answers to silly input, and that exercise 13's answers
stay private."""

import inspect
import warnings

import ipywidgets
import numpy as np
import pytest

from dlcourse import widgets as W
from dlcourse.widgets import attention as A
from widget_tools import rendered

EXERCISE = {"attention", "attention_mask", "positional_encoding", "multi_head_attention", "encoder_block"}


def maps(fig):
    return [image for ax in fig.axes for image in ax.images if (image.get_gid() or "").startswith("attention-map")]


def test_explorer_is_exported_and_answers_stay_private():
    assert W.attention_explorer is A.attention_explorer
    assert "attention_explorer" in W.__all__ and inspect.getmodule(W.attention_explorer) is A
    import dlcourse
    for module in (A, W, dlcourse):
        public = {n for n in dir(module) if not n.startswith("_")} | set(getattr(module, "__all__", []))
        assert not {n for n in EXERCISE & public if callable(getattr(module, n))}, module


def test_structure_controls_and_weights():
    ex = W.attention_explorer("the cat sat on the mat")
    assert isinstance(ex, ipywidgets.VBox) and "dlcourse-attention-explorer" in ex._dom_classes
    assert set(ex.controls) == {"text", "head", "mask", "sharpness"}
    for name, control in ex.controls.items():
        assert f"dlcourse-{name}" in control._dom_classes
    s = ex.state
    assert s["valid"] and s["tokens"] == "the cat sat on the mat" and not s["truncated"]
    w = s["weights"]
    assert w.shape == (4, 22, 22) and np.allclose(w.sum(axis=-1), 1.0) and (w >= 0).all()
    assert len(maps(ex.figure)) == 4


def test_each_head_does_its_job():
    text = "abca dog ate"
    w = W.attention_explorer(text, sharpness=2.0).state["weights"]
    same, previous, start, vowels = w
    # same character: the second "a" looks at the three "a"s, equally, and hardly anywhere else
    assert same[3, 0] == pytest.approx(same[3, 3]) == pytest.approx(same[3, 9]) and same[3, [0, 3, 9]].sum() > 0.99
    # previous character: every query from position 1 on puts most weight on the position before
    assert [int(np.argmax(row)) for row in previous[1:]] == list(range(len(text) - 1))
    assert previous[1:, :].max(axis=1).min() > 0.8
    # start of the word: the "g" of "dog" looks at its "d"
    assert int(np.argmax(start[7])) == 5 and start[7, 5] > 0.95
    # vowels: every query spreads its weight over the vowels a, a, o, a, e
    vowel_positions = [i for i, ch in enumerate(text) if ch in "aeiou"]
    assert np.all(w[3][:, vowel_positions].sum(axis=1) > 0.99)


def test_the_previous_character_head_finds_position_from_the_encodings_alone():
    """Repeated characters do not confuse it: its queries and keys carry no letter at all."""
    w = W.attention_explorer("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", head="previous character", sharpness=1.0).state["weights"]
    assert [int(np.argmax(row)) for row in w[1][1:]] == list(range(29))


def test_controls_redraw_and_change_the_state():
    ex = W.attention_explorer("the cat sat on the mat")
    for name, value in (("mask", "causal"), ("head", "previous character"), ("sharpness", 3.0),
                        ("text", "a dog ran after the cat"), ("sharpness", 0.0), ("head", "all heads")):
        pixels = rendered(ex.figure)
        ex.controls[name].value = value
        assert ex.state["valid"], ex.state.get("message")
        assert rendered(ex.figure) != pixels, name
    assert ex.state["mask"] == "causal" and ex.state["tokens"] == "a dog ran after the cat"


def test_causal_mask_and_sharpness():
    ex = W.attention_explorer("sorting digits", mask="causal")
    w = ex.state["weights"]
    T = len("sorting digits")
    assert np.all(np.triu(w, k=1) == 0) and np.allclose(w.sum(axis=-1), 1.0)
    assert np.allclose(w[:, 0, 0], 1.0)          # the first query may only look at itself
    ex.controls["sharpness"].value = 0.0         # no scores at all: uniform over what the mask allows
    w = ex.state["weights"]
    assert np.allclose(w, np.tril(np.ones((T, T))) / np.arange(1, T + 1)[:, None])
    ex.controls["mask"].value = "none"
    assert np.allclose(ex.state["weights"], 1.0 / T)
    ex.controls["sharpness"].value = 4.0         # sharper: the largest weight of each row grows
    sharp = ex.state["weights"].max(axis=-1)
    ex.controls["sharpness"].value = 1.0
    assert np.all(sharp >= ex.state["weights"].max(axis=-1) - 1e-12)


def test_one_head_is_drawn_large_with_labels():
    ex = W.attention_explorer("hi there", head="start of the word")
    assert len(maps(ex.figure)) == 1 and ex.figure.axes[0].get_title() == "start of the word"
    labels = [t.get_text() for t in ex.figure.axes[0].get_xticklabels()]
    assert labels == ["h", "i", "\u2423", "t", "h", "e", "r", "e"]
    assert ex.state["focus"][6] == 3             # "r" of "there" looks at its "t"


def test_silly_text_gives_a_message_or_a_clear_cut():
    ex = W.attention_explorer("ok")
    for text, words in (("", "Type some text"), ("   ", "Type some text")):
        ex.controls["text"].value = text
        assert ex.state["valid"] is False and words in ex.state["message"]
        assert ex.figure.axes[0].texts and not maps(ex.figure)
    ex.controls["text"].value = "x" * 500
    assert ex.state["valid"] and ex.state["truncated"] and len(ex.state["tokens"]) == A.MAX_CHARACTERS
    assert "Only the first 48 of 500" in ex.state["message"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")           # no missing-glyph warnings from the labels
        ex.controls["head"].value = "same character"
        ex.controls["text"].value = "\U0001F600\t\n$\u00e9 \u4e2d"
        rendered(ex.figure)
    assert ex.state["valid"] and np.allclose(ex.state["weights"].sum(axis=-1), 1.0)
    ex.controls["text"].value = "1"               # one character: attends to itself
    assert np.allclose(ex.state["weights"], 1.0)
    ex.controls["text"].value = "back to normal"
    assert ex.state["valid"] and maps(ex.figure)


def test_a_models_own_heads_are_used():
    vocab = list("abc ")

    def scores_fn(text):                         # head 0 looks at "a"s, head 1 at the first position
        T = len(text)
        look_at_a = np.tile([5.0 if ch == "a" else 0.0 for ch in text], (T, 1))
        first = np.tile([5.0] + [0.0] * (T - 1), (T, 1))
        return np.stack([look_at_a, np.log(np.maximum(np.exp(first), 1e-300))])

    ex = W.attention_explorer("abc a", scores_fn=scores_fn, head_names=["a-finder", "first"], vocab=vocab)
    assert list(ex.controls["head"].options) == ["all heads", "a-finder", "first"]
    w = ex.state["weights"]
    assert w.shape == (2, 5, 5) and np.all(w[0][:, [0, 4]].sum(axis=1) > 0.98) and np.all(w[1][:, 0] > 0.9)
    ex.controls["text"].value = "abz"            # a character the model never saw
    assert ex.state["valid"] is False and "'z'" in ex.state["message"]
    with pytest.raises(ValueError, match="head_names"):
        W.attention_explorer("abc", scores_fn=scores_fn)


def test_minus_infinity_scores_are_masked_keys():
    def scores_fn(text):                         # a causal model: the log of weights, -inf in the future
        T = len(text)
        return np.log(np.tril(np.ones((1, T, T))))

    with np.errstate(divide="ignore"):
        ex = W.attention_explorer("abcd", scores_fn=scores_fn, head_names=["causal model"])
        w = ex.state["weights"][0]
    assert np.all(np.triu(w, 1) == 0) and np.allclose(w, np.tril(np.ones((4, 4))) / np.arange(1, 5)[:, None])
