#!/usr/bin/env bash
# Run a real single-node Apache Kafka 4.x broker (KRaft, combined broker+controller) on
# 127.0.0.1 for tests and CI, from the official jars on Maven Central.
#
#   scripts/kafka-local.sh start                          fetch jars (first use only), format fresh
#                                                         storage, start, wait until ready
#   scripts/kafka-local.sh stop                           SIGTERM, up to 30 s, then SIGKILL
#   scripts/kafka-local.sh status                         exit 0 if running and reachable, else 1
#   scripts/kafka-local.sh topics-create NAME [PARTITIONS]  create a topic (idempotent)
#
# Environment:
#   KAFKA_KEEP_DATA=1      restart on the data of the previous run instead of a fresh one
#   KAFKA_LOCAL_HOME       cache folder (jars, config, data, logs, pid); default <repo>/.kafka-local
#   KAFKA_PORT             PLAINTEXT listener port, default 9092
#   KAFKA_CONTROLLER_PORT  CONTROLLER listener port, default 9093
#   KAFKA_VERSION          broker version to fetch; default the <kafka.version> in scripts/kafka/pom.xml
#   KAFKA_READY_TIMEOUT    seconds that start waits for readiness, default 90
#   KAFKA_STOP_TIMEOUT     seconds that stop waits after SIGTERM before SIGKILL, default 30
#   KAFKA_HEAP_OPTS        broker heap, default "-Xms256m -Xmx512m"
#   JAVA_HOME              Java 17+ to use (else `java` on PATH)
#
# Needs: bash, Java 17+, Maven (first use only). Broker log: <cache>/logs/server.log.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"
KAFKA_SRC="$SCRIPT_DIR/kafka"

HOST=127.0.0.1
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"

