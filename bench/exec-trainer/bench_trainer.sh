#!/bin/sh
# First instruction: the moment the container's program runs, without an interpreter's start-up (dash, then date:
# two small executables; bench/execution.sh measures what they cost outside the service as the "sh" host baseline).
echo "STARTED $(date +%s.%N)"
# Benchmark "training program" for bench/execution.sh, like bench_trainer.py: exits 0 at once (an empty
# /opt/ml/model is a valid result). On Docker it runs as ContainerEntrypoint ["/bin/sh", "/opt/program/bench_trainer.sh"].
