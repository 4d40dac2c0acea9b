"""WSGI entry point (gunicorn zhili.wsgi). Serious system checks (e.g. zhili.E001: demo accounts in a
production deployment) refuse to start the process, as runserver would."""

import os

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")
application = get_wsgi_application()

_serious = [message for message in checks.run_checks(include_deployment_checks=False) if message.is_serious()]
if _serious:
    raise ImproperlyConfigured("; ".join(f"{m.id}: {m.msg}" for m in _serious))
