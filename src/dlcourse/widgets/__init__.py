"""Interactive explorers for the lessons (ipywidgets 8 + matplotlib), one module per lesson topic.

``from dlcourse.widgets import matrix_explorer`` imports what the lessons use: each topic module's
``__all__`` is re-exported here. The topics, by lesson: 01 ``linear_algebra``, ``calculus``,
``probability``; 02 ``neuron``; 03 ``hidden_layers``; 04 ``backprop``; 05 ``optimisers``;
06 ``regularisation``; 07 ``keras_training``; 08 ``convolution``; 09 ``sequences``; 10 ``transfer``;
11 ``autoencoders``; 12 ``gans``; 13 ``attention``. The plumbing they share is in ``_common``.

Each explorer is one function that returns an ``ipywidgets.VBox`` with three extra attributes, so
tests (and curious students) can drive it: ``.controls`` (the input widgets, by name), ``.state``
(what was computed for the current inputs) and ``.figure`` (the last matplotlib Figure drawn).
Plots are drawn into an ``ipywidgets.Output`` as PNG images, which works in JupyterLab and Colab
without any extension.

Maths that an exercise asks students to write (softmax, ...) stays private to the module that
draws it: nothing an exercise asks for is importable from ``dlcourse``.
"""

from . import (attention, autoencoders, backprop, calculus, convolution, gans, hidden_layers, keras_training,
               linear_algebra, neuron, optimisers, probability, regularisation, sequences, transfer)
from .attention import *  # noqa: F401,F403
from .autoencoders import *  # noqa: F401,F403
from .backprop import *  # noqa: F401,F403
from .calculus import *  # noqa: F401,F403
from .convolution import *  # noqa: F401,F403
from .gans import *  # noqa: F401,F403
from .hidden_layers import *  # noqa: F401,F403
from .keras_training import *  # noqa: F401,F403
from .linear_algebra import *  # noqa: F401,F403
from .neuron import *  # noqa: F401,F403
from .optimisers import *  # noqa: F401,F403
from .probability import *  # noqa: F401,F403
from .regularisation import *  # noqa: F401,F403
from .sequences import *  # noqa: F401,F403
from .transfer import *  # noqa: F401,F403

TOPICS = (linear_algebra, calculus, probability, neuron, hidden_layers, backprop, optimisers, regularisation,
          keras_training, convolution, sequences, transfer, autoencoders, gans, attention)
__all__ = [name for topic in TOPICS for name in topic.__all__]
