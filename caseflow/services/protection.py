"""Protected personal data: ID numbers and phones are stored encrypted, deduplicated by a keyed hash,
and shown masked. The key comes from CASEFLOW_DATA_KEY or a per-installation file in the instance folder."""

import base64
import hashlib
import hmac
import os
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet
from flask import current_app

from caseflow.domain.masking import mask_id, mask_phone  # noqa: F401 (the helpers services use)


@cache
def _keys(instance_path: str, configured: str | None) -> tuple[Fernet, bytes]:
    if configured:
        raw = hashlib.sha256(configured.encode()).digest()
    else:
        path = Path(instance_path, "data_key")
        if not path.exists():
            path.write_bytes(base64.urlsafe_b64encode(os.urandom(32)))
            path.chmod(0o600)
        raw = base64.urlsafe_b64decode(path.read_bytes())
    return Fernet(base64.urlsafe_b64encode(raw)), hashlib.sha256(b"caseflow-id-hash" + raw).digest()


def _current_keys() -> tuple[Fernet, bytes]:
    return _keys(current_app.instance_path, current_app.config.get("CASEFLOW_DATA_KEY"))


def id_hash(id_number: str) -> str:
    """Keyed hash of a normalised ID number: equal IDs collide, the number cannot be read back."""
    return hmac.new(_current_keys()[1], id_number.strip().upper().encode(), hashlib.sha256).hexdigest()


def encrypt(value: str) -> str:
    return _current_keys()[0].encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _current_keys()[0].decrypt(token.encode()).decode()


def encrypt_bytes(data: bytes) -> bytes:
    """A whole file encrypted with the data key (an uploaded ledger waiting for its commit)."""
    return _current_keys()[0].encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    return _current_keys()[0].decrypt(token)
