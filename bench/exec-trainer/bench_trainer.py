import time; print("STARTED %.6f" % time.time(), flush=True)  # noqa: E401,E702  first action: the moment the program runs
# Benchmark "training program" for bench/execution.sh: prints when it started and exits 0 at once (an empty
# /opt/ml/model is a valid result). Runs as the image's entrypoint on Docker and as python3 <this file> on the
# Process runtime; the same file, run outside the service, is the no-op start baseline.
