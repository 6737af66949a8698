#!/usr/bin/env bash
# Sourced by test.sh: installs nats-server when missing and runs a three-server JetStream cluster on
# loopback ports for the integration tests. Stops exactly the servers it started (by their pid files),
# including servers that a fault test restarted (they rewrite their pid file).
NATS_DIR="${ROOT:?}/.test-run/nats"
# MURMUR_TEST_PORT_OFFSET moves every port (e.g. 100), so two checkouts can run their suites side by side.
_off=${MURMUR_TEST_PORT_OFFSET:-0}
NATS_CLIENT_PORTS=($((24221+_off)) $((24222+_off)) $((24223+_off)))
NATS_CLUSTER_PORTS=($((26221+_off)) $((26222+_off)) $((26223+_off)))
NATS_HTTP_PORTS=($((28221+_off)) $((28222+_off)) $((28223+_off)))

# openssl: examples/secure-mesh/setup.sh makes the secured mesh's certificates with it (SecureMeshSetupTests).
murmur_nats_install() {
  local missing=()
  command -v nats-server >/dev/null 2>&1 || missing+=(nats-server)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing ${missing[*]} from Debian's packages"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
}

# nats-server 2.10 added jetstream.sync_interval; Debian 12 ships 2.9, which flushes on its own schedule.
murmur_nats_sync_line() {
  local version
  version=$(nats-server --version 2>/dev/null | grep -o '[0-9]*\.[0-9]*\.[0-9]*' | head -1)
  local major=${version%%.*} rest=${version#*.}
  local minor=${rest%%.*}
  if [ "${major:-0}" -gt 2 ] || { [ "${major:-0}" -eq 2 ] && [ "${minor:-0}" -ge 10 ]; }; then
    echo "sync_interval: always"
  fi
}

murmur_nats_write_config() {
  local i=$1 routes="" sync
  sync=$(murmur_nats_sync_line)
  for p in "${NATS_CLUSTER_PORTS[@]}"; do routes="$routes${routes:+, }\"nats-route://127.0.0.1:$p\""; done
  cat > "$NATS_DIR/n$i.conf" <<CONF
server_name: n$i
listen: 127.0.0.1:${NATS_CLIENT_PORTS[$((i-1))]}
http: 127.0.0.1:${NATS_HTTP_PORTS[$((i-1))]}
max_payload: 4MB
pid_file: "$NATS_DIR/n$i.pid"
jetstream {
  store_dir: "$NATS_DIR/js$i"
  $sync
}
cluster {
  name: murmur-test
  listen: 127.0.0.1:${NATS_CLUSTER_PORTS[$((i-1))]}
  routes: [$routes ]
}
CONF
}

murmur_nats_wait_ready() {
  local deadline=$((SECONDS + 60))
  for port in "${NATS_HTTP_PORTS[@]}"; do
    # Plain /healthz also waits for JetStream to be current (a meta leader elected), not only enabled.
    until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && curl -fs "http://127.0.0.1:$port/jsz" 2>/dev/null | grep -q '"leader"'; do
      if [ $SECONDS -gt $deadline ]; then echo "nats-server on $port did not become ready"; return 1; fi
      sleep 0.2
    done
  done
}

murmur_servers_start() {
  murmur_nats_install || { echo "nats-server is not installed and could not be installed"; return 1; }
  for port in "${NATS_CLIENT_PORTS[@]}" "${NATS_CLUSTER_PORTS[@]}" "${NATS_HTTP_PORTS[@]}"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "port $port is already in use on 127.0.0.1: stop whatever listens there (another nats-server?) and run again"
      return 1
    fi
  done
  mkdir -p "$NATS_DIR"
  for i in 1 2 3; do
    murmur_nats_write_config "$i"
    nats-server -c "$NATS_DIR/n$i.conf" -l "$NATS_DIR/n$i.log" &
  done
  murmur_nats_wait_ready || return 1
  export MURMUR_NATS_URL="nats://127.0.0.1:${NATS_CLIENT_PORTS[0]},nats://127.0.0.1:${NATS_CLIENT_PORTS[1]},nats://127.0.0.1:${NATS_CLIENT_PORTS[2]}"
  export MURMUR_NATS_DIR="$NATS_DIR" MURMUR_TEST_PORT_OFFSET="$_off"
  echo "nats-server $(nats-server --version | grep -o 'v[0-9][0-9.]*') cluster up: $MURMUR_NATS_URL ($(murmur_nats_sync_line || true))"
}

murmur_servers_stop() {
  [ -d "$NATS_DIR" ] || return 0
  for f in "$NATS_DIR"/n*.pid; do
    [ -f "$f" ] || continue
    local pid; pid=$(cat "$f")
    kill "$pid" 2>/dev/null
  done
  for f in "$NATS_DIR"/n*.pid; do
    [ -f "$f" ] || continue
    local pid; pid=$(cat "$f")
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    rm -f "$f"
  done
}
