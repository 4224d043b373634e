"""A fake HTTP SMS provider for the engine tier: a real server on 127.0.0.1, an ephemeral port."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeSmsProvider:
    """Records every request and answers from `replies` (a status code, or "slow"; then 200 for the rest).

    Like the providers whose API shape the backend speaks, it delivers a message once per
    Idempotency-Key: a repeated key is answered with the first message's id and sends nothing.
    """

    def __init__(self, slow_seconds: float = 2.0):
        self.requests: list[dict] = []
        self.delivered: dict[str, dict] = {}
        self.replies: list = []
        self.slow_seconds = slow_seconds
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1/messages"

    def start(self) -> "FakeSmsProvider":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, request: dict) -> tuple[int, dict]:
        with self._lock:
            self.requests.append(request)
            reply = self.replies.pop(0) if self.replies else 200
            if reply == "slow":
                return "slow", {}
            if reply != 200:
                return reply, {"error": "scripted failure"}
            key = request["headers"].get("Idempotency-Key", "")
            if key not in self.delivered:
                self.delivered[key] = {**request["body"], "id": f"prov-{len(self.delivered) + 1}"}
            return 200, {"id": self.delivered[key]["id"], "status": "queued"}

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                status, payload = provider._answer(
                    {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                )
                if status == "slow":
                    time.sleep(provider.slow_seconds)
                    status = 200
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):  # keep the test output quiet
                pass

        return Handler
