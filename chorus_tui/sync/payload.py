"""Helpers of a deposit: the attachment name, the flow syntax and the digest journaled with each attempt."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from chorus_tui.domain import DepositForm

# Chorus Pro refuses attachment names longer than 50 characters, extension included.
MAX_ATTACHMENT_NAME = 50
FACTURX_FLOW_SYNTAX = "IN_DP_E2_CII_FACTURX"


def attachment_name(path: Path) -> str:
    """Return the file name to upload, shortened to 50 characters while keeping the extension."""
    name = path.name
    if len(name) <= MAX_ATTACHMENT_NAME:
        return name
    suffix = path.suffix[:10]
    return path.stem[: MAX_ATTACHMENT_NAME - len(suffix)] + suffix


def payload_digest(form: DepositForm, content: bytes | None) -> str:
    """Return a SHA-256 of the confirmed form and the file, recorded with each attempt for audit."""
    digest = hashlib.sha256()
    digest.update(json.dumps(asdict(form), sort_keys=True, default=str, ensure_ascii=False).encode("utf-8"))
    if content is not None:
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()
