# shellcheck shell=bash
# Sourced by test.sh: runs librdkafka's mock Kafka cluster (tests/support/Murmur.KafkaMock, built with the solution)
# for the Kafka integration tests, unless MURMUR_KAFKA_BOOTSTRAP already names a cluster (a real one). The mock holds
# the topics of tests/Murmur.Kafka.Integration.Tests/mock-topics.txt (it serves no CreateTopics) on ephemeral
# loopback ports. murmur_kafka_stop stops exactly the holder it started (by its pid file).
KAFKA_DIR="${ROOT:?}/.test-run/kafka"

murmur_kafka_start() {
  if [ -n "${MURMUR_KAFKA_BOOTSTRAP:-}" ]; then
    echo "Kafka: using MURMUR_KAFKA_BOOTSTRAP=$MURMUR_KAFKA_BOOTSTRAP"
    return 0
  fi
  local dll="$ROOT/tests/support/Murmur.KafkaMock/bin/Release/net10.0/Murmur.KafkaMock.dll"
  [ -f "$dll" ] || { echo "Kafka mock holder not built: $dll"; return 1; }
  mkdir -p "$KAFKA_DIR"
  rm -f "$KAFKA_DIR/bootstrap"
  local args=() line
  while IFS= read -r line; do
    case "$line" in ''|'#'*) continue ;; esac
    args+=(--topic "$line")
  done < "$ROOT/tests/Murmur.Kafka.Integration.Tests/mock-topics.txt"
  dotnet "$dll" --brokers 3 --ready-file "$KAFKA_DIR/bootstrap" "${args[@]}" > "$KAFKA_DIR/holder.out" 2> "$KAFKA_DIR/holder.log" &
  echo $! > "$KAFKA_DIR/holder.pid"
  local deadline=$((SECONDS + 60))
  until [ -s "$KAFKA_DIR/bootstrap" ]; do
    if ! kill -0 "$(cat "$KAFKA_DIR/holder.pid")" 2>/dev/null || [ $SECONDS -gt $deadline ]; then
      echo "the Kafka mock holder did not start:"; cat "$KAFKA_DIR/holder.log"; return 1
    fi
    sleep 0.2
  done
  MURMUR_KAFKA_BOOTSTRAP=$(head -1 "$KAFKA_DIR/bootstrap")
  export MURMUR_KAFKA_BOOTSTRAP MURMUR_KAFKA_MOCK=1
  echo "Kafka: librdkafka mock cluster up: $MURMUR_KAFKA_BOOTSTRAP $(tail -1 "$KAFKA_DIR/holder.log" | grep -o '([^)]*\.so)' || true)"
}

murmur_kafka_stop() {
  local f="$KAFKA_DIR/holder.pid"
  [ -f "$f" ] || return 0
  local pid; pid=$(cat "$f")
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
  rm -f "$f"
}
