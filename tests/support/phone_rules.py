"""The family app's rules evaluator (server/family/static/js/rules/) in one long-lived node
process, for tests that compare it with the server: a JSON request per line on stdin, an
answer per line on stdout (tests/js/support/rules-driver.mjs)."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

DRIVER = Path(__file__).resolve().parents[1] / "js" / "support" / "rules-driver.mjs"


class PhoneEvaluator:
    def __init__(self, node):
        self.process = subprocess.Popen([node, str(DRIVER)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, encoding="utf-8")
        self.document_sent = None

    def ask(self, document, how, **request):
        """`how`: "entry" (entry, context), "silence" (context) or "phone" (entry, profile,
        history, now: the context built as the app builds it). Returns the driver's answer."""
        request["evaluate"] = how
        text = json.dumps(document, sort_keys=True)
        if text != self.document_sent:
            request["rules"] = document
            self.document_sent = text
        self.process.stdin.write(json.dumps(request, allow_nan=False) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the node driver stopped answering"
        # JS writes 5.2e16 as 52163069268786810, which Python would read as an exact int
        # unequal to the double the phone meant; read its numbers as the doubles they are.
        return json.loads(line, parse_int=float)

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)


def start_phone_evaluator():
    """A PhoneEvaluator, or a skip saying why (a failure under REQUIRE_NODE_TESTS=1, as CI
    sets it: a run that silently skipped the comparison would prove nothing)."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("REQUIRE_NODE_TESTS") == "1":
            pytest.fail("REQUIRE_NODE_TESTS=1 but node is missing (apt-get install nodejs)",
                        pytrace=False)
        pytest.skip("comparing with the phone's evaluator needs node (apt-get install nodejs)")
    return PhoneEvaluator(node)
