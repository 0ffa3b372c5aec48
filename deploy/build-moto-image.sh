#!/usr/bin/env bash
# Build controlplane/moto:<moto version>, the S3 of deploy/compose.yaml for local use (production: MinIO or AWS S3,
# deploy/README.md). moto and the packages its server needs (flask, flask-cors and everything they and moto require)
# are copied from this machine's python3 into artifacts/moto/site-packages and onto controlplane/base:bookworm by
# deploy/moto.Dockerfile. Skipped when the image exists (FORCE=1 rebuilds).
#
# Environment: IMAGE (default controlplane/moto:<version>), BASE_IMAGE (default controlplane/base:bookworm), FORCE=1.
set -euo pipefail

log() { printf '%s [build-moto-image] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
BASE_IMAGE=${BASE_IMAGE:-controlplane/base:bookworm}
OUT=$repo/artifacts/moto

version=$(python3 -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null) \
  || die "python3 has no moto (the tests' S3 server); install it first"
IMAGE=${IMAGE:-controlplane/moto:$version}
if [[ ${FORCE:-0} != 1 ]] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE exists: not rebuilt (FORCE=1 rebuilds)"
  echo "$IMAGE"
  exit 0
fi
docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 || die "$BASE_IMAGE missing; run deploy/setup.sh"

rm -rf "$OUT"
mkdir -p "$OUT/site-packages"
# Every file of every distribution moto's server needs, by the distributions' own RECORDs.
python3 - "$OUT/site-packages" <<'PY'
import importlib.metadata as metadata, os, re, shutil, sys
target = sys.argv[1]
wanted, seen = ["moto", "flask", "flask-cors"], {}
while wanted:
    name = re.sub(r"[-_.]+", "-", wanted.pop()).lower()
    if name in seen:
        continue
    try:
        seen[name] = distribution = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        continue  # a requirement for older Pythons or other platforms
    wanted += [re.split(r"[ ;<>=!~\[(]", r, maxsplit=1)[0] for r in distribution.requires or [] if "extra ==" not in r]
for distribution in seen.values():
    for file in distribution.files or []:
        source = distribution.locate_file(file)
        relative = os.path.normpath(str(file))
        if relative.startswith("..") or "__pycache__" in relative or not os.path.isfile(source):
            continue  # scripts installed outside site-packages, bytecode
        os.makedirs(os.path.join(target, os.path.dirname(relative)), exist_ok=True)
        shutil.copy2(source, os.path.join(target, relative))
print(f"{len(seen)} distributions: {' '.join(sorted(seen))}", file=sys.stderr)
PY
DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE_IMAGE=$BASE_IMAGE" -f "$here/moto.Dockerfile" -t "$IMAGE" "$OUT" >&2
log "built $IMAGE ($(docker image inspect -f '{{.Size}}' "$IMAGE" | numfmt --to=iec))"
echo "$IMAGE"
