#!/usr/bin/env bash
# Lists the processes running from this checkout, one "pid command" per line:
# programs under the checkout or its cargo target dir (il-devnet, il-keeper,
# test binaries, the native anvil/cast from node_modules) and scripts run
# from it (npm's Node.js launchers). The test command compares this list
# before and after a run, so a run that leaves a node behind fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=$(realpath -m "${CARGO_TARGET_DIR:-$root/target}")

for dir in /proc/[0-9]*; do
  pid=${dir#/proc/}
  [ "$pid" = "$$" ] && continue
  exe=$(readlink "$dir/exe" 2>/dev/null) || continue
  cmd=$(tr '\0' ' ' < "$dir/cmdline" 2>/dev/null) || continue
  case "$exe" in
    "$root"/*|"$target"/*) ;;
    *) case "$cmd" in *"$root/node_modules/"*) ;; *) continue ;; esac ;;
  esac
  echo "$pid ${cmd:-$exe}"
done
