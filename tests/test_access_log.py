"""The access log of `homeward serve`, a real process: a search for a child by name or MRN,
and an address to return to, leave the path in the log and nothing of the query."""
import time

import pytest
import requests

from test_serve import server  # noqa: F401  (the fixture: a real `homeward serve`)

pytestmark = pytest.mark.e2e


def test_it_logs_the_path_of_a_search_and_never_the_name_or_mrn(server):  # noqa: F811
    _process, base, log_path = server
    requests.get(f"{base}/patients", params={"q": "Mateo Ruiz"}, timeout=5,
                 allow_redirects=False)
    requests.get(f"{base}/login", params={"next": "/patients?q=MRN-5550123"}, timeout=5,
                 headers={"Referer": f"{base}/patients?q=Sofia+Herrera"})
    requests.get(f"{base}/api/v1/patients", params={"q": "MRN-7788"}, timeout=5)
    said = ""
    expected = ("GET /patients HTTP/1.1", "GET /login HTTP/1.1", "GET /api/v1/patients HTTP/1.1")
    deadline = time.monotonic() + 15
    # Each worker writes its line after its answer went out, in any order: wait for all three.
    while time.monotonic() < deadline:
        said = log_path.read_text()
        if all(line in said for line in expected):
            break
        time.sleep(0.1)
    assert '"GET /patients HTTP/1.1" 302' in said or '"GET /patients HTTP/1.1" 303' in said
    assert '"GET /login HTTP/1.1" 200' in said
    assert '"GET /api/v1/patients HTTP/1.1" 401' in said
    for secret in ("Mateo", "MRN-5550123", "MRN-7788", "Sofia", "q=", "next="):
        assert secret not in said
