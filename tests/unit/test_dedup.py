from hypothesis import given
from hypothesis import strategies as st

from schemas.article import Article
from worker.stages.dedup import MemoryDedupIndex, dedup, fingerprint

TEXT = "The council voted on Tuesday to close the bridge for repairs — for “at least” six weeks."


def art(job, text, pos=0):
    return Article(article_id=f"{job}#{pos}", job_id=job, position=pos, text=text)


def test_typography_and_case_do_not_change_the_fingerprint():
    """Quotes, dashes, case and spacing differences are the same text."""
    variant = (
        'THE  council voted on Tuesday to close the bridge for repairs - for "at least" six weeks.'
    )
    assert fingerprint(TEXT) == fingerprint(variant)


def test_different_words_change_the_fingerprint():
    """A changed word is a different text."""
    assert fingerprint(TEXT) != fingerprint(TEXT.replace("six", "seven"))


@given(st.text(min_size=1, max_size=200))
def test_fingerprint_ignores_surrounding_white_space(text):
    """White space around and inside is never significant."""
    assert fingerprint(text) == fingerprint(f"  {text}\n")


def test_second_copy_points_at_the_first():
    """The later copy is marked with the first article's id; the first is an original."""
    index = MemoryDedupIndex()
    (first,) = dedup([art("a", TEXT)], index=index)
    (second,) = dedup([art("b", TEXT.upper())], index=index)
    assert first.duplicate_of is None
    assert second.duplicate_of == "a#0"
    assert second.similarity == 1.0


def test_a_redelivered_job_is_not_its_own_duplicate():
    """Processing the same job twice keeps it an original."""
    index = MemoryDedupIndex()
    dedup([art("a", TEXT)], index=index)
    (again,) = dedup([art("a", TEXT)], index=index)
    assert again.duplicate_of is None
