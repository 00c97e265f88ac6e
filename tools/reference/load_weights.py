"""Load a `vrnn export` weights file into the independent PyTorch VRNN of make_fixture.py.

    python tools/reference/load_weights.py weights.h5

The lines below are the ones docs/FILES.md shows; load_state_dict(strict=True) fails on any
missing, extra or wrongly shaped tensor, so a clean run proves the names and layouts match.
"""
import json
import sys

import h5py
import torch

from make_fixture import VRNN


def load(path):
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == "vrnn-weights", f.attrs["format"]
        config = json.loads(f.attrs["config"])
        state = {name: torch.from_numpy(f["weights"][name][()]) for name in f["weights"]}
    model = VRNN(config).float()
    model.load_state_dict(state, strict=True)
    return model, config


if __name__ == "__main__":
    model, config = load(sys.argv[1])
    count = sum(p.numel() for p in model.parameters())
    print(f"loaded {len(model.state_dict())} tensors, {count} parameters, strict: "
          f"{config['variant']} {config['cell']} H={config['hidden']} Z={config['latent']}")
