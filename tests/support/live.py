"""The real Homeward app served over HTTP on 127.0.0.1, and a proxy that can lose answers.

End-to-end tests talk to these over real sockets, as a phone would. A server can be stopped
and started again on the same data folder, which is what a restart looks like to a client.
"""
import socket
import threading

from werkzeug.serving import make_server

from server import create_app
from server.storage.installation import initialise


class LiveServer:
    def __init__(self, config, clock=None):
        self.config, self.clock = config, clock
        self._server = None
        self._thread = None
        self.port = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        if self.port is None:  # the first start; a restart opens the same folder
            initialise(self.config, self.clock)
        app = create_app(self.config, clock=self.clock)
        # Keep the port across restarts, so a client configured once still finds us.
        self._server = make_server("127.0.0.1", self.port or 0, app, threaded=True)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
            self._server = None

    def restart(self):
        self.stop()
        return self.start()


class CuttingProxy:
    """Forwards TCP to the server; while `cut_responses` > 0, it lets the request through,
    waits for the server's whole answer, then drops the connection without passing it on:
    the server committed, the phone never heard."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.cut_responses = 0
        self.cut_count = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def _accept(self):
        while not self._stopping:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
        except OSError:
            client.close()
            return
        with client, upstream:
            request = read_http_message(client)
            if not request:
                return
            upstream.sendall(request)
            response = read_http_message(upstream)
            if self.cut_responses > 0 and b"/sync/push" in request.split(b"\r\n", 1)[0]:
                self.cut_responses -= 1
                self.cut_count += 1
                return  # the answer is lost on the way back
            client.sendall(response)

    def close(self):
        self._stopping = True
        self._listener.close()


def read_http_message(sock) -> bytes:
    """One HTTP/1.x message with a Content-Length body (all Homeward speaks), or b""."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body
