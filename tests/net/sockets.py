#!/usr/bin/env python3
"""sockets.py: raw TCP for the link tests, on loopback only.

  sockets.py record PORTFILE OUT      listen on 127.0.0.1:0 (port to PORTFILE),
                                      keep the first 482 bytes (a Noise IK
                                      message 1 with its length) of the first
                                      connection in OUT, close it
  sockets.py replay PORT IN SECONDS   send IN to 127.0.0.1:PORT from a new
                                      socket and hold it open SECONDS (or until
                                      closed); print the bytes that came back
  sockets.py canary PORTFILE LOG      listen on 127.0.0.1:0 (port to PORTFILE) and
                                      write a line to LOG for every connection
                                      accepted, bytes or not (a preconnect sends
                                      none), until killed
  sockets.py flood PORT N ADDRS SECONDS
                                      hold N idle connections to 127.0.0.1:PORT
                                      from the source addresses 127.0.0.2 ..
                                      127.0.0.(ADDRS+1), reopening each one the
                                      node closes, for SECONDS; print how many
                                      were opened in all
"""
import resource
import selectors
import socket
import sys
import time

HS1 = 482


def record(portfile, out):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(30)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    import os
    os.rename(portfile + ".tmp", portfile)
    c, _ = srv.accept()
    c.settimeout(10)
    got = b""
    while len(got) < HS1:
        b = c.recv(HS1 - len(got))
        if not b:
            break
        got += b
    c.close()
    with open(out, "wb") as f:
        f.write(got)
    return 0 if len(got) == HS1 else 1


def canary(portfile, log):
    import os
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    while True:
        c, peer = srv.accept()
        c.settimeout(0.5)
        try:
            first = c.recv(200)
        except OSError:
            first = b""
        c.close()
        with open(log, "a") as f:
            f.write("connection from %s:%d: %r\n" % (peer[0], peer[1], first[:80]))


def replay(port, path, seconds):
    data = open(path, "rb").read()
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=5)
    s.sendall(data)
    s.settimeout(0.2)
    back, end = 0, time.time() + float(seconds)
    while time.time() < end:
        try:
            b = s.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            break
        if not b:
            break
        back += len(b)
    s.close()
    print(back)
    return 0


def flood(port, n, addrs, seconds):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, int(n) + 64)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    sel = selectors.DefaultSelector()
    n, addrs, opened = int(n), int(addrs), 0

    def open_one(i):
        nonlocal opened
        s = socket.socket()
        s.bind(("127.0.0.%d" % (2 + i % addrs), 0))
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", int(port)))
        except BlockingIOError:
            pass
        sel.register(s, selectors.EVENT_READ, i)
        opened += 1

    for i in range(n):
        open_one(i)
    end = time.time() + float(seconds)
    while time.time() < end:
        for key, _ in sel.select(timeout=0.1):
            s = key.fileobj
            try:
                b = s.recv(4096)
            except OSError:
                b = b""
            if not b:  # the node closed it: open another in its place
                sel.unregister(s)
                s.close()
                open_one(key.data)
    print(opened)
    return 0


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    sys.exit({"record": record, "replay": replay, "flood": flood, "canary": canary}[cmd](*args))
