#!/usr/bin/env bash
# Builds the edge agent's Debian package with dpkg-deb: dist/tillgate-edge_<version>_amd64.deb
#   bash deploy/edge/linux/build-deb.sh [--version V] [--out DIR]     (npm run package:deb)
# Contents: /opt/tillgate-edge (Node 24 runtime + agent + production node_modules, deploy/edge/build-tree.sh),
# /usr/bin/tillgate-edge, the systemd unit, the example config and the Mosquitto ACL template under
# /usr/share/tillgate-edge. Config (/etc/tillgate/edge.json) and data (/var/lib/tillgate-edge) are made
# by postinst, never shipped, so an upgrade cannot overwrite them; purge deletes them.
# Environment: TG_DEB_COMPRESSION (dpkg-deb -Z: xz, the default, smallest download to 500 stores; zstd
# or gzip build faster for tests).
source "$(dirname "${BASH_SOURCE[0]}")/../../local/lib.sh"

version=$(node -p "require('$TG_ROOT/edge/package.json').version")
out="$TG_ROOT/dist"
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) tg_die "usage: build-deb.sh [--version V] [--out DIR]" ;;
  esac
done
command -v dpkg-deb >/dev/null || tg_die "build-deb needs dpkg-deb (Debian: apt-get install dpkg)"
here="$TG_ROOT/deploy/edge/linux"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

bash "$TG_ROOT/deploy/edge/build-tree.sh" "$stage/opt/tillgate-edge"
install -D -m 0755 "$here/tillgate-edge.sh" "$stage/usr/bin/tillgate-edge"
install -D -m 0644 "$here/tillgate-edge.service" "$stage/lib/systemd/system/tillgate-edge.service"
install -D -m 0644 "$TG_ROOT/edge/config/example.json" "$stage/usr/share/tillgate-edge/edge.example.json"
install -D -m 0644 "$TG_ROOT/deploy/local/mosquitto/acl.template" "$stage/usr/share/tillgate-edge/mosquitto/acl.template"
install -D -m 0644 "$TG_ROOT/edge/README.md" "$stage/usr/share/doc/tillgate-edge/README.md"
install -D -m 0644 "$TG_ROOT/deploy/edge/linux/README.md" "$stage/usr/share/doc/tillgate-edge/INSTALL.md"

mkdir -p "$stage/DEBIAN"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$stage/DEBIAN/"
installed_kb=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<CONTROL
Package: tillgate-edge
Version: $version
Architecture: amd64
Maintainer: tillgate <ops@tillgate.invalid>
Installed-Size: $installed_kb
Depends: libc6 (>= 2.28), libstdc++6, libgcc-s1, passwd, util-linux
Section: net
Priority: optional
Homepage: https://tillgate.invalid
Description: tillgate store edge agent
 Takes POS events over MQTT (embedded broker with mqtts, or Mosquitto), commits them to SQLite
 before acknowledging, scores stock-out risk locally with ONNX models and raises alerts on the store
 network, and forwards everything to the hub's Kafka over TLS + SASL. Carries its own Node.js 24
 runtime; runs as the tillgate system user under systemd.
CONTROL

mkdir -p "$out"
deb="$out/tillgate-edge_${version}_amd64.deb"
dpkg-deb --root-owner-group -Z"${TG_DEB_COMPRESSION:-xz}" --build "$stage" "$deb" >/dev/null
tg_log "built $deb ($(du -h "$deb" | cut -f1), installed $((installed_kb / 1024)) MiB)"
echo "$deb"
