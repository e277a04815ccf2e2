"""gunicorn's access log without query strings: a patient search (`/patients?q=<name or
MRN>`) and a `next=` address would otherwise put names and MRNs in plain text in the logs,
which are kept, shipped and read far more widely than the database.

The path stays (it holds only opaque ids such as `pt_…`), so the log still says what was
asked for; the query, and the query of the page a request came from (Referer), do not.
"""
from gunicorn.glogging import Logger

# Atoms that can carry a query string, as gunicorn names them.
WITH_QUERY = ("f", "{referer}i", "{raw_uri}e", "{request_uri}e", "{http_referer}e")
WITHOUT = "-"


def without_query(address) -> str:
    if not isinstance(address, str):
        return WITHOUT
    return address.split("?", 1)[0].split("#", 1)[0]


class PathOnlyLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = " ".join((environ.get("REQUEST_METHOD", WITHOUT),
                               without_query(environ.get("RAW_URI")),
                               environ.get("SERVER_PROTOCOL", WITHOUT)))
        atoms["q"] = WITHOUT
        atoms["{query_string}e"] = WITHOUT
        for name in WITH_QUERY:
            if name in atoms:
                atoms[name] = without_query(atoms[name])
        return atoms
