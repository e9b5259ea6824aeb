import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator

from schemas.article import Article, Mention, article_id_for
from schemas.export import DIALECT, MODELS, SCHEMA_DIR, render
from schemas.job import JOB_ID_RULE, Job
from worker.decode import parse_envelope
from worker.demo import DEMO_JOBS
from worker.errors import BadInput
from worker.pipeline import InlineRun, run_inline
from worker.resources import Resources
from worker.settings import Settings


def schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def test_json_schema_files_match_the_models():
    """schemas/json/ is what the models export; run `python -m schemas.export` after a change."""
    for name in MODELS:
        expected = render(name)
        actual = (SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8")
        assert expected == actual, f"{name}.schema.json is stale"


def test_job_round_trips_through_json():
    """A job survives the wire unchanged, with its generated id and UTC time."""
    job = Job(content="<p>x</p>", url="https://example.org/a")
    again = Job.model_validate_json(job.model_dump_json())
    assert job == again
    assert again.submitted_at.tzinfo is not None
    assert again.options.extract is True


def test_article_ids_are_stable_and_distinct():
    """The same job and position give the same id; positions differ."""
    assert article_id_for("job-1", 0) == article_id_for("job-1", 0)
    assert article_id_for("job-1", 0) != article_id_for("job-1", 1)


def test_article_round_trip_keeps_entities():
    """Entities and regions survive a JSON round trip."""
    a = Article(
        article_id="j#0",
        job_id="j",
        position=0,
        text="Paris is big.",
        entities=[
            Mention(text="Paris", label="GPE", start=0, end=5, normalized="Paris", country="FR")
        ],
    )
    assert Article.model_validate(json.loads(a.model_dump_json())) == a


def test_every_schema_declares_its_dialect_and_a_stable_id():
    """A validator needs no guess: 2020-12, a distinct `$id`, and the schema itself is valid."""
    ids = set()
    for name in MODELS:
        doc = schema(name)
        assert doc["$schema"] == DIALECT
        ids.add(doc["$id"])
        Draft202012Validator.check_schema(doc)
    assert len(ids) == len(MODELS)


@pytest.mark.parametrize(
    ("content_type", "read_as"),
    [
        ("text/html; charset=utf-8", "text/html"),
        ("TEXT/PLAIN", "text/plain"),
        ("application/xhtml+xml;charset=ISO-8859-1", "text/html"),
    ],
)
def test_job_schema_and_worker_accept_content_type_parameters(content_type, read_as):
    """The README's `text/html; charset=utf-8` passes a producer's validator and the worker."""
    job = {"job_id": "a-1", "content": "<p>Hello</p>", "content_type": content_type}
    Draft202012Validator(schema("job")).validate(job)
    assert parse_envelope(job, max_bytes=10_000).content_type.value == read_as


@pytest.mark.parametrize("job_id", ["", "has space", "tab\there", "x" * 201])
def test_job_id_rule_is_the_same_in_schema_and_worker(job_id):
    """An id the schema refuses the worker refuses too, and its message states the rule."""
    job = {"job_id": job_id, "content": "<p>Hello</p>"}
    assert not Draft202012Validator(schema("job")).is_valid(job)
    with pytest.raises(BadInput) as err:
        parse_envelope(job, max_bytes=10_000)
    assert JOB_ID_RULE in str(err.value)
    assert JOB_ID_RULE in schema("job")["properties"]["job_id"]["description"]


def test_unsupported_content_type_is_refused_by_both():
    job = {"job_id": "a-2", "content": "x", "content_type": "application/pdf"}
    assert not Draft202012Validator(schema("job")).is_valid(job)
    with pytest.raises(BadInput, match="not supported"):
        parse_envelope(job, max_bytes=10_000)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(from_schema(schema("job")))
def test_every_envelope_the_job_schema_allows_is_accepted(envelope):
    """A producer that validates against job.schema.json never has a job refused at parse."""
    job = parse_envelope(envelope, max_bytes=10_000_000)
    assert job.content == envelope["content"]


def test_seed_and_demo_articles_validate_against_the_article_schema(seed_text):
    """What consumers receive passes a standard validator of article.schema.json."""
    jobs = [*DEMO_JOBS, {"job_id": "seed", "content": seed_text, "content_type": "text/plain"}]
    articles = list(run_inline(InlineRun(Resources(Settings())), jobs))
    assert len(articles) >= 4
    validator = Draft202012Validator(schema("article"))
    for article in articles:
        validator.validate(json.loads(article.model_dump_json()))
