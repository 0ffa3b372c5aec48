# The control-plane image. There is no .NET SDK image (and no Docker Hub) in
# our environments, so nothing is compiled here: deploy/build-controlplane-image.sh
# first makes a self-contained linux-x64 publish on the host into
# artifacts/controlplane/, and this file only copies it onto our own base image
# (deploy/build-base-image.sh: Debian bookworm with libicu72, ca-certificates,
# tzdata, which the .NET runtime needs).
#
#   docker run -d -p 127.0.0.1:8080:8080 -v cp-data:/data controlplane/api:dev
ARG BASE_IMAGE=controlplane/base:bookworm
FROM ${BASE_IMAGE}

# A fixed non-root uid/gid, so a bind-mounted /data can be chowned to match
# (chown 10001:10001 DIR) on the host.
RUN groupadd --system --gid 10001 controlplane \
 && useradd --system --uid 10001 --gid controlplane --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin controlplane \
 && mkdir -p /data \
 && chown controlplane:controlplane /data

# Owned by root and not writable by the service user: the app cannot modify
# its own binaries.
COPY artifacts/controlplane/ /app/
WORKDIR /app

# Inside a container the service must listen on 0.0.0.0 to be reachable at all; who reaches it is decided where the
# port is published (deploy/README.md publishes it on 127.0.0.1). Run with ControlPlane__Authentication__Mode=sigv4
# and access keys before publishing it anywhere else (README.md, "Security").
ENV ControlPlane__DataDirectory=/data \
    ControlPlane__Authentication__AllowAnonymousNonLoopback=true \
    DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
# The state database and artifacts live here; mount a volume to keep them.
VOLUME /data
EXPOSE 8080
USER controlplane

# No HEALTHCHECK: the base image has no curl/wget to probe /health with.
# Orchestrators should probe GET /health on port 8080 themselves.
ENTRYPOINT ["/app/ControlPlane.Api", "--urls", "http://0.0.0.0:8080"]
