"""The ASGI application: in production only the dashboard's event streams are served this way (the
``events`` service of docker-compose.yml), behind a gate on the requests starting at once
(``annotate/core/asgi_gate.py``)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotate.settings.local")
django_application = get_asgi_application()

from django.conf import settings  # noqa: E402  (settings are read once Django is set up)

from annotate.core.asgi_gate import RequestStartGate  # noqa: E402

application = RequestStartGate(django_application, limit=settings.INTERCODER_ASGI_STARTING_REQUESTS)
