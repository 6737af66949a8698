#!/usr/bin/env bash
# Makes what a secured Murmur mesh on this machine needs, in DIR (default: ./secure-mesh):
#   ca/ca.pem, server/         a private CA and the nats-server's certificate it signed (openssl)
#   NODE.nk                    an nkey per process, to authenticate to nats-server (murmur keys nats-user)
#   keys/NODE/NODE.pem         a signing key pair per node (murmur keys new); NODE.pub.pem is copied to trusted/
#   nats-server.conf           JetStream over TLS only, clients authenticated by their nkeys
#   murmur.json                the settings every murmur command shares (log, CA, trusted keys)
#   worker.env                 the same settings as MURMUR__ environment variables, for examples/WorkerService
# Usage: examples/secure-mesh/setup.sh [DIR] [NODE…]   (default nodes: n1 n2 ops worker-1; port: $MURMUR_SECURE_PORT or 4333)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR=${1:-secure-mesh}
shift || true
NODES=("$@")
[ ${#NODES[@]} -gt 0 ] || NODES=(n1 n2 ops worker-1)
PORT=${MURMUR_SECURE_PORT:-4333}

if [ -e "$DIR/nats-server.conf" ]; then echo "$DIR already holds a mesh; remove it first"; exit 1; fi
mkdir -p "$DIR"/{ca,server,keys,trusted}
DIR=$(cd "$DIR" && pwd)
# MURMUR_CLI names a built murmur command (e.g. "dotnet /path/Murmur.Cli.dll"); else this checkout's is built.
if [ -z "${MURMUR_CLI:-}" ]; then
  dotnet build "$ROOT/src/Murmur.Cli" -c Release -v quiet -nologo >/dev/null
  MURMUR_CLI="dotnet $ROOT/src/Murmur.Cli/bin/Release/net10.0/Murmur.Cli.dll"
fi
murmur() { $MURMUR_CLI "$@"; }

# 1. A private CA, and a certificate for the server signed by it. Every name clients use to reach the server must be
#    in subjectAltName (add DNS:your-host,IP:10.0.0.5 for a server on another machine).
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 -subj "/CN=murmur-mesh-ca" \
  -keyout "$DIR/ca/ca-key.pem" -out "$DIR/ca/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
  -keyout "$DIR/server/server-key.pem" -out "$DIR/server/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$DIR/server/ext.cnf"
openssl x509 -req -in "$DIR/server/server.csr" -CA "$DIR/ca/ca.pem" -CAkey "$DIR/ca/ca-key.pem" -CAcreateserial \
  -days 365 -extfile "$DIR/server/ext.cnf" -out "$DIR/server/server.pem" 2>/dev/null
chmod 644 "$DIR/ca/ca.pem"

# 2. Per node: an nkey to reach the server, and a signing key pair whose public half every node trusts.
users=""
for node in "${NODES[@]}"; do
  public=$(murmur keys nats-user --out "$DIR/$node.nk" | sed -n 's/^public key: //p')
  users="$users    { nkey: \"$public\" }  # $node\n"
  murmur keys new --node "$node" --out "$DIR/keys/$node" >/dev/null
  cp "$DIR/keys/$node/$node.pub.pem" "$DIR/trusted/"
done

# 3. The server: TLS only, only the nkeys above, payloads above Murmur's 1 MiB records.
cat > "$DIR/nats-server.conf" <<CONF
listen: 127.0.0.1:$PORT
max_payload: 2MB
jetstream { store_dir: "$DIR/jetstream" }
tls { cert_file: "$DIR/server/server.pem", key_file: "$DIR/server/server-key.pem" }
authorization {
  users = [
$(printf "%b" "$users")
  ]
}
CONF

# 4. What every murmur command shares; each adds its own --nats-nkey and --sign-key.
cat > "$DIR/murmur.json" <<JSON
{
  "Murmur": {
    "Log": { "Url": "tls://127.0.0.1:$PORT", "Tls": { "CaFile": "$DIR/ca/ca.pem" } },
    "Signing": { "TrustedKeys": "$DIR/trusted" }
  }
}
JSON
cat > "$DIR/worker.env" <<ENV
MURMUR__LOG__URL=tls://127.0.0.1:$PORT
MURMUR__LOG__TLS__CAFILE=$DIR/ca/ca.pem
MURMUR__LOG__NATS__NKEYFILE=$DIR/worker-1.nk
MURMUR__SIGNING__KEYFILE=$DIR/keys/worker-1/worker-1.pem
MURMUR__SIGNING__TRUSTEDKEYS=$DIR/trusted
ENV
echo "made a secured mesh for ${NODES[*]} in $DIR; start its server with: nats-server -c $DIR/nats-server.conf"
