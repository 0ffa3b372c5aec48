"""A SageMaker inference container (contract 5.2) whose behaviour the tests choose.

`serve` listens on $SAGEMAKER_BIND_TO_PORT (default 8080) after reading /opt/ml/model/behaviour.json (under
$CONTROLPLANE_ML_ROOT on the Process runtime), whose keys can also be given as SCRIPTED_<KEY> environment variables:
  tag            text put into every answer, to tell models and variants apart (default "model")
  startup_delay  seconds to wait before listening (a slow start)
  crash          exit with this code at start, after printing a fatal error (a model that cannot load)
  ping_status    the status /ping answers (default 200)
Each invocation is echoed as JSON (the body, tag, forwarded headers), except that a body starting with
  "!status <code>"   answers that status with the text "model says <code>",
  "!sleep <seconds>" waits that long first (a model that hangs),
  "!stream <parts> <seconds>"  answers in <parts> chunks of "part <i> of <parts> for <Accept>\n", flushed one by one
                     with <seconds> between them (a model that streams, as for InvokeEndpointWithResponseStream),
  "!stream-break <parts>"      sends <parts> such chunks and closes the connection without ending the answer,
  "!stream-stall <seconds>"    sends one chunk, then nothing for <seconds>, then ends the answer.
The response's Content-Type is the request's; X-Amzn-SageMaker-Custom-Attributes is answered as "seen=<request's>".
"""
import json
import os
import signal
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ML_ROOT = os.environ.get("CONTROLPLANE_ML_ROOT", "/opt/ml")


def settings():
    path = os.path.join(ML_ROOT, "model", "behaviour.json")
    values = {}
    if os.path.exists(path):
        with open(path) as f:
            values = json.load(f)
    for key in ("tag", "startup_delay", "crash", "ping_status"):
        env = os.environ.get("SCRIPTED_" + key.upper())
        if env is not None:
            values[key] = env
    return values


BEHAVIOUR = settings()
TAG = str(BEHAVIOUR.get("tag", "model"))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, body, content_type="text/plain", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/ping":
            self.answer(int(BEHAVIOUR.get("ping_status", 200)), b"")
        else:
            self.answer(404, b"not found")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.path != "/invocations":
            self.answer(404, b"not found")
            return
        text = body.decode("utf-8", "replace")
        if text.startswith("!status "):
            code = int(text.split()[1])
            print(f"answering {code}", flush=True)
            self.answer(code, f"model says {code}".encode())
            return
        if text.startswith("!sleep "):
            time.sleep(float(text.split()[1]))
        extra = {}
        attributes = self.headers.get("X-Amzn-SageMaker-Custom-Attributes")
        if attributes is not None:
            extra["X-Amzn-SageMaker-Custom-Attributes"] = "seen=" + attributes
        if text.startswith("!stream"):
            self.stream(text.split(), self.headers.get("Content-Type") or "application/octet-stream", extra)
            return
        extra["X-Not-Forwarded"] = "container-only"
        answer = {
            "tag": TAG,
            "body": text,
            "accept": self.headers.get("Accept"),
            "inference_id": self.headers.get("X-Amzn-SageMaker-Inference-Id"),
            "headers": sorted(name.lower() for name in self.headers.keys()),
        }
        self.answer(200, json.dumps(answer).encode(), self.headers.get("Content-Type") or "application/octet-stream", extra)


    def stream(self, words, content_type, extra):
        """A chunked answer (Transfer-Encoding: chunked), each chunk written as soon as it is made."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        command, argument = words[0], words[1]
        parts = int(argument) if command in ("!stream", "!stream-break") else 1
        for i in range(1, parts + 1):
            data = f"part {i} of {parts} for {self.headers.get('Accept')}\n".encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
            if command == "!stream" and i < parts:
                time.sleep(float(words[2]))
        if command == "!stream-break":
            # Ends the connection mid-answer: no terminating chunk.
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if command == "!stream-stall":
            time.sleep(float(argument))
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def main():
    if sys.argv[1:] != ["serve"]:
        print(f"expected the argument serve, got {sys.argv[1:]}", flush=True)
        sys.exit(2)
    # As PID 1 in a container, SIGTERM has no default action: end on it as SageMaker expects.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print(f"scripted server {TAG} starting", flush=True)
    if "crash" in BEHAVIOUR:
        print("fatal: the model cannot be loaded", file=sys.stderr, flush=True)
        sys.exit(int(BEHAVIOUR["crash"]))
    time.sleep(float(BEHAVIOUR.get("startup_delay", 0)))
    port = int(os.environ.get("SAGEMAKER_BIND_TO_PORT", "8080"))
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    server.daemon_threads = True
    server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    print(f"scripted server {TAG} listening on {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
