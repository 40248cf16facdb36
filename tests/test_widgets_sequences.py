"""Unit tests for dlcourse.widgets.sequences (lesson 09): the gradient-through-time explorer and the
temperature explorer driven through their controls, the claims the lesson makes about their plots,
their answers to inputs that do not fit, and that exercise 09's answers stay private."""

import inspect

import ipywidgets
import numpy as np
import pytest

from dlcourse import widgets as W
from dlcourse.widgets import sequences
from widget_tools import rendered

EXERCISE = {"rnn_forward", "rnn_backward", "clip_by_global_norm", "lstm_cell", "make_windows",
            "sample_with_temperature"}
TEXT = ("the cat sat on the mat. the dog sat on the log. a cat and a dog met on the mat by the log.\n" * 6
        + "then the cat ran, and the dog ran after the cat; the mat and the log stayed where they were.\n" * 4)


def by_gid(fig, gid):
    return [a for ax in fig.axes for a in [*ax.lines, *ax.patches, *ax.texts] if a.get_gid() == gid]


def test_explorers_are_exported_and_answers_stay_private():
    assert W.gradient_time_explorer is sequences.gradient_time_explorer
    assert W.temperature_explorer is sequences.temperature_explorer
    assert {"gradient_time_explorer", "temperature_explorer"} <= set(W.__all__)
    assert inspect.getmodule(W.temperature_explorer) is sequences
    import dlcourse
    for module in (sequences, W, dlcourse):
        assert not EXERCISE & {n for n in dir(module) if not n.startswith("_")}


def test_gradient_explorer_structure_and_the_curves_are_backpropagated_norms():
    ex = W.gradient_time_explorer()
    assert isinstance(ex, ipywidgets.VBox) and "dlcourse-gradient-time-explorer" in ex._dom_classes
    assert set(ex.controls) == {"length", "scale", "forget_bias"}
    for name, control in ex.controls.items():
        assert f"dlcourse-{name}" in control._dom_classes
    s = ex.state
    assert s["valid"] and len(s["rnn"]) == len(s["lstm"]) == 60
    assert s["rnn"][-1] == 1.0 and s["lstm"][-1] == 1.0
    # the RNN's norm equals the product of Jacobians built independently, by autodiff-free finite steps
    x, u, rnn, _ = sequences._weights(1.0, 1.0)
    hs = sequences._rnn_forward(x[:60], rnn)
    jac = np.eye(sequences._HIDDEN)
    for t in range(59, 49, -1):          # d h_59 / d h_49 = prod of diag(1 - h_t^2) Wh^T
        jac = jac @ (np.diag(1 - hs[t] ** 2) @ rnn["Wh"].T)
    assert np.linalg.norm(u @ jac) == pytest.approx(s["rnn"][49], rel=1e-9)
    assert by_gid(ex.figure, "rnn-by-step") and by_gid(ex.figure, "lstm-by-length")


def test_lstm_norm_agrees_with_finite_differences_of_its_forward_pass():
    x, u, _, lstm = sequences._weights(1.0, 2.0)
    T, k = 12, 4
    norms = sequences._lstm_norms(sequences._lstm_forward(x[:T], lstm), u, lstm, T)

    def last_from(h_k, c_k):   # run the LSTM from step k + 1 with the state at step k replaced
        H = sequences._HIDDEN
        h, c = h_k, c_k
        for xt in x[k + 1:T]:
            z = xt @ lstm["Wx"] + h @ lstm["Wh"] + lstm["b"]
            i, f, g, o = (sequences._sig(z[:H]), sequences._sig(z[H:2 * H]), np.tanh(z[2 * H:3 * H]),
                          sequences._sig(z[3 * H:]))
            c = f * c + i * g
            h = o * np.tanh(c)
        return u @ h

    cache = sequences._lstm_forward(x[:T], lstm)
    i, f, g, o, c_prev, tc = cache[k]
    c_k = f * c_prev + i * g
    h_k = o * tc
    grad = np.array([(last_from(h_k + 1e-6 * e, c_k) - last_from(h_k - 1e-6 * e, c_k)) / 2e-6
                     for e in np.eye(sequences._HIDDEN)])
    assert np.linalg.norm(grad) == pytest.approx(norms[k], rel=1e-5)


