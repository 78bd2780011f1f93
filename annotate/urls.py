from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("annotate.api_urls")),
    path("", include("frontend.urls")),
]

handler404 = "annotate.core.views.not_found"
handler500 = "annotate.core.views.server_error"
