#!/usr/bin/env bash
# Run by the Makefile before anything else: rust-toolchain.toml pins the Rust version, and
# rustup installs a pinned version on first use. Where it can fetch nothing (this project's
# CI machines), the installed `stable` toolchain is registered under the pinned name when it
# is that very version; otherwise nothing is done, and rustup installs the pinned version
# (or says why it can't).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v rustup >/dev/null || exit 0
want=$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)
rustup toolchain list | grep -q "^$want-" && exit 0
have=$(rustc +stable --version 2>/dev/null | awk '{ print $2 }')
[ "$have" = "$want" ] || exit 0
stable=$(dirname "$(dirname "$(rustup +stable which rustc)")")
host=$(rustc +stable -vV | sed -n 's/^host: //p')
ln -s "$stable" "$(dirname "$stable")/$want-$host"
echo "rust-toolchain.toml: using the installed stable toolchain ($want) as $want-$host" >&2
