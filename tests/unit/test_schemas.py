import json

from schemas.article import Article, Mention, article_id_for
from schemas.export import MODELS, SCHEMA_DIR, render
from schemas.job import Job


def test_json_schema_files_match_the_models():
    """schemas/json/ is what the models export; run `python -m schemas.export` after a change."""
    for name, model in MODELS.items():
        expected = render(model)
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
