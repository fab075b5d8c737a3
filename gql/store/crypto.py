"""Credentials are encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

import base64
import json
import logging
import os
from datetime import datetime
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from providers.domain import Credentials

log = logging.getLogger(__name__)


def fernet_from_secret(secret: str) -> Fernet:
    """Any operator secret becomes a Fernet key through HKDF (a Fernet key is used as is)."""
    try:
        return Fernet(secret.encode())
    except ValueError:
        key = HKDF(hashes.SHA256(), 32, salt=b"crmgraph", info=b"credentials").derive(
            secret.encode()
        )
        return Fernet(base64.urlsafe_b64encode(key))


def key_file_secret(path: Path) -> str:
    """A generated secret kept beside the database, when the operator gave none."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = Fernet.generate_key().decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret)
    log.warning("CRMGRAPH_SECRET_KEY is not set: generated a key in %s", path)
    return secret


class CredentialCipher:
    def __init__(self, fernet: Fernet) -> None:
        self._fernet = fernet

    def encrypt(self, credentials: Credentials) -> bytes:
        plain = json.dumps(
            {
                "access_token": credentials.access_token,
                "refresh_token": credentials.refresh_token,
                "client_id": credentials.client_id,
                "client_secret": credentials.client_secret,
                "expires_at": (
                    credentials.expires_at.isoformat() if credentials.expires_at else None
                ),
            }
        ).encode()
        return self._fernet.encrypt(plain)

    def decrypt(self, token: bytes) -> Credentials:
        try:
            fields = json.loads(self._fernet.decrypt(token))
        except InvalidToken as exc:
            raise RuntimeError(
                "stored credentials cannot be decrypted with this secret key"
            ) from exc
        expires = fields.pop("expires_at", None)
        return Credentials(
            **fields, expires_at=datetime.fromisoformat(expires) if expires else None
        )
