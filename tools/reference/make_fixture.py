#!/usr/bin/env python3
"""Independent PyTorch implementation of the VRNN, used to write the reference fixture that the
Swift tests compare against (Tests/VRNNTests/Fixtures/reference.h5).

It shares no code with the Swift implementation: a per-time-step loop over nn.Sequential MLPs,
nn.GRU / nn.LSTM, and torch.distributions for the KL and the likelihoods, differentiated by
autograd in float64. Parameters are PyTorch's default initialisation rounded to float32 (the Swift
side reads exactly those float32 values); the loss, every gradient, the gradient with respect to
the carried-in state, and the parameters after one (clipped) Adam step are written out.

Run by hand (see tools/README.md); CI only reads the committed file.
"""
import json
import sys

import h5py
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import (Bernoulli, Categorical, Independent, MixtureSameFamily, Normal,
                                 kl_divergence)

ACTIVATIONS = {"relu": nn.ReLU, "elu": nn.ELU, "tanh": nn.Tanh}


def mlp(inputs, widths, activation, activate_last):
    layers = []
    for i, width in enumerate(widths):
        layers.append(nn.Linear(inputs, width))
        if i < len(widths) - 1 or activate_last:
            layers.append(ACTIVATIONS[activation]())
        inputs = width
    return nn.Sequential(*layers)


def run_dropped(sequential, x, masks):
    """The Sequential's layers in turn, multiplying the output of its i-th activation by masks[i]
    (dropout after each hidden layer, masks fed in)."""
    activations = 0
    for module in sequential:
        x = module(x)
        if not isinstance(module, nn.Linear):
            if activations < len(masks):
                x = x * masks[activations]
            activations += 1
    return x


def head_width(cfg):
    d = cfg["inputSize"]
    return {"categorical": d, "bernoulli": d, "gaussian": 2 * d,
            "gmm": cfg["mixtures"] * (1 + 2 * d)}[cfg["head"]]


