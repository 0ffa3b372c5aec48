"""A SageMaker-style processing program driven by its arguments, for the execution tests.

It follows the processing contract: reads /opt/ml/config/processingjobconfig.json and resourceconfig.json, reads
every input at its LocalPath, writes result.txt and summary/count.txt into every output's LocalPath, and writes
/opt/ml/output/message. On the Process runtime /opt/ml is $CONTROLPLANE_ML_ROOT.

Arguments (any order): fail=<code> (exit with that code after printing), sleep=<seconds> (print a tick a second
first; SIGTERM writes a message and exits 0), early=<text> (write early.txt into every output before the ticks).
Every request Environment variable is printed. With more than one host, each host writes result-<host>.txt.
"""
import json
import os
import signal
import sys
import time

ROOT = os.environ.get("CONTROLPLANE_ML_ROOT", "/opt/ml")


def local(path):
    """Where a container path under /opt/ml is for this program."""
    return os.path.join(ROOT, os.path.relpath(path, "/opt/ml"))


def write_message(text):
    with open(os.path.join(ROOT, "output", "message"), "w") as message:
        message.write(text)


def on_sigterm(signum, frame):
    print("got SIGTERM, stopping", flush=True)
    write_message("stopped by SIGTERM")
    sys.exit(0)


signal.signal(signal.SIGTERM, on_sigterm)
options = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
config = json.load(open(os.path.join(ROOT, "config", "processingjobconfig.json")))
resources = json.load(open(os.path.join(ROOT, "config", "resourceconfig.json")))
print(f"args={sys.argv[1:]} job={config['ProcessingJobName']} host={resources['current_host']} hosts={resources['hosts']}", flush=True)
for key in sorted(config.get("Environment", {})):
    print(f"env {key}={os.environ.get(key)}", flush=True)

contents = []
for item in config.get("ProcessingInputs", []):
    s3 = item["S3Input"]
    directory = local(s3["LocalPath"])
    files = sorted(os.path.relpath(os.path.join(d, f), directory) for d, _, fs in os.walk(directory) for f in fs)
    print(f"input {item['InputName']} files={files} mode={s3['S3InputMode']} download={s3['S3DownloadMode']}", flush=True)
    for name in files:
        contents.append(open(os.path.join(directory, name)).read())

outputs = [local(item["S3Output"]["LocalPath"]) for item in config["ProcessingOutputConfig"]["Outputs"]]
if "early" in options:
    for directory in outputs:
        with open(os.path.join(directory, "early.txt"), "w") as early:
            early.write(options["early"])
    print("wrote early.txt", flush=True)

for tick in range(int(options.get("sleep", "0"))):
    print(f"tick {tick}", flush=True)
    time.sleep(1)

if "fail" in options:
    print("the data is bad, failing", flush=True)
    write_message("bad data")
    sys.exit(int(options["fail"]))

result_name = f"result-{resources['current_host']}.txt" if len(resources["hosts"]) > 1 else "result.txt"
for directory in outputs:
    if not os.path.isdir(directory):
        print(f"output directory {directory} is missing", flush=True)
        sys.exit(5)
    with open(os.path.join(directory, result_name), "w") as result:
        result.write("".join(contents))
    os.makedirs(os.path.join(directory, "summary"), exist_ok=True)
    with open(os.path.join(directory, "summary", "count.txt"), "w") as count:
        count.write(str(len(contents)))
write_message(f"processed {len(contents)} files")
print("processing done", flush=True)
