"""A site that sets HOMEWARD_CLAIM_LAPSE_MINUTES gets claims that lapse after that long."""
import pytest

from server.config import Config
from support.family import enrolled_family


@pytest.fixture
def config(tmp_path):
    return Config.from_env({"HOMEWARD_CLAIM_LAPSE_MINUTES": "5"}, data_dir=tmp_path / "data",
                           argon2_memory_kib=64, argon2_time_cost=1, cookie_secure=False)


def test_it_lets_a_claim_lapse_after_the_sites_time(client, staff, clock):
    nina, bea = staff("nurse", "nina"), staff("nurse", "bea")
    family = enrolled_family(client, nina.headers, clock=clock)
    [result] = family.push([family.envelope(family.document(
        {"temperature_c": 38.6, "temperature_method": "oral"}))]).get_json()["results"]
    alert_id = result["alert"]["alert_id"]
    claim = client.post(f"/api/v1/alerts/{alert_id}/claim", headers=nina.headers).get_json()
    assert claim["claim"]["until"] == "2026-11-20T19:05:00Z"
    clock.advance(minutes=4)
    assert client.post(f"/api/v1/alerts/{alert_id}/claim",
                       headers=bea.headers).status_code == 409
    clock.advance(minutes=1)
    assert client.post(f"/api/v1/alerts/{alert_id}/claim",
                       headers=bea.headers).status_code == 200
