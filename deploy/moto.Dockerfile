# S3 for local use of deploy/compose.yaml: moto's server (the same one the tests use), on our own base image. The build
# context is artifacts/moto/ from deploy/build-moto-image.sh: moto and its server's dependencies copied from this
# machine's Python (pure Python, plus cryptography's abi3 wheel for the same Debian release), as there is no PyPI here.
ARG BASE_IMAGE=controlplane/base:bookworm
FROM ${BASE_IMAGE}
COPY site-packages/ /usr/local/lib/python3.11/dist-packages/
EXPOSE 5000
ENTRYPOINT ["python3", "-m", "moto.server"]
CMD ["--host", "0.0.0.0", "--port", "5000"]
