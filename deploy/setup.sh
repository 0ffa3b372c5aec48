#!/usr/bin/env bash
# The one entry point (CI's .ci/run and users call this): take a Debian 12
# machine to a working container setup, or confirm it already is one.
#
#   1. install-docker.sh     Docker engine answering (installed/started/self-tested)
#   2. start-registry.sh     local registry on 127.0.0.1:${REGISTRY_PORT:-5000}
#   3. build-base-image.sh   controlplane/base:bookworm, local and in the registry
#   4. build-algorithms-image.sh  controlplane/algorithms (built-in algorithms), cached by a hash of its sources
#
# Each step is idempotent and returns in about a second when already done, so
# calling this on every CI run is cheap. Fresh machine: ~5 min (mostly
# debootstrap). Environment variables are passed through to the steps (see
# deploy/README.md), e.g. FORCE=1 rebuilds the base image.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log() { printf '%s [setup] %s\n' "$(date +%T)" "$*" >&2; }

summary=()
total_start=$SECONDS
for step in install-docker start-registry build-base-image build-algorithms-image; do
  start=$SECONDS
  log "== $step"
  if ! bash "$here/$step.sh"; then
    log "FAILED: $step (after $((SECONDS - start))s)"
    exit 1
  fi
  summary+=("$(printf '%-17s %4ss' "$step" "$((SECONDS - start))")")
done

log "== summary"
for line in "${summary[@]}"; do log "  $line"; done
log "  total             $(printf '%4ss' "$((SECONDS - total_start))")"
log "docker $(docker version -f '{{.Server.Version}}'), storage $(docker info -f '{{.Driver}}'); registry http://127.0.0.1:${REGISTRY_PORT:-5000}; base image $(docker image inspect -f '{{.Id}}' controlplane/base:bookworm | cut -c8-19)"
