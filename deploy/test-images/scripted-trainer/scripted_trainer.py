"""A SageMaker-style training program driven by its hyperparameters, for the execution tests.

It follows the training contract: reads /opt/ml/input/config/*.json and /opt/ml/input/data/<channel>, writes
/opt/ml/model and /opt/ml/output/data, reports failure in /opt/ml/output/failure, and saves its model when it
receives SIGTERM. On the Process runtime /opt/ml is $CONTROLPLANE_ML_ROOT.

Hyperparameters: epochs, sleep (seconds per epoch), fail (a failure message: exit 3), exit_code (exit without a
failure file), print_env (the name of an environment variable to print), checkpoint (write one file per epoch to
/opt/ml/checkpoints), pipe_epochs (how many epochs to read from each Pipe-mode channel's FIFOs <channel>_<epoch>,
default 1), resolve_hosts (look every host of resourceconfig.json up by name). Every host writes model/model.txt and
model/host-<host>.txt.
"""
import json
import os
import signal
import socket
import sys
import time

ROOT = os.environ.get("CONTROLPLANE_ML_ROOT", "/opt/ml")


def save_model(note):
    with open(os.path.join(ROOT, "model", "model.txt"), "w") as model:
        model.write(note)
    with open(os.path.join(ROOT, "model", f"host-{resources['current_host']}.txt"), "w") as host:
        host.write(resources["current_host"])


def read_pipe(channel, epoch):
    """Reads one epoch of a Pipe-mode channel to its end; the FIFO appears once the previous epoch was read."""
    path = os.path.join(ROOT, "input", "data", f"{channel}_{epoch}")
    deadline = time.time() + 30
    while not os.path.exists(path):
        if time.time() > deadline:
            print(f"pipe {channel} epoch {epoch} never appeared", flush=True)
            sys.exit(4)
        time.sleep(0.05)
    with open(path, "rb") as fifo:
        return fifo.read()


def on_sigterm(signum, frame):
    print("got SIGTERM, saving the model", flush=True)
    save_model("stopped")
    sys.exit(0)


signal.signal(signal.SIGTERM, on_sigterm)
config = os.path.join(ROOT, "input", "config")
hyperparameters = json.load(open(os.path.join(config, "hyperparameters.json")))
resources = json.load(open(os.path.join(config, "resourceconfig.json")))
channels = json.load(open(os.path.join(config, "inputdataconfig.json")))
print(f"args={sys.argv[1:]} host={resources['current_host']} hosts={resources['hosts']}", flush=True)
for channel in sorted(channels):
    if channels[channel]["TrainingInputMode"] == "Pipe":
        directory = os.path.join(ROOT, "input", "data", channel)
        print(f"channel {channel} pipe staged={os.path.exists(directory)}", flush=True)
        for epoch in range(int(hyperparameters.get("pipe_epochs", "1"))):
            print(f"pipe {channel} epoch {epoch} data={read_pipe(channel, epoch)!r}", flush=True)
        continue
    directory = os.path.join(ROOT, "input", "data", channel)
    files = sorted(os.path.relpath(os.path.join(d, f), directory) for d, _, fs in os.walk(directory) for f in fs)
    print(f"channel {channel} files={files} mode={channels[channel]['TrainingInputMode']} content_type={channels[channel].get('ContentType')}", flush=True)
def resolve(host):
    """Peers start one after the other: a name can take a moment to appear (SageMaker's toolkits retry too)."""
    deadline = time.time() + 30
    while True:
        try:
            return socket.gethostbyname(host)
        except socket.gaierror:
            if time.time() > deadline:
                raise
            time.sleep(0.2)


if "resolve_hosts" in hyperparameters:
    for host in resources["hosts"]:
        print(f"resolved {host} to {resolve(host)}", flush=True)
if "print_env" in hyperparameters:
    print(f"env {hyperparameters['print_env']}={os.environ.get(hyperparameters['print_env'])}", flush=True)

checkpoints = os.path.join(ROOT, "checkpoints")
if os.path.isdir(checkpoints):
    print(f"checkpoints found={sorted(os.listdir(checkpoints))}", flush=True)

for epoch in range(int(hyperparameters.get("epochs", "3"))):
    if "checkpoint" in hyperparameters:
        with open(os.path.join(checkpoints, f"epoch-{epoch}.ckpt"), "w") as checkpoint:
            checkpoint.write(str(epoch))
    print(f"[{epoch}]\ttrain-loss:{1.0 / (epoch + 1):.4f}\tvalidation-loss:{2.0 / (epoch + 1):.4f}", flush=True)
    time.sleep(float(hyperparameters.get("sleep", "0")))

if "fail" in hyperparameters:
    with open(os.path.join(ROOT, "output", "failure"), "w") as failure:
        failure.write(hyperparameters["fail"])
    sys.exit(3)
if "exit_code" in hyperparameters:
    print("exiting without a failure file", flush=True)
    sys.exit(int(hyperparameters["exit_code"]))

save_model("trained")
with open(os.path.join(ROOT, "output", "data", "report.txt"), "w") as report:
    report.write("all epochs done")
print("training done", flush=True)
