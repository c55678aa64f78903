#!/usr/bin/env bash
# Creates the hub appliance's secrets under deploy/compose/secrets/ (git-ignored), once: random
# passwords, an ed25519 model-signing key and Airflow's admin password file. Never overwrites.
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/secrets"
mkdir -p "$dir" && chmod 700 "$dir"
umask 077
for name in clickhouse_password minio_root_password postgres_password; do
  [ -s "$dir/$name" ] || openssl rand -base64 24 | tr -d '/+=\n' >"$dir/$name"
done
[ -s "$dir/model_signing_key.pem" ] || openssl genpkey -algorithm ed25519 -out "$dir/model_signing_key.pem"
[ -s "$dir/airflow_passwords.json" ] || printf '{"admin": "%s"}\n' "$(openssl rand -base64 18 | tr -d '/+=\n')" >"$dir/airflow_passwords.json"
echo "secrets in $dir (the model-signing public key for the stores' trust list: openssl pkey -in $dir/model_signing_key.pem -pubout)"
