"""The stages: pure functions on pydantic models, no Celery, no Redis."""
