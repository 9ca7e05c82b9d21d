"""A TCP forwarder to PostgreSQL that a drill or a test can cut in two ways, as outages come.

- `refuse()`: connections are reset and new ones refused, as when the database is stopped.
- `stall()`: packets to and from the gate's port are dropped by the kernel (an iptables rule
  on the loopback interface, for this port alone), as when a link dies or a firewall drops
  traffic: nothing is refused, the client just hears nothing. Needs root and `iptables`.
- `restore()`: both undone.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import threading


def can_stall() -> bool:
    if not shutil.which("iptables"):
        return False
    return subprocess.run(["iptables", "-S", "INPUT"], capture_output=True).returncode == 0


class Gate:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port: int = self.server.getsockname()[1]
        self.refusing = False
        self.stalled = False
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if self.refusing:
                # Closing with SO_LINGER 0 sends a reset: the client sees "connection refused".
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def refuse(self) -> None:
        self.refusing = True
        with self.lock:
            conns, self.conns = self.conns, []
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _rules(self, action: str) -> None:
        for direction in ("--dport", "--sport"):
            subprocess.run(["iptables", action, "INPUT", "-i", "lo", "-p", "tcp", direction, str(self.port),
                            "-j", "DROP"], check=action == "-I", capture_output=True)

    def stall(self) -> None:
        self._rules("-I")
        self.stalled = True

    def restore(self) -> None:
        if self.stalled:
            self._rules("-D")
            self.stalled = False
        self.refusing = False

    def close(self) -> None:
        self.restore()
        self.server.close()
        self.refuse()
