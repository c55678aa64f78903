#!/usr/bin/env bash
# Install test of the edge agent's .deb, as a new user would do it, in a clean Debian 12 root:
#   bash test/install/run.sh          (npm run test:install; root, debootstrap, systemd-nspawn)
# The root is debootstrapped once (minbase + systemd) and cached as a tarball under $TG_CACHE; each
# run unpacks a fresh copy under .run/install-test and boots it with systemd-nspawn (real systemd as
# PID 1, the host's network). Steps: install the package -> a world-readable config with secrets is
# refused -> service starts -> a terminal publishes sales over mqtts -> stored and forwarded to the
# local Kafka over SASL_SSL -> WAN cut, more sales wait in the outbox -> upgrade -> config and data
# still there, backlog drains -> remove keeps data -> purge removes everything.
# Not part of test/run-all.sh: about 3-4 minutes with a warm cache on a quiet 2-core machine, mostly
# building the package. Needs the local services (deploy/local/services.sh up kafka).
source "$(dirname "${BASH_SOURCE[0]}")/../../deploy/local/lib.sh"

[ "$(id -u)" = 0 ] || tg_die "install test: needs root (debootstrap, systemd-nspawn, dpkg in the container)"
for tool in debootstrap systemd-nspawn nsenter dpkg-deb; do
  command -v "$tool" >/dev/null || tg_die "install test: needs $tool (apt-get install debootstrap systemd-container)"
done
bash "$TG_ROOT/deploy/local/kafka.sh" status >/dev/null || tg_die "install test: start Kafka first: deploy/local/services.sh up kafka"

