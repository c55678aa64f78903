#!/usr/bin/env bash
# Local Apache Kafka (KRaft, one combined broker+controller) for the local stack and tests.
#   install          resolve the broker and tool jars with Maven into $TG_CACHE/kafka-<version>/libs
#   start            install if needed, format storage once, start, wait until metadata requests work
#   stop | status    status exits 0 when running, 3 when stopped
#   perf-test ARGS   Kafka's own producer benchmark (kafka-producer-perf-test) against the local broker;
#                    the topic named by --topic is created first (1 partition) if it does not exist,
#                    because the broker does not auto-create topics.
# Environment: TILLGATE_CACHE, TILLGATE_RUN (see lib.sh), TG_KAFKA_START_TIMEOUT (seconds, default 90).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KAFKA_VERSION=4.4.0
# A fixed cluster id (base64url of "tillgate-local-1"): formatting is then reproducible and a data
# dir formatted by an older checkout is still accepted.
KAFKA_CLUSTER_ID=dGlsbGdhdGUtbG9jYWwtMQ
KAFKA_SRC="$TG_ROOT/deploy/local/kafka"
KAFKA_HOME="$TG_CACHE/kafka-$KAFKA_VERSION"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_RUN="$TG_RUN/kafka"
KAFKA_DATA="$KAFKA_RUN/data"
KAFKA_LOG="$KAFKA_RUN/kafka.log"
KAFKA_PID="$KAFKA_RUN/kafka.pid"
KAFKA_CONFIG="$KAFKA_RUN/server.properties"
KAFKA_BOOTSTRAP="127.0.0.1:$TG_KAFKA_PORT"
# SASL_SSL listener: CA and broker certificate under $KAFKA_RUN/tls (ca.pem is what clients trust), and
# one SCRAM-SHA-512 account for edge agents (TG_KAFKA_SASL_USER / TG_KAFKA_SASL_PASSWORD, ports.env).
KAFKA_TLS="$KAFKA_RUN/tls"
START_TIMEOUT="${TG_KAFKA_START_TIMEOUT:-90}"

# The stamp holds the hash of the pom, so editing the pom (a new dependency, a version bump in it)
# re-resolves instead of trusting a cache built from the old one.
install_stamp() { cat "$KAFKA_SRC/pom.xml" <(echo "$KAFKA_VERSION") | sha256sum | cut -d' ' -f1; }

require_java() {
  command -v java >/dev/null || tg_die "kafka needs Java 17+ on PATH (Debian: apt-get install openjdk-17-jre-headless)"
  local major
  major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  [ "${major:-0}" -ge 17 ] || tg_die "kafka $KAFKA_VERSION needs Java 17+, found Java ${major:-unknown}"
}

cmd_install() {
  if [ "$(cat "$KAFKA_HOME/.complete" 2>/dev/null)" = "$(install_stamp)" ]; then
    tg_log "kafka $KAFKA_VERSION already installed in $KAFKA_HOME"
    return 0
  fi
  command -v mvn >/dev/null || tg_die "kafka install needs Maven on PATH (Debian: apt-get install maven)"
  require_java
  # Several scripts (stack, CI, a developer) may install at once: one resolves, the others wait. The
  # lock lives in a subshell so the broker started afterwards does not inherit and hold it.
  (
    flock 9
    if [ "$(cat "$KAFKA_HOME/.complete" 2>/dev/null)" != "$(install_stamp)" ]; then resolve_jars; fi
  ) 9>"$TG_CACHE/kafka-$KAFKA_VERSION.lock"
}

resolve_jars() {
  tg_log "installing kafka $KAFKA_VERSION into $KAFKA_HOME (Maven repo $TG_CACHE/m2)"
  local tmp="$KAFKA_HOME.tmp.$$" out
  rm -rf "$tmp"
  if ! out=$(mvn -q -B -f "$KAFKA_SRC/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    -Dmaven.repo.local="$TG_CACHE/m2" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp/libs" 2>&1); then
    rm -rf "$tmp"
    printf '%s\n' "$out" | tail -n 30 >&2
    tg_die "kafka install failed: Maven could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION"
  fi
  # Fill a temporary dir and swap it in, so an interrupted install never looks complete.
  install_stamp >"$tmp/.complete"
  rm -rf "$KAFKA_HOME"
  mv "$tmp" "$KAFKA_HOME"
  tg_log "kafka $KAFKA_VERSION installed ($(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars)"
}

