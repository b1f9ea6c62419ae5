#!/usr/bin/env bash
# Prepares what the end-to-end suite needs outside the repository: Debian's chromium (driven by playwright-core),
# ripgrep and the kerberos headers code-server builds against, and code-server itself (a real VS Code served to
# the browser). code-server is installed into a cache folder so the repository's `npm ci` stays lean and a second
# run costs nothing. Safe to run again: every step checks before it acts.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
# The @vscode/ripgrep release that code-server 4.100.3 depends on and the ripgrep build it downloads: its
# postinstall fetches that tarball from GitHub unless it finds it in this cache folder, and GitHub is unreachable
# on a CI machine without internet, so we hand it Debian's rg packed under the name it looks for.
VSCODE_RIPGREP_VERSION=1.15.11
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

CACHE_DIR="${RADLAB_E2E_CACHE:-$HOME/.cache/radlab-e2e}"
CODE_SERVER_PREFIX="$CACHE_DIR/code-server"
CODE_SERVER_BIN="$CODE_SERVER_PREFIX/node_modules/.bin/code-server"
NPM_LOCK="${RADLAB_NPM_LOCK:-/tmp/npm.lock}"

log() { printf '[e2e setup] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_debian_packages() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
  dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
  if [ ${#missing[@]} -eq 0 ]; then
    log "Debian packages present (chromium, ripgrep, libkrb5-dev)"
    return
  fi
  log "installing Debian packages: ${missing[*]}"
  # A package index that was never fetched (fresh container) makes install fail with "Unable to locate package".
  if ! apt-cache show "${missing[0]}" >/dev/null 2>&1; then
    as_root apt-get -o DPkg::Lock::Timeout=600 update
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
    "${missing[@]}"
}

code_server_installed() {
  [ -x "$CODE_SERVER_BIN" ] && "$CODE_SERVER_BIN" --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION "
}

seed_ripgrep_cache() {
  local cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-$VSCODE_RIPGREP_VERSION"
  if [ -s "$cache/$RIPGREP_ASSET" ]; then return; fi
  mkdir -p "$cache"
  local staging
  staging="$(mktemp -d)"
  cp "$(command -v rg)" "$staging/rg"
  tar -czf "$cache/$RIPGREP_ASSET" -C "$staging" rg
  rm -rf "$staging"
  log "seeded $cache/$RIPGREP_ASSET from $(command -v rg)"
}

install_code_server() {
  if code_server_installed; then
    log "code-server $CODE_SERVER_VERSION present in $CODE_SERVER_PREFIX"
    return
  fi
  seed_ripgrep_cache
  log "installing code-server@$CODE_SERVER_VERSION into $CODE_SERVER_PREFIX"
  mkdir -p "$CODE_SERVER_PREFIX"
  local started=$SECONDS
  # npm_config_yes answers node-pty's postinstall prompt; unsafe_perm lets lifecycle scripts run as root.
  # The lock serialises npm with anything else on this machine that uses the same npm cache.
  (
    cd "$CODE_SERVER_PREFIX"
    [ -f package.json ] || printf '{ "private": true }\n' > package.json
    npm_config_yes=true npm_config_unsafe_perm=true \
      flock "$NPM_LOCK" npm install --prefix "$CODE_SERVER_PREFIX" --no-audit --no-fund \
      "code-server@$CODE_SERVER_VERSION"
  )
  code_server_installed || { log "code-server did not install: $CODE_SERVER_BIN --version fails"; exit 1; }
  log "code-server installed in $((SECONDS - started)) s, $(du -sh "$CODE_SERVER_PREFIX" | cut -f1) on disk"
}

install_debian_packages
install_code_server
echo "$CODE_SERVER_BIN"
