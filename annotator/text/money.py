"""Estimated costs as people read them: dollars, with enough digits that a
small amount is never shown as nothing."""

from __future__ import annotations


def cost(usd: float) -> str:
    """``0`` -> ``"$0"``, ``0.000041`` -> ``"$0.000041"``, ``0.0028`` -> ``"$0.0028"``,
    ``1.254`` -> ``"$1.25"``."""
    if usd == 0:
        return "$0"
    if usd < 0.0001:
        return f"${usd:.6f}"
    if usd < 0.01:
        return f"${usd:.4f}"
    return f"${usd:.2f}"