WORK="$TG_RUN/install-test"
ROOT="$WORK/root"
MIRROR=${TG_DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE_PACKAGES=systemd,systemd-sysv,dbus,ca-certificates
BASE="$TG_CACHE/debian12-minbase-$(echo "$BASE_PACKAGES" | sha256sum | cut -c1-12).tar"
helpers() { (cd "$TG_ROOT" && node --import tsx test/install/install-helpers.ts "$@"); }
# The WAN link: a TCP forwarder in front of Kafka's SASL_SSL listener; its pid (exec: node itself) in $proxy.
start_wan() { (cd "$TG_ROOT" && exec node --import tsx test/install/install-helpers.ts proxy "$wan_port" "$sasl_broker") & proxy=$!; }
cut_wan() { kill "$proxy"; wait "$proxy" 2>/dev/null || true; proxy=""; }
began=$SECONDS
step() { tg_log "install test [$((SECONDS - began))s]: $*"; }
fail() { tg_log "install test FAILED: $*"; [ -n "${leader:-}" ] && in_root journalctl -u tillgate-edge --no-pager -n 30 -o cat >&2; exit 1; }

# --- the clean Debian 12 root, built once --------------------------------------------------------
if [ ! -f "$BASE" ]; then
  step "debootstrap bookworm (minbase + $BASE_PACKAGES) from $MIRROR, once; cached as $BASE"
  tmp="$WORK/debootstrap.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  debootstrap --variant=minbase --include="$BASE_PACKAGES" bookworm "$tmp" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
    tg_die "debootstrap failed; log: $WORK/debootstrap.log"
  tar -C "$tmp" -cf "$BASE.tmp" . && mv "$BASE.tmp" "$BASE" && rm -rf "$tmp"
fi

# --- the package under test and its upgrade ------------------------------------------------------
DEBS="$WORK/debs"
v1="$DEBS/tillgate-edge_0.1.0~install1_amd64.deb"
# TG_INSTALL_REUSE_DEBS=1 reuses the packages of the previous run (iterating on this script only).
if [ "${TG_INSTALL_REUSE_DEBS:-0}" = 1 ] && [ -f "$v1" ]; then
  step "reusing $v1"
else
  step "building the .deb (deploy/edge/linux/build-deb.sh, zstd)"
  rm -rf "$DEBS" && mkdir -p "$DEBS"
  v1=$(TG_DEB_COMPRESSION=zstd bash "$TG_ROOT/deploy/edge/linux/build-deb.sh" --version 0.1.0~install1 --out "$DEBS" | tail -n 1)
fi
# The upgrade is the same tree with a higher version: dpkg runs the full upgrade path (prerm upgrade,
# unpack over the old files, postinst configure <old version>).
repack="$DEBS/repack"
rm -rf "$repack"
dpkg-deb -R "$v1" "$repack"
sed -i 's/^Version: .*/Version: 0.1.0~install2/' "$repack/DEBIAN/control"
v2="$DEBS/tillgate-edge_0.1.0~install2_amd64.deb"
dpkg-deb --root-owner-group -Zzstd --build "$repack" "$v2" >/dev/null && rm -rf "$repack"

# --- boot the container ---------------------------------------------------------------------------
step "unpacking a fresh root and booting it (systemd-nspawn -b)"
rm -rf "$ROOT" && mkdir -p "$ROOT"
tar -C "$ROOT" -xf "$BASE"
mkdir -p "$ROOT/root/debs" && cp "$v1" "$v2" "$ROOT/root/debs/" # /tmp is a tmpfs once the container boots
machine="tg-install-$$"
systemd-nspawn -q -D "$ROOT" -M "$machine" --register=no --keep-unit -b </dev/null >"$WORK/container.log" 2>&1 &
nspawn=$!
proxy=""
# Power the container off (SIGTERM to nspawn), and after 10 s kill its PID 1, which ends every
# process of the container's PID namespace.
cleanup() {
  [ -n "$proxy" ] && kill "$proxy" 2>/dev/null
  kill "$nspawn" 2>/dev/null || return 0
  for _ in $(seq 1 20); do kill -0 "$nspawn" 2>/dev/null || break; sleep 0.5; done
  [ -n "${leader:-}" ] && kill -9 "$leader" 2>/dev/null || true
  kill -9 "$nspawn" 2>/dev/null || true
  wait "$nspawn" 2>/dev/null || true
}
trap cleanup EXIT
leader=""
for _ in $(seq 1 60); do
  for child in $(pgrep -P "$nspawn" || true); do
    [ "$(cat "/proc/$child/comm" 2>/dev/null)" = systemd ] && leader=$child
  done
  [ -n "$leader" ] && break
  sleep 0.5
done
[ -n "$leader" ] || fail "the container did not boot; log: $WORK/container.log"
in_root() { nsenter -t "$leader" -m -u -i -p -r -w -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
# systemctl answers once PID 1 has its private socket; then wait for the boot to finish.
state=""
for _ in $(seq 1 120); do
  state=$(in_root systemctl is-system-running 2>/dev/null || true)
  case "$state" in running | degraded) break ;; esac
  sleep 0.5
done
case "$state" in running | degraded) ;; *) fail "systemd in the container is '$state' after 60 s; log: $WORK/container.log" ;; esac

# --- install ---------------------------------------------------------------------------------------
step "dpkg -i (what apt-get install ./tillgate-edge.deb does once its dependencies are there)"
in_root dpkg -i "/root/debs/$(basename "$v1")" >"$WORK/dpkg-install.log" 2>&1 || fail "dpkg -i failed: $(tail -5 "$WORK/dpkg-install.log")"
grep -q "edit /etc/tillgate/edge.json" "$WORK/dpkg-install.log" || fail "postinst did not say how to configure"
[ "$(in_root stat -c '%a %U:%G' /etc/tillgate/edge.json)" = "640 root:tillgate" ] || fail "config not 0640 root:tillgate"
in_root systemctl is-enabled tillgate-edge >/dev/null || fail "service not enabled"
in_root id tillgate >/dev/null || fail "no tillgate system user"

