#!/usr/bin/env bash
# Step time over a slow link, measured (not asserted): `vrnn bench` on 2 namespaced hosts, one
# rank each, whose MPI traffic crosses bench/link_emulator.py at a set latency and bandwidth.
#
#   bench/cluster-link.sh [--presets seed-char,large] [--links "bridge 1000/0 1000/1 1000/5 100/0 100/1 10/0"]
#                         [--steps N]
#
# A link is RATE_MBIT/DELAY_MS (one way), or `bridge`: the namespaces' veth bridge, no emulator.
# Each row is one bench run (one round): each rank alone on G/2 streams, then both ranks on G
# (weak scaling), and the gradient's allreduce alone (no compute), beside the cost
# model's figure for it (docs/PERFORMANCE.md, "Across nodes"). Needs root, like launch/test-cluster.
# Rows go to .build/cluster-link.jsonl as JSON lines. VRNN=path overrides .build/release/vrnn.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../launch/common.sh"
cd "$ROOT"
source "$ROOT/launch/cluster/netns.sh"

presets="seed-char,large" links="bridge 1000/0 1000/1 1000/5 100/0 100/1 10/0" steps=4
while [ $# -gt 0 ]; do
    case "$1" in
        --presets) presets="$2"; shift ;;
        --links) links="$2"; shift ;;
        --steps) steps="$2"; shift ;;
        *) die "unknown argument $1 (bench/cluster-link.sh [--presets P,Q] [--links \"bridge 1000/1 ...\"] [--steps N])" ;;
    esac
    shift
done
why="$(cluster_unavailable)"
[ -z "$why" ] || die "cannot make namespaced hosts here: $why"
require_vrnn
work="$(mktemp -d /tmp/vrnn-link.XXXXXX)"
emulator=""
trap '[ -z "$emulator" ] || kill "$emulator" 2>/dev/null; cluster_destroy; rm -rf "$work"' EXIT
cluster_create 2
printf '%s slots=1\n' "$(host_address 0)" "$(host_address 1)" > "$work/hostfile"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
results="$ROOT/.build/cluster-link.jsonl"
mkdir -p "$ROOT/.build"

IFS=',' read -r -a preset_list <<<"$presets"
for preset in "${preset_list[@]}"; do
    for link in $links; do
        if [ "$link" = bridge ]; then
            subnet="$CLUSTER_SUBNET.0/24" rate=0 delay=0
        else
            rate="${link%/*}" delay="${link#*/}" subnet="10.78.0.0/24"
            python3 "$ROOT/bench/link_emulator.py" "$CLUSTER-h0" "$CLUSTER-h1" --delay-ms "$delay" --rate-mbit "$rate" > "$work/emulator.log" 2>&1 &
            emulator=$!
            for _ in $(seq 100); do grep -q ready "$work/emulator.log" && break; sleep 0.1; done
            grep -q ready "$work/emulator.log" || die "the link emulator did not start: $(cat "$work/emulator.log")"
        fi
        options="$(cluster_mpirun_options "$work/hostfile" self,tcp "$subnet")"
        line="$(host_exec 0 env VRNN="$VRNN" MPIRUN_OPTIONS="$options" "$ROOT/launch/mpirun" 2 bench --preset "$preset" \
                    --posterior standard --json --steps "$steps" --warmup 1 --rounds 1 | tail -1)"
        if [ -n "$emulator" ]; then kill "$emulator"; wait "$emulator" 2>/dev/null || true; emulator=""; fi
        echo "$line" | python3 -c '
import json, sys
link, rate, delay, results = sys.argv[1:5]
r = json.loads(sys.stdin.read())
r.update(link=link, rate_mbit=float(rate), delay_ms=float(delay))
with open(results, "a") as f: f.write(json.dumps(r) + "\n")
' "$link" "$rate" "$delay" "$results"
        say "$preset over $link: done"
    done
done
# The table, from this run's rows. Cost model (docs/PERFORMANCE.md, "Across nodes"): the ring
# moves 2(N-1)/N of the gradient (4 bytes per parameter) through each link in 2(N-1) steps of one
# one-way delay each; a small allreduce costs 2 one-way delays on 2 ranks.
python3 - "$results" "$(wc -l < "$results")" "$(( $(echo "$links" | wc -w) * ${#preset_list[@]} ))" <<'PY'
import json, sys
path, total, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = [json.loads(l) for l in open(path)][total - count:]
print("| preset | link | 1-rank step | 2-rank step | efficiency | gradient allreduce | ring model | small allreduce | model |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    tokens = r["global_batch"] * r["window"]
    one = tokens / 2 / r["char_steps_per_s_1"] * 1e3      # one rank alone on G/2 streams, ms
    two = tokens / r["char_steps_per_s_n"] * 1e3
    n, b, d, rate = 2, 4 * r["parameters"], r["delay_ms"], r["rate_mbit"]
    ring = (2 * (n - 1) / n * b / (rate * 1e6 / 8) * 1e3 if rate > 0 else 0) + 2 * (n - 1) * d
    link = "bridge (veth)" if r["link"] == "bridge" else "%g Mbit/s, %g ms" % (rate, d)
    print("| %s | %s | %.0f ms | %.0f ms | %.0f %% | %.1f ms | %s | %.2f ms | %s |" % (
        r["preset"], link, one, two, 100 * r["weak_scaling_efficiency"], r["gradient_allreduce_ms"],
        "%.1f ms" % ring if r["link"] != "bridge" else "-", r["small_allreduce_ms"], "%.0f ms" % (2 * d) if r["link"] != "bridge" else "-"))
PY
