"""Interactive explorers for the lessons (ipywidgets 8 + matplotlib), one module per lesson topic.

``from dlcourse.widgets import matrix_explorer`` imports what the lessons use. The explorers live
in one module per topic (lesson 01: ``linear_algebra``, ``calculus``, ``probability``; lesson 02:
``neuron``; lesson 03: ``hidden_layers``); the plumbing they share is in ``_common``.

Each explorer is one function that returns an ``ipywidgets.VBox`` with three extra attributes, so
tests (and curious students) can drive it: ``.controls`` (the input widgets, by name), ``.state``
(what was computed for the current inputs) and ``.figure`` (the last matplotlib Figure drawn).
Plots are drawn into an ``ipywidgets.Output`` as PNG images, which works in JupyterLab and Colab
without any extension.

Maths that an exercise asks students to write (softmax, ...) stays private to the module that
draws it: nothing an exercise asks for is importable from ``dlcourse``.
"""

from . import calculus, hidden_layers, linear_algebra, neuron, probability
from .calculus import FUNCTIONS, directional_derivative, evaluate, gradient, gradient_explorer
from .hidden_layers import HIDDEN_ACTIVATIONS, hidden_layer_explorer
from .linear_algebra import (
    LETTER_F,
    describe_matrix,
    determinant,
    eigen_directions,
    matrix_explorer,
    transform_points,
)
from .neuron import ACTIVATIONS, neuron_explorer
from .probability import entropy, softmax_explorer

__all__ = [*linear_algebra.__all__, *calculus.__all__, *probability.__all__, *neuron.__all__,
           *hidden_layers.__all__]
