"""Writes Tests/TrainingTests/Fixtures/optimiser.json: PyTorch's AdamW and Adam (L2 weight decay)
driven by its CosineAnnealingLR and StepLR schedulers, step by step, in float32.

    python tools/reference/make_optimiser_fixture.py   # needs torch (launch/bench --with-pytorch installs it)

Each case records the initial parameters, the gradient fed at each step, the learning rate
PyTorch applied at each step and the parameters after it, for OptimiserFixtureTests."""
import json
import pathlib

import torch

STEPS = 8
SIZE = 9


def run(style, schedule):
    generator = torch.Generator().manual_seed(7 if style == "adamw" else 11)
    initial = torch.randn(SIZE, generator=generator)
    gradients = [torch.randn(SIZE, generator=generator) for _ in range(STEPS)]
    parameter = torch.nn.Parameter(initial.clone())
    lr, decay = 0.05, 0.1
    optimiser = (torch.optim.AdamW if style == "adamw" else torch.optim.Adam)([parameter], lr=lr, weight_decay=decay)
    if schedule["shape"] == "cosine":
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=STEPS, eta_min=schedule["minimum"])
    else:
        scheduler = torch.optim.lr_scheduler.StepLR(optimiser, step_size=schedule["every"], gamma=schedule["decay"])
    rates, parameters = [], []
    for gradient in gradients:
        rates.append(optimiser.param_groups[0]["lr"])
        parameter.grad = gradient.clone()
        optimiser.step()
        scheduler.step()
        parameters.append(parameter.detach().tolist())
    return {"style": style, "learning_rate": lr, "weight_decay": decay, "steps": STEPS, "schedule": schedule,
            "initial": initial.tolist(), "gradients": [g.tolist() for g in gradients], "rates": rates,
            "parameters": parameters}


cases = [run("adamw", {"shape": "cosine", "minimum": 0.005}),
         run("l2", {"shape": "step", "every": 3, "decay": 0.5})]
out = pathlib.Path(__file__).resolve().parents[2] / "Tests/TrainingTests/Fixtures/optimiser.json"
out.write_text(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1) + "\n")
print(f"wrote {out} (torch {torch.__version__})")
