# Shared by the launch scripts: repository root, messages, and the BLAS environment.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf 'launch: %s\n' "$*"; }
die() { printf 'launch: error: %s\n' "$*" >&2; exit 1; }

# One BLAS thread per process unless the user chose otherwise. The kernel choice (OpenBLAS 0.3.21
# misdetects some recent CPUs) is made by vrnn itself at startup, from the CPU's flags; a user's
# OPENBLAS_CORETYPE is always kept.
blas_environment() {
    export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
}

# VRNN: the binary a script runs, the release build unless VRNN names another; exported for
# launch/mpirun, which the scripts call.
require_vrnn() {
    export VRNN="${VRNN:-$ROOT/.build/release/vrnn}"
    [ -x "$VRNN" ] || die "$VRNN is not built; run: swift build -c release (or set VRNN=path/to/vrnn)"
}
