#!/usr/bin/env bash
# Build the control-plane image controlplane/api:dev.
#
# There is no .NET SDK image offline, so the app is published on the host as
# a self-contained linux-x64 app (it carries its own .NET runtime; the image
# needs only the base image's native libraries) into artifacts/controlplane/,
# and the repository's Dockerfile copies that onto controlplane/base:bookworm.
#
# Environment:
#   IMAGE        tag to build (default controlplane/api:dev)
#   BASE_IMAGE   base image (default controlplane/base:bookworm; built by
#                deploy/setup.sh if missing)
#   CONFIGURATION  dotnet configuration (default Release)
#   PUSH=1       also push to the local registry as 127.0.0.1:${REGISTRY_PORT:-5000}/$IMAGE
set -euo pipefail

log() { printf '%s [build-controlplane-image] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
IMAGE=${IMAGE:-controlplane/api:dev}
BASE_IMAGE=${BASE_IMAGE:-controlplane/base:bookworm}
CONFIGURATION=${CONFIGURATION:-Release}
PROJECT=src/ControlPlane.Api/ControlPlane.Api.csproj
OUT=artifacts/controlplane

cd "$repo"
[[ -f $PROJECT ]] || die "$PROJECT not found"

# Docker, registry and base image: all cached no-ops when already there.
if ! timeout 15 docker info >/dev/null 2>&1 || ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  log "docker or $BASE_IMAGE missing; running deploy/setup.sh"
  bash "$here/setup.sh"
fi

start=$SECONDS
log "dotnet publish $PROJECT -c $CONFIGURATION -r linux-x64 --self-contained -o $OUT"
# Start from an empty output dir so files deleted from the project do not
# linger in the image.
rm -rf "$OUT"
dotnet publish "$PROJECT" -c "$CONFIGURATION" -r linux-x64 --self-contained -o "$OUT" -nologo >&2
[[ -x $OUT/ControlPlane.Api ]] || die "publish produced no $OUT/ControlPlane.Api"
log "published $(du -sh "$OUT" | cut -f1) in $((SECONDS - start))s"

start=$SECONDS
log "docker build -t $IMAGE (base $BASE_IMAGE)"
# The docker CLI here has no buildx plugin, so this is the classic builder;
# DOCKER_BUILDKIT=0 says so explicitly (and avoids an error if the caller's
# environment has DOCKER_BUILDKIT=1 set without buildx).
DOCKER_BUILDKIT=0 docker build --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$IMAGE" . >&2
log "built $IMAGE ($(docker image inspect -f '{{.Size}}' "$IMAGE" | numfmt --to=iec)) in $((SECONDS - start))s"

if [[ ${PUSH:-0} == 1 ]]; then
  remote=127.0.0.1:${REGISTRY_PORT:-5000}/$IMAGE
  docker tag "$IMAGE" "$remote"
  docker push -q "$remote" >&2
  log "pushed $remote"
fi
log "done: docker run -d -p 127.0.0.1:8080:8080 -v controlplane-data:/data $IMAGE"
