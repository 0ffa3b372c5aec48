#!/usr/bin/env bash
# Build the built-in algorithms image and push it to the local registry as
# 127.0.0.1:$REGISTRY_PORT/controlplane/algorithms:<source hash> and :latest
# (the service's default ControlPlane:BuiltInAlgorithms:Image).
#
# ControlPlane.Algorithms is published on the host as a self-contained linux-x64
# app (there is no .NET SDK image offline) into artifacts/algorithms/ and copied
# onto controlplane/base:bookworm by deploy/algorithms.Dockerfile.
#
# Cached path: the tag is a hash of the sources that go into the image
# (src/ControlPlane.Algorithms, the shared build files, this script and the
# Dockerfile); when the registry already has that tag nothing is built, only
# :latest is pointed at it. Takes ~1-2 minutes when it builds.
#
# Environment:
#   FORCE=1          rebuild even if the image for these sources exists
#   REGISTRY_PORT    local registry port (default 5000)
#   BASE_IMAGE       base image (default controlplane/base:bookworm)
set -euo pipefail

log() { printf '%s [build-algorithms-image] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
BASE_IMAGE=${BASE_IMAGE:-controlplane/base:bookworm}
REPOSITORY=127.0.0.1:${REGISTRY_PORT:-5000}/controlplane/algorithms
PROJECT=src/ControlPlane.Algorithms/ControlPlane.Algorithms.csproj
OUT=artifacts/algorithms

cd "$repo"
[[ -f $PROJECT ]] || die "$PROJECT not found"

hash=$( { find src/ControlPlane.Algorithms -type f \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/bin/*' -not -path '*/obj/*' | LC_ALL=C sort
          printf '%s\n' Directory.Build.props Directory.Packages.props global.json deploy/build-algorithms-image.sh deploy/algorithms.Dockerfile; } \
        | xargs sha256sum | sha256sum | cut -c1-16)
image=$REPOSITORY:$hash

if [[ ${FORCE:-0} != 1 ]] && docker manifest inspect --insecure "$image" >/dev/null 2>&1 || { [[ ${FORCE:-0} != 1 ]] && docker image inspect "$image" >/dev/null 2>&1; }; then
  log "$image exists (sources unchanged): not rebuilt"
else
  docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 || die "$BASE_IMAGE missing; run deploy/setup.sh"
  start=$SECONDS
  rm -rf "$OUT"
  log "dotnet publish $PROJECT -c Release -r linux-x64 --self-contained -o $OUT"
  dotnet publish "$PROJECT" -c Release -r linux-x64 --self-contained -o "$OUT" -nologo >&2
  [[ -x $OUT/ControlPlane.Algorithms ]] || die "publish produced no $OUT/ControlPlane.Algorithms"
  [[ -f $OUT/lib_lightgbm.so ]] || die "publish produced no $OUT/lib_lightgbm.so"
  log "published $(du -sh "$OUT" | cut -f1) in $((SECONDS - start))s"
  DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE_IMAGE=$BASE_IMAGE" -f deploy/algorithms.Dockerfile -t "$image" "$OUT" >&2
  log "built $image in $((SECONDS - start))s"
fi

# The image may exist only in the registry (another checkout built it): pull it so it can be tagged.
docker image inspect "$image" >/dev/null 2>&1 || docker pull -q "$image" >&2
docker tag "$image" "$REPOSITORY:latest"
docker push -q "$image" >&2
docker push -q "$REPOSITORY:latest" >&2
log "done: $REPOSITORY:latest = $hash"
