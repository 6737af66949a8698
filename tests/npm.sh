# shellcheck shell=bash
# Sourced by test.sh: murmur_npm_install installs node and npm from Debian when missing, then the npm packages the
# tests run against, exactly as tests/npm/package-lock.json pins them: the MCP reference servers
# (@modelcontextprotocol/server-filesystem, server-everything), the MCP TypeScript SDK (its client drives
# 'murmur mcp serve'; tests/npm/crashing-server.mjs is built on its server) and @dwmkerr/mock-llm (an
# OpenAI-compatible mock). Returns non-zero when an installation fails.
murmur_npm_install() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/npm"
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "installing nodejs and npm (for the MCP and Agent Framework tests)"
    apt-get update -qq || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm || return 1
  fi
  # npm writes node_modules/.package-lock.json on every install: when it is newer than the lock file, nothing changed.
  if [ -f "$dir/node_modules/.package-lock.json" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    return 0
  fi
  echo "installing the npm packages of tests/npm"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || return 1
}
