#!/usr/bin/env bash
# Make a Docker engine answer on /var/run/docker.sock on a Debian 12 machine
# that has no systemd (CI sandboxes, plain VMs, containers-in-VMs).
#
#   * already answering            -> exit 0 at once (the cached path CI takes)
#   * dockerd missing              -> apt-get install Debian's docker.io
#   * dockerd present, not running -> start it in the background ourselves,
#                                     wait for it, then self-test it
#   * RESTART=1                    -> stop the dockerd of $PIDFILE first, then
#                                     start it as above (e.g. to take up crun)
#
# Environment:
#   DOCKERD_LOG              daemon log (default /var/log/controlplane-dockerd.log)
#   DOCKERD_STORAGE_DRIVER   force a storage driver (default: probed, see below)
#   DOCKERD_EXTRA_ARGS       extra dockerd flags, word-split
#   DOCKERD_START_TIMEOUT    seconds to wait for `docker info` (default 60)
#   DOCKERD_RUNTIME          default OCI runtime: crun (default when usable) or runc
#   VERIFY=1                 run the self-test even when docker already answers
#   VERIFY=0                 skip the self-test after starting dockerd
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

log() { printf '%s [install-docker] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

DOCKERD_LOG=${DOCKERD_LOG:-/var/log/controlplane-dockerd.log}
START_TIMEOUT=${DOCKERD_START_TIMEOUT:-60}
DATA_ROOT=/var/lib/docker
PIDFILE=/var/run/docker.pid
SELFTEST_IMAGE=controlplane/selftest:busybox

# `timeout` because a half-dead daemon can leave a socket that accepts and
# never answers; the cached path must not hang CI.
docker_ok() { timeout 15 docker info >/dev/null 2>&1; }

[[ $(id -u) == 0 ]] || die "must run as root (installs packages, starts dockerd)"

# ---------------------------------------------------------------------------
# Self-test: the two things the control plane relies on.
#  1. `docker run -p 127.0.0.1:PORT:8080` is reachable from the host.
#  2. On a user-defined bridge network, containers reach each other by name
#     (Docker's embedded DNS at 127.0.0.11).
# The test image is one static busybox binary imported with `docker import`,
# because there is no Docker Hub here. busybox-static's wget segfaults on name
# lookups (static glibc + NSS), so the by-name probe uses `nc`, which works.
# ---------------------------------------------------------------------------
ensure_selftest_image() {
  docker image inspect "$SELFTEST_IMAGE" >/dev/null 2>&1 && return 0
  if [[ ! -x /bin/busybox ]] || ! /bin/busybox --list 2>/dev/null | grep -qx httpd; then
    log "installing busybox-static for the self-test image"
    apt_install busybox-static
  fi
  local d; d=$(mktemp -d)
  mkdir -p "$d/bin" "$d/www" "$d/tmp"
  cp /bin/busybox "$d/bin/busybox"
  local a; for a in sh httpd nc printf cat sleep timeout; do ln -s busybox "$d/bin/$a"; done
  echo controlplane-selftest-ok >"$d/www/index.html"
  tar --numeric-owner -C "$d" -c . | docker import -c 'ENV PATH=/bin' - "$SELFTEST_IMAGE" >/dev/null
  rm -rf "$d"
}

verify_docker() {
  log "self-test: published port on 127.0.0.1 and container-to-container by name"
  ensure_selftest_image
  local tag="cp-selftest-$$" port out ok=0
  # Remove what the test creates, also when it fails (die exits the script).
  # shellcheck disable=SC2064  # expand $tag now, on purpose
  trap "docker rm -f $tag-web $tag-srv >/dev/null 2>&1 || true; docker network rm $tag-net >/dev/null 2>&1 || true" EXIT

  # 1. Publish on 127.0.0.1 with a host port Docker picks (no clash with
  #    anything else on the machine), then reach it from the host.
  docker run -d --name "$tag-web" -p 127.0.0.1::8080 "$SELFTEST_IMAGE" \
    httpd -f -p 8080 -h /www >/dev/null
  port=$(docker port "$tag-web" 8080/tcp | head -n1 | sed 's/.*://')
  for _ in $(seq 1 20); do
    if out=$(curl -fsS -m 2 "http://127.0.0.1:$port/" 2>/dev/null) && [[ $out == controlplane-selftest-ok ]]; then
      ok=1; break
    fi
    sleep 0.5
  done
  [[ $ok == 1 ]] || { docker logs "$tag-web" >&2 || true; die "published port 127.0.0.1:$port is not reachable from the host"; }
  log "  ok: host -> container via 127.0.0.1:$port"

  # 2. User-defined bridge: a client finds the server by its container name.
  docker network create "$tag-net" >/dev/null
  docker run -d --name "$tag-srv" --network "$tag-net" "$SELFTEST_IMAGE" \
    httpd -f -p 8080 -h /www >/dev/null
  ok=0
  for _ in $(seq 1 20); do
    out=$(docker run --rm --network "$tag-net" "$SELFTEST_IMAGE" \
      sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | timeout 5 nc $tag-srv 8080" 2>/dev/null || true)
    if grep -q controlplane-selftest-ok <<<"$out"; then ok=1; break; fi
    sleep 0.5
  done
  [[ $ok == 1 ]] || die "containers on a user-defined network cannot reach each other by name"
  log "  ok: container -> container by name on a user-defined bridge network"
  docker rm -f "$tag-web" "$tag-srv" >/dev/null
  docker network rm "$tag-net" >/dev/null
  trap - EXIT
}

# ---------------------------------------------------------------------------
# Package install. Another apt may be running on a shared machine, so wait for
# the dpkg lock instead of failing, and retry `apt-get update` a few times.
# ---------------------------------------------------------------------------
APT_LOG=/var/log/controlplane-apt.log
APT_UPDATED=0
apt_install() {
  # Full apt/dpkg chatter goes to $APT_LOG; shown only if something fails.
  local apt=(apt-get -y -q -o DPkg::Lock::Timeout=300)
  log "apt-get install $* (output in $APT_LOG)"
  if [[ $APT_UPDATED == 0 ]]; then
    local n; for n in 1 2 3; do
      "${apt[@]}" update >>"$APT_LOG" 2>&1 && break
      (( n == 3 )) && { tail -n 20 "$APT_LOG" >&2; die "apt-get update failed"; }
      log "apt-get update failed (try $n), retrying"; sleep 10
    done
    APT_UPDATED=1
  fi
  # --no-install-recommends: docker.io recommends apparmor, needrestart, git...,
  # none of which we need.
  "${apt[@]}" install --no-install-recommends "$@" >>"$APT_LOG" 2>&1 \
    || { tail -n 20 "$APT_LOG" >&2; die "apt-get install $* failed"; }
}

# ---------------------------------------------------------------------------
# dockerd flags, probed rather than hard-coded, so that a different sandbox
# degrades to something that works instead of failing outright.
# ---------------------------------------------------------------------------
probe_storage_driver() {
  if [[ -n ${DOCKERD_STORAGE_DRIVER:-} ]]; then echo "$DOCKERD_STORAGE_DRIVER"; return; fi
  # Keep the driver an existing data root was made with: switching drivers
  # would hide every image and container stored under the old one.
  local d; for d in overlay2 fuse-overlayfs vfs; do
    if [[ -d $DATA_ROOT/image/$d ]]; then echo "$d"; return; fi
  done
  # overlay2 is fastest and what Docker wants; it needs the kernel's overlay
  # filesystem and a backing filesystem that supports it (ext4/xfs do; overlay
  # on overlay does not). Prove it with a real mount on the data root's fs.
  mkdir -p "$DATA_ROOT"
  local t; t=$(mktemp -d "$DATA_ROOT/.overlay-probe.XXXXXX")
  mkdir -p "$t"/{l,u,w,m}
  if mount -t overlay overlay -o "lowerdir=$t/l,upperdir=$t/u,workdir=$t/w" "$t/m" 2>/dev/null; then
    umount "$t/m"; rm -rf "$t"; echo overlay2; return
  fi
  rm -rf "$t"
  # No kernel overlay: fuse-overlayfs is the next best (needs /dev/fuse);
  # vfs always works but copies every layer in full (slow, big).
  if [[ -c /dev/fuse ]] && { command -v fuse-overlayfs >/dev/null || apt_install fuse-overlayfs; }; then
    echo fuse-overlayfs; return
  fi
  echo vfs
}

probe_iptables() {
  # Docker's bridge networking (NAT for published ports, isolation between
  # networks) programs iptables. Debian 12 defaults to the nf_tables backend;
  # some kernels only have the legacy one, so switch if only legacy works.
  if iptables -w -t nat -S >/dev/null 2>&1 && iptables -w -t filter -S >/dev/null 2>&1; then
    echo on; return
  fi
  if command -v iptables-legacy >/dev/null && iptables-legacy -w -t nat -S >/dev/null 2>&1; then
    log "iptables nf_tables backend unusable; switching to iptables-legacy"
    update-alternatives --set iptables /usr/sbin/iptables-legacy >&2
    update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy >&2 || true
    echo on; return
  fi
  echo off
}

# crun (C) starts a container about 65 ms sooner than runc (Go) on the 2-core dev machine: 160 against 225 ms from
# the Engine API's start to the program's first line (bench/execution.sh), because runc's create, init and start are
# each a Go program's start-up. crun refuses a cgroup v1/v2 hybrid host whose v2 hierarchy still holds controllers
# ("cgroups in hybrid mode not supported, drop all controllers from cgroupv2"): such a host (this VM's init mounts
# every controller on v1 but hugetlb) gets the missing v1 hierarchies mounted, which is the layout systemd's hybrid
# mode makes. Where that is not possible, runc stays the default.
probe_runtime() {
  if [[ ${DOCKERD_RUNTIME:-crun} == runc ]]; then echo runc; return; fi
  if ! command -v crun >/dev/null && ! (apt_install crun); then
    log "WARNING: crun could not be installed; runc stays the default runtime"
    echo runc; return
  fi
  local unified=/sys/fs/cgroup/unified/cgroup.controllers c
  if [[ $(stat -fc %T /sys/fs/cgroup) == tmpfs && -f $unified ]]; then
    local controllers
    read -r -a controllers <"$unified" || true  # one line, space-separated
    for c in "${controllers[@]}"; do
      if mkdir -p "/sys/fs/cgroup/$c" && mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c"; then
        log "cgroup controller $c moved to a v1 hierarchy (/sys/fs/cgroup/$c), so that crun accepts this hybrid host"
      fi
    done
    local left; left=$(<"$unified")
    if [[ -n $left ]]; then
      log "WARNING: cgroup v2 still holds controllers ($left); crun refuses that, so runc stays the default runtime"
      echo runc; return
    fi
  fi
  echo crun
}

# True if $1 is a live (not zombie) process named $2. A killed dockerd can
# linger as a zombie for a while, and `kill -0` succeeds on zombies.
proc_is() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  [[ $stat =~ ^[0-9]+\ \((.*)\)\ ([A-Za-z]) ]] || return 1
  [[ ${BASH_REMATCH[1]} == "$2" && ${BASH_REMATCH[2]} != Z && ${BASH_REMATCH[2]} != X ]]
}

# Stops dockerd $1: SIGTERM, up to 20 s for it to go, then SIGKILL.
stop_dockerd() {
  local pid=$1
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 20); do proc_is "$pid" dockerd || return 0; sleep 1; done
  kill -9 "$pid" 2>/dev/null || true
}

