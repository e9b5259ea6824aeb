"""copydesk's errors: permanent (dead-letter now) and transient (retry)."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why a job could not be processed: one code in the dead letter, the log and metrics."""

    INVALID_ENVELOPE = "invalid_envelope"
    EMPTY_CONTENT = "empty_content"
    TOO_LARGE = "too_large"
    UNDECODABLE = "undecodable"
    UNSUPPORTED_TYPE = "unsupported_type"
    UNPARSABLE = "unparsable"
    HOSTILE = "hostile"
    BLOB_MISSING = "blob_missing"
    POISON = "poison"
    RETRIES_EXHAUSTED = "retries_exhausted"


class CopydeskError(Exception):
    """Base of copydesk's own errors."""


class BadInput(CopydeskError):  # noqa: N818 - the name says what it is, as dramatiq's do
    """Input that can never be processed: dead-letter it, do not retry."""

    def __init__(self, reason: Reason, message: str) -> None:
        """Carry a stable reason code and a message a person can act on."""
        super().__init__(message)
        self.reason = reason
        self.message = message


class TransientError(CopydeskError):
    """A failure that may pass: retry."""