class VRNN(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        act, h, z = cfg["activation"], cfg["hidden"], cfg["latent"]
        latent = cfg["variant"] != "rnn"
        if cfg["input"] == "categorical":
            self.embedding = nn.Embedding(cfg["inputSize"], cfg["embedding"])
            x_in = cfg["embedding"]
        else:
            x_in = cfg["inputSize"]
        self.phi_x = mlp(x_in, cfg["phiX"], act, True)
        fx = cfg["phiX"][-1]
        if latent:
            self.phi_z = mlp(z, cfg["phiZ"], act, True)
            fz = cfg["phiZ"][-1]
            if cfg["variant"] == "vrnn":
                self.prior = mlp(h, cfg["prior"] + [2 * z], act, False)
            self.encoder = mlp(fx + h, cfg["encoder"] + [2 * z], act, False)
            self.decoder = mlp(fz + h, cfg["decoder"] + [head_width(cfg)], act, False)
            rnn_in = fx + fz
        else:
            self.decoder = mlp(h, cfg["decoder"] + [head_width(cfg)], act, False)
            rnn_in = fx
        cell = nn.GRU if cfg["cell"] == "gru" else nn.LSTM
        self.rnn = cell(rnn_in, h, num_layers=cfg["layers"])

    def sigma(self, raw):
        return F.softplus(raw) + self.cfg["sigmaMin"]

    def nll(self, params, x):
        cfg, d = self.cfg, self.cfg["inputSize"]
        if cfg["head"] == "categorical":
            return F.cross_entropy(params, x, reduction="sum")
        if cfg["head"] == "bernoulli":
            return -Bernoulli(logits=params).log_prob(x).sum()
        if cfg["head"] == "gaussian":
            return -Normal(params[:, :d], self.sigma(params[:, d:])).log_prob(x).sum()
        k = cfg["mixtures"]
        b = params.shape[0]
        mu = params[:, k:k + k * d].reshape(b, k, d)
        sigma = self.sigma(params[:, k + k * d:].reshape(b, k, d))
        mixture = MixtureSameFamily(Categorical(logits=params[:, :k]), Independent(Normal(mu, sigma), 1))
        return -mixture.log_prob(x).sum()

    def forward(self, x, reset, noise, h0, c0, masks=None):
        """x [T, B] tokens or [T, B, D]; reset [T, B]; noise [T, B, Z]; h0, c0 [L, B, H]; masks:
        dropout masks fed in, [T, B, width] each: phi_x, phi_z, hidden (h_{t-1} as prior, encoder
        and decoder read it) and decoder (a list, one per hidden layer), or None."""
        cfg = self.cfg
        def mask(name, t, values):
            return values * masks[name][t] if masks else values
        z_dim = cfg["latent"]
        h, c = h0, c0
        nll_total, kl_total = 0.0, 0.0
        for t in range(x.shape[0]):
            keep = (1 - reset[t]).to(h.dtype)[None, :, None]
            h = h * keep
            if c is not None:
                c = c * keep
            top = mask("hidden", t, h[-1])
            x_t = self.embedding(x[t]) if cfg["input"] == "categorical" else x[t]
            phi_x = mask("phi_x", t, self.phi_x(x_t))
            if cfg["variant"] == "rnn":
                params = self.decoder(top)
                rnn_in = phi_x
            else:
                enc = self.encoder(torch.cat([phi_x, top], dim=1))
                if cfg["variant"] == "vrnn":
                    pri = self.prior(top)
                    p = Normal(pri[:, :z_dim], self.sigma(pri[:, z_dim:]))
                else:
                    p = Normal(torch.zeros_like(enc[:, :z_dim]), torch.ones_like(enc[:, :z_dim]))
                if cfg.get("posterior") == "residual":
                    # q relative to the prior: mean mu_p + sigma_p a, sigma sigma_p (softplus(b) + floor).
                    q = Normal(p.mean + p.stddev * enc[:, :z_dim], p.stddev * self.sigma(enc[:, z_dim:]))
                else:
                    q = Normal(enc[:, :z_dim], self.sigma(enc[:, z_dim:]))
                z = q.mean + q.stddev * noise[t]
                kl_total = kl_total + kl_divergence(q, p).sum()
                phi_z = mask("phi_z", t, self.phi_z(z))
                params = run_dropped(self.decoder, torch.cat([phi_z, top], dim=1), [m[t] for m in masks["decoder"]] if masks else [])
                rnn_in = torch.cat([phi_x, phi_z], dim=1)
            nll_total = nll_total + self.nll(params, x[t])
            if c is None:
                _, h = self.rnn(rnn_in[None], h)
            else:
                _, (h, c) = self.rnn(rnn_in[None], (h, c))
        return nll_total, kl_total, h, c


def round_mantissa(array, bits):
    """Rounds float32 values to `bits` explicit mantissa bits (ties away from zero); the zeroed
    low bits compress away, which keeps the fixture under 1 MB."""
    raw = np.ascontiguousarray(array, dtype=np.float32).view(np.uint32)
    drop = 23 - bits
    rounded = ((raw + np.uint32(1 << (drop - 1))) >> np.uint32(drop)) << np.uint32(drop)
    return rounded.astype(np.uint32).view(np.float32)


def write_case(group, cfg, x, reset, steps, batch, normaliser, adam, seed, dropout=None):
    torch.manual_seed(seed)
    model = VRNN(cfg)
    # Round the default initialisation to bfloat16 precision (7 mantissa bits), which the fixture
    # stores exactly as float32, then work in float64.
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(round_mantissa(p.numpy(), 7)))
    model = model.double()
    gen = torch.Generator().manual_seed(seed + 1)
    layers, hidden, latent = cfg["layers"], cfg["hidden"], cfg["latent"]
    noise = torch.randn(steps, batch, latent, generator=gen).float().double()
    h0 = (0.5 * torch.randn(layers, batch, hidden, generator=gen)).float().double().requires_grad_()
    c0 = None
    if cfg["cell"] == "lstm":
        c0 = (0.5 * torch.randn(layers, batch, hidden, generator=gen)).float().double().requires_grad_()
    if cfg["input"] == "real":
        x = x.double()
    masks = None
    if dropout:
        # 0 or 1/(1-p), drawn here and stored: the Swift side is fed the same masks.
        def draw(width):
            keep = torch.rand(steps, batch, width, generator=gen) >= dropout
            return keep.double() / (1 - dropout)
        feature = lambda widths, fallback: widths[-1] if widths else fallback
        masks = dict(phi_x=draw(feature(cfg["phiX"], cfg["inputSize"])), phi_z=draw(feature(cfg["phiZ"], cfg["latent"])),
                     hidden=draw(hidden), decoder=[draw(width) for width in cfg["decoder"]])

    nll, kl, h_final, c_final = model(x, reset, noise, h0, c0, masks)
    loss = (nll + kl) / normaliser
    loss.backward()

    group.attrs["config"] = json.dumps(cfg)
    group.attrs["normaliser"] = normaliser
    group.attrs["lr"] = adam["lr"]
    group.attrs["beta1"], group.attrs["beta2"] = adam["betas"]
    group.attrs["eps"] = adam["eps"]
    group.attrs["weight_decay"] = adam["weight_decay"]
    group.attrs["clip"] = adam["clip"]
    group["loss"] = np.float64(loss.item())
    group["reconstruction"] = np.float64(nll.item())
    group["kl"] = np.float64(float(kl.detach()) if torch.is_tensor(kl) else kl)
    group.create_dataset("x", data=x.numpy().astype(np.int32 if cfg["input"] == "categorical" else np.float32))
    group.create_dataset("reset", data=reset.numpy().astype(np.uint8))
    group.create_dataset("noise", data=noise.numpy().astype(np.float32))
    if masks:
        group.attrs["dropout"] = dropout
        for name in ("phi_x", "phi_z", "hidden"):
            group.create_dataset(f"masks/{name}", data=masks[name].numpy().astype(np.float32))
        for i, m in enumerate(masks["decoder"]):
            group.create_dataset(f"masks/decoder_{i}", data=m.numpy().astype(np.float32))
    group.create_dataset("h0", data=h0.detach().numpy().astype(np.float32))
    group.create_dataset("dh0", data=h0.grad.numpy().astype(np.float32))
    group.create_dataset("h_final", data=h_final.detach().numpy().astype(np.float32))
    if c0 is not None:
        group.create_dataset("c0", data=c0.detach().numpy().astype(np.float32))
        group.create_dataset("dc0", data=c0.grad.numpy().astype(np.float32))
    opts = dict(compression="gzip", compression_opts=9, shuffle=True)
    for name, p in model.named_parameters():
        group.create_dataset(f"params/{name}", data=p.detach().numpy().astype(np.float32), **opts)
        stored = round_mantissa(p.grad.numpy(), 16)
        group.create_dataset(f"grads/{name}", data=stored, **opts)
        # The optimiser step below starts from exactly the stored gradients, so the reference
        # step is a function of the file's contents alone.
        p.grad.copy_(torch.from_numpy(stored.astype(np.float64)))

    total_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), adam["clip"])
    group.attrs["grad_norm"] = float(total_norm)
    opt = torch.optim.Adam(model.parameters(), lr=adam["lr"], betas=adam["betas"], eps=adam["eps"],
                           weight_decay=adam["weight_decay"])
    opt.step()
    for name, p in model.named_parameters():
        before = group[f"params/{name}"][...].astype(np.float64)
        # Stored as the step (after - before): unchanged entries compress to nothing.
        group.create_dataset(f"adam_step/{name}", data=round_mantissa(p.detach().numpy() - before, 16), **opts)
    print(f"{group.name}: loss {loss.item():.6f}, recon {nll.item():.4f}, kl {float(group['kl'][()]):.4f}, "
          f"grad norm {float(total_norm):.4f}, {sum(p.numel() for p in model.parameters())} parameters")


