#!/usr/bin/env python3
"""PyTorch CPU baseline for `vrnn bench`: the same VRNN, trained the way a competent PyTorch user
would write it, on one thread, timed in character-steps per second.

    python bench/pytorch_baseline.py --preset seed-char|large [--compile] [--steps N] [--warmup W] [--json]

The model is the one of docs/MODEL.md and tools/reference/make_fixture.py (same modules, same
parameter names up to the GRU's `_l0` suffix, same parameter count); `--check-reference` runs
that reference module on the same weights and noise and compares loss and gradients.

How one training step is computed (what is timed):
  * the window: x [T, G] int64 tokens, uniform over the vocabulary (pre-generated, not timed);
    eps [T, G, Z] standard normals (drawn inside the timed step, as vrnn draws its noise);
  * embedding and phi_x for all T*G rows at once (they do not depend on the recurrence);
  * a Python loop over t of `step` (the per-time-step cell): encoder on [phi_x_t, h_{t-1}],
    sigma = softplus(raw) + sigma_min, z_t = mu_q + sigma_q * eps_t, phi_z(z_t), then
    nn.GRUCell on [phi_x_t, phi_z_t];
  * after the loop, batched over all T*G rows: prior on h_{t-1}, decoder on [phi_z_t, h_{t-1}],
    categorical NLL (cross-entropy, summed) and the analytic KL(q || p), summed;
    loss = (NLL + KL) / (G * T) -- vrnn computes prior, decoder and losses after its loop too;
  * backward, clip_grad_norm_(5), Adam(lr 1e-3) step;
  * the final h is detached and carried into the next step (truncated BPTT across windows).

`--compile` wraps exactly `step` (the body of one time step above: encoder, reparameterisation,
phi_z, GRU cell) in torch.compile (default mode, static shapes); the embedding/phi_x block, the
batched heads and losses, backward's glue and Adam stay eager. Compilation happens in the warm-up
steps, which are not timed.
"""
import argparse
import json
import os
import sys
import time
import types
from pathlib import Path

# Compile with one worker: the machine is shared, and compilation is not what is measured.
os.environ.setdefault("TORCHINDUCTOR_COMPILE_THREADS", "1")

import torch
import torch.nn as nn
import torch.nn.functional as F

# The configurations of Sources/Training/Presets.swift (Preset.text) with sigma_min from
# Sources/VRNN/ModelConfig.swift (default 1e-3). Keys follow tools/reference/make_fixture.py.
PRESETS = {
    "seed-char": dict(model=dict(inputSize=128, embedding=64, features=64, latent=64, hidden=64),
                      G=64, T=300, parameters=99_392),
    "large": dict(model=dict(inputSize=128, embedding=64, features=256, latent=128, hidden=512),
                  G=64, T=100, parameters=2_323_328),
}
SIGMA_MIN = 1e-3
LEARNING_RATE = 1e-3
CLIP = 5.0


def mlp(inputs, widths, activate_last):
    """nn.Sequential of Linear layers with ELU between them (and after the last one when
    activate_last), exactly as `mlp` in tools/reference/make_fixture.py: the i-th Linear is
    `<name>.<2i>`."""
    layers = []
    for i, width in enumerate(widths):
        layers.append(nn.Linear(inputs, width))
        if i < len(widths) - 1 or activate_last:
            layers.append(nn.ELU())
        inputs = width
    return nn.Sequential(*layers)


