"""Handoff cases, relayed-message map and the append-only audit log (filled by the handoff work)."""
