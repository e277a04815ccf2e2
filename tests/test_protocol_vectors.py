"""The published sealing vector (docs/vectors/entry-sealing.json): an app team checks its
implementation against it, and these tests check the server against it."""
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from support.rfc9180 import derive_key_pair, raw_public, seal_with_ephemeral
from sync.sealing import b64url, entry_info, entry_plaintext, open_entry, seal_entry, unb64url

VECTOR_FILE = Path(__file__).parent.parent / "docs" / "vectors" / "entry-sealing.json"
# RFC 9180's DeriveKeyPair input for the second sealing: HPKE libraries fix the ephemeral
# key of a test through it (hpke-js: kem.deriveKeyPair(ikmE) passed as `ekm`).
IKM_E = bytes(range(201, 233))


def build_vector():
    server = X25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    ephemeral = X25519PrivateKey.from_private_bytes(bytes(range(101, 133)))
    document = {"entry_id": "5b0f3c52-8a4e-4d0b-9a57-0c7d6f1e2a11",
                "device_id": "dev_0123456789abcdef", "patient_id": "pt_fedcba9876543210",
                "questionnaire_id": "symptom-diary", "questionnaire_version": "1.0.0",
                "task_id": None, "respondent": "caregiver",
                "recorded_at": "2026-11-20T14:02:00-05:00", "supersedes": None,
                "answers": {"temperature_c": 38.4, "temperature_method": "axillary"}}
    info = entry_info(document["entry_id"], document["device_id"])
    plaintext = entry_plaintext(document)
    result = seal_with_ephemeral(raw_public(server.public_key()), ephemeral, info, plaintext)
    hexed = {name: value.hex() for name, value in result.items() if name != "sealed"}
    derived = derive_key_pair(IKM_E)
    by_ikm = seal_with_ephemeral(raw_public(server.public_key()), derived, info, plaintext)
    return {
        "suite": "DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode",
        "server_private_key_hex": bytes(range(1, 33)).hex(),
        "server_public_key": b64url(raw_public(server.public_key())),
        "ephemeral_private_key_hex": bytes(range(101, 133)).hex(),
        "entry": document,
        "info_utf8": info.decode(),
        "plaintext_utf8": plaintext.decode(),
        "intermediate_hex": hexed,
        "envelope": {"entry_id": document["entry_id"], "kid": "kvector1",
                     "sealed": b64url(result["sealed"])},
        # Added later, so the fields above stay as apps already check them: the raw key
        # above has no DeriveKeyPair input (that derivation is one-way), so this is a second
        # sealing of the same plaintext whose ephemeral key comes from ikmE.
        "derived_ephemeral": {
            "ikmE_hex": IKM_E.hex(),
            "ephemeral_private_key_hex": private_hex(derived),
            "ephemeral_public_key_hex": by_ikm["enc"].hex(),
            "intermediate_hex": {name: value.hex() for name, value in by_ikm.items()
                                 if name != "sealed"},
            "envelope": {"entry_id": document["entry_id"], "kid": "kvector1",
                         "sealed": b64url(by_ikm["sealed"])},
        },
    }


def private_hex(key) -> str:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()


def test_it_publishes_the_vector_it_computes():
    assert json.loads(VECTOR_FILE.read_text()) == build_vector(), (
        "docs/vectors/entry-sealing.json is stale; regenerate it with "
        "`python tests/test_protocol_vectors.py`")


def test_it_opens_the_published_envelope_with_the_published_key():
    vector = json.loads(VECTOR_FILE.read_text())
    server = X25519PrivateKey.from_private_bytes(bytes.fromhex(vector["server_private_key_hex"]))
    plaintext = open_entry(vector["envelope"]["sealed"], server, vector["entry"]["entry_id"],
                           vector["entry"]["device_id"])
    assert json.loads(plaintext) == vector["entry"]


def test_derive_key_pair_gives_rfc_9180_appendix_a_1_1_its_ephemeral_key():
    ikm_e = bytes.fromhex("7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234")
    derived = derive_key_pair(ikm_e)
    assert private_hex(derived) == \
        "52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736"
    assert raw_public(derived.public_key()).hex() == \
        "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431"


def test_the_published_ikm_e_yields_the_published_ephemeral_key_and_enc():
    derived = json.loads(VECTOR_FILE.read_text())["derived_ephemeral"]
    key = derive_key_pair(bytes.fromhex(derived["ikmE_hex"]))
    assert private_hex(key) == derived["ephemeral_private_key_hex"]
    # enc is the ephemeral public key, and the first 32 bytes of sealed
    assert raw_public(key.public_key()).hex() == derived["ephemeral_public_key_hex"] \
        == derived["intermediate_hex"]["enc"] == unb64url(derived["envelope"]["sealed"])[:32].hex()


def test_it_opens_the_envelope_sealed_with_the_derived_ephemeral_key():
    vector = json.loads(VECTOR_FILE.read_text())
    server = X25519PrivateKey.from_private_bytes(bytes.fromhex(vector["server_private_key_hex"]))
    sealed = vector["derived_ephemeral"]["envelope"]["sealed"]
    assert open_entry(sealed, server, vector["entry"]["entry_id"],
                      vector["entry"]["device_id"]).decode() == vector["plaintext_utf8"]
    assert sealed != vector["envelope"]["sealed"]


def test_it_opens_what_the_apps_library_seals_and_vice_versa():
    """The hand-written RFC 9180 seal and the library's agree in both directions."""
    server = X25519PrivateKey.generate()
    document = build_vector()["entry"]
    sealed = seal_entry(document, raw_public(server.public_key()))
    assert json.loads(open_entry(sealed, server, document["entry_id"],
                                 document["device_id"])) == document
    assert len(unb64url(sealed)) == 32 + len(entry_plaintext(document)) + 16


if __name__ == "__main__":
    VECTOR_FILE.write_text(json.dumps(build_vector(), indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {VECTOR_FILE}")
