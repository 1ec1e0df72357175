#!/usr/bin/env python3
"""A minimal LSP client for tests: speaks JSON-RPC with Content-Length headers.

    lsp-client.py SERVER [ARGS...] -- FILE...

Starts SERVER on pipes, sends `initialize` and `initialized`, opens each FILE
with `textDocument/didOpen`, waits for the `textDocument/publishDiagnostics`
notification of every file, then shuts the server down with `shutdown` and
`exit`. Prints every message the server sends as indented JSON with sorted
keys (file URIs shortened to their base name), then the server's exit code.
Exits non-zero on a malformed frame, a JSON-RPC error, or no answer in time.
"""

import json
import os
import pathlib
import select
import subprocess
import sys
import time

TIMEOUT_S = 30


def fail(msg):
    sys.stdout.flush()
    print("lsp-client: error: " + msg, file=sys.stderr)
    sys.exit(1)


class Connection:
    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.buf = b""
        self.next_id = 1

    def send(self, method, params, request=False):
        msg = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            msg["id"] = self.next_id
            self.next_id += 1
        body = json.dumps(msg).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return msg.get("id")

    def _read_some(self, deadline):
        fd = self.proc.stdout.fileno()
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            fail("no message from the server within %d s" % TIMEOUT_S)
        chunk = os.read(fd, 65536)
        if not chunk:
            fail("the server closed its output (exit code %s)" %
                 self.proc.poll())
        self.buf += chunk

    def receive(self):
        deadline = time.monotonic() + TIMEOUT_S
        while b"\r\n\r\n" not in self.buf:
            self._read_some(deadline)
        header, self.buf = self.buf.split(b"\r\n\r\n", 1)
        length = None
        for line in header.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            fail("a message without Content-Length: %r" % header)
        while len(self.buf) < length:
            self._read_some(deadline)
        body, self.buf = self.buf[:length], self.buf[length:]
        msg = json.loads(body)
        if "error" in msg:
            fail("JSON-RPC error: %s" % json.dumps(msg["error"]))
        return msg


def show(msg):
    text = json.dumps(msg, indent=2, sort_keys=True)
    # Absolute paths differ between machines; keep the file name.
    for path in FILES:
        text = text.replace(path.as_uri(), "file:///" + path.name)
    print(text, flush=True)


def main():
    global FILES
    if "--" not in sys.argv:
        fail("usage: lsp-client.py SERVER [ARGS...] -- FILE...")
    sep = sys.argv.index("--")
    server, FILES = sys.argv[1:sep], [
        pathlib.Path(f).resolve() for f in sys.argv[sep + 1:]]
    conn = Connection(server)

    init_id = conn.send("initialize", {"processId": os.getpid(),
                                       "rootUri": None, "capabilities": {}},
                        request=True)
    while True:
        msg = conn.receive()
        show(msg)
        if msg.get("id") == init_id:
            break
    conn.send("initialized", {})

    pending = set()
    for path in FILES:
        uri = path.as_uri()
        conn.send("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "mlir", "version": 1,
            "text": path.read_text()}})
        pending.add(uri)
    while pending:
        msg = conn.receive()
        show(msg)
        if msg.get("method") == "textDocument/publishDiagnostics":
            pending.discard(msg["params"]["uri"])

    shutdown_id = conn.send("shutdown", None, request=True)
    while conn.receive().get("id") != shutdown_id:
        pass
    conn.send("exit", None)
    conn.proc.stdin.close()
    try:
        code = conn.proc.wait(TIMEOUT_S)
    except subprocess.TimeoutExpired:
        conn.proc.kill()
        fail("the server did not exit after `exit`")
    print("server exit code: %d" % code)


if __name__ == "__main__":
    main()
