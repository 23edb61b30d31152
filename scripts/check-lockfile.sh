#!/usr/bin/env bash
# Asks this machine's npm whether it would install the committed lockfile (`npm ci --dry-run`:
# nothing is written, no install script runs). On a rejection it prints one line naming the
# lockfile, the npm and Node versions and npm's own reason, and exits 1.
# Usage: scripts/check-lockfile.sh [project dir]   (default: this repository)
set -uo pipefail

dir="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
lock="$dir/package-lock.json"
versions="npm $(npm --version 2>/dev/null || echo '?') on Node $(node --version 2>/dev/null || echo '?')"

if [ ! -f "$lock" ]; then
  echo "lockfile: $lock is missing; write it with 'npm run lock'" >&2
  exit 1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if (cd "$dir" && npm ci --dry-run --ignore-scripts --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
  exit 0
fi
# npm's first meaningful error line ("Invalid Version: ...", "... are in sync ...", "Invalid: lock file's ...").
reason="$(sed -n 's/^npm error //p' "$log" | grep -v -E '^(code |A complete log|$)' | head -n 2 | paste -sd ' ' -)"
echo "lockfile: $lock is rejected by $versions: ${reason:-npm ci --dry-run failed (no reason printed)}. Regenerate it with 'npm run lock' on this npm." >&2
exit 1
