import numpy as np
from datasketch import MinHash
from hypothesis import given
from hypothesis import strategies as st

from schemas.article import Article
from worker.stages.dedup import DedupConfig, MemoryDedupIndex, dedup, fingerprint, minhash

CFG = DedupConfig()
TEXT = "The council voted on Tuesday to close the bridge for repairs — for “at least” six weeks."
STORY = (
    "The harbour authority in Valletta said on Monday that cruise ship arrivals rose by a fifth "
    "this year, helped by new berths at the Grand Harbour and a longer season. Officials said "
    "more than nine hundred thousand passengers came ashore, most of them from Italy, Germany "
    "and Britain. Shop owners in the old city welcomed the figures but said that crowds on "
    "narrow streets had become a problem on days when three ships docked at once. The authority "
    "plans to cap arrivals at two large ships a day from next spring, a spokesman said. Local "
    "councils have asked for part of the port fees to pay for cleaning and for extra buses."
)


def art(job, text, pos=0):
    return Article(article_id=f"{job}#{pos}", job_id=job, position=pos, text=text)


def run(*texts):
    index = MemoryDedupIndex()
    return [dedup([art(f"j{i}", t)], index=index, cfg=CFG)[0] for i, t in enumerate(texts)]


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


def test_second_exact_copy_points_at_the_first():
    """The later copy is marked with the first article's id; the first is an original."""
    first, second = run(TEXT, TEXT.upper())
    assert first.duplicate_of is None
    assert (second.duplicate_of, second.similarity) == ("j0#0", 1.0)


def test_a_rewrite_with_a_sentence_dropped_and_one_added_is_a_near_copy():
    """A wire update (one sentence gone, one new) is flagged with its similarity."""
    sentences = STORY.split(". ")
    rewrite = ". ".join(sentences[:2] + sentences[3:]) + ". The ministry declined to comment."
    _, copy = run(STORY, rewrite)
    assert copy.duplicate_of == "j0#0"
    assert 0.35 <= copy.similarity < 1.0


def test_a_different_story_on_the_same_subject_is_not_a_copy():
    """Sharing a topic and some words is not being a copy."""
    other = (
        "The harbour authority in Valletta said on Monday that cargo traffic fell this year as "
        "two shipping lines moved their hubs to Sicily. Dock workers fear job losses and their "
        "union called a meeting for Thursday. The authority said it was talking to three other "
        "lines about new routes to North Africa and expected volumes to recover by the summer."
    )
    assert [a.duplicate_of for a in run(STORY, other)] == [None, None]


def test_a_copy_of_a_copy_points_at_the_first_original():
    """Chains of copies all point at the one original."""
    copy = STORY.replace("Monday", "Tuesday")
    again = copy.replace("a fifth", "twenty percent")
    assert [a.duplicate_of for a in run(STORY, copy, again)] == [None, "j0#0", "j0#0"]


def test_a_redelivered_job_is_not_its_own_duplicate():
    """Processing the same job twice keeps it an original; a redelivered copy stays a copy."""
    index = MemoryDedupIndex()
    dedup([art("a", STORY)], index=index, cfg=CFG)
    dedup([art("b", STORY.replace("Monday", "Friday"))], index=index, cfg=CFG)
    (again,) = dedup([art("a", STORY)], index=index, cfg=CFG)
    (copy_again,) = dedup([art("b", STORY.replace("Monday", "Friday"))], index=index, cfg=CFG)
    assert again.duplicate_of is None
    assert copy_again.duplicate_of == "a#0"


@given(
    st.sets(st.binary(min_size=1, max_size=40), max_size=60),
    st.sampled_from([16, 64, 128]),
    st.integers(min_value=0, max_value=5),
)
def test_minhash_values_equal_datasketch(items, num_perm, seed):
    """Signatures already in Redis stay comparable: our MinHash is datasketch's, value for value."""
    reference = MinHash(num_perm=num_perm, seed=seed)
    reference.update_batch(list(items))
    assert np.array_equal(minhash(items, num_perm, seed), reference.hashvalues)
