"""Error pages for requests that never reach a DRF view (e.g. a URL that matches no route): the API
answers in JSON like every other API error; the web UI keeps Django's HTML pages."""

from django.http import JsonResponse
from django.views import defaults


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse(
            {
                "detail": f"Not found: no API resource at {request.path}. Check the URL and that its ids are numbers."
            },
            status=404,
        )
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": "The server hit an unexpected error; it has been logged."}, status=500)
    return defaults.server_error(request)
