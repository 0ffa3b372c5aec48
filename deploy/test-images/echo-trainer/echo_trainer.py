"""A scriptable stand-in for a SageMaker container, used by the container-runtime tests.

Each argument is a step, run in order:
  print:TEXT          print TEXT on stdout          stderr:TEXT   print TEXT on stderr
  env:NAME            print NAME=<value>            args          print "args: <all arguments>"
  read:PATH           print the file's content      write:PATH:TEXT  write TEXT to PATH (prints "wrote PATH")
  try-write:PATH      write to PATH, printing "write ok" or "write refused: <error>" instead of failing
  fetch:URL           GET URL once, print "fetch ok <body>" or "fetch failed <error>"
  fetch-retry:URL     like fetch, retrying for up to 15 s
  sleep:SECONDS       sleep                          exit:CODE     exit with CODE
  trap                on SIGTERM print "got SIGTERM" and exit 0
  ignore-term         ignore SIGTERM
  serve[:PORT]        serve HTTP until stopped: "hello from <hostname>" (port: $SAGEMAKER_BIND_TO_PORT, else PORT, else 8080)
  train               print "mode train" (the word SageMaker passes to training images)
  loopback            connect to a listener on 127.0.0.1 by the name localhost: "loopback ok" or "loopback failed <error>"
  resolve:NAME        print "resolved NAME <address>" or "resolve failed <error>"
Paths under /opt/ml are read under $CONTROLPLANE_ML_ROOT when it is set (the Process runtime's contract).
"""
import http.server
import os
import signal
import socket
import sys
import time
import urllib.request


def ml_path(path):
    root = os.environ.get("CONTROLPLANE_ML_ROOT")
    if root and (path == "/opt/ml" or path.startswith("/opt/ml/")):
        return root + path[len("/opt/ml"):]
    return path


def on_term(signum, frame):
    print("got SIGTERM", flush=True)
    sys.exit(0)


def fetch(url, deadline):
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return "fetch ok " + response.read().decode().strip()
        except Exception as error:  # noqa: BLE001 - any failure is the answer
            if time.time() >= deadline:
                return "fetch failed %s" % error
            time.sleep(0.3)


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello from %s\n" % socket.gethostname()).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def loopback():
    try:
        with socket.create_server(("127.0.0.1", 0)) as server:
            with socket.create_connection(("localhost", server.getsockname()[1]), timeout=2):
                return "loopback ok"
    except OSError as error:
        return "loopback failed %s" % error


def resolve(name):
    try:
        return "resolved %s %s" % (name, socket.gethostbyname(name))
    except OSError as error:
        return "resolve failed %s" % error


def serve(port):
    port = int(os.environ.get("SAGEMAKER_BIND_TO_PORT") or port or 8080)
    server = http.server.ThreadingHTTPServer(("0.0.0.0", port), Hello)
    print("serving on %d" % port, flush=True)
    server.serve_forever()


def main(steps):
    for step in steps:
        verb, _, rest = step.partition(":")
        if verb == "print":
            print(rest)
        elif verb == "stderr":
            print(rest, file=sys.stderr)
        elif verb == "env":
            print("%s=%s" % (rest, os.environ.get(rest, "")))
        elif verb == "args":
            print("args: " + " ".join(steps))
        elif verb == "read":
            with open(ml_path(rest)) as f:
                print(f.read().strip())
        elif verb == "write":
            path, _, text = rest.partition(":")
            with open(ml_path(path), "w") as f:
                f.write(text)
            print("wrote " + path)
        elif verb == "try-write":
            try:
                with open(ml_path(rest), "w") as f:
                    f.write("x")
                print("write ok")
            except OSError as error:
                print("write refused: %s" % error.strerror)
        elif verb == "fetch":
            print(fetch(rest, time.time()))
        elif verb == "fetch-retry":
            print(fetch(rest, time.time() + 15))
        elif verb == "sleep":
            time.sleep(float(rest))
        elif verb == "exit":
            sys.exit(int(rest))
        elif verb == "trap":
            signal.signal(signal.SIGTERM, on_term)
        elif verb == "ignore-term":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        elif verb == "serve":
            serve(rest or None)
        elif verb == "train":
            print("mode train")
        elif verb == "loopback":
            print(loopback())
        elif verb == "resolve":
            print(resolve(rest))
        else:
            print("unknown step " + step, file=sys.stderr)
            sys.exit(2)
        sys.stdout.flush()
        sys.stderr.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
