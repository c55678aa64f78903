#!/usr/bin/env bash
# Validates the cluster manifests with kubeconform against Kubernetes' own API schemas:
#   deploy/k8s/validate.sh [manifest files or dirs...]   (default: every manifest under deploy/k8s)
# kubeconform comes from the Go module proxy; the schemas are generated from the OpenAPI document in
# the k8s.io/kubernetes module (deploy/k8s/k8s-schemas.py), both cached once per machine.
# The operators' custom resources (Strimzi, Altinity ClickHouse, MinIO Tenant) are skipped: no
# registry reachable here serves their CRD schemas (deploy/k8s/README.md lists what is untested).
source "$(dirname "${BASH_SOURCE[0]}")/../local/lib.sh"
KUBECONFORM_VERSION=v0.8.0
KUBERNETES_VERSION=v1.34.2
export GOPATH="$TG_CACHE/go" GOFLAGS=-modcacherw GOTOOLCHAIN=local
KUBECONFORM="$GOPATH/bin/kubeconform-$KUBECONFORM_VERSION"
SCHEMAS="$TG_CACHE/k8s-schemas-$KUBERNETES_VERSION"

if [ ! -x "$KUBECONFORM" ]; then
  command -v go >/dev/null || tg_die "k8s validate: the Go toolchain is needed to build kubeconform"
  tg_log "building kubeconform $KUBECONFORM_VERSION (once per machine)"
  go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" || tg_die "k8s validate: go install kubeconform failed"
  mv "$GOPATH/bin/kubeconform" "$KUBECONFORM"
fi
if [ ! -f "$SCHEMAS/.complete" ]; then
  tg_log "generating Kubernetes $KUBERNETES_VERSION schemas (once per machine)"
  module_dir=$(cd / && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -f "$module_dir/api/openapi-spec/swagger.json" ] || tg_die "k8s validate: no OpenAPI document in k8s.io/kubernetes@$KUBERNETES_VERSION"
  rm -rf "$SCHEMAS.tmp" && "$TG_ROOT/.venv/bin/python" "$TG_ROOT/deploy/k8s/k8s-schemas.py" "$module_dir/api/openapi-spec/swagger.json" "$SCHEMAS.tmp" >&2
  touch "$SCHEMAS.tmp/.complete" && rm -rf "$SCHEMAS" && mv "$SCHEMAS.tmp" "$SCHEMAS"
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  # airflow/values.yaml is Helm values for Airflow's chart, not a manifest.
  mapfile -t targets < <(find "$TG_ROOT/deploy/k8s" -name '*.yaml' ! -path '*/airflow/*' | sort)
fi
exec "$KUBECONFORM" -strict -summary -kubernetes-version "${KUBERNETES_VERSION#v}" \
  -schema-location "$SCHEMAS/{{.ResourceKind}}{{.KindSuffix}}.json" \
  -skip Kafka,KafkaNodePool,KafkaTopic,ClickHouseInstallation,ClickHouseKeeperInstallation,Tenant "${targets[@]}"
