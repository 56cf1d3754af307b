#!/usr/bin/env python3
"""HAPROXY_PROGRAM shim for vtest/varnishtest runs against tandem.

vtest appends `stats socket "fd@${cli}" level admin` to every generated
configuration (the listening socket is created by the harness and passed
as an inherited fd). When the program cannot bind a stats socket on an
inherited fd, every test fails at start-up for that single reason. This
shim removes that one line, forks a small relay that accepts connections on
the inherited fd and forwards them to the unix stats socket vtest also
declares (so `haproxy h1 -cli { ... }` blocks still reach the runtime API),
then execs the real program in place, so the PID vtest knows (${h1_pid},
signals) is the program's own.

Usage: REGTEST_TARGET="/path/to/tandem haproxy" cli-shim.py <haproxy args>
"""
import os
import re
import select
import socket
import sys
import threading
import time

target = os.environ.get("REGTEST_TARGET", "tandem haproxy").split()
argv = sys.argv[1:]

cfg = None
for i, a in enumerate(argv):
    if a == "-f" and i + 1 < len(argv):
        cfg = argv[i + 1]

cli_fd = None
unix_path = None
if cfg and os.path.exists(cfg):
    with open(cfg) as f:
        text = f.read()
    m = re.search(r'stats socket "([^"]+/stats\.sock)"', text)
    if m:
        unix_path = m.group(1)
    new = re.sub(r'^[ \t]*stats socket "fd@\$\{cli\}"[^\n]*\n', "", text, flags=re.M)
    if new != text:
        with open(cfg, "w") as f:
            f.write(new)
        try:
            cli_fd = int(os.environ.get("cli", ""))
        except ValueError:
            cli_fd = None


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def serve(conn):
    up = None
    for _ in range(100):
        try:
            up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            up.connect(unix_path)
            break
        except OSError:
            up.close()
            up = None
            time.sleep(0.05)
    if up is None:
        conn.close()
        return
    t = threading.Thread(target=pump, args=(up, conn), daemon=True)
    t.start()
    pump(conn, up)
    t.join()
    conn.close()
    up.close()


def relay(parent):
    # Keep only the cli listener: the program's other inherited sockets
    # must close when the program exits.
    os.closerange(3, cli_fd)
    os.closerange(cli_fd + 1, 4096)
    lsock = socket.socket(fileno=cli_fd)
    while os.getppid() == parent:
        r, _, _ = select.select([lsock], [], [], 0.2)
        if not r:
            continue
        try:
            conn, _ = lsock.accept()
        except OSError:
            continue
        threading.Thread(target=serve, args=(conn,), daemon=True).start()
    os._exit(0)


if cli_fd is not None and unix_path:
    parent = os.getpid()
    if os.fork() == 0:
        os.setsid()
        # Keep stdout/stderr away from the harness pipe so its EOF
        # is seen when the program exits.
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        relay(parent)
    os.close(cli_fd)

os.execvp(target[0], target + argv)
