"""Reading JSON request bodies so that no body, however hostile, costs a 500.

Python's json raises RecursionError for a body nested about a thousand deep and ValueError
for an integer of over 4,300 digits; webargs only turns JSONDecodeError into a 400, so these
escaped as 500s with a traceback, on unauthenticated routes too. Every API blueprint reads
its bodies through this parser, so every JSON route answers them `400 invalid_request`.
"""
import flask_smorest
from webargs.core import missing
from webargs.flaskparser import FlaskParser

from sync.documents import is_deeper_than

from ..web.errors import InvalidRequest

# No request Homeward defines nests deeper than five levels; the margin is for clients'
# extra fields, and the limit keeps whatever later walks a body (marshmallow, json.dumps
# when it is stored) far from Python's recursion limit.
MAX_DEPTH = 32


class JsonBodyParser(FlaskParser):
    def load_json(self, req, schema):
        try:
            body = super().load_json(req, schema)
        except RecursionError:
            refuse_body(f"it is nested deeper than {MAX_DEPTH} levels")
        except ValueError:  # not a JSONDecodeError: webargs answered those already
            refuse_body("it holds a number of over 4,300 digits")
        if body is not missing and is_deeper_than(body, MAX_DEPTH):
            refuse_body(f"it is nested deeper than {MAX_DEPTH} levels")
        return body


def refuse_body(why):
    raise InvalidRequest(f"The body is not JSON this server reads: {why}.",
                         details={"max_depth": MAX_DEPTH})


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's blueprint, reading bodies with JsonBodyParser."""

    ARGUMENTS_PARSER = JsonBodyParser()