# --- configure: mqtts for terminals, SASL_SSL to the hub through a WAN link the test can cut --------
mapfile -t ports < <(helpers free-ports 3)
mqtts_port=${ports[0]} status_port=${ports[1]} wan_port=${ports[2]}
store="install-$$"
prefix="t-install-$$."
terminal_password="install-pos-01-secret"
helpers topics "$prefix"
bash "$TG_ROOT/deploy/local/tls.sh" ca "$WORK/store-ca"
bash "$TG_ROOT/deploy/local/tls.sh" issue "$WORK/store-ca" "$WORK/store-ca" broker
install -d -m 0750 "$ROOT/etc/tillgate/tls"
install -m 0644 "$WORK/store-ca/broker.pem" "$ROOT/etc/tillgate/tls/broker.pem"
install -m 0640 "$WORK/store-ca/broker.key" "$ROOT/etc/tillgate/tls/broker.key"
install -m 0644 "$TG_RUN/kafka/tls/ca.pem" "$ROOT/etc/tillgate/hub-ca.pem"
in_root chgrp -R tillgate /etc/tillgate/tls
hash=$(printf '%s' "$terminal_password" | in_root tillgate-edge hash-password) || fail "tillgate-edge hash-password failed"
sasl_broker="127.0.0.1:$TG_KAFKA_SASL_PORT"
cat >"$ROOT/etc/tillgate/edge.json" <<JSON
{
  "storeId": "$store",
  "mqtt": {
    "mode": "embedded",
    "host": "127.0.0.1",
    "port": null,
    "tls": { "certFile": "/etc/tillgate/tls/broker.pem", "keyFile": "/etc/tillgate/tls/broker.key", "port": $mqtts_port },
    "terminals": [{ "id": "pos-01", "passwordHash": "$hash" }]
  },
  "kafka": {
    "brokers": ["$sasl_broker"],
    "topicPrefix": "$prefix",
    "ssl": { "caFile": "/etc/tillgate/hub-ca.pem" },
    "sasl": { "mechanism": "scram-sha-512", "username": "$TG_KAFKA_SASL_USER", "password": "$TG_KAFKA_SASL_PASSWORD" },
    "tunnels": { "$sasl_broker": "127.0.0.1:$wan_port" },
    "backoffMaxMs": 1000
  },
  "heartbeat": { "intervalMs": 2000 },
  "status": { "port": $status_port }
}
JSON
chmod 0644 "$ROOT/etc/tillgate/edge.json"

step "a world-readable config with the SCRAM password is refused"
in_root systemctl start tillgate-edge || true
for _ in $(seq 1 40); do
  in_root journalctl -u tillgate-edge --no-pager -o cat | grep -q TG_EDGE_CONFIG_EXPOSED && break
  sleep 0.5
done
in_root journalctl -u tillgate-edge --no-pager -o cat | grep -q "every user can read it (mode 0644); run: chown root:tillgate" ||
  fail "the service did not refuse a world-readable config with secrets"
in_root systemctl stop tillgate-edge
in_root chmod 0640 /etc/tillgate/edge.json
in_root tillgate-edge doctor >"$WORK/doctor.log" 2>&1 || true
grep -q "ok    model" "$WORK/doctor.log" || fail "doctor: $(cat "$WORK/doctor.log")"

step "service starts (journald logs, user tillgate)"
start_wan
in_root systemctl reset-failed tillgate-edge
in_root systemctl start tillgate-edge
status() { node -e "fetch('http://127.0.0.1:$status_port/status').then((r) => r.json()).then((s) => console.log(JSON.stringify(s)), () => process.exit(1))"; }
for _ in $(seq 1 60); do status >/dev/null 2>&1 && break; sleep 1; done
status >/dev/null 2>&1 || fail "the service did not answer on its status port"
pid=$(in_root systemctl show -p MainPID --value tillgate-edge)
[ "$(in_root stat -c %U "/proc/$pid")" = tillgate ] || fail "the agent does not run as tillgate"

