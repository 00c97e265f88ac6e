#!/usr/bin/env bash
# Step time over a slow link, measured (not asserted): `vrnn bench` on 2 namespaced hosts, one
# rank each, whose MPI traffic crosses bench/link_emulator.py at a set latency and bandwidth.
#
#   bench/cluster-link.sh [--presets seed-char,large] [--links "bridge 1000/0 1000/1 1000/5 100/0 100/1 10/0"]
#                         [--steps N]
#
# A link is RATE_MBIT/DELAY_MS (one way), or `bridge`: the namespaces' veth bridge, no emulator.
# Each row is one bench run: rank 0 alone on G/2 streams, then both ranks on G (weak scaling), so
# the step time's growth over the 1-rank step is what the link costs. Also prints the cost model's
# figure for the row (docs/PERFORMANCE.md, "Across nodes"). Needs root, like launch/test-cluster.
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
VRNN="${VRNN:-$ROOT/.build/release/vrnn}"
[ -x "$VRNN" ] || die "$VRNN is not built; run swift build -c release"
work="$(mktemp -d /tmp/vrnn-link.XXXXXX)"
emulator=""
trap '[ -z "$emulator" ] || kill "$emulator" 2>/dev/null; cluster_destroy; rm -rf "$work"' EXIT
cluster_create 2
printf '%s slots=1\n' "$(host_address 0)" "$(host_address 1)" > "$work/hostfile"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
results="$ROOT/.build/cluster-link.jsonl"
mkdir -p "$ROOT/.build"

printf '%-10s %-9s %-8s %12s %12s %10s %10s %11s\n' preset link "delay" "1-rank step" "2-rank step" "link cost" efficiency "model cost"
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
        options="--hostfile $work/hostfile --mca plm_rsh_agent $ROOT/launch/cluster/agent --mca plm_rsh_no_tree_spawn 1 --bind-to none"
        options+=" --mca btl self,tcp --mca btl_tcp_if_include $subnet --mca oob_tcp_if_include $CLUSTER_SUBNET.0/24"
        line="$(host_exec 0 env VRNN="$VRNN" MPIRUN_OPTIONS="$options" "$ROOT/launch/mpirun" 2 bench --preset "$preset" \
                    --posterior standard --json --steps "$steps" --warmup 1 | tail -1)"
        if [ -n "$emulator" ]; then kill "$emulator"; wait "$emulator" 2>/dev/null || true; emulator=""; fi
        echo "$line" | python3 -c '
import json, sys
preset, link, rate, delay, results = sys.argv[1:6]
r = json.loads(sys.stdin.read())
r.update(link=link, rate_mbit=float(rate), delay_ms=float(delay))
with open(results, "a") as f: f.write(json.dumps(r) + "\n")
tokens = r["global_batch"] * r["window"]
one = tokens / 2 / r["char_steps_per_s_1"]            # rank 0 alone on G/2 streams
two = tokens / r["char_steps_per_s_n"]
# Cost model: the gradient allreduce moves 2(N-1)/N x 4P bytes per rank (ring; N = 2), and a
# step has about 4 latency-bound exchanges (the gradient, the loss sums, the latent ranges, the
# stop flags) of one round trip each.
bytes_ = 4 * r["parameters"]
model = (bytes_ / (float(rate) * 1e6 / 8) if float(rate) > 0 else 0) + 4 * 2 * float(delay) / 1e3
print("%-10s %-9s %-8s %10.1f ms %10.1f ms %7.1f ms %9.0f %% %8.1f ms" % (preset, link if link == "bridge" else rate + " Mbit/s",
      delay + " ms", one * 1e3, two * 1e3, (two - one) * 1e3, 100 * one / two, model * 1e3))
' "$preset" "$link" "$rate" "$delay" "$results"
    done
done
