"""RFC 9180 base mode, DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-128-GCM, written out
from the RFC with a chosen ephemeral key. It exists to make deterministic test vectors and
to check, independently of the library the server uses, that the server opens what any
correct implementation seals."""
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

KEM_ID, KDF_ID, AEAD_ID = 0x0020, 0x0001, 0x0001
KEM_SUITE = b"KEM" + struct.pack(">H", KEM_ID)
HPKE_SUITE = b"HPKE" + struct.pack(">HHH", KEM_ID, KDF_ID, AEAD_ID)


def extract(salt: bytes, ikm: bytes) -> bytes:
    return hmac.new(salt or b"\x00" * 32, ikm, hashlib.sha256).digest()


def expand(prk: bytes, info: bytes, length: int) -> bytes:
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out, counter = out + block, counter + 1
    return out[:length]


def labeled_extract(suite, salt, label: bytes, ikm: bytes) -> bytes:
    return extract(salt, b"HPKE-v1" + suite + label + ikm)


def labeled_expand(suite, prk, label: bytes, info: bytes, length: int) -> bytes:
    return expand(prk, struct.pack(">H", length) + b"HPKE-v1" + suite + label + info, length)


def raw_public(key) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def derive_key_pair(ikm: bytes) -> X25519PrivateKey:
    """RFC 9180 section 7.1.3, DeriveKeyPair for X25519: what libraries' test hooks take
    (`ikmE` in the RFC's own vectors) to fix the ephemeral key."""
    if len(ikm) < 32:
        raise ValueError("DeriveKeyPair needs at least 32 bytes of input keying material")
    dkp_prk = labeled_extract(KEM_SUITE, b"", b"dkp_prk", ikm)
    return X25519PrivateKey.from_private_bytes(labeled_expand(KEM_SUITE, dkp_prk, b"sk",
                                                              b"", 32))


def seal_with_ephemeral(recipient_public: bytes, ephemeral: X25519PrivateKey, info: bytes,
                        plaintext: bytes) -> dict:
    enc = raw_public(ephemeral.public_key())
    dh = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public))
    eae_prk = labeled_extract(KEM_SUITE, b"", b"eae_prk", dh)
    shared_secret = labeled_expand(KEM_SUITE, eae_prk, b"shared_secret",
                                   enc + recipient_public, 32)
    psk_id_hash = labeled_extract(HPKE_SUITE, b"", b"psk_id_hash", b"")
    info_hash = labeled_extract(HPKE_SUITE, b"", b"info_hash", info)
    context = b"\x00" + psk_id_hash + info_hash  # mode_base
    secret = labeled_extract(HPKE_SUITE, shared_secret, b"secret", b"")
    key = labeled_expand(HPKE_SUITE, secret, b"key", context, 16)
    base_nonce = labeled_expand(HPKE_SUITE, secret, b"base_nonce", context, 12)
    ciphertext = AESGCM(key).encrypt(base_nonce, plaintext, b"")  # sequence 0: the nonce
    return {"shared_secret": shared_secret, "key": key, "base_nonce": base_nonce,
            "enc": enc, "ciphertext": ciphertext, "sealed": enc + ciphertext}