def text_case(steps, batch):
    text = ("First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\n"
            "First Citizen:\nYou are all resolved rather to die than to famish?\n")
    codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8).astype(np.int64)
    part = len(codes) // batch  # stream b reads the b-th of B equal parts, time-major rows
    x = np.stack([codes[b * part: b * part + steps] for b in range(batch)], axis=1)
    return torch.from_numpy(x)


def main(path):
    torch.set_num_threads(1)
    notebook = dict(input="categorical", inputSize=128, embedding=64, phiX=[64], phiZ=[64], prior=[64],
                    encoder=[64], decoder=[64], activation="elu", latent=64, cell="gru", hidden=64,
                    layers=1, variant="vrnn", head="categorical", mixtures=1, sigmaMin=1e-3)
    continuous = dict(input="real", inputSize=3, embedding=0, phiX=[16, 16], phiZ=[16, 16], prior=[16],
                      encoder=[16], decoder=[16], activation="tanh", latent=4, cell="lstm", hidden=16,
                      layers=2, variant="vrnn", head="gaussian", mixtures=1, sigmaMin=1e-3)
    # Cases already in the file are kept as they are (each was written by the torch version in its
    # `torch_version` attribute); delete the file to write them all again.
    with h5py.File(path, "a") as f:
        f.attrs["format"] = "vrnn-reference-fixture"

        def case(name, *arguments, **options):
            if name not in f:
                group = f.create_group(name)
                group.attrs["torch_version"] = str(torch.__version__)
                write_case(group, *arguments, **options)

        steps, batch = 6, 4
        case("a", notebook, text_case(steps, batch), torch.zeros(steps, batch, dtype=torch.long),
             steps, batch, normaliser=float(steps * batch),
             adam=dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, clip=1e9), seed=1234)
        steps, batch = 7, 3
        gen = torch.Generator().manual_seed(99)
        frames = torch.cumsum(0.3 * torch.randn(steps, batch, 3, generator=gen), dim=0).float()
        reset = torch.zeros(steps, batch, dtype=torch.long)
        reset[2, 0] = 1
        reset[4, 2] = 1
        reset[5, 1] = 1
        case("b", continuous, frames, reset, steps, batch, normaliser=float(steps * batch * 2),
             adam=dict(lr=3e-3, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01, clip=0.5), seed=42)
        case("c", dict(continuous, posterior="residual"), frames, reset, steps, batch, normaliser=float(steps * batch * 2),
             adam=dict(lr=3e-3, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01, clip=0.5), seed=43)
        case("d", continuous, frames, reset, steps, batch, normaliser=float(steps * batch * 2),
             adam=dict(lr=3e-3, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01, clip=0.5), seed=44, dropout=0.3)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/VRNNTests/Fixtures/reference.h5")
