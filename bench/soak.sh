#!/usr/bin/env bash
# A long-run soak: stop/resume cycles of one training run on 2 ranks, as a SLURM job with time
# limits would see them. Each cycle resumes the run through launch/mpirun, lets it train for
# CYCLE seconds, samples every rank's resident memory, and stops it with SIGTERM (checkpoint,
# exit 0). At the end it checks that metrics.csv holds every step exactly once, in order, and
# prints per cycle: steps done, steps/s, RSS per rank, the median checkpoint time and the share
# of CPU time the host stole (a shared VM slows down when its neighbours work). Not part of
# launch/test.
#
#   bench/soak.sh [MINUTES (30)] [CYCLE_SECONDS (90)]
#
# Uses .build/release/vrnn (swift build -c release) and a folder under .build/soak.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../launch/common.sh"
cd "$ROOT"
minutes="${1:-30}" cycle="${2:-90}"
require_vrnn
work="$ROOT/.build/soak"
rm -rf "$work" && mkdir -p "$work"
python3 -c "
import random
random.seed(1)
words = 'the quick brown fox jumps over a lazy dog and then runs far away'.split()
print(' '.join(random.choice(words) for _ in range(400000)))" >"$work/text.txt"
"$VRNN" prepare text "$work/text.txt" --out "$work/text.h5" >/dev/null
run="$work/run"
first=(--data "$work/text.h5" --run "$run" --preset tiny --checkpoint-every 50 --log-every 100000 --valid-every 1000)
end=$((SECONDS + minutes * 60))
printf '| cycle | steps | steps/s | RSS rank 0 (MB) | RSS rank 1 (MB) | median checkpoint (s) | CPU stolen by the host |\n|---|---:|---:|---:|---:|---:|---:|\n'
cycle_number=0 before=0
while [ "$SECONDS" -lt "$end" ]; do
    cycle_number=$((cycle_number + 1))
    if [ "$cycle_number" -eq 1 ]; then arguments=("${first[@]}" --steps 100000000); else arguments=(--resume "$run" --steps 100000000); fi
    started=$SECONDS
    # The host's steal time (a shared VM's other tenants), from /proc/stat's cpu line: field 9 of
    # the jiffies is steal; their sum is all time.
    read -r _ user nice system idle iowait irq softirq steal _ </proc/stat
    total_before=$((user + nice + system + idle + iowait + irq + softirq + steal)) steal_before=$steal
    "$ROOT/launch/mpirun" 2 train "${arguments[@]}" >"$work/cycle-$cycle_number.log" 2>&1 &
    launcher=$!
    sleep "$cycle"
    # The ranks are the processes whose command starts with the vrnn binary (mpirun's does not).
    rss=($(ps -eo rss=,args= | awk -v exe="$VRNN" '$2 == exe { printf "%.0f ", $1 / 1024 }' || true))
    kill -TERM "$launcher"
    wait "$launcher" || die "cycle $cycle_number did not stop cleanly (see $work/cycle-$cycle_number.log)"
    read -r _ user nice system idle iowait irq softirq steal _ </proc/stat
    total_after=$((user + nice + system + idle + iowait + irq + softirq + steal))
    after=$(($(wc -l <"$run/metrics.csv") - 1))
    checkpoint_seconds="$(grep 'vrnn: checkpoint /' "$work/cycle-$cycle_number.log" | sed 's/.*MB, \([0-9.]*\) s)/\1/' | sort -n \
        | awk '{a[NR] = $1} END {print NR ? a[int(NR / 2) + 1] : "?"}')"
    printf '| %d | %d | %.0f | %s | %s | %s | %.0f %% |\n' "$cycle_number" "$((after - before))" \
        "$(python3 -c "print(($after - $before) / max($SECONDS - $started, 1))")" "${rss[0]:-?}" "${rss[1]:-?}" "$checkpoint_seconds" \
        "$(python3 -c "print(100 * ($steal - $steal_before) / max($total_after - $total_before, 1))")"
    before=$after
done
# Every step once, in order, and the last one the checkpoint's.
python3 - "$run/metrics.csv" <<'PY'
import sys
rows = [line.split(",") for line in open(sys.argv[1]).read().splitlines()[1:]]
steps = [int(r[0]) for r in rows]
assert steps == list(range(1, len(steps) + 1)), "metrics.csv does not hold every step exactly once, in order"
print(f"metrics.csv: {len(steps)} rows, steps 1..{steps[-1]}, each once, in order")
PY
say "checkpoint: $(cat "$run/latest") ($(du -h "$run/$(cat "$run/latest")" | cut -f1))"
