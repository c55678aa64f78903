#!/usr/bin/env bash
# Gives the running local stack's hub weeks of history, so model_training has something to learn from:
# the live simulators (stack.sh) start 72 h back, the DAG needs at least 56 days. Simulates the stack's
# stores (store-001...) for DAYS days ending when the live simulation starts (now - 72 h, a UTC midnight
# before it), and produces those events to the hub's Kafka topics the way the edges forward them
# (received_at = occurred_at + 1 s); returns once the hub's ClickHouse and lake consumers have
# committed all of it. The simulator's ground truth stays in the history folder (for evaluation only).
#   TILLGATE_STORES=3 TILLGATE_SKUS=300 bash deploy/local/backfill-history.sh [DAYS]      (default 60)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DAYS=${1:-60}
STORES=${TILLGATE_STORES:-3}
SKUS=${TILLGATE_SKUS:-300}
[[ "$DAYS" =~ ^[1-9][0-9]*$ ]] || tg_die "DAYS must be a whole number of days, got '$DAYS'"
end=$(date -u -d "$(date -u -d '-72 hours' +%F)" +%s)
start=$(date -u -d "@$((end - DAYS * 86400))" +%FT%TZ)
out="$TG_RUN/stack/backfill/${STORES}x${DAYS}x${SKUS}-${start%%T*}"
if [ ! -f "$out/manifest.json" ]; then
  tg_log "simulating $STORES stores x $DAYS days from $start into $out"
  (cd "$TG_ROOT" && npx tsx simulators/src/cli.ts history --seed "${TILLGATE_SEED:-42}" --stores "$STORES" \
    --skus "$SKUS" --days "$DAYS" --start "$start" --out "$out")
fi
# The stack's hub runs on the defaults (hub/src/config.ts) plus the ports of deploy/local/ports*.env.
echo '{}' >"$out/hub.json"
"$TG_ROOT/.venv/bin/python" - "$out" <<'PY'
import json, sys
from datetime import datetime, timedelta
from pathlib import Path
import pyarrow.parquet as pq
out = Path(sys.argv[1])
with (out / "store-events.jsonl").open("w") as sink:
    for payload in pq.read_table(out / "events.parquet", columns=["payload"]).column("payload").to_pylist():
        event = json.loads(payload)
        occurred = datetime.fromisoformat(event["occurred_at"].replace("Z", "+00:00"))
        received = (occurred + timedelta(seconds=1)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        sink.write(json.dumps({**event, "received_at": received}) + "\n")
PY
tg_log "producing $(wc -l <"$out/store-events.jsonl") events to the hub's topics (waits for ClickHouse and the lake)"
(cd "$TG_ROOT" && node --import tsx test/hub/hub-feed.ts feed --config "$out/hub.json" --events "$out/store-events.jsonl")
tg_log "backfilled $start .. $(date -u -d "@$end" +%F): ground truth for evaluation in $out/stockouts.parquet"
