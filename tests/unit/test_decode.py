import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.job import Job
from worker.decode import decode_content, parse_envelope
from worker.errors import BadInput, Reason

LIMIT = 10_000


def _outcome(fn):
    """'ok' when fn returns (and what it returned is usable), else the BadInput's reason."""
    try:
        result = fn()
    except BadInput as exc:
        return exc.reason
    return "ok" if not isinstance(result, str) or result.strip() else "blank"


def reason_of(raw, *, decode=False):
    def attempt():
        job = parse_envelope(raw, max_bytes=LIMIT)
        if decode:
            decode_content(job, max_bytes=LIMIT)

    with pytest.raises(BadInput) as info:
        attempt()
    return info.value


def test_invalid_json_is_named():
    """Broken JSON is an invalid envelope."""
    assert reason_of('{"content": ').reason is Reason.INVALID_ENVELOPE


def test_missing_field_is_named():
    """A missing content field is reported by name."""
    err = reason_of({"content_type": "text/html"})
    assert err.reason is Reason.INVALID_ENVELOPE
    assert "content" in err.message


def test_wrong_type_is_named():
    """A field of the wrong type is reported by name."""
    err = reason_of({"content": "x", "options": {"dedup": "perhaps"}})
    assert "options.dedup" in err.message


def test_unsupported_content_type():
    """Only HTML and plain text are accepted, and the message says so."""
    err = reason_of({"content": "x", "content_type": "application/pdf"})
    assert err.reason is Reason.UNSUPPORTED_TYPE
    assert "text/plain" in err.message


def test_content_type_parameters_are_accepted():
    """'text/html; charset=utf-8' is HTML."""
    job = parse_envelope(
        {"content": "x", "content_type": "text/html; charset=utf-8"}, max_bytes=LIMIT
    )
    assert job.content_type.value == "text/html"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("   \n\t ", Reason.EMPTY_CONTENT),
        ("x" * (LIMIT + 1), Reason.TOO_LARGE),
        ("\x00\x01\x02\x03" * 50, Reason.UNDECODABLE),
    ],
)
def test_bad_text_content(content, reason):
    """Empty, oversized and binary text each get their own reason."""
    assert (
        reason_of({"content": content, "content_type": "text/plain"}, decode=True).reason is reason
    )


def test_bad_base64_is_undecodable():
    """Content that claims base64 and is not."""
    env = {"content": "not base64!!", "content_encoding": "base64"}
    assert reason_of(env, decode=True).reason is Reason.UNDECODABLE


def test_latin1_bytes_are_decoded():
    """Bytes in another charset come back as the right text."""
    data = "Le président a visité Orléans et Besançon à l’été.".encode("cp1252") * 5
    job = Job(content=base64.b64encode(data).decode(), content_encoding="base64")
    assert "Besançon" in decode_content(job, max_bytes=LIMIT)


@given(st.binary(max_size=2000))
def test_any_bytes_end_as_text_or_a_reason(data):
    """Random bytes never crash decoding: they give text or a BadInput."""
    job = Job(content=base64.b64encode(data).decode(), content_encoding="base64")
    outcome = _outcome(lambda: decode_content(job, max_bytes=LIMIT))
    assert outcome in {Reason.EMPTY_CONTENT, Reason.UNDECODABLE, "ok"}


@given(
    st.dictionaries(
        st.text(max_size=10),
        st.one_of(st.none(), st.integers(), st.text(max_size=20), st.booleans()),
        max_size=6,
    )
)
def test_any_json_object_is_a_job_or_a_reason(data):
    """Arbitrary JSON objects never crash parsing."""
    outcome = _outcome(lambda: parse_envelope(json.dumps(data), max_bytes=LIMIT))
    assert outcome in {Reason.INVALID_ENVELOPE, Reason.UNSUPPORTED_TYPE, "ok"}


def test_control_characters_are_exactly_unicode_cc_and_cs():
    """The one-pass control pattern matches Unicode's Cc and Cs, less tab and line breaks."""
    import unicodedata

    from worker.decode import _ALLOWED_CONTROLS, _CONTROL

    for code in range(0x110000):
        c = chr(code)
        expected = unicodedata.category(c) in ("Cc", "Cs") and c not in _ALLOWED_CONTROLS
        assert bool(_CONTROL.match(c)) is expected, hex(code)
