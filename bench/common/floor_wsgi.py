"""The project under gunicorn with the page benchmark's floor view added (bench/common/floor_urls.py)."""

from django.conf import settings
from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
settings.ROOT_URLCONF = "common.floor_urls"  # read per request by the resolver
