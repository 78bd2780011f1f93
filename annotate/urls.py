from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("annotate.api_urls")),
    # Single sign-on (OpenID Connect): /oidc/authenticate/ and /oidc/callback/; 404 unless it is switched on.
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("", include("frontend.urls")),
]

handler404 = "annotate.core.views.not_found"
handler500 = "annotate.core.views.server_error"
