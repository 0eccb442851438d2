#!/usr/bin/env bash
# The README's test command: set up whatever is missing, type-check and build, then run every test.
# The headed sign-in test needs a virtual display (xvfb) and xdotool to act as the person.
set -euo pipefail
cd "$(dirname "$0")/.."
SETUP_APT_EXTRA="xvfb xdotool" bash scripts/setup.sh --build-only
exec npx --no-install playwright test "$@"
