#!/usr/bin/env python3
"""PyTorch CPU baseline for `vrnn bench`: the same VRNN, trained the way a competent PyTorch user
would write it, on one thread, timed in character-steps per second.

    python bench/pytorch_baseline.py --preset seed-char|large [--style per-step|hoisted] [--compile]
                                     [--steps N] [--warmup W] [--json] [--check-reference]

The model is the one of docs/MODEL.md and tools/reference/make_fixture.py (same modules, same
parameter names up to the GRU's `_l0` suffix, same parameter count); `--check-reference` runs
that reference module on the same weights and noise and compares loss and gradients, for the
chosen style.

What one timed training step is, in both styles:
  * the window: x [T, G] int64 tokens, uniform over the vocabulary (pre-generated, not timed);
    eps [T, G, Z] standard normals (drawn inside the timed step, as vrnn draws its noise);
  * the forward pass of the chosen style (below), giving NLL + KL summed over all T*G rows;
    loss = (NLL + KL) / (G * T);
  * backward, clip_grad_norm_(5), Adam(lr 1e-3) step;
  * the final h is detached and carried into the next step (truncated BPTT across windows).
Both styles compute the same function: same parameters, same maths (sigma = softplus(raw) +
sigma_min, z = mu_q + sigma_q * eps, categorical NLL by cross-entropy summed, analytic
KL(q || p) summed), only the order of the work differs.

--style per-step (the default): the way the public PyTorch VRNN implementations are written
(e.g. the widely used "VariationalRecurrentNeuralNetwork" repositories): a Python loop over t
whose body, `VRNN.cell_per_step`, does everything of time step t: embedding and phi_x of x_t,
prior on h_{t-1}, encoder on [phi_x_t, h_{t-1}], reparameterised z_t, phi_z, decoder on
[phi_z_t, h_{t-1}], that step's cross-entropy and KL, and nn.GRUCell on [phi_x_t, phi_z_t];
the step losses are summed over t in the loop. The loop walks `x.unbind(0)` / `eps.unbind(0)`.

--style hoisted: what does not depend on the recurrence is taken out of the loop, as vrnn does:
embedding and phi_x for all T*G rows before the loop (the loop reads `phi_x.unbind(0)`: indexing
phi_x[t] instead would make backward build T zero-filled [T, G, F] gradients, quadratic in T);
the loop body, `VRNN.cell_hoisted`, is encoder, reparameterisation, phi_z and the GRU cell; after
the loop, prior on h_{t-1}, decoder, cross-entropy and KL run batched over all T*G rows.

--compile wraps the loop body of the chosen style, and only it, in torch.compile (default mode,
static shapes):
  * per-step: `cell_per_step`, i.e. embedding + phi_x, prior, encoder, reparameterisation,
    phi_z, decoder, cross-entropy, KL and the GRU cell of one step (forward, and through
    AOTAutograd its backward);
  * hoisted: `cell_hoisted`, i.e. encoder, reparameterisation, phi_z and the GRU cell; the
    embedding/phi_x block and the batched prior, decoder and losses stay eager.
In both, the Python loop over t, the summing of the loss, the autograd glue between the compiled
steps, clip_grad_norm_ and Adam stay eager. Compilation happens in the warm-up steps, which are
not timed.
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

    @staticmethod
    def kl(mu_q, sigma_q, mu_p, sigma_p):
        """KL(N(mu_q, sigma_q^2) || N(mu_p, sigma_p^2)), summed over latent dims and rows."""
        return (torch.log(sigma_p) - torch.log(sigma_q)
                + (sigma_q ** 2 + (mu_q - mu_p) ** 2) / (2 * sigma_p ** 2) - 0.5).sum()

    def cell(self, style):
        """The loop body of `style` (what --compile compiles)."""
        return {"per-step": self.cell_per_step, "hoisted": self.cell_hoisted}[style]

    def window_loss(self, style, x, eps, h0, cell_fn=None):
        """x [T, G] int64, eps [T, G, Z], h0 [G, H] (detached carried state); cell_fn replaces
        the loop body (the compiled one). Returns (NLL + KL summed over all T*G rows, h_T [G, H])."""
        loss = {"per-step": self.window_loss_per_step, "hoisted": self.window_loss_hoisted}[style]
        return loss(x, eps, h0, cell_fn or self.cell(style))

    # --style per-step: everything of a time step inside the loop.

    def cell_per_step(self, x_t, h, eps_t):
        """All of time step t. x_t [G] int64, h = h_{t-1} [G, H], eps_t [G, Z]
        -> h_t [G, H], NLL + KL of this step summed over its G rows (a scalar)."""
        phi_x_t = self.phi_x(self.embedding(x_t))              # [G, F]
        mu_p, raw_p = self.prior(h).chunk(2, dim=1)            # [G, Z] each
        sigma_p = self.sigma(raw_p)
        mu_q, raw_q = self.encoder(torch.cat([phi_x_t, h], dim=1)).chunk(2, dim=1)
        sigma_q = self.sigma(raw_q)
        z = mu_q + sigma_q * eps_t                             # reparameterised sample [G, Z]
        phi_z_t = self.phi_z(z)                                # [G, F]
        logits = self.decoder(torch.cat([phi_z_t, h], dim=1))  # [G, V]
        nll = F.cross_entropy(logits, x_t, reduction="sum")
        kl = self.kl(mu_q, sigma_q, mu_p, sigma_p)
        h_new = self.rnn(torch.cat([phi_x_t, phi_z_t], dim=1), h)
        return h_new, nll + kl

    def window_loss_per_step(self, x, eps, h0, cell_fn):
        # unbind, not x[t]/eps[t]: neither needs a gradient, so here it is only for symmetry with
        # the hoisted style, where phi_x[t] would make backward quadratic in T.
        h, total = h0, 0.0
        for x_t, eps_t in zip(x.unbind(0), eps.unbind(0)):    # [G] and [G, Z]
            h, loss_t = cell_fn(x_t, h, eps_t)
            total = total + loss_t
        return total, h

    # --style hoisted: phi_x before the loop; prior, decoder and losses batched after it.

    def cell_hoisted(self, phi_x_t, h, eps_t):
        """The recurrence of time step t. phi_x_t [G, F], h = h_{t-1} [G, H], eps_t [G, Z]
        -> h_t [G, H], mu_q [G, Z], sigma_q [G, Z], phi_z_t [G, F]."""
        enc = self.encoder(torch.cat([phi_x_t, h], dim=1))     # [G, 2Z]
        mu_q, raw_q = enc.chunk(2, dim=1)
        sigma_q = self.sigma(raw_q)
        z = mu_q + sigma_q * eps_t                             # reparameterised sample [G, Z]
        phi_z_t = self.phi_z(z)                                # [G, F]
        h_new = self.rnn(torch.cat([phi_x_t, phi_z_t], dim=1), h)
        return h_new, mu_q, sigma_q, phi_z_t

    def window_loss_hoisted(self, x, eps, h0, cell_fn):
        phi_x = self.phi_x(self.embedding(x))                  # [T, G, F], all rows at once
        # unbind, not phi_x[t]: the backward of T selects would build T zero-filled [T, G, F]
        # gradients and add them up (quadratic in T); unbind's backward is one stack.
        h = h0
        h_prev, mus, sigmas, phi_zs = [], [], [], []
        for phi_x_t, eps_t in zip(phi_x.unbind(0), eps.unbind(0)):   # [G, F] and [G, Z]
            h_prev.append(h)                                   # h_{t-1}: what prior and decoder read
            h, mu_q, sigma_q, phi_z_t = cell_fn(phi_x_t, h, eps_t)
            mus.append(mu_q)
            sigmas.append(sigma_q)
            phi_zs.append(phi_z_t)
        h_prev = torch.cat(h_prev)                             # [T*G, H], row t*G + b
        mu_q, sigma_q = torch.cat(mus), torch.cat(sigmas)      # [T*G, Z]
        mu_p, raw_p = self.prior(h_prev).chunk(2, dim=1)       # [T*G, Z] each
        sigma_p = self.sigma(raw_p)
        logits = self.decoder(torch.cat([torch.cat(phi_zs), h_prev], dim=1))   # [T*G, V]
        nll = F.cross_entropy(logits, x.reshape(-1), reduction="sum")
        return nll + self.kl(mu_q, sigma_q, mu_p, sigma_p), h


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def check_reference(model_cfg, style, seed=0):
    """Runs tools/reference/make_fixture.py's VRNN (nn.GRU, torch.distributions, everything per
    step) on this module's weights, noise and state in float64 and returns the largest relative
    difference of the loss and of any gradient of `style` (eager) from it."""
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
    loss, _ = ours.window_loss(style, x, eps, h0)
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
    ap.add_argument("--style", choices=["per-step", "hoisted"], default="per-step",
                    help="per-step: everything of a time step in the loop, as public VRNN code does (default); "
                         "hoisted: phi_x before the loop, prior/decoder/losses batched after it")
    ap.add_argument("--compile", action="store_true", help="torch.compile the loop body of the style")
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
        f"{impl}, style {args.style}, threads {torch.get_num_threads()}")
    if n_params != preset["parameters"]:
        log(f"error: {n_params} parameters, but vrnn's {args.preset} has {preset['parameters']}")
        sys.exit(2)
    if args.check_reference:
        worst = check_reference(preset["model"], args.style, args.seed)
        log(f"reference check ({args.style}, float64, T=5, G=3): largest relative difference {worst:.2e}")
        if worst > 1e-9:
            log("error: this module does not compute what tools/reference/make_fixture.py computes")
            sys.exit(2)

    cell_fn = torch.compile(model.cell(args.style)) if args.compile else model.cell(args.style)
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    V, Z, H = preset["model"]["inputSize"], preset["model"]["latent"], preset["model"]["hidden"]
    # Random windows, generated before timing: x [T, G] uniform tokens.
    gen = torch.Generator().manual_seed(args.seed + 1)
    windows = [torch.randint(0, V, (T, G), generator=gen) for _ in range(4)]
    h = torch.zeros(G, H)                                      # carried state [G, H]; zero at the start
    # (Under --compile the first time step, whose h needs no gradient, gets a graph of its own:
    # dynamo guards on requires_grad, so the cell is compiled twice, both in the warm-up.)

    def train_step(i, h):
        eps = torch.randn(T, G, Z)                             # latent noise for this window
        total, h_last = model.window_loss(args.style, windows[i % len(windows)], eps, h, cell_fn)
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
            print(json.dumps({"impl": impl, "style": args.style, "preset": args.preset, "parameters": n_params,
                              "char_steps_per_s": None, "torch": torch.__version__, "threads": 1,
                              "error": message}), flush=True)
        sys.exit(3)
    warm_seconds = time.perf_counter() - start

    # Timed: args.steps complete training steps (forward, backward, clip, Adam), back to back.
    # Also by the process's CPU time (every thread), which leaves out what a shared host takes
    # from the core (steal), as `vrnn bench` does.
    start, cpu_start = time.perf_counter(), time.process_time()
    for i in range(args.steps):
        h, loss = train_step(args.warmup + i, h)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    rate, cpu_rate = args.steps * G * T / seconds, args.steps * G * T / cpu_seconds
    log(f"warm-up {args.warmup} steps {warm_seconds:.2f} s; timed {args.steps} steps {seconds:.2f} s "
        f"({seconds / args.steps * 1000:.0f} ms/step), last loss {loss:.4f}")
    log(f"{impl} ({args.style}): {rate:.0f} char-steps/s; by CPU time {cpu_rate:.0f} char-steps per CPU second")
    if args.json:
        print(json.dumps({"impl": impl, "style": args.style, "preset": args.preset, "parameters": n_params,
                          "char_steps_per_s": round(rate, 1), "char_steps_per_cpu_s": round(cpu_rate, 1),
                          "torch": torch.__version__, "threads": 1,
                          "steps": args.steps, "warmup": args.warmup, "seconds": round(seconds, 4),
                          "G": G, "T": T}), flush=True)


if __name__ == "__main__":
    main()
