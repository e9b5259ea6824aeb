"""The article record: what lands on the output stream."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from schemas.job import SCHEMA_VERSION


class Region(StrEnum):
    """Continents (the labelling convention of the region eval) and the Middle East overlay."""

    AFRICA = "Africa"
    ASIA = "Asia"
    EUROPE = "Europe"
    NORTH_AMERICA = "North America"
    SOUTH_AMERICA = "South America"
    OCEANIA = "Oceania"
    MIDDLE_EAST = "Middle East"


class Mention(BaseModel):
    """One entity mention: offsets index the article's `text` (end exclusive)."""

    model_config = ConfigDict(frozen=True)

    text: str
    label: str = Field(description="PERSON, ORG, GPE, LOC, FAC, NORP (spaCy's OntoNotes labels).")
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    normalized: str = Field(description="The canonical name this mention resolves to.")
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2, for places.")


class EntitySummary(BaseModel):
    """One canonical entity of an article with how often it is mentioned."""

    model_config = ConfigDict(frozen=True)

    name: str
    label: str
    count: int = Field(ge=1)
    country: str | None = None


class RegionScore(BaseModel):
    """A region with a score in 0..1."""

    model_config = ConfigDict(frozen=True)

    region: Region
    score: float = Field(ge=0.0, le=1.0)


class CountryWeight(BaseModel):
    """A country the article is about, with the share of place evidence that points at it."""

    model_config = ConfigDict(frozen=True)

    country: str = Field(description="ISO 3166-1 alpha-2.")
    weight: float = Field(ge=0.0, le=1.0)


class Article(BaseModel):
    """One clean article found in a job's blob, enriched stage by stage."""

    model_config = ConfigDict(frozen=True)

    schema_version: int = SCHEMA_VERSION
    article_id: str = Field(description="Stable: the same job always gives the same ids.")
    job_id: str
    position: int = Field(ge=0, description="Order of the article in its blob.")
    url: str | None = None
    source: str | None = None
    title: str | None = None
    dateline: str | None = None
    summary: str | None = None
    author: str | None = None
    published: str | None = None
    text: str
    language: str | None = None
    fingerprint: str | None = Field(default=None, description="Hash of the normalised text.")
    entities: list[Mention] = Field(default_factory=list)
    entities_source: str | None = Field(
        default=None,
        description="Which tagger found the entities: 'model:<pipeline>' (people, organisations "
        "and places) or 'gazetteer' (places only, for a language without a model); None when "
        "the article was not tagged.",
    )
    entity_summary: list[EntitySummary] = Field(default_factory=list)
    regions: list[RegionScore] = Field(default_factory=list, description="Best first.")
    primary_region: Region | None = None
    countries: list[CountryWeight] = Field(default_factory=list)
    duplicate_of: str | None = Field(default=None, description="article_id of the original.")
    similarity: float | None = Field(default=None, ge=0.0, le=1.0)
    timings_ms: dict[str, float] = Field(default_factory=dict, description="Per stage.")


def article_id_for(job_id: str, position: int) -> str:
    """The stable id of the article at `position` in job `job_id`."""
    return f"{job_id}#{position}"