# A pidfile left by a dockerd/containerd that was killed (CI ends every
# process when a session stops) makes the next dockerd refuse to start if the
# pid has since been reused. Remove it unless it names a live process of ours.
clear_stale_pidfile() {
  local f=$1 name=$2 pid
  [[ -f $f ]] || return 0
  pid=$(cat "$f" 2>/dev/null || true)
  if [[ -n $pid ]] && proc_is "$pid" "$name"; then return 0; fi
  log "removing stale $f"
  rm -f "$f"
}

# ===========================================================================
if [[ ${RESTART:-0} == 1 ]] && pid=$(cat "$PIDFILE" 2>/dev/null) && proc_is "$pid" dockerd; then
  log "RESTART=1: stopping dockerd (pid $pid); its containers stop with it"
  stop_dockerd "$pid"
fi

if docker_ok; then
  log "docker already answers ($(docker version -f '{{.Server.Version}}' 2>/dev/null || echo '?'), default runtime $(docker info -f '{{.DefaultRuntime}}' 2>/dev/null || echo '?'))"
  [[ ${VERIFY:-} == 1 ]] && verify_docker
  exit 0
fi

if ! command -v dockerd >/dev/null; then
  log "installing Debian's docker.io (dockerd, containerd, runc, iptables)"
  # busybox-static only feeds the self-test image (see ensure_selftest_image).
  apt_install docker.io iptables ca-certificates busybox-static
