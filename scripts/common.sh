# shellcheck shell=bash
# shellcheck disable=SC2154 # repo and build are set by the script that sources this file
# Shared by scripts/demo and scripts/test, the README's two commands: becoming root the way this
# machine allows, and the one build both use (same directory, same settings, so neither rebuilds
# what the other built nor changes its settings).
#
#   as_root WHY "$@"       re-runs the calling script through sudo when not root (or says what to do)
#   configure_build        cmake -S repo -B "$build" with the settings of CI (-DANYCAST_WERROR=ON)
#   quiet_build TARGET...  builds with one progress line; the full log is "$build/build.log"
#   give_back_build        under sudo, gives "$build" back to the user who asked

# as_root WHY ARGS...: root goes on; a user with sudo gets the same script again through sudo (the
# password prompt is sudo's); anyone else is told what to run. BUILD_DIR and CI pass through.
as_root() {
  local why=$1
  shift
  [[ $(id -u) -eq 0 ]] && return 0
  local self
  self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
  if command -v sudo >/dev/null 2>&1; then
    echo "$(basename "$0") needs root ($why): running it again through sudo"
    exec sudo -- env BUILD_DIR="${BUILD_DIR:-}" CI="${CI:-}" "$self" "$@"
  fi
  echo "$(basename "$0") needs root ($why), and sudo is not installed." >&2
  echo "  Run it as root:  su -c '$self'   (or install sudo and add yourself to group sudo)" >&2
  exit 1
}

# The one configuration of ./build: the demo and the tests pass the same settings, so running one
# after the other changes nothing and rebuilds nothing.
configure_build() {
  mkdir -p "$build"
  if ! cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DANYCAST_WERROR=ON \
    -DANYCAST_BUILD_TESTS=ON >"$build/configure.log" 2>&1; then
    cat "$build/configure.log" >&2
    echo "cmake configure failed (log: $build/configure.log)" >&2
    return 1
  fi
}

# quiet_build [TARGET...]: the compiler's lines go to $build/build.log; the terminal gets one line
# that counts up (or a line per quarter when the output is not a terminal, e.g. in CI's log).
quiet_build() {
  local jobs targets=() rc=0 tty=0
  jobs=$(nproc 2>/dev/null || echo 2)
  # Asked here, not inside $(...): there stdout is the substitution's pipe, never the terminal.
  [[ -t 1 ]] && tty=1
  ((${#@} == 0)) || targets=(--target "$@")
  set +e
  cmake --build "$build" -j"$jobs" "${targets[@]}" 2>&1 | tee "$build/build.log" |
    awk -v tty="$tty" '
      match($0, /^\[ *[0-9]+%\]/) {
        p = substr($0, RSTART + 1, RLENGTH - 3) + 0
        if (tty) { printf "\r  building: %3d%%", p; fflush() }
        else if (p >= shown + 25) { shown = p - p % 25; printf "  building: %3d%%\n", p; fflush() }
      }
      END { if (tty) printf "\r  building: done \n" }'
  rc=${PIPESTATUS[0]}
  set -e
  if ((rc != 0)); then
    grep -E -B2 -A8 'error|Error' "$build/build.log" | head -n 60 >&2
    echo "build failed (full log: $build/build.log)" >&2
    return "$rc"
  fi
}

# Under sudo the build directory belongs to the user who asked for it, so they can remove it.
give_back_build() {
  if [[ -n "${SUDO_UID:-}" && -n "${SUDO_GID:-}" && -d "$build" ]]; then
    chown -R "$SUDO_UID:$SUDO_GID" "$build" 2>/dev/null || true
  fi
}
