"""copydesk: the Celery worker, its stages and its command line."""
