"""The gateway's HTTP server: nameko's, with Nagle's algorithm off on every connection.

eventlet's WSGI server writes a response's head and its body in separate sends. With Nagle on, the
body's last segment waits for the client's ACK of the head, which a client delays by up to 40 ms
(delayed ACKs): every answer larger than a segment or two (a page of 30 reminders) took 40 ms more
than it was worked on. Browsers and HTTP clients set TCP_NODELAY on their side; the server must too.
"""

import socket
from typing import Any

from nameko.web.server import WebServer


class NoDelayWebServer(WebServer):
    """Every route of the gateway (``JsonRoute``, ``ConsoleFiles``) names this one server: nameko
    shares one server per class, and two classes would both bind the port."""

    def process_request(self, sock: Any, address: Any) -> None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass  # not TCP (a test's socket pair): nothing to turn off
        super().process_request(sock, address)
