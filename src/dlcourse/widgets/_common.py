"""Plumbing shared by every explorer: drawing a figure into an Output, and the explorer box.

Each explorer is one function that returns an ``ipywidgets.VBox`` carrying ``.controls`` (the input
widgets, by name), ``.state`` (what was computed for the current inputs) and ``.figure`` (the last
matplotlib Figure drawn), so tests and curious students can drive it.
"""

from __future__ import annotations

import base64
import html
import io

import ipywidgets as widgets
from matplotlib.figure import Figure

__all__: list[str] = []


def _show(output, fig):
    """Replace what ``output`` shows with ``fig`` rendered as a PNG.

    The Output widget's state is set directly, in one update, instead of capturing a display
    inside ``with output:``: capturing makes the frontend (and nbclient, which runs notebooks
    under nbgrader and in the tests) track output message ids, and nbclient can then wait for
    its full cell timeout after such a cell (jupyter/nbclient#312).
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    output.outputs = ({"output_type": "display_data", "metadata": {},
                       "data": {"image/png": png, "text/plain": "<Figure>"}},)


def _explorer(css_class, rows, output):
    """The explorer's box: ``rows`` of controls above ``output``, with empty controls/state/figure."""
    box = widgets.VBox([*rows, output])
    box.add_class(css_class)
    box.controls = {}
    box.state = {}
    box.figure = None
    return box


def _control_explorer(css_class, controls):
    """An explorer whose named ``controls`` sit in one wrapping row above an info line and the plot;
    each control gets the CSS class ``dlcourse-<name>``. Returns ``(explorer, info, output)``."""
    for name, control in controls.items():
        control.add_class(f"dlcourse-{name}")
    info, output = widgets.HTML(), widgets.Output()
    row = widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
    explorer = _explorer(css_class, [row, info], output)
    explorer.controls = controls
    return explorer, info, output


def _show_problem(explorer, info, output, message, width=9.5):
    """Say in red, in the info line and instead of the plot, why nothing can be drawn."""
    explorer.state.update(valid=False, message=message)
    info.value = f"<span style='color:#c00'>{html.escape(message)}</span>"
    explorer.figure = _message_figure(message, width=width)
    _show(output, explorer.figure)


def _message_figure(text, width=9.5):
    """A figure that says, in red, why nothing can be drawn (so a silly input never leaves a stale plot)."""
    fig = Figure(figsize=(width, 4.2), layout="constrained")
    ax = fig.subplots()
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, color="tab:red", wrap=True)
    return fig


def _redraw_on_change(controls, redraw):
    """Call ``redraw`` whenever a control's value changes, and once now."""
    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()


def _number(value, digits=3):
    """``value`` to ``digits`` significant figures for a label: rounding noise (below 1e-12) reads 0, never -0."""
    value = float(value)
    if abs(value) < 1e-12:
        value = 0.0
    return f"{value + 0.0:.{digits}g}"  # + 0.0 turns -0.0 into 0.0
