#!/usr/bin/env bash
# Puts `gphotos-keep` on PATH without root: a symlink to this checkout's bin/gphotos-keep.js in
# ~/.local/bin (the folder the XDG base-directory spec gives user programs; Debian's ~/.profile
# adds it to PATH at login once it exists). GPHOTOS_KEEP_BIN_DIR names another folder.
# Run by `npm run setup`; safe to run again (after a move of the checkout, it re-points the link).
set -euo pipefail
cd "$(dirname "$0")/.."

bin_dir="${GPHOTOS_KEEP_BIN_DIR:-${HOME:?HOME is not set}/.local/bin}"
target="$(pwd -P)/bin/gphotos-keep.js"
link="$bin_dir/gphotos-keep"

mkdir -p "$bin_dir"
if [ -e "$link" ] && [ ! -L "$link" ]; then
  echo "setup: $link exists and is not a symlink, so it was left alone: remove it and run 'npm run setup' again, or run $target directly." >&2
  exit 0
fi
previous="$(readlink "$link" 2>/dev/null || true)"
ln -sfn "$target" "$link"
if [ -n "$previous" ] && [ "$previous" != "$target" ]; then
  echo "setup: $link now points at $target (it pointed at $previous)." >&2
else
  echo "setup: installed the command: $link -> $target" >&2
fi

case ":${PATH:-}:" in
  *":$bin_dir:"*)
    found="$(command -v gphotos-keep || true)"
    if [ -n "$found" ] && [ "$found" != "$link" ]; then
      echo "setup: but 'gphotos-keep' on your PATH is $found, which comes before $bin_dir: remove it, or call $link." >&2
    else
      echo "setup: $bin_dir is on your PATH: 'gphotos-keep doctor' checks this machine." >&2
    fi
    ;;
  *)
    echo "setup: $bin_dir is not on your PATH yet. Add it for this shell with" >&2
    echo "         export PATH=\"$bin_dir:\$PATH\"" >&2
    echo "       and for every new one with" >&2
    echo "         echo 'export PATH=\"$bin_dir:\$PATH\"' >> ~/.profile" >&2
    echo "       (Debian's ~/.profile already adds ~/.local/bin when you next log in.)" >&2
    ;;
esac
