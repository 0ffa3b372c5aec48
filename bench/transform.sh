#!/usr/bin/env bash
# Batch transform benchmark: a 1,000,000-row CSV through a built-in XGBoost model by transform jobs
# (MaxConcurrentTransforms 1 and 2) side by side with scoring it inside one process. See bench/README.md.
# Environment: ROWS, FEATURES, RUNTIME (process|docker), RESULTS_FILE, SKIP_BUILD=1.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  dotnet build -c Release src/ControlPlane.Api -nologo -v quiet >&2
fi
if [[ "${RUNTIME:-process}" == docker ]]; then
  bash deploy/setup.sh >&2
fi
exec python3 "$ROOT/bench/transform_bench.py"
