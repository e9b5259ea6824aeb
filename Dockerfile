# The copydesk worker image. Dependencies come from uv.lock (the spaCy model is a locked,
# hash-pinned wheel), so the image holds exactly what the tests ran against.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH="/app/.venv/bin:$PATH"

RUN pip install --no-cache-dir "uv>=0.5"
WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project

COPY schemas ./schemas
COPY worker ./worker
RUN uv sync --frozen --no-dev && useradd --create-home --uid 10001 copydesk
USER copydesk

# SIGTERM starts Celery's warm shutdown: the task in hand finishes, no new one is taken.
STOPSIGNAL SIGTERM
CMD ["copydesk", "worker"]
