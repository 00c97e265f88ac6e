# Hosts on one machine, for launch/test-cluster and bench/cluster-link.sh (sourced, bash).
#
# cluster_create N makes N "hosts": network namespaces $CLUSTER-h0 .. h(N-1), each with a network
# stack of its own (lo, and eth0 at 10.77.0.(i+1)/24), joined by a bridge in $CLUSTER-sw. Traffic
# between hosts crosses the bridge over TCP like a small cluster's switch; nothing else is shared
# but the file system (as a cluster's shared home). host_exec I CMD... runs CMD on host I under
# the hostname nodeI (a UTS namespace of its own, so MPI and Open MPI see distinct hosts).
# launch/cluster/agent is the matching Open MPI launch agent (plm_rsh_agent): it starts the
# remote daemon on a host in place of ssh. cluster_destroy kills every process on the hosts and
# removes the namespaces; callers run it on EXIT.
#
# Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN), iproute2 and util-linux's unshare.

CLUSTER="${CLUSTER:-vrnn$$}"
export VRNN_CLUSTER="$CLUSTER"
CLUSTER_SUBNET=10.77.0
CLUSTER_HOSTS=0

# Why cluster_create cannot run here, or nothing when it can.
cluster_unavailable() {
    [ "$(id -u)" -eq 0 ] || { echo "not root (network namespaces need CAP_SYS_ADMIN)"; return; }
    command -v ip >/dev/null || { echo "ip (iproute2) is not installed"; return; }
    command -v unshare >/dev/null || { echo "unshare (util-linux) is not installed"; return; }
    local probe="$CLUSTER-probe" why
    if ! why="$(ip netns add "$probe" 2>&1)"; then echo "ip netns add failed: $why"; return; fi
    if ! why="$(ip -n "$probe" link add probe0 type veth peer name probe1 2>&1)"; then ip netns del "$probe"; echo "veth pairs are not available: $why"; return; fi
    ip netns del "$probe"
}

host_address() { echo "$CLUSTER_SUBNET.$(( $1 + 1 ))"; }

cluster_create() {
    local n="$1" i
    ip netns add "$CLUSTER-sw"
    ip -n "$CLUSTER-sw" link add br0 type bridge
    ip -n "$CLUSTER-sw" link set br0 up
    for ((i = 0; i < n; i++)); do
        ip netns add "$CLUSTER-h$i"
        ip -n "$CLUSTER-h$i" link add eth0 type veth peer name port$i netns "$CLUSTER-sw"
        ip -n "$CLUSTER-sw" link set port$i master br0
        ip -n "$CLUSTER-sw" link set port$i up
        ip -n "$CLUSTER-h$i" addr add "$(host_address "$i")/24" dev eth0
        ip -n "$CLUSTER-h$i" link set lo up
        ip -n "$CLUSTER-h$i" link set eth0 up
    done
    CLUSTER_HOSTS="$n"
}

cluster_destroy() {
    local ns
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$CLUSTER-" || true); do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
}

# host_exec I CMD...: CMD on host I, as nodeI.
host_exec() {
    local i="$1"; shift
    ip netns exec "$CLUSTER-h$i" unshare --uts sh -c 'hostname "$0" && exec "$@"' "node$i" "$@"
}

# Host I's link to the switch goes down (up): it leaves (rejoins) the network.
host_link() { ip -n "$CLUSTER-h$1" link set eth0 "$2"; }

# cluster_mpirun_options HOSTFILE BTLS [MPI_SUBNET]: launch/mpirun's MPIRUN_OPTIONS for a job on
# these hosts, what a multi-node run needs (the README's cluster section): the daemons started by
# launch/cluster/agent, MPI's TCP and Open MPI's own traffic on the cluster's network only
# (MPI_SUBNET may put MPI's on another, such as bench/link_emulator.py's). --bind-to none because
# all the hosts share this machine's cores (each daemon would bind its first rank to core 0).
cluster_mpirun_options() {
    local here; here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
    echo "--hostfile $1 --mca plm_rsh_agent $here/agent --mca plm_rsh_no_tree_spawn 1 --bind-to none --mca btl $2" \
         "--mca btl_tcp_if_include ${3:-$CLUSTER_SUBNET.0/24} --mca oob_tcp_if_include $CLUSTER_SUBNET.0/24"
}
