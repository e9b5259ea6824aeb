"""The `celery -A worker` target: the only place an app is built at import time."""

from worker.app import create_app
from worker.settings import get_settings

app = create_app(get_settings())
