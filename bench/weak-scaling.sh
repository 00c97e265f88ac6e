#!/usr/bin/env bash
# What 2 ranks can reach on this machine, beside what they reach: per round, one process alone on
# core 0, two independent processes on cores 0 and 1 (no MPI: the machine's own ceiling with both
# cores busy), and `launch/mpirun 2 bench` at the same per-rank G (32 streams). Prints each
# round's ratios to the lone process (docs/PERFORMANCE.md, "Two ranks").
#
#   bench/weak-scaling.sh [ROUNDS (5)] [PRESETS (seed-char,large)]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../launch/common.sh"
cd "$ROOT"
rounds="${1:-5}" presets="${2:-seed-char,large}"
require_vrnn
blas_environment
rate() { python3 -c 'import json, sys; d = json.loads(sys.stdin.read().strip().splitlines()[-1]); print(d[sys.argv[1]])' "$1"; }
IFS=',' read -r -a preset_list <<<"$presets"
for preset in "${preset_list[@]}"; do
    bench=(bench --preset "$preset" --posterior standard --json --steps 10)
    for ((r = 1; r <= rounds; r++)); do
        alone="$(taskset -c 0 "$VRNN" "${bench[@]}" --global-batch 32 | rate char_steps_per_s_1)"
        taskset -c 0 "$VRNN" "${bench[@]}" --global-batch 32 > "$ROOT/.build/pair0.json" &
        taskset -c 1 "$VRNN" "${bench[@]}" --global-batch 32 > "$ROOT/.build/pair1.json"
        wait
        pair="$(python3 -c "print($(rate char_steps_per_s_1 < "$ROOT/.build/pair0.json") + $(rate char_steps_per_s_1 < "$ROOT/.build/pair1.json"))")"
        two="$("$ROOT/launch/mpirun" 2 "${bench[@]}" --global-batch 64 | tail -1)"
        python3 -c "
alone, pair = $alone, $pair
one, n = $(echo "$two" | rate char_steps_per_s_1), $(echo "$two" | rate char_steps_per_s_n)
print('$preset round $r: alone %.0f, two independent %.0f (%.2fx), 2-rank bench %.0f against its 1-rank %.0f (%.2fx)' % (alone, pair, pair / alone, n, one, n / one))"
    done
done
