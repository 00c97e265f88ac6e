#!/usr/bin/env bash
# VRNN, VRNN-I and RNN with GMM heads on real speech, as the VRNN paper compares them (at a
# small scale): the LibriVox excerpts of Debian's pocketsphinx-testdata (CMU Sphinx, BSD-2
# licence; 5 files of read speech, 24.7 s at 16 kHz mono). Four files train, the fifth is held
# out. Each variant trains with the speech preset (frames of 200 samples, GMM 20 components;
# --preset auto would pick it too) and 3 seeds, keeps its best checkpoint by validation, and is
# measured on the held-out file by vrnn eval --importance-samples 50. Prints one row per run
# and the mean and spread per variant. Not part of launch/test.
#
#   bench/speech-recipe.sh [STEPS (600)] [extra vrnn train flags...]
#
# Uses .build/release/vrnn (swift build -c release; VRNN=path overrides) and a folder under .build/speech.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../launch/common.sh"
cd "$ROOT"
steps="${1:-600}"; shift || true
require_vrnn
data=/usr/share/pocketsphinx/test/data/librivox
if [ ! -d "$data" ]; then
    say "installing pocketsphinx-testdata (the recordings)"
    $([ "$(id -u)" -eq 0 ] || echo sudo) apt-get install -y -q pocketsphinx-testdata >/dev/null
fi
work="$ROOT/.build/speech"
rm -rf "$work" && mkdir -p "$work"
files=("$data"/*.wav)
held="${files[${#files[@]}-1]}"
"$VRNN" prepare audio "${files[@]:0:${#files[@]}-1}" --valid "$held" --frame 200 --out "$work/speech.h5"
blas_environment
printf '| variant | seed | best step | valid (nats/frame) | -log p(x), K = 50 (nats/frame) |\n|---|---:|---:|---:|---:|\n'
declare -A results
for variant in vrnn vrnn-i rnn; do
    for seed in 1 2 3; do
        run="$work/$variant-$seed"
        "$ROOT/launch/mpirun" 2 train --data "$work/speech.h5" --run "$run" --preset speech --variant "$variant" --seed "$seed" \
            --steps "$steps" --valid-every 25 --valid-all --early-stop 6 --log-every 100000 --quiet "$@"
        best="$(python3 -c "
import csv
rows = [r for r in csv.DictReader(open('$run/metrics.csv')) if r['valid_loss']]
best = min(rows, key=lambda r: float(r['valid_loss']))
print(best['step'], best['valid_loss'])")"
        nll="$("$VRNN" eval --checkpoint "$run:best" --data "$work/speech.h5" --importance-samples 50 --seed "$seed" \
               | awk '$1 == "-log" { print $6 }')"
        printf '| %s | %s | %s | %s | %s |\n' "$variant" "$seed" "${best% *}" "${best#* }" "$nll"
        results[$variant]+="$nll "
    done
done
echo
for variant in vrnn vrnn-i rnn; do
    python3 -c "
import statistics, sys
values = [float(v) for v in '${results[$variant]}'.split()]
print(f'$variant: mean {statistics.mean(values):.2f} nats/frame, spread {max(values) - min(values):.2f} (min {min(values):.2f}, max {max(values):.2f}) over {len(values)} seeds')"
done
