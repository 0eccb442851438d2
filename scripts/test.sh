#!/usr/bin/env bash
# The README's test command: set up whatever is missing, type-check and build, then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec npx --no-install playwright test "$@"
