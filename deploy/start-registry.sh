#!/usr/bin/env bash
# Run a local OCI/Docker image registry (Debian's docker-registry package:
# the CNCF distribution project, v2 API) on 127.0.0.1:5000, in the background,
# without systemd. The control plane pushes and pulls training/inference
# images here, the way SageMaker uses ECR.
#
#   * already answering on /v2/  -> exit 0 at once (the cached path)
#   * binary missing             -> apt-get install docker-registry
#   * otherwise                  -> write our config, start it, wait, and
#                                   (when docker answers) verify push + pull
#
# We do not use the package's systemd unit or init script: there is no
# systemd, and the package's default config listens on all interfaces and
# requires htpasswd auth. Our own config binds to loopback only, no auth.
#
# Environment:
#   REGISTRY_PORT   port on 127.0.0.1 (default 5000)
#   REGISTRY_DATA   storage root (default /var/lib/controlplane-registry)
#   REGISTRY_CONFIG config file written here (default /etc/controlplane/registry.yml)
#   REGISTRY_LOG    log file (default /var/log/controlplane-registry.log)
#   VERIFY=0        skip the push/pull check after starting
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

log() { printf '%s [start-registry] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

PORT=${REGISTRY_PORT:-5000}
DATA=${REGISTRY_DATA:-/var/lib/controlplane-registry}
CONFIG=${REGISTRY_CONFIG:-/etc/controlplane/registry.yml}
LOGFILE=${REGISTRY_LOG:-/var/log/controlplane-registry.log}
PIDFILE=/run/controlplane-registry-$PORT.pid  # per port: instances on other ports are left alone
BIN=/usr/bin/docker-registry
RUN_AS=docker-registry   # system user the package creates; no need for root
URL="http://127.0.0.1:$PORT/v2/"
APT_LOG=/var/log/controlplane-apt.log

[[ $PORT =~ ^[0-9]+$ ]] || die "REGISTRY_PORT must be a number, got '$PORT'"
registry_ok() { curl -fsS -m 3 -o /dev/null "$URL" 2>/dev/null; }

# True if $1 is a live (not zombie) process whose executable is $2.
proc_runs() {
  local st
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $st && $st != Z && $st != X ]] && [[ $(readlink "/proc/$1/exe" 2>/dev/null) == "$2" ]]
}

if registry_ok; then
  log "registry already answers on $URL"
  exit 0
fi
[[ $(id -u) == 0 ]] || die "must run as root (installs a package, writes /etc and /var/lib)"

# --- install ------------------------------------------------------------------
if [[ ! -x $BIN ]]; then
  log "installing Debian's docker-registry (output in $APT_LOG)"
  apt=(apt-get -y -q -o DPkg::Lock::Timeout=300)
  "${apt[@]}" update >>"$APT_LOG" 2>&1 || { tail -n 20 "$APT_LOG" >&2; die "apt-get update failed"; }
  # The package's init script is not allowed to start the service where
  # policy-rc.d forbids it (as here); if it does start one elsewhere, it is on
  # the package's own config and we stop it below before starting ours.
  "${apt[@]}" install --no-install-recommends docker-registry >>"$APT_LOG" 2>&1 \
    || { tail -n 20 "$APT_LOG" >&2; die "apt-get install docker-registry failed"; }
  if [[ -x /etc/init.d/docker-registry ]] && pgrep -x docker-registry >/dev/null; then
    /etc/init.d/docker-registry stop >&2 || true
  fi
fi
getent passwd "$RUN_AS" >/dev/null || RUN_AS=root

# --- a previous instance that is alive but not answering -----------------------
if pid=$(cat "$PIDFILE" 2>/dev/null) && proc_runs "$pid" "$BIN"; then
  log "registry pid $pid is running but not answering; giving it 10s"
  for _ in $(seq 1 10); do registry_ok && { log "registry answers"; exit 0; }; sleep 1; done
  log "stopping unresponsive registry pid $pid"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 10); do proc_runs "$pid" "$BIN" || break; sleep 1; done
  kill -9 "$pid" 2>/dev/null || true
fi
rm -f "$PIDFILE"

# Something else on the port would make the registry fail with a bind error
# that is easy to miss in its log; say it plainly instead.
if ss -Hltn "sport = :$PORT" 2>/dev/null | grep -q .; then
  die "127.0.0.1:$PORT is taken by another process and it is not a registry: $(ss -Hltnp "sport = :$PORT" | head -n1)"
fi

# --- config -----------------------------------------------------------------
mkdir -p "$(dirname "$CONFIG")" "$DATA" "$(dirname "$LOGFILE")"
chown "$RUN_AS:" "$DATA"
cat >"$CONFIG" <<EOF
# Written by deploy/start-registry.sh; rewritten each time it starts the registry.
version: 0.1
log:
  level: info
  fields:
    service: controlplane-registry
storage:
  filesystem:
    rootdirectory: $DATA
  # Allow DELETE of manifests/blobs so images can be cleaned up via the API.
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  # Loopback only, plain HTTP, no auth: Docker allows insecure registries on
  # 127.0.0.0/8 without any daemon configuration.
  addr: 127.0.0.1:$PORT
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
EOF

# --- start ------------------------------------------------------------------
[[ -f $LOGFILE ]] && mv -f "$LOGFILE" "$LOGFILE.1"
log "starting $BIN as $RUN_AS on 127.0.0.1:$PORT (data $DATA, config $CONFIG, log $LOGFILE)"
# env -i: the registry reads any REGISTRY_* variable as a config override
# (REGISTRY_PORT itself would be one), so start it with a clean environment.
# setsid + nohup: detached from the caller, survives this script.
setsid nohup env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  setpriv --reuid="$RUN_AS" --regid="$RUN_AS" --init-groups \
  "$BIN" serve "$CONFIG" >>"$LOGFILE" 2>&1 </dev/null &
rpid=$!
disown "$rpid" 2>/dev/null || true
echo "$rpid" >"$PIDFILE"   # env and setpriv exec, so this is the registry's pid

start=$SECONDS
until registry_ok; do
  if ! kill -0 "$rpid" 2>/dev/null || [[ $(awk '{print $3}' "/proc/$rpid/stat" 2>/dev/null) == Z ]]; then
    tail -n 20 "$LOGFILE" >&2 || true
    die "registry exited during startup (log above)"
  fi
  if (( SECONDS - start >= 30 )); then
    tail -n 20 "$LOGFILE" >&2 || true
    die "registry did not answer on $URL within 30s (log above)"
  fi
  sleep 0.5
done
log "registry answers on $URL (pid $rpid)"

# --- verify push + pull -----------------------------------------------------
# An image with one empty layer, made from nothing (there is no Docker Hub to
# pull a test image from). Pushing proves the daemon treats 127.0.0.1 as an
# allowed insecure registry; pulling it back proves the round trip.
if [[ ${VERIFY:-1} != 0 ]]; then
  if timeout 15 docker info >/dev/null 2>&1; then
    ref="127.0.0.1:$PORT/controlplane/selftest:empty"
    tar -cf - --files-from /dev/null | docker import - "$ref" >/dev/null
    docker push -q "$ref" >/dev/null || die "docker push $ref failed"
    docker rmi -f "$ref" >/dev/null
    docker pull -q "$ref" >/dev/null || die "docker pull $ref failed"
    docker rmi -f "$ref" >/dev/null
    log "verified: docker push + pull of $ref"
  else
    log "docker does not answer; skipped the push/pull check (run deploy/install-docker.sh first)"
  fi
fi
log "done"