def test_each_control_redraws_and_the_lesson_claims_hold():
    ex = W.gradient_time_explorer()
    # at the defaults (scale 1, forget bias 1, 60 steps) the LSTM keeps far more gradient than the RNN
    assert ex.state["lstm"][0] > 1e4 * ex.state["rnn"][0]
    for name, value in (("length", 150), ("forget_bias", 3.0), ("scale", 3.0), ("scale", 0.5)):
        pixels = rendered(ex.figure)
        ex.controls[name].value = value
        assert ex.state["valid"], ex.state.get("message")
        assert rendered(ex.figure) != pixels, name
    # scale 0.5: the RNN's gradient vanishes geometrically: below 1e-30 within 150 steps
    assert ex.state["rnn"][0] < 1e-30 and ex.state["length"] == 150
    ex.controls["scale"].value = 1.0
    # forget bias 3: the LSTM still passes more than 1% of the gradient back over 150 steps
    assert ex.state["lstm"][0] > 1e-2 and ex.state["rnn"][0] < 1e-20
    # scale 3: the RNN's gradient explodes, the longer the sequence the more
    ex.controls["scale"].value = 3.0
    first = ex.state["rnn_first"]
    assert ex.state["rnn"][0] > 1e6 and first[-1] > 1e3 * first[1]
    # the first-step norms for the full length are the curve's first value
    assert ex.state["lengths"][-1] == 150 and ex.state["rnn_first"][-1] == ex.state["rnn"][0]


def test_silly_settings_give_a_message_not_a_stale_plot():
    ex = W.gradient_time_explorer(length=20)
    for name, value, words in [("forget_bias", 1e9, "forget bias"), ("forget_bias", float("-inf"), "forget bias"),
                               ("scale", 0.0, "weight scale"), ("scale", float("nan"), "weight scale"),
                               ("scale", 1e6, "weight scale")]:
        ex.controls[name].value = value
        assert ex.state["valid"] is False and words in ex.state["message"], (name, value)
        assert ex.figure.axes[0].texts and not by_gid(ex.figure, "rnn-by-step")
    ex.controls["scale"].value = 1.0
    ex.controls["forget_bias"].value = 1.0             # and it recovers
    assert ex.state["valid"] and by_gid(ex.figure, "rnn-by-step")


def test_temperature_explorer_structure_and_distribution():
    ex = W.temperature_explorer(TEXT, prompt="the c", length=100)
    assert "dlcourse-temperature-explorer" in ex._dom_classes
    assert set(ex.controls) == {"temperature", "seed", "prompt", "length"}
    for name, control in ex.controls.items():
        assert f"dlcourse-{name}" in control._dom_classes
    s = ex.state
    assert s["valid"] and len(s["text"]) == 100 and set(s["text"]) <= set(TEXT)
    # after "the c" the 4-gram model saw only "a" ("cat") follow "e c"
    vocab = sorted(set(TEXT))
    assert vocab[int(np.argmax(s["p"]))] == "a" and s["p"].max() > 0.99
    assert np.isclose(s["p"].sum(), 1.0) and np.allclose(s["p"], s["p_one"])
    assert by_gid(ex.figure, "generated") and by_gid(ex.figure, "p-temperature")


def test_temperature_controls_redraw_and_the_lesson_claims_hold():
    ex = W.temperature_explorer(TEXT, prompt="the ", length=160)
    entropies, known = {}, {}
    for name, value in (("temperature", 0.0), ("seed", 3), ("temperature", 0.5), ("prompt", "a "),
                        ("length", 200), ("temperature", 2.5)):
        pixels = rendered(ex.figure)
        ex.controls[name].value = value
        assert ex.state["valid"], ex.state.get("message")
        assert rendered(ex.figure) != pixels or name == "seed", name
        entropies[ex.state["temperature"]] = ex.state["entropy"]
        known[ex.state["temperature"]] = ex.state["known_words"]
    # a higher temperature flattens the distribution; a low one writes real words, a high one invents them
    assert entropies[0.0] == 0 and entropies[0.5] < entropies[2.5]
    assert known[0.5] > known[2.5]
    # temperature 0 does not depend on the seed
    ex.controls["temperature"].value = 0.0
    first = ex.state["text"]
    ex.controls["seed"].value = 99
    assert ex.state["text"] == first


def test_a_given_model_function_is_used():
    vocab = ["a", "b"]
    ex = W.temperature_explorer(next_logits=lambda context: np.array([0.0, 3.0]) if context[-1] == "a"
                                else np.array([3.0, 0.0]), vocab=vocab, prompt="a", temperature=0.0, length=20)
    assert ex.state["text"] == "ba" * 10 and np.isnan(ex.state["known_words"])


def test_prompts_the_model_cannot_read_give_a_message():
    ex = W.temperature_explorer(TEXT, length=40)
    for prompt, words in [("", "Type a prompt"), ("the Z€", "never saw")]:
        ex.controls["prompt"].value = prompt
        assert ex.state["valid"] is False and words in ex.state["message"]
        assert not by_gid(ex.figure, "generated")
        ex.controls["prompt"].value = "the "
        assert ex.state["valid"]


def test_inputs_that_do_not_fit_are_refused():
    with pytest.raises(ValueError, match="text"):
        W.temperature_explorer("short")
    with pytest.raises(ValueError, match="vocab"):
        W.temperature_explorer(next_logits=lambda context: np.zeros(3))
