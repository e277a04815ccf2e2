"""What commands check before they start something, and the error they stop with.

A CommandError is an operator's mistake or a situation they can fix (a busy port, a server
that cannot be reached): server/cli.py prints its message as one line and exits 2.
"""
import errno
import socket


class CommandError(Exception):
    """One sentence for the operator; no traceback."""


def ensure_port_free(host: str, port: int, option: str = "--port") -> None:
    """Bind and let go at once: gunicorn would otherwise print "serving on" and then retry
    for seconds, and a demo would sign in to whatever already answers there."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        with socket.create_server((host, port), family=family):
            pass
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise CommandError(f"{shown} is already in use: another server (perhaps another "
                               f"Homeward) is listening there; stop it, or choose another "
                               f"port with {option} or HOMEWARD_PORT.") from None
        raise CommandError(f"Cannot listen on {shown}: "
                           f"{error.strerror or error}.") from None


def local_url(host: str, port: int) -> str:
    """The address this machine reaches a server bound to host:port at."""
    host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
