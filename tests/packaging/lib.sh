# shellcheck shell=bash
# Shared by the packaging scripts: where the tree is, its one version, and a source tree copy.

PKG_SOURCE_DIR=${ANYCAST_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

# shellcheck source=../shell/lib.sh
source "$PKG_SOURCE_DIR/tests/shell/lib.sh"

# The names the packaging scripts know, from the one shell library of the tests.
pkg_skip() { it_skip "$@"; }
pkg_require() { it_require "$@"; }

# The version from project(... VERSION x.y.z) in the top CMakeLists.txt: the only place it lives.
pkg_cmake_version() {
  sed -n -E 's/^project\([A-Za-z0-9_-]+ +VERSION +([0-9][0-9.]*)[ )].*/\1/p' "$PKG_SOURCE_DIR/CMakeLists.txt" |
    head -n1
}

# pkg_export_tree REF DEST: copies the source tree into DEST (which must not exist). REF "WORKTREE"
# takes the tracked files as they are now in the working tree (what a developer is testing); any
# other value is a git revision, exported with git archive (what CI and releases build).
# Untracked and ignored files (build directories, editor files) never come along.
pkg_export_tree() {
  local ref=$1 dest=$2
  mkdir -p "$dest"
  if [[ "$ref" == "WORKTREE" ]]; then
    # Tracked files deleted in the working tree are left out, as a commit of it would.
    local f
    while IFS= read -r -d '' f; do
      [[ -e "$PKG_SOURCE_DIR/$f" || -L "$PKG_SOURCE_DIR/$f" ]] && printf '%s\0' "$f"
    done < <(git -C "$PKG_SOURCE_DIR" ls-files -z --cached) |
      tar -C "$PKG_SOURCE_DIR" --null -T - -cf - | tar -C "$dest" -xf -
  else
    git -C "$PKG_SOURCE_DIR" archive --format=tar "$ref" | tar -C "$dest" -xf -
  fi
}
