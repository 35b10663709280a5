#!/usr/bin/env bash
# CI for programs/: builds the local chain, runs the Rust unit + integration tests (the program
# runs natively inside solana-program-test's bank), and checks that the committed IDL
# (packages/sdk/src/idl/) matches the program; clippy also checks the oracle's Rust module
# (oracle/native/ed25519-batch). Keep CARGO_TARGET_DIR outside the clone so the
# ~10 min cold build is paid once per machine.
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true
cd "$(dirname "$0")"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/poc-network/target}"
export CARGO_PROFILE_DEV_DEBUG=0 CARGO_INCREMENTAL=0 CARGO_TERM_COLOR=never
export RUST_LOG="${RUST_LOG:-error}"

start=$(date +%s)
echo "== programs: cargo build -p poc-localchain (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
cargo build --locked -p poc-localchain
echo "== programs: cargo test --workspace"
cargo test --locked --workspace 2>&1 | tee /tmp/poc-programs-test.$$.log
passed=$(awk '/^test result:/ {s += $4} END {print s+0}' /tmp/poc-programs-test.$$.log)
failed=$(awk '/^test result:/ {s += $6} END {print s+0}' /tmp/poc-programs-test.$$.log)
rm -f /tmp/poc-programs-test.$$.log
if [ "${POC_CLIPPY:-1}" = 1 ]; then
  echo "== programs: cargo clippy -D warnings (POC_CLIPPY=0 skips it; ~7 min more on a cold cache, ~1 min warm)"
  cargo clippy --locked --workspace --all-targets -- -D warnings
  echo "== oracle/native/ed25519-batch: cargo clippy -D warnings (the oracle's batch Ed25519 module; built by npm install)"
  cargo clippy --locked --manifest-path ../oracle/native/ed25519-batch/Cargo.toml --all-targets -- -D warnings
fi
echo "== programs: IDL check"
node scripts/idl.mjs --check
echo "== programs: done in $(( $(date +%s) - start ))s"
echo "programs: $passed passed, $failed failed"
