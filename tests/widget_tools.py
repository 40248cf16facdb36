"""What the widget tests share: drawing a figure to compare pixels, finding artists, setting controls.

Importing it selects matplotlib's Agg backend, so explorers draw without a display.
"""

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402


def rendered(fig):
    """The figure's pixels as bytes, drawn with Agg."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return bytes(canvas.buffer_rgba())


def artists(fig, gid, ax=0):
    """Patches and lines of one axes carrying the given gid."""
    axes = fig.axes[ax]
    return [a for a in [*axes.patches, *axes.lines] if a.get_gid() == gid]


def set_controls(explorer, **values):
    """Set the explorer's controls by name, one after the other (each redraws)."""
    for name, value in values.items():
        explorer.controls[name].value = value