KLH="${KAFKA_LOCAL_HOME:-$REPO_ROOT/.kafka-local}"
[[ "$KLH" == /* ]] || KLH="$PWD/$KLH"   # absolute: the broker and the tools never depend on cwd
LIBS="$KLH/libs"
DATA="$KLH/data"
LOGS="$KLH/logs"
PID_FILE="$KLH/kafka.pid"
CONFIG="$KLH/server.properties"
CLIENT_CONFIG="$KLH/client.properties"
BOOTSTRAP="$HOST:$PORT"

POM="$KAFKA_SRC/pom.xml"
DEFAULT_VERSION="$(sed -n 's:.*<kafka\.version>\(.*\)</kafka\.version>.*:\1:p' "$POM" | head -n1)"
VERSION="${KAFKA_VERSION:-$DEFAULT_VERSION}"

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
# Short-lived JVM for the CLI tools (StorageTool, TopicCommand): small heap, fast start,
# warnings only, on stderr.
TOOL=("$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$KAFKA_SRC/tools-log4j2.xml" -cp "$LIBS/*")

log() { printf 'kafka-local: %s\n' "$*"; }
die() { printf 'kafka-local: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Helpers

# Only one start/stop at a time for a given cache folder (parallel CI jobs, test runners).
lock() {
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$KLH/.lock"
    flock -w 300 9 || die "could not lock $KLH/.lock"
  fi
}

check_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (Java 17+ is needed; set JAVA_HOME or PATH)"
  local spec
  spec="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
  spec="${spec%%.*}"
  [[ "$spec" =~ ^[0-9]+$ && "$spec" -ge 17 ]] || die "Kafka 4.x needs Java 17+, found '$spec' ($JAVA)"
}

libs_ready() {
  [[ -f "$LIBS/.version" && "$(cat "$LIBS/.version")" == "$VERSION" ]] &&
    compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null
}

fetch_libs() {
  libs_ready && return 0
  command -v mvn >/dev/null 2>&1 || die "mvn not found: Maven is needed once to fetch the Kafka jars"
  log "fetching org.apache.kafka:kafka_2.13:$VERSION and its runtime dependencies with Maven into $LIBS"
  local tmp="$KLH/libs.tmp" t0=$SECONDS
  rm -rf -- "$tmp"
  if ! mvn -B -q -f "$POM" dependency:copy-dependencies \
        -Dkafka.version="$VERSION" -DincludeScope=runtime -DoutputDirectory="$tmp" \
        >"$KLH/fetch.log" 2>&1; then
    tail -n 50 "$KLH/fetch.log" >&2 || true
    rm -rf -- "$tmp"
    die "Maven could not fetch Kafka $VERSION (full output: $KLH/fetch.log)"
  fi
  compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null || die "kafka_2.13 jar missing after the fetch ($KLH/fetch.log)"
  printf '%s\n' "$VERSION" >"$tmp/.version"
  rm -rf -- "$LIBS"
  mv -- "$tmp" "$LIBS"
  log "fetched $(ls "$LIBS"/*.jar | wc -l) jars in $((SECONDS - t0)) s"
}

run_tool() { "${TOOL[@]}" "$@"; }

# Pid of our broker, or nothing (a stale pid file, or a pid reused by another process, is ignored).
broker_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "kafka.Kafka $CONFIG" || return 1
  printf '%s\n' "$pid"
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

write_client_config() {
  cat >"$CLIENT_CONFIG" <<EOF
request.timeout.ms=5000
default.api.timeout.ms=10000
EOF
}

# Metadata round trip through the admin client: the broker really serves requests.
metadata_ok() {
  timeout 30 "${TOOL[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
    --command-config "$CLIENT_CONFIG" --list >"$LOGS/ready-check.log" 2>&1
}

show_log_tail() {
  {
    echo "---- last 50 lines of $LOGS/server.log ----"
    tail -n 50 "$LOGS/server.log" 2>/dev/null || echo "(no server.log)"
    if grep -q '[^[:space:]]' "$LOGS/kafka.out" 2>/dev/null; then
      echo "---- last 20 lines of $LOGS/kafka.out (JVM stdout/stderr) ----"
      tail -n 20 "$LOGS/kafka.out"
    fi
    if grep -q '[^[:space:]]' "$LOGS/ready-check.log" 2>/dev/null; then
      echo "---- last readiness check (TopicCommand --list) ----"
      tail -n 20 "$LOGS/ready-check.log"
    fi
  } >&2
}

# Wait for TCP, then for a metadata answer. $1: pid of the broker. Dies if the broker exits;
# returns 1 on timeout.
wait_ready() {
  local pid="$1" deadline=$((SECONDS + READY_TIMEOUT))
  mkdir -p -- "$LOGS"
  : >"$LOGS/ready-check.log"
  write_client_config
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "broker process $pid exited during startup" >&2
      show_log_tail
      exit 1
    fi
    if port_open "$PORT" && metadata_ok; then
      return 0
    fi
    sleep 0.5
  done
  return 1
}

stop_pid() {
  local pid="$1" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= STOP_TIMEOUT * 10)); then
      log "broker $pid still running after ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

# ---------------------------------------------------------------------------------------------
# Commands

cmd_start() {
  mkdir -p -- "$KLH"
  lock
  check_java
  local pid t0=$SECONDS
  if pid="$(broker_pid)"; then
    if wait_ready "$pid"; then
      log "ready on $BOOTSTRAP (already running, pid $pid)"
      return 0
    fi
    log "broker pid $pid is running but not ready after ${READY_TIMEOUT}s" >&2
    show_log_tail
    exit 1
  fi
  rm -f -- "$PID_FILE"
  if port_open "$PORT"; then die "port $HOST:$PORT is already in use by another process"; fi
  if port_open "$CONTROLLER_PORT"; then die "port $HOST:$CONTROLLER_PORT is already in use by another process"; fi

  fetch_libs
  mkdir -p -- "$LOGS"

  # Fresh data on every start, unless KAFKA_KEEP_DATA=1 restarts a broker on the data it had
  # (the broker-outage test needs its topics and offsets back).
  local keep=0
  [[ "${KAFKA_KEEP_DATA:-0}" == 1 && -f "$DATA/meta.properties" ]] && keep=1
  if ((keep == 0)); then
    rm -rf -- "$DATA"
    mkdir -p -- "$DATA"
  fi
  sed -e "s|@HOST@|$HOST|g" -e "s|@PORT@|$PORT|g" -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
      -e "s|@DATA_DIR@|$DATA|g" "$KAFKA_SRC/server.properties.template" >"$CONFIG"

  if ((keep == 0)); then
    local cluster_id
    cluster_id="$(run_tool kafka.tools.StorageTool random-uuid 2>"$LOGS/format.log" | tail -n1)"
    [[ -n "$cluster_id" ]] || { cat "$LOGS/format.log" >&2; die "could not generate a cluster id"; }
    if ! run_tool kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$CONFIG" \
          --standalone >>"$LOGS/format.log" 2>&1; then
      cat "$LOGS/format.log" >&2
      die "formatting the storage failed"
    fi
  fi

  local f
  for f in server.log kafka.out; do
    if [[ -f "$LOGS/$f" ]]; then mv -f -- "$LOGS/$f" "$LOGS/$f.1"; fi
  done

  # The broker writes its own pid (exec keeps it), in its own session so that signals to the
  # caller's process group (Ctrl-C, a test runner's cleanup) don't reach it; stop ends it.
  local launcher=()
  command -v setsid >/dev/null 2>&1 && launcher=(setsid)
  # shellcheck disable=SC2086  # HEAP_OPTS is a list of JVM flags
  "${launcher[@]}" nohup bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" \
    "$JAVA" $HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    -Dkafka.logs.dir="$LOGS" -Dlog4j2.configurationFile="$KAFKA_SRC/log4j2.xml" \
    -cp "$LIBS/*" kafka.Kafka "$CONFIG" \
    >"$LOGS/kafka.out" 2>&1 </dev/null 9>&- &   # 9>&-: the broker must not inherit the lock

  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s "$PID_FILE" ]] && break
    sleep 0.1
  done
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || { show_log_tail; die "the broker did not start"; }

  if wait_ready "$pid"; then
    log "ready on $BOOTSTRAP (Kafka $VERSION, pid $pid, $((SECONDS - t0)) s)"
    return 0
  fi
  log "not ready after ${READY_TIMEOUT}s, stopping it" >&2
  show_log_tail
  stop_pid "$pid"
  rm -f -- "$PID_FILE"
  exit 1
}

cmd_stop() {
  if [[ -d "$KLH" ]]; then lock; fi
  local pid
  if ! pid="$(broker_pid)"; then
    rm -f -- "$PID_FILE"
    log "not running"
    return 0
  fi
  stop_pid "$pid"
  rm -f -- "$PID_FILE"
  log "stopped (pid $pid)"
}

cmd_status() {
  local pid
  if pid="$(broker_pid)" && port_open "$PORT"; then
    log "running on $BOOTSTRAP (pid $pid)"
    return 0
  fi
  log "not running"
  return 1
}

cmd_topics_create() {
  local name="${1:-}" partitions="${2:-3}"
  [[ -n "$name" ]] || die "usage: $0 topics-create NAME [PARTITIONS]"
  [[ "$partitions" =~ ^[1-9][0-9]*$ ]] || die "partitions must be a positive integer, got '$partitions'"
  broker_pid >/dev/null || die "the broker is not running (run: $0 start)"
  check_java
  write_client_config
  run_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
    --command-config "$CLIENT_CONFIG" --create --if-not-exists \
    --topic "$name" --partitions "$partitions" --replication-factor 1 >/dev/null
  log "topic $name ready ($partitions partitions requested; an existing topic is left as it is)"
}

usage() {
  cat >&2 <<EOF
usage: $0 start|stop|status|topics-create NAME [PARTITIONS]
  cache folder: $KLH (KAFKA_LOCAL_HOME)
EOF
  exit 2
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  topics-create) shift; cmd_topics_create "$@" ;;
  *) usage ;;
esac
