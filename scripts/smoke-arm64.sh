#!/usr/bin/env bash
# Smoke-tests the linux-arm64 release binary (the Raspberry Pi build) on an x64 machine under
# qemu-aarch64-static (Debian/Ubuntu packages qemu-user-static and libc6-arm64-cross): `ra --version`, `ra version`
# and `ra serve` answering /healthz. Builds dist/release/ra-linux-arm64 first if it is missing.
# Exits 0 when it passed, 1 when it failed, 3 when qemu-aarch64-static is not installed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
if ! command -v qemu-aarch64-static >/dev/null; then
  echo "qemu-aarch64-static is not installed (apt-get install qemu-user-static libc6-arm64-cross); nothing to run" >&2
  exit 3
fi
[ -x dist/release/ra-linux-arm64 ] || bun scripts/build.ts --target=linux-arm64
RA_SMOKE_TARGET=linux-arm64 exec bun scripts/smoke.ts dist/release/ra-linux-arm64 --qemu
