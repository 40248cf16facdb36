"""Networks the course trains itself and ships as one ``.npz`` each (fashion_cnn.py, base_cnn.py): the
weights, the learning history and how the run went, written and read the same way for every network."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np


def save(model, history: dict, info: dict, path: Path) -> None:
    """Write the model's weights, its history and ``info`` to one ``.npz`` file."""
    arrays = {f"weight_{i:02d}": np.asarray(w) for i, w in enumerate(model.get_weights())}
    np.savez_compressed(path, history=json.dumps(history), info=json.dumps(info), **arrays)


def load_into(model, path: Path):
    """``model`` (freshly built) holding the weights of ``path``, with the history and info of their run."""
    with np.load(path) as data:
        weights = [data[name] for name in sorted(n for n in data.files if n.startswith("weight_"))]
        history, info = json.loads(str(data["history"])), json.loads(str(data["info"]))
    model.set_weights(weights)
    return model, history, info


def retrain_and_save(retrain, default_path: Path) -> None:
    """``python -m dlcourse.<network> [output.npz]``: retrain with the recorded seed and write the weights."""
    model, history, info = retrain(verbose=2)
    save(model, history, info, Path(sys.argv[1]) if len(sys.argv) > 1 else default_path)
    print(json.dumps(info))
