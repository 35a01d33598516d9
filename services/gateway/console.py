"""The web console's files (``web/dist``, built by scripts/bootstrap), served by the gateway at ``/``.

- a built file is served as it is: hashed assets (``/assets/…``) cached for a year, everything
  else revalidated, text compressed with gzip when the browser takes it;
- any other page address a browser navigates to (it prefers text/html to JSON) gets
  ``index.html``, so the console's own routes (``/day``, ``/c/<id>``…) survive a reload — also
  where a page shares its address with an API route (``/pool``): the API routes ask
  ``ConsoleFolder.wants_page`` first (``services.gateway.http``);
- anything else unknown is the API's JSON 404.

No worker is spawned: reading a file needs no service.
"""

import gzip
import json
import mimetypes
from functools import lru_cache
from pathlib import Path

from nameko.extensions import SharedExtension
from nameko.web.handlers import HttpRequestHandler
from werkzeug.wrappers import Request, Response

from services.gateway.settings import GatewaySettingsSchema
from services.gateway.web_server import NoDelayWebServer
from services.runtime.settings import load_section

REPOSITORY = Path(__file__).resolve().parents[2]
ASSETS = "assets/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
MIN_COMPRESSED_BYTES = 1024
NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>Baton</title>
<p>The Baton console is not built yet: run <code>scripts/bootstrap</code> (it builds <code>web/</code> into
<code>web/dist</code>), then reload. The API answers meanwhile; <a href="/docs">/docs</a> describes it.</p>"""


def console_dir(configured: str) -> Path:
    """The built console's folder: ``BATON.gateway.console_dir``, relative to the repository."""
    path = Path(configured)
    return (path if path.is_absolute() else REPOSITORY / path).resolve()


class ConsoleFolder(SharedExtension):
    """The built console's folder, shared by the routes of a gateway container."""

    def setup(self) -> None:
        self.root = console_dir(load_section(self.container.config, "gateway", GatewaySettingsSchema)["console_dir"])

    @staticmethod
    def wants_page(request: Request) -> bool:
        """A browser navigating (it prefers HTML to JSON), not a client of the API."""
        return (
            request.method in ("GET", "HEAD")
            and request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"
        )

    def respond(self, request: Request) -> Response:
        relative = request.path.lstrip("/")
        file = self._file(relative) if relative else None
        if file is not None:
            return self._send(request, file, IMMUTABLE if relative.startswith(ASSETS) else REVALIDATE)
        if relative and (relative.startswith(ASSETS) or not self.wants_page(request)):
            return _not_found(request.path)
        return self.page(request)

    def page(self, request: Request) -> Response:
        """index.html: the console finds its page from the address."""
        index = self._file("index.html")
        if index is None:
            return Response(NOT_BUILT, status=503, mimetype="text/html")
        return self._send(request, index, REVALIDATE)

    def _file(self, relative):
        """The file under the console's folder, or None (never one outside it)."""
        candidate = (self.root / relative).resolve()
        if self.root not in candidate.parents or not candidate.is_file():
            return None
        return candidate

    def _send(self, request, file, cache_control):
        mimetype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        stat = file.stat()
        body, encoding = _content(
            str(file),
            stat.st_mtime_ns,
            stat.st_size,
            "gzip" in request.headers.get("Accept-Encoding", "") and mimetype.startswith(COMPRESSIBLE),
        )
        headers = {"Cache-Control": cache_control, "X-Content-Type-Options": "nosniff", "Vary": "Accept-Encoding"}
        if encoding:
            headers["Content-Encoding"] = encoding
        charset = "; charset=utf-8" if mimetype.startswith(("text/", "application/javascript")) else ""
        return Response(body, status=200, headers=headers, content_type=mimetype + charset)


class ConsoleFiles(HttpRequestHandler):
    server = NoDelayWebServer()
    folder = ConsoleFolder()

    def __init__(self, url: str) -> None:
        super().__init__("GET", url)

    def handle_request(self, request: Request) -> Response:
        return self.folder.respond(request)


def _not_found(path):
    body = {"error": {"code": "not_found", "message": f"No route or file {path}.", "details": {"path": path}}}
    return Response(json.dumps(body), status=404, mimetype="application/json")


@lru_cache(maxsize=256)
def _content(path, mtime_ns, size, compress):
    """A file's bytes (gzipped when asked and worth it), kept while the file is unchanged."""
    data = Path(path).read_bytes()
    if compress and size >= MIN_COMPRESSED_BYTES:
        return gzip.compress(data, compresslevel=6, mtime=0), "gzip"
    return data, None


console_file = ConsoleFiles.decorator
