"""A stand-in for the parts of Cloudinary's API the project uses, served on 127.0.0.1.

The real ``cloudinary`` client reaches it through the SDK's own ``CLOUDINARY_URL``
(``...?upload_prefix=http://127.0.0.1:PORT``). It speaks upload, signed download and
destroy for any resource type and delivery type, and checks what Cloudinary checks:
the API key, each request's signature (SHA-1, or SHA-256, of the sorted parameters and
the secret, written here from Cloudinary's documentation rather than taken from the SDK)
and a download's ``expires_at``.

Told to with ``fail(operation, mode, times)``, it fails: ``unauthorized`` (401, as for bad
credentials or an account that may not deliver PDFs), ``not_found`` (404), ``error``
(500), ``slow`` (answers after ``slow_seconds``), ``drop`` (closes the connection without
an answer), ``truncated`` (closes the connection halfway through the body), ``corrupt``
(a body of the right length with other bytes) and ``hold`` (does the work, then answers
only after ``release()``).
"""

import hashlib
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

MODES = ("unauthorized", "not_found", "error", "slow", "drop", "truncated", "corrupt", "hold")
UNSIGNED = {"signature", "api_key", "file", "resource_type", "cloud_name"}
PATH = re.compile(r"^/v1_1/(?P<cloud>[^/]+)/(?P<resource_type>[^/]+)/(?P<operation>upload|download|destroy)$")


def signature(params, secret):
    """Cloudinary's request signature: the sorted non-empty ``key=value`` pairs, then the secret."""
    pairs = sorted(
        f"{key}={value}".replace("&", "%26") for key, value in params.items() if key not in UNSIGNED and value
    )
    return "&".join(pairs) + secret


def form_fields(content_type, body):
    """The fields of a ``multipart/form-data`` body, as bytes."""
    boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
    fields = {}
    for part in body.split(b"--" + boundary)[1:-1]:
        head, _, data = part[2:].partition(b"\r\n\r\n")
        fields[re.search(rb'name="([^"]*)"', head).group(1).decode()] = data[:-2]
    return fields


class CloudinaryStandIn:
    """Start with ``with CloudinaryStandIn() as cloud:``; ``cloud.url`` is its CLOUDINARY_URL."""

    def __init__(self, cloud_name="standin", api_key="481516", api_secret="stand-in-secret", slow_seconds=2.0):  # noqa: S107
        self.cloud_name, self.api_key, self.api_secret = cloud_name, api_key, api_secret
        self.slow_seconds = slow_seconds
        self.files = {}  # (resource_type, type, public_id) -> bytes
        self.log = []  # (operation, public_id, status or mode)
        self.failures = {}  # operation -> [mode, times left or None for always]
        self.held = threading.Event()
        self.released = threading.Event()
        self.lock = threading.Lock()
        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.standin = self

    @property
    def url(self):
        port = self.server.server_address[1]
        return f"cloudinary://{self.api_key}:{self.api_secret}@{self.cloud_name}?upload_prefix=http://127.0.0.1:{port}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    def fail(self, operation, mode, times=None):
        """Fail the next ``times`` requests of ``operation`` (all of them when None) in ``mode``."""
        assert mode in MODES, mode
        with self.lock:
            self.failures[operation] = [mode, times]
            self.held.clear()
            self.released.clear()

    def heal(self):
        with self.lock:
            self.failures.clear()
        self.released.set()

    def release(self):
        self.released.set()

    def calls(self, operation):
        return [entry for entry in self.log if entry[0] == operation]

    def names(self, resource_type="raw", delivery_type="authenticated"):
        """Public ids stored with that resource and delivery type."""
        return sorted(pid for (rtype, dtype, pid) in self.files if (rtype, dtype) == (resource_type, delivery_type))

    def take_failure(self, operation):
        with self.lock:
            failure = self.failures.get(operation)
            if failure is None:
                return None
            mode, times = failure
            if times is not None:
                failure[1] = times - 1
                if failure[1] <= 0:
                    del self.failures[operation]
            return mode


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that went away (a timeout, a killed worker) is no error of the stand-in's."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        """Quiet: the tests read ``log`` instead."""

    def do_GET(self):
        parts = urlsplit(self.path)
        self.serve(parts.path, dict(parse_qsl(parts.query)))

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        fields = form_fields(self.headers["Content-Type"], body)
        file = fields.pop("file", b"")
        self.serve(self.path, {key: value.decode() for key, value in fields.items()}, file)

    def serve(self, path, params, file=b""):
        standin = self.server.standin
        match = PATH.match(path)
        if match is None or match["cloud"] != standin.cloud_name:
            return self.answer(404, {"error": {"message": "Unknown cloud or API path"}})
        operation = match["operation"]
        mode = standin.take_failure(operation)
        standin.log.append((operation, params.get("public_id"), mode or "ok"))
        try:
            if mode == "slow":
                time.sleep(standin.slow_seconds)
            elif mode == "drop":
                self.close_connection = True
                return None
            elif mode in {"unauthorized", "not_found", "error"}:
                status = {"unauthorized": 401, "not_found": 404, "error": 500}[mode]
                return self.answer(status, {"error": {"message": f"Stand-in told to fail with {status}"}})
            refusal = self.refusal(params, operation)
            if refusal:
                return self.answer(401, {"error": {"message": refusal}})
            status, body = getattr(self, operation)(match["resource_type"], params, file)
            if mode == "hold":
                standin.held.set()
                standin.released.wait(timeout=60)
            self.answer(status, body, mode)
        except ConnectionError:
            pass  # the client gave up (a timeout, or a killed worker)

    def refusal(self, params, operation):
        standin = self.server.standin
        if params.get("api_key") != standin.api_key:
            return "Invalid api_key"
        algorithm = hashlib.sha256 if len(params.get("signature", "")) == 64 else hashlib.sha1
        if algorithm(signature(params, standin.api_secret).encode()).hexdigest() != params.get("signature"):
            return "Invalid Signature"
        if abs(time.time() - int(params.get("timestamp", 0))) > 3600:
            return "Stale request"
        if operation == "download" and int(params.get("expires_at", 0)) < time.time():
            return "The download link has expired"
        return None

    def upload(self, resource_type, params, file):
        key = (resource_type, params.get("type", "upload"), params["public_id"])
        self.server.standin.files[key] = file
        return 200, {
            "public_id": key[2],
            "resource_type": resource_type,
            "type": key[1],
            "bytes": len(file),
            "version": int(time.time()),
        }

    def download(self, resource_type, params, file):
        key = (resource_type, params.get("type", "upload"), params["public_id"])
        content = self.server.standin.files.get(key)
        if content is None:
            return 404, {"error": {"message": "Resource not found"}}
        return 200, content

    def destroy(self, resource_type, params, file):
        key = (resource_type, params.get("type", "upload"), params["public_id"])
        found = self.server.standin.files.pop(key, None) is not None
        return 200, {"result": "ok" if found else "not found"}

    def answer(self, status, body, mode=None):
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        if mode == "corrupt":
            content = bytes(byte ^ 0xFF for byte in content)
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream" if isinstance(body, bytes) else "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if mode == "truncated":
            self.wfile.write(content[: len(content) // 2])
            self.close_connection = True
        else:
            self.wfile.write(content)
