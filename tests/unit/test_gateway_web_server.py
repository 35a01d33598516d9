"""The gateway answers without waiting on Nagle's algorithm: every accepted connection has
TCP_NODELAY set before the request is served (a page of 30 reminders took 40 ms more, a client's
delayed ACK, without it), and every route of the gateway shares that one server."""

import socket

from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer

from services.gateway.console import ConsoleFiles
from services.gateway.http import JsonRoute
from services.gateway.web_server import NoDelayWebServer


def test_an_accepted_connection_is_served_with_nagle_off(monkeypatch):
    served = []
    monkeypatch.setattr(WebServer, "process_request", lambda self, sock, address: served.append(sock))
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        accepted, address = listener.accept()
        try:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
            NoDelayWebServer().process_request(accepted, address)
            assert served == [accepted]
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        finally:
            accepted.close()
            client.close()


def test_a_socket_that_is_not_tcp_is_served_all_the_same(monkeypatch):
    served = []
    monkeypatch.setattr(WebServer, "process_request", lambda self, sock, address: served.append(sock))
    left, right = socket.socketpair()
    with left, right:
        NoDelayWebServer().process_request(left, None)
    assert served == [left]


def test_every_route_of_the_gateway_shares_the_one_server():
    import services.gateway.service  # noqa: F401  (every route class the gateway uses is imported)

    handlers = [h for h in HttpRequestHandler.__subclasses__() if h.__module__.startswith("services.gateway")]
    assert {JsonRoute, ConsoleFiles} <= set(handlers)
    assert {type(h.server) for h in handlers} == {NoDelayWebServer}
