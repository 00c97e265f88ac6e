#!/usr/bin/env bash
# Data at scale: prepares a large text and trains 20 steps of seed-char on 2 ranks from it.
# Reports prepare time, throughput and peak memory, the time from launch to the first step, and
# the peak memory of the largest rank (vrnn's own "peak memory" line). Not part of launch/test.
#
#   bench/data-scale.sh [MEGABYTES (2048)]
#
# Uses .build/release/vrnn (swift build -c release) and a folder under .build/data-scale. The
# text repeats Tiny Shakespeare (../shared/data) when it is there, else generated words.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../launch/common.sh"
cd "$ROOT"
megabytes="${1:-2048}"
require_vrnn
work="$ROOT/.build/data-scale"
rm -rf "$work" && mkdir -p "$work"
say "writing a ${megabytes} MB text"
python3 - "$work/text.txt" "$megabytes" "$ROOT/../shared/data" <<'PY'
import os, random, sys
path, megabytes, shared = sys.argv[1], int(sys.argv[2]), sys.argv[3]
source = next((os.path.join(root, f) for root, _, files in os.walk(shared) for f in files if "shakespeare" in f.lower()), None) if os.path.isdir(shared) else None
if source:
    block = open(source, "rb").read()
else:
    random.seed(1)
    words = "the quick brown fox jumps over a lazy dog and then runs far away".split()
    block = (" ".join(random.choice(words) for _ in range(200_000)) + "\n").encode()
with open(path, "wb") as out:
    left = megabytes << 20
    while left > 0:
        out.write(block[:left])
        left -= len(block)
PY
say "prepare text"
/usr/bin/time -f "%e %M" -o "$work/prepare.time" "$VRNN" prepare text "$work/text.txt" --out "$work/text.h5" >/dev/null
read -r seconds kilobytes <"$work/prepare.time"
python3 -c "print(f'prepare: {$seconds:.1f} s, {$megabytes / $seconds:.0f} MB/s of text, peak memory {$kilobytes / 1024:.0f} MB')"
say "train 20 steps of seed-char on 2 ranks"
python3 - "$ROOT/launch/mpirun" "$work" <<'PY'
import subprocess, sys, time
launcher, work = sys.argv[1], sys.argv[2]
start = time.monotonic()
job = subprocess.Popen([launcher, "2", "train", "--data", f"{work}/text.h5", "--run", f"{work}/run", "--preset", "seed-char",
                        "--steps", "20", "--log-every", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
first = None
for line in job.stdout:
    if first is None and line.startswith("step 1/"):
        first = time.monotonic() - start
    if line.startswith("vrnn: peak memory") or line.startswith("vrnn: done") or "error" in line:
        print(line.rstrip())
if job.wait() != 0:
    sys.exit("training failed")
print(f"time to the first step: {first:.2f} s (launch, start-up and the step itself)")
PY
