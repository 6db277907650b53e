"""Encryption of the chat address (Fernet: AES-128-CBC + HMAC-SHA256, from ``cryptography``)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


class AddressCipher:
    """Encrypts and decrypts channel addresses with the deployment's key."""

    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode("ascii"))

    def encrypt(self, address: str) -> bytes:
        """Ciphertext for ``address``."""
        return self._fernet.encrypt(address.encode("utf-8"))

    def decrypt(self, ciphertext: bytes) -> str | None:
        """The address, or None if the key changed (the address is then unusable)."""
        try:
            return self._fernet.decrypt(ciphertext).decode("utf-8")
        except InvalidToken:
            return None


def generate_key() -> str:
    """A fresh Fernet key, as text."""
    return Fernet.generate_key().decode("ascii")
