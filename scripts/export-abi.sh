#!/usr/bin/env bash
# Regenerate every contract's committed Solidity interface, I<Name>.sol, from
# the code (stylus-sdk export-abi + event ABIs). `--check` only compares and
# fails when a committed file is stale (the test suite checks the same thing
# with `cargo test --features <pkg>/export-abi --test abi`).
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
[ "${1:-}" = "--check" ] && check=1

# package name, manifest dir, interface file: every package with a bin named
# <package>-abi (see contracts/*/Cargo.toml).
cargo metadata --no-deps --format-version 1 | python3 -c '
import json, os, sys
for p in json.load(sys.stdin)["packages"]:
    for t in p["targets"]:
        if "bin" in t["kind"] and t["name"] == p["name"] + "-abi":
            print(p["name"], os.path.dirname(p["manifest_path"]), t["name"])
' | while read -r pkg dir bin; do
  iface=$(grep -o 'I[A-Za-z]*\.sol' "$dir/src/main.rs" | head -n1)
  tmp=$(mktemp)
  cargo run -q -p "$pkg" --bin "$bin" --features export-abi > "$tmp"
  if [ "$check" = 1 ]; then
    if ! cmp -s "$dir/$iface" "$tmp"; then
      rm -f "$tmp"
      echo "export-abi: $dir/$iface is stale; run scripts/export-abi.sh" >&2
      exit 1
    fi
    rm -f "$tmp"
    echo "export-abi: $dir/$iface up to date" >&2
  else
    mv "$tmp" "$dir/$iface"
    echo "export-abi: wrote $dir/$iface" >&2
  fi
done
