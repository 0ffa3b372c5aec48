# The built-in algorithms image (Linear Learner, XGBoost): ControlPlane.Algorithms
# published self-contained on the host by deploy/build-algorithms-image.sh; the
# build context is that publish directory. The base image has libgomp1, which
# LightGBM's native library links.
#
#   docker run <image> train   (training contract: /opt/ml/input, /opt/ml/model)
#   docker run <image> serve   (hosting contract: port 8080, /opt/ml/model)
ARG BASE_IMAGE=controlplane/base:bookworm
FROM ${BASE_IMAGE}
COPY . /opt/controlplane/algorithms/
LABEL com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true
EXPOSE 8080
# Exec form, so `train`/`serve` (the container command) arrive as arguments.
ENTRYPOINT ["/opt/controlplane/algorithms/ControlPlane.Algorithms"]
