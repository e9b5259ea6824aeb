"""The classify stage: which continents an article is about, with scores.

Evidence, strongest first: the dateline's place; places in the title; places in the first
paragraphs; places further down, demonyms and bodies with a clear home. Each place mention adds
its weight to its country; each country's weight goes to its continent (and to the Middle East
overlay). A region's score is its share of all the evidence or, when higher, what its own
evidence is worth alone (1 - exp(-weight / EVIDENCE_SCALE)), so a second country named in the
lead still counts beside a strong dateline; the primary region has the most evidence, and
`regions` lists those at or above the threshold, best first. A continent's probability is the
average of an isotonic map of its raw score and a logistic model over its evidence (how much,
of which kind, from how many countries, its share and rank), both fitted on the English and
non-English region dev splits by `make train-regions`; the Middle East overlay has the
isotonic map only.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from schemas.article import Article, CountryWeight, Region, RegionScore
from worker.gazetteer import MIDDLE_EAST, REGION_NAMES, Gazetteer, fold
from worker.stages.entities import dateline_country, dateline_span, places_in_text
from worker.stages.textdump import DATELINE as DATELINE_START
from worker.stages.textdump import all_caps

_CAPITALISED = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3}")


MODEL_FILE = Path(__file__).with_name("region_model.json")
CONTINENTS = tuple(r for r in Region if r is not Region.MIDDLE_EAST)
EVIDENCE_SCALE = 7.0  # weight at which a region's own evidence scores 1 - 1/e
# Where a place's weight came from (see RegionConfig for each one's weight).
EVIDENCE_KINDS = ("dateline", "title", "lead", "body", "demonym", "org_place", "region_name")


def fit_isotonic(pairs: Sequence[tuple[float, int]]) -> tuple[list[float], list[float]]:
    """Pool-adjacent-violators: a non-decreasing step map from raw score to observed rate.

    Returns knots (x, y): each pooled block's mean raw score and its rate of positives.
    """
    blocks: list[list[float]] = []  # [sum of x, positives, count]
    for x, y in sorted(pairs):
        blocks.append([x, float(y), 1.0])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            last = blocks.pop()
            for i in range(3):
                blocks[-1][i] += last[i]
    return [b[0] / b[2] for b in blocks], [b[1] / b[2] for b in blocks]


def interpolate(knots: tuple[Sequence[float], Sequence[float]], raw: float) -> float:
    """An isotonic map's value at `raw`: linear between knots, flat beyond the first and last.

    Without knots (or for no evidence) the raw score itself.
    """
    xs, ys = knots
    if raw <= 0.0 or not xs:
        return raw
    i = bisect.bisect_right(xs, raw)
    if i == 0:
        return ys[0]
    if i == len(xs):
        return ys[-1]
    x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
    return y0 + (y1 - y0) * (raw - x0) / (x1 - x0) if x1 > x0 else y1


def blend(mapped: float, logistic: float, share: float) -> float:
    """The two estimates averaged, `share` on the logistic one."""
    return (1.0 - share) * mapped + share * logistic


class ModelMismatchError(RuntimeError):
    """The region model file was fitted on other features than this code computes."""


@dataclass(frozen=True)
class RegionModel:
    """How often an article with this evidence for a region is about it.

    Two estimates, averaged with weight `blend` on the second: a per-region isotonic map of
    the raw score (`isotonic`: knots), and a logistic regression over the evidence's makeup
    (`FEATURES`, standardised by `mean` and `scale`), which carries across languages and page
    styles. The Middle East overlay has the isotonic map only. Fitted by `make train-regions`.
    """

    isotonic: dict[str, tuple[tuple[float, ...], tuple[float, ...]]]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    blend: float

    def probability(self, ev: RegionEvidence, region: Region) -> float:
        """The probability that the article is about `region`, given its evidence."""
        mapped = interpolate(self.isotonic.get(region.value, ((), ())), ev.scores.get(region, 0.0))
        if region is Region.MIDDLE_EAST:
            return mapped
        return blend(mapped, self.logistic(ev, region), self.blend)

    def logistic(self, ev: RegionEvidence, region: Region) -> float:
        """The logistic model's probability alone."""
        z = self.intercept + sum(
            c * (x - m) / s
            for c, x, m, s in zip(
                self.coef, region_features(ev, region), self.mean, self.scale, strict=True
            )
        )
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> RegionModel:
        """The shipped model (written by `make train-regions`)."""
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ModelMismatchError(f"{path.name} has other features: run make train-regions")
        return cls(
            isotonic={r: (tuple(k["x"]), tuple(k["y"])) for r, k in data["isotonic"].items()},
            mean=tuple(data["mean"]),
            scale=tuple(data["scale"]),
            coef=tuple(data["coef"]),
            intercept=float(data["intercept"]),
            blend=float(data["blend"]),
        )


