"""dlcourse: what the course notebooks import (data loaders, checks, widgets, plots).

Importing the package is cheap: submodules are imported on use, and only those that need
TensorFlow import it.
"""

__version__ = "0.1.0"