step "a terminal publishes 10 sales over mqtts; stored and forwarded over SASL_SSL"
helpers publish "mqtts://127.0.0.1:$mqtts_port" "$WORK/store-ca/ca.pem" "$store" pos-01 "$terminal_password" 1 10 ||
  fail "the terminal could not publish over mqtts"
helpers await-sales "$prefix" "$store" 10 >/dev/null || fail "the sales did not reach Kafka over SASL_SSL"
rss_kb=$(in_root awk '/VmRSS/ { print $2 }' "/proc/$pid/status")

step "WAN cut: 15 more sales wait in the outbox"
cut_wan
helpers publish "mqtts://127.0.0.1:$mqtts_port" "$WORK/store-ca/ca.pem" "$store" pos-01 "$terminal_password" 11 15 ||
  fail "publish during the WAN cut"
backlog=$(in_root tillgate-edge backlog | sed -n 's/.*"events": \([0-9]*\).*/\1/p')
[ "${backlog:-0}" -ge 15 ] || fail "expected >= 15 events in the outbox, backlog says ${backlog:-nothing}"
config_sum=$(sha256sum "$ROOT/etc/tillgate/edge.json" | cut -d' ' -f1)

step "upgrade to 0.1.0~install2: config and data kept, service restarted, backlog drains"
in_root dpkg -i "/root/debs/$(basename "$v2")" >"$WORK/dpkg-upgrade.log" 2>&1 || fail "upgrade failed: $(tail -5 "$WORK/dpkg-upgrade.log")"
[ "$(sha256sum "$ROOT/etc/tillgate/edge.json" | cut -d' ' -f1)" = "$config_sum" ] || fail "the upgrade changed the config"
new_pid=$(in_root systemctl show -p MainPID --value tillgate-edge)
[ "$new_pid" != "$pid" ] && [ "$new_pid" != 0 ] || fail "the upgrade did not restart the service"
backlog=$(in_root tillgate-edge backlog | sed -n 's/.*"events": \([0-9]*\).*/\1/p')
[ "${backlog:-0}" -ge 15 ] || fail "the outbox lost events across the upgrade (backlog ${backlog:-nothing})"
start_wan
helpers await-sales "$prefix" "$store" 25 >/dev/null || fail "the backlog did not drain after the upgrade"

step "remove keeps config and data; purge deletes them"
in_root dpkg -r tillgate-edge >"$WORK/dpkg-remove.log" 2>&1 || fail "dpkg -r failed"
in_root systemctl is-active tillgate-edge >/dev/null 2>&1 && fail "the service still runs after remove"
[ -f "$ROOT/var/lib/tillgate-edge/edge.db" ] && [ -f "$ROOT/etc/tillgate/edge.json" ] || fail "remove deleted data or config"
[ ! -e "$ROOT/opt/tillgate-edge" ] || fail "remove left /opt/tillgate-edge"
in_root dpkg -P tillgate-edge >"$WORK/dpkg-purge.log" 2>&1 || fail "dpkg -P failed"
for path in /var/lib/tillgate-edge /etc/tillgate /opt/tillgate-edge /usr/bin/tillgate-edge /lib/systemd/system/tillgate-edge.service; do
  [ ! -e "$ROOT$path" ] || fail "purge left $path"
done
in_root id tillgate >/dev/null 2>&1 && fail "purge left the tillgate user"

deb_bytes=$(stat -c %s "$v1")
installed_kb=$(dpkg-deb -f "$v1" Installed-Size)
step "PASSED: package $((deb_bytes / 1024 / 1024)) MiB (zstd), installed $((installed_kb / 1024)) MiB, agent RSS $((rss_kb / 1024)) MiB after 10 sales"
printf '{"deb_bytes_zstd": %s, "installed_kib": %s, "rss_kib": %s, "seconds": %s}\n' \
  "$deb_bytes" "$installed_kb" "$rss_kb" "$((SECONDS - began))" >"$WORK/measurements.json"