@dataclass(frozen=True)
class RegionConfig:
    """Weights and threshold of the classifier."""

    threshold: float = 0.3
    dateline: float = 4.0
    title: float = 2.0
    lead: float = 1.5  # first two paragraphs
    body: float = 1.0
    demonym: float = 0.5  # times the weight of the position
    region_name: float = 0.5
    lead_chars: int = 600
    org_place: float = 0.5  # a place inside an organisation's name, times the position weight
    primary_dateline: float = 4.0  # extra weight of the dateline's region when choosing primary
    home_language: float = 1.0  # evidence for a language's home region when no place is named
    model: RegionModel | None = None  # probabilities; without one, the raw scores are listed


def _places_in(
    text: str, gazetteer: Gazetteer, language: str | None = None
) -> list[tuple[int, str | None, Region | None]]:
    """(offset, country, region name) of gazetteer places in text, for untagged text."""
    if language not in (None, "en"):
        return [
            (m.start, m.country, gazetteer.region_name(m.text, language))
            for m in places_in_text(text, language, gazetteer)
        ]
    out: list[tuple[int, str | None, Region | None]] = []
    for m in _CAPITALISED.finditer(text):
        words = m.group(0).split()
        for n in range(len(words), 0, -1):
            name = " ".join(words[:n]).rstrip(".,")
            country = gazetteer.country(name)
            region = REGION_NAMES.get(fold(name))
            if country or region:
                out.append((m.start(), country, region))
                break
    return out


def headline(article: Article) -> str:
    """The article's title; without one, a first line in capitals (wire copy's headline)."""
    if article.title:
        return article.title
    first = article.text.lstrip().split("\n", 1)[0]
    if not all_caps(first) or len(first.split()) > 20 or DATELINE_START.match(first):
        return ""
    return " ".join(w if len(w) <= 3 and "." in w else w.title() for w in first.split())


def _place_inside(name: str, gazetteer: Gazetteer) -> str | None:
    """The country of the longest place named anywhere inside an organisation's name."""
    words = [w.strip(".,()'’") for w in name.split()]
    for n in range(min(4, len(words)), 0, -1):
        for i in range(len(words) - n + 1):
            part = words[i : i + n]
            if part[0][:1].isupper() and (c := gazetteer.country(" ".join(part))):
                return c
    return None


