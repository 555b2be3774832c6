#!/bin/sh
# docker:dind's entrypoint contract for berth-test/dind (scripts/ci-images.sh): dockerd on
# tcp 2375 without TLS when DOCKER_TLS_CERTDIR is empty; otherwise certificates are made under
# it (ca/, server/, client/ as docker:dind lays them out) and dockerd serves TLS on 2376.
# Extra arguments go to dockerd.
set -eu
certdir=${DOCKER_TLS_CERTDIR:-}
if [ -z "$certdir" ]; then
  exec dockerd --host=unix:///var/run/docker.sock --host=tcp://0.0.0.0:2375 --tls=false "$@"
fi
mkdir -p "$certdir/ca" "$certdir/server" "$certdir/client"
if [ ! -s "$certdir/ca/cert.pem" ]; then
  openssl genrsa -out "$certdir/ca/key.pem" 2048 2>/dev/null
  openssl req -new -x509 -days 30 -key "$certdir/ca/key.pem" -subj /CN=docker:dind-CA \
    -out "$certdir/ca/cert.pem"
fi
sign() { # sign <dir> <cn> <extfile-content>
  openssl genrsa -out "$1/key.pem" 2048 2>/dev/null
  openssl req -new -key "$1/key.pem" -subj "/CN=$2" -out "$1/csr.pem"
  printf '%s\n' "$3" >"$1/openssl.cnf"
  openssl x509 -req -in "$1/csr.pem" -CA "$certdir/ca/cert.pem" -CAkey "$certdir/ca/key.pem" \
    -CAcreateserial -days 30 -extfile "$1/openssl.cnf" -out "$1/cert.pem" 2>/dev/null
  cp "$certdir/ca/cert.pem" "$1/ca.pem"
  chmod 0644 "$1/key.pem"
}
if [ ! -s "$certdir/server/cert.pem" ]; then
  sign "$certdir/server" docker:dind-server \
    "subjectAltName = DNS:docker, DNS:localhost, DNS:$(hostname), IP:127.0.0.1
extendedKeyUsage = serverAuth"
fi
if [ ! -s "$certdir/client/cert.pem" ]; then
  sign "$certdir/client" docker:dind-client "extendedKeyUsage = clientAuth"
fi
exec dockerd --host=unix:///var/run/docker.sock --host=tcp://0.0.0.0:2376 --tlsverify \
  --tlscacert "$certdir/server/ca.pem" --tlscert "$certdir/server/cert.pem" \
  --tlskey "$certdir/server/key.pem" "$@"
