"""The `celery -A worker` target: the only place an app is built at import time.

It uses COPYDESK_REDIS_URL, or the embedded server a running `copydesk worker` started.
"""

from worker.app import create_app
from worker.embedded import resolve_settings

app = create_app(resolve_settings())
