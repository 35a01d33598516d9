"""Real local endpoints the notification channels deliver to: an HTTP server that records each
POST and answers from a script (fail, fail, then recover), and an SMTP server (aiosmtpd) that
refuses with a temporary error a given number of times before accepting."""

import json
import threading
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from deploy.docstore import free_port


class RecordingHttpServer:
    """``answers``: statuses to give in turn (the last one repeats)."""

    def __init__(self, answers=(200,), body=b'{"errcode": 0}'):
        self.answers, self.body, self.received = list(answers), body, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                server.received.append(
                    {"path": self.path, "headers": dict(self.headers), "raw": raw, "json": json.loads(raw or b"null")}
                )
                status = server.answers.pop(0) if len(server.answers) > 1 else server.answers[0]
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(server.body if status < 300 else b'{"error": "try later"}')

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class RecordingSmtpServer:
    """A real SMTP server on 127.0.0.1; the first ``refusals`` mails get ``451`` (try later)."""

    def __init__(self, refusals=0):
        self.refusals, self.messages = refusals, []
        server = self

        class Handler:
            async def handle_DATA(self, smtp_server, session, envelope):
                if server.refusals > 0:
                    server.refusals -= 1
                    return "451 4.3.0 Mailbox temporarily unavailable"
                server.messages.append(message_from_bytes(envelope.content))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