fi
command -v dockerd >/dev/null || die "dockerd still missing after install"
command -v iptables >/dev/null || apt_install iptables

# A dockerd that is alive but not answering (still starting, or wedged).
if pid=$(cat "$PIDFILE" 2>/dev/null) && proc_is "$pid" dockerd; then
  log "dockerd (pid $pid) is running but not answering; waiting for it"
  for _ in $(seq 1 "$START_TIMEOUT"); do docker_ok && { log "docker answers"; exit 0; }; sleep 1; done
  log "dockerd (pid $pid) did not answer in ${START_TIMEOUT}s; stopping it and starting afresh"
  stop_dockerd "$pid"
fi
clear_stale_pidfile "$PIDFILE" dockerd
clear_stale_pidfile /var/run/docker/containerd/containerd.pid containerd

storage=$(probe_storage_driver)
ipt=$(probe_iptables)
runtime=$(probe_runtime)

# Container start latency was measured against these flags (bench/execution.sh, strace of dockerd and containerd):
# most of a start here is dockerd re-executing its 75 MB binary for libnetwork (the libnetwork-setkey prestart hook,
# then the set-ipv6 helper; ~180 ms of CPU each on the 2-core dev machine) whenever Docker sets up a container's
# network namespace, bridge or "none" alike. No daemon flag avoids that; the control plane disables Docker's
# networking for containers that have no network instead (src/ControlPlane.Orchestration/Runtimes/README.md).
# --userland-proxy only acts on published ports, --init would add an exec to every start, and the systemd cgroup
# driver needs systemd. What does shorten every start is the OCI runtime: crun (probe_runtime).
flags=(
  # Explicit socket: the docker CLI and the control plane use the default path.
  --host=unix:///var/run/docker.sock
  --pidfile="$PIDFILE"
  --data-root="$DATA_ROOT"
  --storage-driver="$storage"
  # No systemd here, so cgroups are managed directly (cgroup v1 hybrid).
  --exec-opt=native.cgroupdriver=cgroupfs
  # Keep the userland proxy (the default): a connection the host makes to
  # 127.0.0.1:PORT never crosses PREROUTING, and Docker's OUTPUT DNAT rule
  # skips 127.0.0.0/8, so docker-proxy is what makes -p 127.0.0.1:X:8080
  # reachable from the host.
  --userland-proxy=true
)
if [[ $runtime == crun ]]; then
  flags+=(--add-runtime="crun=$(command -v crun)" --default-runtime=crun)
