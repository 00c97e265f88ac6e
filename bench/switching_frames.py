#!/usr/bin/env python3
"""Switching frames, a task on which a latent variable model and an RNN differ (docs/EXPERIMENTS.md (f)).

    bench/switching_frames.py OUT_FOLDER SEQUENCES SEED

Each step's frame (32 values) is one of 3 templates (sines of 1, 2 and 3 cycles) plus Gaussian
noise of 0.05; which template follows the switching task's Markov chain (after 0 always 1; after
1 one of 0, 1, 2 with 1/3 each; after 2 always 0). One CSV per sequence of 100 frames, for
`vrnn prepare csv`. Unlike the pen switching task, the choice is made anew every step and shows
in all 32 values at once, so a head that is one diagonal Gaussian per step cannot express it,
while a latent z per step can.
"""
import math, os, random, sys
D, T, N, noise = 32, 100, int(sys.argv[2]), 0.05
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
templates = [[math.sin(2 * math.pi * (f * d / D) + p) for d in range(D)] for f, p in [(1, 0.0), (2, 1.0), (3, 2.0)]]
rng = random.Random(int(sys.argv[3]))
def after(k):
    return 1 if k == 0 else 0 if k == 2 else rng.choice([0, 1, 2])
for s in range(N):
    k = rng.randrange(3)
    with open(os.path.join(out, "seq%04d.csv" % s), "w") as f:
        f.write(",".join("v%d" % d for d in range(D)) + "\n")
        for t in range(T):
            f.write(",".join("%.4f" % (templates[k][d] + rng.gauss(0, noise)) for d in range(D)) + "\n")
            k = after(k)
