"""Helpers to keep secrets out of logs."""


def redact(secret: str) -> str:
    """Return a printable stand-in for a secret: its length and last two characters."""
    if not secret:
        return "<empty>"
    return f"<redacted:{len(secret)}:..{secret[-2:]}>"
