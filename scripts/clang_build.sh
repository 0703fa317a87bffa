# Sourced by scripts/sanitize.sh and scripts/tsan.sh: configures a clang build of iccache in
# the folder $1 with the extra CMake options that follow (the sanitizer switch, fuzzing).
# -O1 with line tables: readable sanitizer stacks at a fraction of a debug build's time.
# Benchmarks are left out: sanitizer builds run tests, not figures.
clang_configure() {
  local dir=$1
  shift
  CC=clang CXX=clang++ cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=None \
    -DCMAKE_C_FLAGS="-O1 -gline-tables-only" -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" \
    -DICCACHE_BENCH=OFF "$@" >/dev/null
}
