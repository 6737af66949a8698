#!/usr/bin/env bash
# Runs every Murmur test project and ends with one line: "N passed, N failed, N skipped".
# Installs and starts what the tests need (see tests/servers.sh), and stops exactly what it started.
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
RESULTS="$ROOT/.test-run"

# shellcheck source=/dev/null
source "$ROOT/tests/kafka.sh"
murmur_kafka_stop       # a Kafka mock holder a previous, interrupted run left behind (found by its pid file)
if [ -x "$ROOT/tests/servers.sh" ]; then
  # shellcheck source=/dev/null
  source "$ROOT/tests/servers.sh"
  murmur_servers_stop   # servers a previous, interrupted run left behind (found by their pid files)
fi
rm -rf "$RESULTS"; mkdir -p "$RESULTS"
if [ -x "$ROOT/tests/servers.sh" ]; then
  trap 'murmur_servers_stop; murmur_kafka_stop' EXIT
  murmur_servers_start || { echo "could not start test servers"; echo "0 passed, 1 failed"; exit 1; }
else
  trap 'murmur_kafka_stop' EXIT
fi

# Headless Chromium renders the trace pages in the CLI's browser tests.
# shellcheck source=/dev/null
source "$ROOT/tests/chromium.sh"
murmur_chromium_install || { echo "could not install chromium"; echo "0 passed, 1 failed"; exit 1; }

# MCP reference servers, the MCP TypeScript SDK and an OpenAI-compatible mock, from npm (tests/npm).
# shellcheck source=/dev/null
source "$ROOT/tests/npm.sh"
murmur_npm_install || { echo "could not install the npm test packages"; echo "0 passed, 1 failed"; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if ! dotnet build Murmur.slnx -c Release -v quiet -nologo; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# Kafka: librdkafka's mock cluster in a holder process (built above), or the real cluster MURMUR_KAFKA_BOOTSTRAP names.
murmur_kafka_start || { echo "could not start the Kafka mock cluster"; echo "0 passed, 1 failed"; exit 1; }

status=0
for proj in tests/*/*.csproj; do
  name=$(basename "$proj" .csproj)
  echo "== $name"
  # A test that hangs fails by name (blame) instead of holding the run until CI's limit.
  dotnet test "$proj" -c Release --no-build -nologo \
    --blame-hang-timeout 15m --blame-hang-dump-type none \
    --logger "trx;LogFileName=$name.trx" --results-directory "$RESULTS" \
    --logger "console;verbosity=minimal" || status=1
done

passed=0; failed=0; skipped=0; files=0
for trx in "$RESULTS"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files+1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  p=$(get passed); f=$(get failed); e=$(get error); t=$(get total); x=$(get executed)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0}))
  skipped=$((skipped + ${t:-0} - ${x:-0}))
done
if [ "$files" -eq 0 ] || [ $((passed + failed)) -eq 0 ]; then
  echo "no test was executed"
  status=1
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "a test project did not finish (crashed, or a hang was cut off): counted as one failure"
  failed=1
fi
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
