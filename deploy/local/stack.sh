#!/usr/bin/env bash
# The README's main job: installs what is missing, starts the local stack and says what runs where.
# Ctrl-C stops everything; data under .run/ is kept, so running it again resumes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bash "$TG_ROOT/deploy/local/setup.sh"
trap 'bash "$TG_ROOT/deploy/local/services.sh" down' EXIT
bash "$TG_ROOT/deploy/local/services.sh" up

cat <<MSG

tillgate local stack is up:
  Kafka (KRaft)   127.0.0.1:$TG_KAFKA_PORT        log: $TG_RUN/kafka/kafka.log
  S3 (SeaweedFS)  http://127.0.0.1:$TG_S3_PORT   log: $TG_RUN/seaweedfs/
  Mosquitto       mqtt://127.0.0.1:$TG_MOSQUITTO_PORT  log: $TG_RUN/mosquitto/
Press Ctrl-C to stop.
MSG
while true; do sleep 3600; done
