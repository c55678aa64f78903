#!/usr/bin/env bash
# Private CAs and certificates for the local stack and tests (openssl; never for production keys).
#   ca DIR                      DIR/ca.pem + DIR/ca.key: a self-signed CA (EC P-256, 10 years)
#   issue CA_DIR OUT_DIR NAME   OUT_DIR/NAME.pem (leaf + CA chain) and OUT_DIR/NAME.key (PKCS#8, no
#                               passphrase) signed by CA_DIR, for localhost / 127.0.0.1 / ::1
# Existing files are kept: the same CA survives restarts, so configs that name it stay valid.
set -euo pipefail

cmd_ca() {
  local dir=$1
  [ -f "$dir/ca.pem" ] && [ -f "$dir/ca.key" ] && return 0
  mkdir -p "$dir"
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/ca.key.tmp" 2>/dev/null)
  openssl req -x509 -new -key "$dir/ca.key.tmp" -sha256 -days 3650 -subj "/CN=tillgate local CA $(basename "$dir")" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -out "$dir/ca.pem.tmp" 2>/dev/null
  mv "$dir/ca.key.tmp" "$dir/ca.key" && mv "$dir/ca.pem.tmp" "$dir/ca.pem"
}

cmd_issue() {
  local ca=$1 out=$2 name=$3
  [ -f "$out/$name.pem" ] && [ -f "$out/$name.key" ] && return 0
  mkdir -p "$out"
  local ext
  ext=$(mktemp)
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' >"$ext"
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/$name.key.tmp" 2>/dev/null)
  openssl req -new -key "$out/$name.key.tmp" -subj "/CN=localhost" -out "$out/$name.csr" 2>/dev/null
  openssl x509 -req -in "$out/$name.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca.key" -CAcreateserial \
    -days 825 -sha256 -extfile "$ext" -out "$out/$name.crt" 2>/dev/null
  cat "$out/$name.crt" "$ca/ca.pem" >"$out/$name.pem.tmp"
  rm -f "$out/$name.csr" "$out/$name.crt" "$ext"
  mv "$out/$name.key.tmp" "$out/$name.key" && mv "$out/$name.pem.tmp" "$out/$name.pem"
}

case "${1:-}" in
  ca) cmd_ca "$2" ;;
  issue) cmd_issue "$2" "$3" "$4" ;;
  *) echo "usage: $0 ca DIR | issue CA_DIR OUT_DIR NAME" >&2; exit 2 ;;
esac
