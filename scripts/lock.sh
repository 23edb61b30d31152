#!/usr/bin/env bash
# Rewrites package-lock.json with this machine's own npm after a dependency change, then checks
# that the same npm accepts it (scripts/check-lockfile.sh). Entries without a version (the inert
# optional entries older npm wrote for platform builds a registry did not serve) are dropped
# first: current npm cannot compare against them, and it re-resolves those builds itself. Every
# other pinned version stays as it is.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ -f package-lock.json ]; then
  node -e '
    const fs = require("fs");
    const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
    const dropped = Object.keys(lock.packages ?? {}).filter((p) => p !== "" && !lock.packages[p].version);
    for (const p of dropped) delete lock.packages[p];
    if (dropped.length) {
      fs.writeFileSync("package-lock.json", JSON.stringify(lock, null, 2) + "\n");
      console.error(`lock: dropped ${dropped.length} entries without a version`);
    }'
fi
echo "lock: npm $(npm --version) on Node $(node --version)" >&2
npm install --package-lock-only --ignore-scripts --no-audit --no-fund
bash scripts/check-lockfile.sh "$root"
echo "lock: package-lock.json written and accepted by this npm" >&2