class VRNN(nn.Module):
    """Categorical-input VRNN with a learned prior, one GRU layer and a categorical head.

    V vocabulary, E embedding, F feature width (phi_x, phi_z and the one hidden layer of
    prior/encoder/decoder), Z latent, H hidden."""

    def __init__(self, inputSize, embedding, features, latent, hidden):
        super().__init__()
        V, E, Fw, Z, H = inputSize, embedding, features, latent, hidden
        self.latent = Z
        self.embedding = nn.Embedding(V, E)                   # [V, E]
        self.phi_x = mlp(E, [Fw], True)                       # E -> F, ELU
        self.phi_z = mlp(Z, [Fw], True)                       # Z -> F, ELU
        self.prior = mlp(H, [Fw, 2 * Z], False)               # h -> [mu_p, raw_p]
        self.encoder = mlp(Fw + H, [Fw, 2 * Z], False)        # [phi_x, h] -> [mu_q, raw_q]
        self.decoder = mlp(Fw + H, [Fw, V], False)            # [phi_z, h] -> V logits
        self.rnn = nn.GRUCell(2 * Fw, H)                      # [phi_x, phi_z] -> h (gates r, z, n)

    @staticmethod
    def sigma(raw):
        return F.softplus(raw) + SIGMA_MIN

    def step(self, phi_x_t, h, eps_t):
        """One time step of the recurrence (the function `--compile` compiles).
        phi_x_t [G, F], h = h_{t-1} [G, H], eps_t [G, Z]
        -> h_t [G, H], mu_q [G, Z], sigma_q [G, Z], phi_z_t [G, F]."""
        enc = self.encoder(torch.cat([phi_x_t, h], dim=1))     # [G, 2Z]
        mu_q, raw_q = enc.chunk(2, dim=1)
        sigma_q = self.sigma(raw_q)
        z = mu_q + sigma_q * eps_t                             # reparameterised sample [G, Z]
        phi_z_t = self.phi_z(z)                                # [G, F]
        h_new = self.rnn(torch.cat([phi_x_t, phi_z_t], dim=1), h)
        return h_new, mu_q, sigma_q, phi_z_t

    def window_loss(self, x, eps, h0, step_fn=None):
        """x [T, G] int64, eps [T, G, Z], h0 [G, H] (detached carried state).
        Returns (NLL + KL summed over all T*G rows, h_T [G, H])."""
        step_fn = step_fn or self.step
        T, G = x.shape
        phi_x = self.phi_x(self.embedding(x))                  # [T, G, F], all rows at once
        # unbind, not phi_x[t]: the backward of T selects would build T zero-filled [T, G, F]
        # gradients and add them up (quadratic in T); unbind's backward is one stack.
        phi_x_t, eps_t = phi_x.unbind(0), eps.unbind(0)        # T views of [G, F] and [G, Z]
        h = h0
        h_prev, mus, sigmas, phi_zs = [], [], [], []
        for t in range(T):
            h_prev.append(h)                                   # h_{t-1}: what prior and decoder read
            h, mu_q, sigma_q, phi_z_t = step_fn(phi_x_t[t], h, eps_t[t])
            mus.append(mu_q)
            sigmas.append(sigma_q)
            phi_zs.append(phi_z_t)
        h_prev = torch.cat(h_prev)                             # [T*G, H], row t*G + b
        mu_q, sigma_q = torch.cat(mus), torch.cat(sigmas)      # [T*G, Z]
        pri = self.prior(h_prev)                               # [T*G, 2Z]
        mu_p, raw_p = pri.chunk(2, dim=1)
        sigma_p = self.sigma(raw_p)
        logits = self.decoder(torch.cat([torch.cat(phi_zs), h_prev], dim=1))   # [T*G, V]
        nll = F.cross_entropy(logits, x.reshape(-1), reduction="sum")
        # KL(N(mu_q, sigma_q^2) || N(mu_p, sigma_p^2)), summed over latent dims and rows.
        kl = (torch.log(sigma_p) - torch.log(sigma_q)
              + (sigma_q ** 2 + (mu_q - mu_p) ** 2) / (2 * sigma_p ** 2) - 0.5).sum()
        return nll + kl, h


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def check_reference(model_cfg, seed=0):
    """Runs tools/reference/make_fixture.py's VRNN (nn.GRU, torch.distributions, everything per
    step) on this module's weights, noise and state in float64 and returns the largest relative
    difference of the loss and of any gradient."""
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "tools" / "reference"))
    try:
        import h5py  # noqa: F401  (the reference imports it at the top; only its writer uses it)
    except ImportError:
        sys.modules["h5py"] = types.ModuleType("h5py")
    import make_fixture

    m = model_cfg
    cfg = dict(input="categorical", inputSize=m["inputSize"], embedding=m["embedding"],
               phiX=[m["features"]], phiZ=[m["features"]], prior=[m["features"]],
               encoder=[m["features"]], decoder=[m["features"]], activation="elu",
               latent=m["latent"], cell="gru", hidden=m["hidden"], layers=1, variant="vrnn",
               head="categorical", mixtures=1, sigmaMin=SIGMA_MIN)
    torch.manual_seed(seed)
    ours = VRNN(**model_cfg).double()
    ref = make_fixture.VRNN(cfg).double()
    # Same parameters under the same names, except nn.GRU's `_l0` suffix.
    names = {n: n + "_l0" if n.startswith("rnn.") else n for n, _ in ours.named_parameters()}
    ref_params = dict(ref.named_parameters())
    assert set(names.values()) == set(ref_params), "parameter names differ from the reference"
    with torch.no_grad():
        for n, p in ours.named_parameters():
            ref_params[names[n]].copy_(p)
    T, G = 5, 3
    gen = torch.Generator().manual_seed(seed + 1)
    x = torch.randint(0, m["inputSize"], (T, G), generator=gen)
    eps = torch.randn(T, G, m["latent"], generator=gen, dtype=torch.float64)
    h0 = 0.5 * torch.randn(G, m["hidden"], generator=gen, dtype=torch.float64)
    loss, _ = ours.window_loss(x, eps, h0)
    loss.backward()
    nll, kl, _, _ = ref(x, torch.zeros(T, G, dtype=torch.long), eps, h0[None], None)
    (nll + kl).backward()
    rel = lambda a, b: float((a - b).abs().max() / b.abs().max().clamp_min(1e-30))
    worst = rel(loss.detach(), (nll + kl).detach())
    for n, p in ours.named_parameters():
        worst = max(worst, rel(p.grad, ref_params[names[n]].grad))
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", choices=sorted(PRESETS), required=True)
    ap.add_argument("--compile", action="store_true", help="torch.compile the per-time-step cell")
    ap.add_argument("--steps", type=int, default=10, help="timed training steps (windows)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed steps first (compilation happens here)")
    ap.add_argument("--json", action="store_true", help="print exactly one JSON line")
    ap.add_argument("--check-reference", action="store_true",
                    help="also compare loss and gradients with tools/reference/make_fixture.py (float64)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.steps < 1 or args.warmup < 0:
        ap.error("--steps must be >= 1 and --warmup >= 0")

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    torch.set_default_dtype(torch.float32)
    impl = "pytorch-compile" if args.compile else "pytorch-eager"
    preset = PRESETS[args.preset]
    G, T = preset["G"], preset["T"]
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print

    torch.manual_seed(args.seed)
    model = VRNN(**preset["model"])
    n_params = parameter_count(model)
    log(f"pytorch {torch.__version__}, preset {args.preset}, {n_params} parameters, G={G}, T={T}, "
        f"{impl}, threads {torch.get_num_threads()}")
    if n_params != preset["parameters"]:
        log(f"error: {n_params} parameters, but vrnn's {args.preset} has {preset['parameters']}")
        sys.exit(2)
    if args.check_reference:
        worst = check_reference(preset["model"], args.seed)
        log(f"reference check (float64, T=5, G=3): largest relative difference {worst:.2e}")
        if worst > 1e-9:
            log("error: this module does not compute what tools/reference/make_fixture.py computes")
            sys.exit(2)

    step_fn = torch.compile(model.step) if args.compile else model.step
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    V, Z, H = preset["model"]["inputSize"], preset["model"]["latent"], preset["model"]["hidden"]
    # Random windows, generated before timing: x [T, G] uniform tokens.
    gen = torch.Generator().manual_seed(args.seed + 1)
    windows = [torch.randint(0, V, (T, G), generator=gen) for _ in range(4)]
    h = torch.zeros(G, H)                                      # carried state [G, H]; zero at the start
    # (Under --compile the first time step, whose h needs no gradient, gets a graph of its own:
    # dynamo guards on requires_grad, so `step` is compiled twice, both in the warm-up.)

    def train_step(i, h):
        eps = torch.randn(T, G, Z)                             # latent noise for this window
        total, h_last = model.window_loss(windows[i % len(windows)], eps, h, step_fn)
        loss = total / (G * T)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()
        return h_last.detach(), loss.item()                   # truncated BPTT: no gradient crosses windows

    start = time.perf_counter()
    try:
        for i in range(args.warmup):
            h, loss = train_step(i, h)
        if args.warmup == 0 and args.compile:
            log("note: --warmup 0 with --compile: compilation is inside the timed steps")
    except Exception as e:  # torch.compile needs a C++ compiler and Python headers; say so in one line
        if not args.compile:
            raise
        first = (str(e).strip().splitlines() or [""])[0][:300]
        message = f"torch.compile failed: {type(e).__name__}: {first}"
        log(message)
        if args.json:
            print(json.dumps({"impl": impl, "preset": args.preset, "parameters": n_params,
                              "char_steps_per_s": None, "torch": torch.__version__, "threads": 1,
                              "error": message}), flush=True)
        sys.exit(3)
    warm_seconds = time.perf_counter() - start

    # Timed: args.steps complete training steps (forward, backward, clip, Adam), back to back.
    start = time.perf_counter()
    for i in range(args.steps):
        h, loss = train_step(args.warmup + i, h)
    seconds = time.perf_counter() - start
    rate = args.steps * G * T / seconds
    log(f"warm-up {args.warmup} steps {warm_seconds:.2f} s; timed {args.steps} steps {seconds:.2f} s "
        f"({seconds / args.steps * 1000:.0f} ms/step), last loss {loss:.4f}")
    log(f"{impl}: {rate:.0f} char-steps/s")
    if args.json:
        print(json.dumps({"impl": impl, "preset": args.preset, "parameters": n_params,
                          "char_steps_per_s": round(rate, 1), "torch": torch.__version__, "threads": 1,
                          "steps": args.steps, "warmup": args.warmup, "seconds": round(seconds, 4),
                          "G": G, "T": T}), flush=True)


if __name__ == "__main__":
    main()