# run_tool MAIN_CLASS ARGS...: a Kafka command-line tool on the cached classpath. Tier-1 JIT and a
# small heap: these run for a second or two, and start-up time is all that matters.
run_tool() {
  local main=$1
  shift
  java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$KAFKA_SRC/log4j2-tools.properties" \
    -cp "$KAFKA_LIBS/*" "$main" "$@"
}

render_config() {
  sed -e "s|@PORT@|$TG_KAFKA_PORT|g" -e "s|@CONTROLLER_PORT@|$TG_KAFKA_CONTROLLER_PORT|g" \
    -e "s|@SASL_PORT@|$TG_KAFKA_SASL_PORT|g" -e "s|@TLS_DIR@|$KAFKA_TLS|g" \
    -e "s|@DATA_DIR@|$KAFKA_DATA|g" "$KAFKA_SRC/server.properties.template" >"$KAFKA_CONFIG"
}

# The private CA and the broker's PEM keystore (key first, then the chain), made once and kept.
make_tls() {
  bash "$TG_ROOT/deploy/local/tls.sh" ca "$KAFKA_TLS"
  bash "$TG_ROOT/deploy/local/tls.sh" issue "$KAFKA_TLS" "$KAFKA_TLS" broker
  [ -f "$KAFKA_TLS/broker-keystore.pem" ] ||
    (umask 077 && cat "$KAFKA_TLS/broker.key" "$KAFKA_TLS/broker.pem" >"$KAFKA_TLS/broker-keystore.pem")
}

# SCRAM credentials live in the cluster metadata; setting them again is harmless, so every start does.
add_scram_user() {
  run_tool org.apache.kafka.tools.ConfigCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --alter \
    --add-config "SCRAM-SHA-512=[password=$TG_KAFKA_SASL_PASSWORD]" \
    --entity-type users --entity-name "$TG_KAFKA_SASL_USER" >>"$KAFKA_LOG" 2>&1 ||
    tg_die "kafka: could not create the SCRAM account $TG_KAFKA_SASL_USER; log: $KAFKA_LOG"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A pid file can outlive its process (reboot, kill -9) and the pid be reused: check it is our broker.
kafka_alive() { tg_pid_alive "$KAFKA_PID" && grep -qa 'kafka.Kafka' "/proc/$(cat "$KAFKA_PID")/cmdline"; }

# Ready means a metadata request (listing topics) succeeds: the port opens before the broker has
# registered with its controller. A broker that dies while starting fails at once, not at the timeout.
wait_ready() {
  tg_wait_ready kafka "$START_TIMEOUT" "$KAFKA_LOG" kafka_alive metadata_answers
}

metadata_answers() {
  port_open "$TG_KAFKA_PORT" &&
    run_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --list >/dev/null 2>&1
}

cmd_start() {
  if kafka_alive; then
    tg_log "kafka already running on $KAFKA_BOOTSTRAP (pid $(cat "$KAFKA_PID"))"
    return 0
  fi
  cmd_install
  require_java
  local port
  for port in "$TG_KAFKA_PORT" "$TG_KAFKA_CONTROLLER_PORT" "$TG_KAFKA_SASL_PORT"; do
    if port_open "$port"; then tg_die "kafka cannot start: 127.0.0.1:$port is already in use by another process; log: $KAFKA_LOG"; fi
  done
  mkdir -p "$KAFKA_DATA"
  make_tls
  render_config
  # Format once: a formatted data dir is reused on every start so topics and offsets survive restarts.
  if [ ! -f "$KAFKA_DATA/meta.properties" ]; then
    run_tool kafka.tools.StorageTool format --cluster-id "$KAFKA_CLUSTER_ID" --config "$KAFKA_CONFIG" \
      >>"$KAFKA_LOG" 2>&1 || tg_die "kafka storage format failed; log: $KAFKA_LOG"
  fi
  tg_log "starting kafka $KAFKA_VERSION on $KAFKA_BOOTSTRAP (log $KAFKA_LOG)"
  # 512 MiB heap: the whole stack shares 2 cores and a store-PC-sized budget; Kafka keeps its data in
  # the page cache, not the heap. G1 settings are the ones Kafka's own start script uses.
  nohup java -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$KAFKA_SRC/log4j2-broker.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_CONFIG" >>"$KAFKA_LOG" 2>&1 </dev/null &
  echo $! >"$KAFKA_PID"
  wait_ready
  add_scram_user
  tg_log "kafka ready on $KAFKA_BOOTSTRAP, SASL_SSL on 127.0.0.1:$TG_KAFKA_SASL_PORT (pid $(cat "$KAFKA_PID"))"
}

cmd_stop() {
  if kafka_alive; then
    tg_stop_pid kafka "$KAFKA_PID"
  else
    rm -f "$KAFKA_PID"
    tg_log "kafka is not running"
  fi
}

cmd_status() {
  if kafka_alive; then
    echo "kafka running on $KAFKA_BOOTSTRAP (controller 127.0.0.1:$TG_KAFKA_CONTROLLER_PORT), pid $(cat "$KAFKA_PID")"
  else
    echo "kafka stopped ($KAFKA_BOOTSTRAP)"
    return 3
  fi
}

cmd_perf_test() {
  kafka_alive || tg_die "kafka is not running; start it with deploy/local/kafka.sh start"
  local topic="" prev=""
  for arg in "$@"; do
    if [ "$prev" = "--topic" ]; then topic=$arg; fi
    case "$arg" in --topic=*) topic=${arg#--topic=} ;; esac
    prev=$arg
  done
  [ -n "$topic" ] || tg_die "kafka perf-test needs --topic NAME (plus --num-records, --throughput and --record-size)"
  run_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --create \
    --if-not-exists --topic "$topic" --partitions 1 --replication-factor 1 >/dev/null
  # Full JIT and the perf tool's own heap size: this is the baseline other benchmarks divide by.
  java -Xmx512m -Dlog4j2.configurationFile="$KAFKA_SRC/log4j2-tools.properties" \
    -cp "$KAFKA_LIBS/*" org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$KAFKA_BOOTSTRAP" "$@"
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  perf-test) shift; cmd_perf_test "$@" ;;
  *) tg_die "usage: deploy/local/kafka.sh install|start|stop|status|perf-test [kafka-producer-perf-test args]" ;;
esac
