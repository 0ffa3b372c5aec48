#!/usr/bin/env bash
# Runs deploy/compose.yaml for real and drives it with boto3 (deploy/compose_smoke.py): create_model + list_models,
# a built-in XGBoost training job that the worker runs on Docker with its data in S3 (moto), the trained model as an
# endpoint, invoke_endpoint through the gateway, invoke_endpoint_async with its answer in S3. Builds what is missing first (controlplane/api:dev, the moto image;
# deploy/setup.sh for Docker, the registry, the base and algorithms images). Free loopback ports and a scratch data
# directory, a compose project of its own, everything removed at the end. Needs root (Docker, files the containers
# write as root) and docker-compose (Debian's, installed with apt-get when missing) or `docker compose`.
#
# Environment: KEEP=1 leaves the stack running (prints how to stop it); SKIP_BUILD=1 uses the images as they are.
set -euo pipefail

log() { printf '%s [compose-smoke] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
start=$SECONDS

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  if ! command -v docker-compose >/dev/null; then
    log "installing Debian's docker-compose"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker-compose >/dev/null \
      || die "apt-get install docker-compose failed"
  fi
  compose=(docker-compose)
fi

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  bash "$here/setup.sh"
  bash "$here/build-controlplane-image.sh"
fi
CONTROLPLANE_S3_IMAGE=$(bash "$here/build-moto-image.sh")
export CONTROLPLANE_S3_IMAGE

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
CONTROLPLANE_API_PORT=$(free_port) CONTROLPLANE_GATEWAY_PORT=$(free_port) CONTROLPLANE_WORKER_PORT=$(free_port) CONTROLPLANE_S3_PORT=$(free_port)
CONTROLPLANE_DATA=$(mktemp -d /tmp/controlplane-compose.XXXXXX)
export CONTROLPLANE_API_PORT CONTROLPLANE_GATEWAY_PORT CONTROLPLANE_WORKER_PORT CONTROLPLANE_S3_PORT CONTROLPLANE_DATA
project=cpsmoke$$
stack=("${compose[@]}" -p "$project" -f "$here/compose.yaml")

cleanup() {
  local rc=$?
  if [[ $rc != 0 ]]; then "${stack[@]}" logs --no-color --tail 40 >&2 || true; fi
  if [[ ${KEEP:-0} == 1 ]]; then
    log "KEEP=1: left running; stop with: $(printf '%q ' "${stack[@]}") down; rm -rf $CONTROLPLANE_DATA"
    return
  fi
  "${stack[@]}" down --remove-orphans >/dev/null 2>&1 || true
  # Endpoint containers the worker started and a deleted endpoint's supervisor may not have removed yet.
  docker ps -aq --filter "label=controlplane.instance=$(cat "$CONTROLPLANE_DATA/instance-id" 2>/dev/null || echo none)" | xargs -r docker rm -f >/dev/null
  rm -rf "$CONTROLPLANE_DATA"
  log "removed the stack ($((SECONDS - start)) s in all)"
}
trap cleanup EXIT

log "${compose[*]} up: api :$CONTROLPLANE_API_PORT, gateway :$CONTROLPLANE_GATEWAY_PORT, worker :$CONTROLPLANE_WORKER_PORT, s3 :$CONTROLPLANE_S3_PORT, data $CONTROLPLANE_DATA"
"${stack[@]}" up -d >&2
for url in "http://127.0.0.1:$CONTROLPLANE_API_PORT/health" "http://127.0.0.1:$CONTROLPLANE_WORKER_PORT/health" "http://127.0.0.1:$CONTROLPLANE_S3_PORT/"; do
  for _ in $(seq 1 300); do curl -sf -o /dev/null "$url" && break; sleep 0.5; done
  curl -sf -o /dev/null "$url" || die "$url does not answer"
done
log "stack up after $((SECONDS - start)) s"
python3 "$here/compose_smoke.py" "http://127.0.0.1:$CONTROLPLANE_API_PORT" "http://127.0.0.1:$CONTROLPLANE_GATEWAY_PORT" "http://127.0.0.1:$CONTROLPLANE_S3_PORT"
