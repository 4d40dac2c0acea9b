"""WSGI entry point (gunicorn zhili.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")
application = get_wsgi_application()
