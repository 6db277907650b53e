"""Pseudonyms and the friendly aliases workers see. Pure: ``hmac`` and ``hashlib`` only."""

from __future__ import annotations

import hashlib
import hmac

# Animals and plants of Québec and France: neutral, easy to say on the phone, never a name.
_ALIASES = (
    "Renard",
    "Hibou",
    "Castor",
    "Loutre",
    "Héron",
    "Lynx",
    "Mésange",
    "Bouleau",
    "Érable",
    "Chevreuil",
    "Huard",
    "Colibri",
    "Saule",
    "Tilleul",
    "Lièvre",
    "Martre",
    "Pinson",
    "Goéland",
    "Sapin",
    "Marmotte",
    "Écureuil",
    "Orignal",
    "Carouge",
    "Hirondelle",
    "Fougère",
    "Bleuet",
    "Chêne",
    "Mouette",
    "Cerf",
    "Blaireau",
    "Grive",
    "Peuplier",
)


def pseudonym_for(key: bytes, user_id: int | str) -> str:
    """HMAC-SHA256 of the channel's user id under the deployment's secret key, as hex."""
    return hmac.new(key, str(user_id).encode("utf-8"), hashlib.sha256).hexdigest()


def alias_for(pseudonym: str) -> str:
    """A short, stable alias such as « Renard-42 », derived from the pseudonym alone."""
    digest = hashlib.sha256(pseudonym.encode("ascii")).digest()
    name = _ALIASES[digest[0] % len(_ALIASES)]
    number = int.from_bytes(digest[1:3], "big") % 100
    return f"{name}-{number:02d}"