@dataclass
class _Evidence:
    """Weights gathered for countries, and for regions named without a country, by kind."""

    countries: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    regions: dict[Region, float] = field(default_factory=lambda: defaultdict(float))
    kinds: dict[str | Region, dict[str, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )
    mentions: dict[str | Region, int] = field(default_factory=lambda: defaultdict(int))

    def add(
        self,
        country: str | None,
        region: Region | None,
        weight: float,
        kind: str,
        cfg: RegionConfig,
    ) -> None:
        if country:
            self.countries[country] += weight
            self.kinds[country][kind] += weight
            self.mentions[country] += 1
        elif region is not None:
            self.regions[region] += weight * cfg.region_name
            self.kinds[region]["region_name"] += weight * cfg.region_name
            self.mentions[region] += 1


def _position(offset: int, cfg: RegionConfig) -> tuple[float, str]:
    """The weight and kind of a place at `offset`: in the lead or further down."""
    return (cfg.lead, "lead") if offset < cfg.lead_chars else (cfg.body, "body")


def _add_entities(ev: _Evidence, article: Article, gazetteer: Gazetteer, cfg: RegionConfig) -> None:
    """The tagged places, demonyms and bodies named after a place (the dateline counted apart)."""
    dateline = dateline_span(article)
    for m in article.entities:
        if (m.start, m.end) == dateline:
            continue
        w, kind = _position(m.start, cfg)
        if m.label == "NORP":
            w, kind = w * cfg.demonym, "demonym"
        region = gazetteer.region_name(m.text, article.language)
        if m.label == "ORG" and m.country is None and region is None:
            # 'Football Kenya Federation', 'Bank Windhoek', 'Air France': a body named after a
            # place is evidence for it, at a fraction of a place's weight.
            if c := _place_inside(m.text, gazetteer):
                ev.add(c, None, w * cfg.org_place, "org_place", cfg)
            continue
        ev.add(m.country, region, w, kind, cfg)


def _evidence(
    article: Article, gazetteer: Gazetteer, cfg: RegionConfig, dateline_place: str | None
) -> _Evidence:
    ev = _Evidence()
    if dateline_place:
        ev.add(dateline_place, None, cfg.dateline, "dateline", cfg)
    for _, c, r in _places_in(headline(article), gazetteer, article.language):
        ev.add(c, r, cfg.title, "title", cfg)
    if article.entities:
        _add_entities(ev, article, gazetteer, cfg)
    else:
        for offset, c, r in _places_in(article.text, gazetteer, article.language):
            ev.add(c, r, *_position(offset, cfg), cfg)
    return ev


@dataclass(frozen=True)
class RegionEvidence:
    """An article's raw region scores and the evidence behind them, per region."""

    scores: dict[Region, float]
    weights: dict[Region, float]
    countries: dict[str, float]
    dateline: Region | None = None
    kinds: dict[Region, dict[str, float]] = field(default_factory=dict)
    named: dict[Region, int] = field(default_factory=dict)  # distinct countries
    mentions: dict[Region, int] = field(default_factory=dict)
    chars: int = 0


FEATURES = (
    "raw_score",
    "log_weight",
    "share",
    "own_worth",
    "dateline_here",
    "dateline_elsewhere",
    *(f"log_{kind}" for kind in EVIDENCE_KINDS),
    "log_countries",
    "log_mentions",
    "is_top",
    "rank",
    "log_chars",
    "regions_with_evidence",
    *(f"is_{r.name.lower()}" for r in CONTINENTS),
)


def region_features(ev: RegionEvidence, region: Region) -> list[float]:
    """What the region model reads about one continent's evidence (in `FEATURES` order).

    Language-independent: amounts and kinds of evidence, never the article's language.
    """
    weights: dict[Region, float] = {
        r: w for r, w in ev.weights.items() if r is not Region.MIDDLE_EAST
    }
    w = weights.get(region, 0.0)
    total = sum(weights.values()) or 1.0
    kinds = ev.kinds.get(region, {})
    return [
        ev.scores.get(region, 0.0),
        math.log1p(w),
        w / total,
        1.0 - math.exp(-w / EVIDENCE_SCALE),
        float(ev.dateline is region),
        float(ev.dateline is not None and ev.dateline is not region),
        *(math.log1p(kinds.get(kind, 0.0)) for kind in EVIDENCE_KINDS),
        math.log1p(ev.named.get(region, 0)),
        math.log1p(ev.mentions.get(region, 0)),
        float(w >= max(weights.values(), default=0.0)),
        float(sum(1 for other in weights.values() if other > w)),
        math.log(ev.chars + 100),
        float(len(weights)),
        *(float(region is r) for r in CONTINENTS),
    ]


def region_evidence(article: Article, *, gazetteer: Gazetteer, cfg: RegionConfig) -> RegionEvidence:
    """Raw scores: a region's share of the evidence or, when higher, its own evidence's worth."""
    place = dateline_country(article, gazetteer)
    ev = _evidence(article, gazetteer, cfg, place)
    countries, region_weight = ev.countries, ev.regions
    dateline = gazetteer.region(place) if place else None
    kinds: dict[Region, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    named: dict[Region, int] = defaultdict(int)
    mentions: dict[Region, int] = defaultdict(int)
    for region in ev.regions:
        kinds[region].update(ev.kinds[region])
        mentions[region] += ev.mentions[region]
    for country, w in countries.items():
        if (r := gazetteer.region(country)) is not None:
            region_weight[r] += w
            for kind, kw in ev.kinds[country].items():
                kinds[r][kind] += kw
            named[r] += 1
            mentions[r] += ev.mentions[country]
        if country in MIDDLE_EAST:
            region_weight[Region.MIDDLE_EAST] += w
    continental = {r: w for r, w in region_weight.items() if r is not Region.MIDDLE_EAST}
    total = sum(continental.values())
    home = gazetteer.home_region.get(article.language or "")
    if total == 0 and home is not None and article.language != "en":
        # No place named at all: a story in a language spoken almost only in one region is
        # most likely about that region (a local German story names only its street).
        region_weight[home] = total = cfg.home_language
    if total == 0:
        return RegionEvidence({}, {}, dict(countries))
    # A second country named in the lead is a second region even beside a strong dateline.
    scores = {
        r: min(1.0, max(w / total, 1.0 - math.exp(-w / EVIDENCE_SCALE)))
        for r, w in region_weight.items()
    }
    return RegionEvidence(
        scores,
        dict(region_weight),
        dict(countries),
        dateline,
        kinds={r: dict(k) for r, k in kinds.items()},
        named=dict(named),
        mentions=dict(mentions),
        chars=len(article.text),
    )


def classify_region(article: Article, *, gazetteer: Gazetteer, cfg: RegionConfig) -> Article:
    """The article with `regions`, `primary_region` and `countries` filled in."""
    ev = region_evidence(article, gazetteer=gazetteer, cfg=cfg)
    if not ev.scores:
        return article.model_copy(update={"regions": [], "primary_region": None, "countries": []})
    calibrated = {r: cfg.model.probability(ev, r) if cfg.model else s for r, s in ev.scores.items()}
    ranked = sorted(calibrated.items(), key=lambda kv: (-kv[1], -ev.weights[kv[0]]))
    continental = [r for r in ev.weights if r is not Region.MIDDLE_EAST]
    # Where the story is filed weighs more for the primary region than for the scores.
    bonus = {ev.dateline: cfg.primary_dateline} if ev.dateline else {}
    primary = max(continental, key=lambda r: (ev.weights[r] + bonus.get(r, 0.0), calibrated[r]))
    country_total = sum(ev.countries.values()) or 1.0
    return article.model_copy(
        update={
            "regions": [
                RegionScore(region=r, score=round(p, 4)) for r, p in ranked if p >= cfg.threshold
            ],
            "primary_region": primary,
            "countries": [
                CountryWeight(country=c, weight=round(w / country_total, 4))
                for c, w in sorted(ev.countries.items(), key=lambda kv: -kv[1])
            ],
        }
    )


def classify(
    articles: Sequence[Article], *, gazetteer: Gazetteer, cfg: RegionConfig
) -> list[Article]:
    """Every article classified."""
    return [classify_region(a, gazetteer=gazetteer, cfg=cfg) for a in articles]
