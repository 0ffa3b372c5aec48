#!/usr/bin/env bash
# Build the project's base image, controlplane/base:bookworm, from Debian
# packages alone: there is no Docker Hub here, so `FROM debian` is impossible.
# debootstrap (minbase) fills a directory with a Debian 12 root filesystem from
# the same mirror apt uses on this machine, we trim it, and `docker import`
# turns the tarball into an image. The image is also pushed to the local
# registry (deploy/start-registry.sh) as 127.0.0.1:$REGISTRY_PORT/controlplane/base:bookworm.
#
# Contents beyond minbase: ca-certificates, libgomp1 (LightGBM's native
# library links it), libicu72 (.NET globalization), tzdata, python3 (test
# training images are small python scripts), procps; tar and gzip come with
# minbase but are listed so they stay guaranteed.
#
# Cached path: if the image exists locally it is not rebuilt (debootstrap takes
# ~3 minutes), only pushed if the registry lacks this exact image.
#
# Environment:
#   FORCE=1          rebuild even if the image exists
#   REGISTRY_PORT    local registry port (default 5000)
#   PUSH=0           do not push to the local registry
#   DEBIAN_MIRROR    override the mirror (default: the one in apt's sources)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

log() { printf '%s [build-base-image] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

SUITE=bookworm
IMAGE=controlplane/base:$SUITE
PORT=${REGISTRY_PORT:-5000}
REMOTE=127.0.0.1:$PORT/$IMAGE
PACKAGES=ca-certificates,libgomp1,libicu72,tzdata,python3,procps,tar,gzip
DEB_CACHE=/var/cache/controlplane-debootstrap   # .debs, reused by FORCE=1 rebuilds
APT_LOG=/var/log/controlplane-apt.log
BUILD_LOG=/var/log/controlplane-debootstrap.log

docker_ok() { timeout 15 docker info >/dev/null 2>&1; }
docker_ok || die "docker does not answer; run deploy/install-docker.sh first"

# Push unless the registry already holds exactly this image. Comparing the
# registry's manifest digest with the local image's RepoDigests keeps the
# cached path to two cheap requests instead of a `docker push`.
push_if_needed() {
  [[ ${PUSH:-1} == 0 ]] && { log "PUSH=0: not pushing"; return 0; }
  if ! curl -fsS -m 3 -o /dev/null "http://127.0.0.1:$PORT/v2/"; then
    die "no registry on 127.0.0.1:$PORT; run deploy/start-registry.sh first (or PUSH=0)"
  fi
  local remote_digest local_digests
  remote_digest=$(curl -fsS -m 5 -I \
      -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
      "http://127.0.0.1:$PORT/v2/controlplane/base/manifests/$SUITE" 2>/dev/null \
    | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}') || true
  local_digests=$(docker image inspect -f '{{join .RepoDigests " "}}' "$IMAGE" 2>/dev/null || true)
  if [[ -n $remote_digest && " $local_digests " == *" 127.0.0.1:$PORT/controlplane/base@$remote_digest "* ]]; then
    log "registry already has $REMOTE ($remote_digest)"
    return 0
  fi
  log "pushing $REMOTE"
  docker tag "$IMAGE" "$REMOTE"
  docker push -q "$REMOTE" >&2
}

if [[ ${FORCE:-0} != 1 ]] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE exists ($(docker image inspect -f '{{.Size}}' "$IMAGE" | numfmt --to=iec)); skipping build (FORCE=1 rebuilds)"
  push_if_needed
  exit 0
fi

[[ $(id -u) == 0 ]] || die "must run as root (debootstrap, chroot)"

# --- tools --------------------------------------------------------------------
if ! command -v debootstrap >/dev/null; then
  log "installing debootstrap (output in $APT_LOG)"
  apt=(apt-get -y -q -o DPkg::Lock::Timeout=300)
  "${apt[@]}" update >>"$APT_LOG" 2>&1 || { tail -n 20 "$APT_LOG" >&2; die "apt-get update failed"; }
  "${apt[@]}" install --no-install-recommends debootstrap debian-archive-keyring >>"$APT_LOG" 2>&1 \
    || { tail -n 20 "$APT_LOG" >&2; die "apt-get install debootstrap failed"; }
fi

# --- which mirror -------------------------------------------------------------
# Use the mirror this machine's apt already uses (the only one reachable in
# sandboxed environments): the first source, in deb822 *.sources files or
# one-line *.list files, that serves the plain "bookworm" suite. The security
# archive is picked the same way, for the image's own apt sources.
find_mirror() { # $1 = suite to look for
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    # deb822: blank-line separated stanzas with "URIs:" and "Suites:" fields.
    awk -v want="$1" '
      function flush() { if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " want " ") && uris != "") { split(uris, u, " "); print u[1]; found=1; exit } types=uris=suites="" }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      tolower($1) == "types:"  { $1=""; types=$0 }
      tolower($1) == "uris:"   { $1=""; uris=$0 }
      tolower($1) == "suites:" { $1=""; suites=$0 }
      END { if (!found) flush() }' "$f" | head -n1 | grep . && return 0
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    # one-line: deb [options] URI SUITE COMPONENTS...
    sed -E 's/\[[^]]*\]//' "$f" | awk -v want="$1" '$1=="deb" && $3==want {print $2; exit}' | grep . && return 0
  done
  return 1
}
MIRROR=${DEBIAN_MIRROR:-$(find_mirror "$SUITE" || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
MIRROR=${MIRROR%/}
SECURITY=$(find_mirror "$SUITE-security" || true)
SECURITY=${SECURITY%/}
log "building $IMAGE with debootstrap from $MIRROR${SECURITY:+ (security: $SECURITY)}"

# --- debootstrap ----------------------------------------------------------------
WORK=$(mktemp -d /var/tmp/controlplane-base.XXXXXX)
ROOT=$WORK/rootfs
cleanup() {
  # Unmount anything left mounted inside the rootfs before deleting it, and
  # never cross into another filesystem while deleting.
  local m
  awk -v r="$ROOT" 'index($2, r) == 1 {print $2}' /proc/mounts | sort -r \
    | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

mkdir -p "$DEB_CACHE"
start=$SECONDS
log "debootstrap --variant=minbase $SUITE (~3 min; log $BUILD_LOG)"
# Two stages so that dpkg can be told to skip its per-file fsync()s before it
# installs anything (force-unsafe-io): on a VM disk those syncs dominate the
# run, and a crash mid-build just means rebuilding. The setting is removed
# again before the image is made.
debootstrap_failed() {
  tail -n 30 "$BUILD_LOG" >&2
  [[ -f $ROOT/debootstrap/debootstrap.log ]] && tail -n 30 "$ROOT/debootstrap/debootstrap.log" >&2
  die "debootstrap failed"
}
debootstrap --foreign --variant=minbase --components=main --include="$PACKAGES" \
  --cache-dir="$DEB_CACHE" "$SUITE" "$ROOT" "$MIRROR" >"$BUILD_LOG" 2>&1 || debootstrap_failed
UNSAFE_IO=$ROOT/etc/dpkg/dpkg.cfg.d/00-controlplane-build-unsafe-io
mkdir -p "$(dirname "$UNSAFE_IO")"
echo force-unsafe-io >"$UNSAFE_IO"
chroot "$ROOT" /debootstrap/debootstrap --second-stage >>"$BUILD_LOG" 2>&1 || debootstrap_failed
log "debootstrap done in $((SECONDS - start))s"

# --- configure, upgrade, trim ----------------------------------------------------
# The image's own apt sources, so derived images can `apt-get install`.
rm -f "$ROOT/etc/apt/sources.list"
{
  printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$MIRROR" "$SUITE" "$SUITE"
  if [[ -n $SECURITY ]]; then
    printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$SECURITY" "$SUITE"
  fi
} >"$ROOT/etc/apt/sources.list.d/debian.sources"

# Keep docs, man pages and translations out of this and every derived image
# (copyright files stay: they are the licences).
cat >"$ROOT/etc/dpkg/dpkg.cfg.d/01-controlplane-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
# No apt caches or recommends in derived images either.
cat >"$ROOT/etc/apt/apt.conf.d/01-controlplane-slim" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
EOF
# Services must never start inside image builds.
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"

# Security and point-release updates (debootstrap only reads the base suite).
log "applying $SUITE-updates/$SUITE-security upgrades inside the rootfs"
mount -t proc proc "$ROOT/proc"
if ! chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
      sh -c 'apt-get -q update && apt-get -y -q -o Dpkg::Options::=--force-confold dist-upgrade && apt-get clean' >>"$BUILD_LOG" 2>&1; then
  tail -n 30 "$BUILD_LOG" >&2
  die "upgrade inside the rootfs failed"
fi
umount "$ROOT/proc"
rm -f "$UNSAFE_IO"

log "trimming"
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/* "$ROOT"/var/cache/debconf/*-old \
       "$ROOT"/var/lib/dpkg/*-old "$ROOT"/var/log/* "$ROOT"/tmp/* "$ROOT"/var/tmp/* \
       "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/* "$ROOT"/usr/share/locale/* \
       "$ROOT"/usr/share/lintian "$ROOT"/usr/share/doc-base \
       "$ROOT"/debootstrap
find "$ROOT/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$ROOT/usr/share/doc" -mindepth 1 -type d -empty -delete
# Host-specific files debootstrap copied in; Docker provides its own at run time.
rm -f "$ROOT/etc/resolv.conf" "$ROOT/etc/hostname"
: >"$ROOT/etc/machine-id"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$ROOT/etc/hosts"

# --- import -------------------------------------------------------------------------
log "docker import -> $IMAGE"
old_id=$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
tar --numeric-owner --xattrs -C "$ROOT" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  --change "LABEL org.opencontainers.image.title=controlplane-base org.opencontainers.image.description=\"Debian $SUITE minbase via debootstrap from $MIRROR\"" \
  -m "debootstrap --variant=minbase $SUITE + $PACKAGES" \
  - "$IMAGE" >/dev/null
log "built $IMAGE: $(docker image inspect -f '{{.Size}}' "$IMAGE" | numfmt --to=iec) in $((SECONDS - start))s"

# Smoke test: the things the image is for are actually there.
docker run --rm "$IMAGE" sh -c 'python3 -c "import ssl, json, sys; print(sys.version.split()[0])" >/dev/null \
  && ls /usr/lib/x86_64-linux-gnu/libgomp.so.1 /usr/lib/x86_64-linux-gnu/libicuuc.so.72 >/dev/null \
  && test -f /usr/share/zoneinfo/Europe/Paris && test -f /etc/ssl/certs/ca-certificates.crt \
  && ps >/dev/null && tar --version >/dev/null && gzip --version >/dev/null' \
  || die "smoke test of $IMAGE failed"
log "smoke test ok (python3, libgomp, libicu72, tzdata, CA bundle, procps, tar, gzip)"

push_if_needed
# A FORCE rebuild leaves the previous image dangling; drop it unless a
# container still uses it.
new_id=$(docker image inspect -f '{{.Id}}' "$IMAGE")
if [[ -n $old_id && $old_id != "$new_id" ]]; then
  if docker rmi "$old_id" >/dev/null 2>&1; then log "removed previous image ${old_id:7:12}"; fi
fi
log "done"