fi
if [[ $ipt == off ]]; then
  # No usable iptables: published ports still work via docker-proxy, and
  # containers on the same bridge still reach each other; only outbound NAT
  # and inter-network isolation are lost.
  log "WARNING: no usable iptables; starting dockerd with --iptables=false"
  flags+=(--iptables=false --ip-masq=false)
fi
# shellcheck disable=SC2206  # intentional word splitting of user flags
[[ -n ${DOCKERD_EXTRA_ARGS:-} ]] && flags+=(${DOCKERD_EXTRA_ARGS})

# Keep one previous log for post-mortems; start each daemon with a fresh one.
mkdir -p "$(dirname "$DOCKERD_LOG")"
[[ -f $DOCKERD_LOG ]] && mv -f "$DOCKERD_LOG" "$DOCKERD_LOG.1"
log "starting dockerd ${flags[*]} (log: $DOCKERD_LOG)"
# setsid: own session, so it survives this script and its caller's terminal;
# nohup + </dev/null: no SIGHUP and no stdin tied to the caller.
setsid nohup dockerd "${flags[@]}" >>"$DOCKERD_LOG" 2>&1 </dev/null &
dpid=$!
disown "$dpid" 2>/dev/null || true

start=$SECONDS
until docker_ok; do
  if ! proc_is "$dpid" dockerd; then
    tail -n 40 "$DOCKERD_LOG" >&2 || true
    die "dockerd exited during startup (log above, full log $DOCKERD_LOG)"
  fi
  if (( SECONDS - start >= START_TIMEOUT )); then
    tail -n 40 "$DOCKERD_LOG" >&2 || true
    die "dockerd did not answer within ${START_TIMEOUT}s (log above, full log $DOCKERD_LOG)"
  fi
  sleep 1
done
log "dockerd up in $((SECONDS - start))s: $(docker info -f 'server {{.ServerVersion}}, storage {{.Driver}}, cgroup {{.CgroupDriver}} v{{.CgroupVersion}}, runtime {{.DefaultRuntime}}')"

[[ ${VERIFY:-1} == 0 ]] || verify_docker
log "done"
