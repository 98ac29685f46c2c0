"""A real HTTP server on a free loopback port that answers like a health endpoint,
or like a broken one (any status, body, redirect), and records what it was sent."""

from __future__ import annotations

import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType


class HealthServer:
    """Every GET gets ``status``, the ``headers`` and ``body``; ``received`` keeps
    the request headers of each GET, ``sent`` the body bytes written in all,
    and ``answered`` is set when an answer is over (written, or cut by the client)."""

    def __init__(
        self, release: str | None, status: int = 200, tls: tuple[Path, Path] | None = None
    ) -> None:
        self.status = status
        self.body: bytes = json.dumps({"status": "pass", "releaseId": release}).encode()
        self.headers: dict[str, str] = {"Content-Type": "application/health+json"}
        self.received: list[dict[str, str]] = []
        self.sent = 0
        self.answered = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                try:
                    self.answer()
                finally:
                    owner.answered.set()

            def answer(self) -> None:
                owner.received.append(dict(self.headers.items()))
                self.send_response(owner.status)
                for name, value in owner.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(owner.body)))
                self.end_headers()
                for start in range(0, len(owner.body), 65536):
                    try:
                        self.wfile.write(owner.body[start : start + 65536])
                    except OSError:  # the client stopped reading and closed
                        return
                    owner.sent += len(owner.body[start : start + 65536])

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_port}"
        self.url = f"http://{self.address}"
        if tls is not None:  # (certificate, key): HTTPS
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.url = f"https://{self.address}"

    def __enter__(self) -> HealthServer:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
