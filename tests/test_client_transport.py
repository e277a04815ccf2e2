"""The client's HTTP layer: the error envelope, whether a retry can help, and backoff."""
import socket
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from client_double import error_body, fake  # noqa: F401 (fixture)

from sync.client import ApiError, NeedsEnrolment, NetworkError, RetryPolicy, TransportError
from sync.client.transport import BadAnswer, Transport, retry_after_seconds

KEYS = "/api/v1/keys"


def transport(fake):
    return Transport(fake.url, app_version="t/1", device_token="tok")


@pytest.mark.parametrize("status, code, error_type, retryable", [
    (400, "invalid_request", ApiError, False),
    (401, "device_revoked", NeedsEnrolment, False),
    (401, "unauthorized", NeedsEnrolment, False),
    (403, "forbidden", ApiError, False),
    (410, "enrollment_code_used", ApiError, False),
    (429, "rate_limited", ApiError, True),
    (500, "internal_error", ApiError, True),
    (503, "internal_error", ApiError, True),
])
def test_it_turns_the_error_envelope_into_an_error_that_says_whether_to_retry(
        fake, status, code, error_type, retryable):
    fake.script("GET", KEYS, status, body=error_body(status, code, "Do this.", {"a": 1}))
    with pytest.raises(error_type) as caught:
        transport(fake).get_keys()
    error = caught.value
    assert (error.status, error.code, error.message, error.details) == \
        (status, code, "Do this.", {"a": 1})
    assert error.retryable is retryable


def test_it_understands_an_error_page_that_is_not_the_envelope(fake):
    fake.script("GET", KEYS, 502, body=b"<html>Bad gateway</html>", headers={"Retry-After": "3"})
    with pytest.raises(ApiError) as caught:
        transport(fake).get_keys()
    assert caught.value.code == "http_502" and caught.value.retryable
    assert caught.value.retry_after == 3


def test_it_calls_a_2xx_that_is_not_json_a_bad_answer_worth_retrying(fake):
    fake.script("GET", KEYS, 200, body=b"<html>Hotel Wi-Fi login</html>")
    with pytest.raises(BadAnswer) as caught:
        transport(fake).get_keys()
    assert caught.value.retryable


def test_it_reports_a_server_that_is_not_there_as_a_network_error():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(NetworkError) as caught:
        Transport(f"http://127.0.0.1:{port}", app_version="t/1").get_keys()
    assert caught.value.retryable


def test_it_reads_retry_after_as_seconds_or_as_an_http_date():
    now = datetime(2026, 11, 20, 19, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=90), usegmt=True),
                               now) == 90
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
    assert retry_after_seconds("-5") == 0


def test_it_finds_the_field_a_400_names_however_the_details_are_shaped():
    for details in ({"fields": {"cursor": ["expired"]}}, {"fields": ["cursor"]},
                    {"field": "cursor"}, {"cursor": "expired"}):
        assert ApiError(400, "invalid_request", "No.", details).names_field("cursor")
    assert not ApiError(400, "invalid_request", "No.", {"fields": {"limit": ["x"]}}) \
        .names_field("cursor")


class Flaky:
    def __init__(self, *errors):
        self.errors, self.calls = list(errors), 0

    def __call__(self):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "answer"


def test_it_backs_off_with_full_jitter_up_to_a_ceiling():
    sleeps, draws = [], iter([1.0, 1.0, 1.0, 1.0, 0.25, 0.0])
    policy = RetryPolicy(attempts=7, base_delay=2, max_delay=10, sleep=sleeps.append,
                         random=lambda: next(draws))
    assert policy.call(Flaky(*[NetworkError("down")] * 6)) == "answer"
    assert sleeps == [2, 4, 8, 10, 2.5, 0.0]


def test_it_does_not_retry_what_a_retry_cannot_fix():
    sleeps = []
    flaky = Flaky(ApiError(403, "forbidden", "No."))
    with pytest.raises(ApiError):
        RetryPolicy(sleep=sleeps.append).call(flaky)
    assert flaky.calls == 1 and sleeps == []
    flaky = Flaky(TransportError("The certificate was refused."))
    with pytest.raises(TransportError):
        RetryPolicy(sleep=sleeps.append).call(flaky)
    assert flaky.calls == 1 and sleeps == []


def test_it_honours_retry_after_and_gives_up_on_a_wait_too_long_for_one_sync():
    sleeps = []
    policy = RetryPolicy(sleep=sleeps.append, random=lambda: 0.0, longest_wait=60)
    assert policy.call(Flaky(ApiError(429, "rate_limited", "Wait.", retry_after=30))) == "answer"
    assert sleeps == [30]
    with pytest.raises(ApiError) as caught:
        policy.call(Flaky(ApiError(429, "rate_limited", "Wait.", retry_after=61)))
    assert caught.value.retry_after == 61 and sleeps == [30]
