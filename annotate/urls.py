from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("annotate.api_urls")),
    path("", include("frontend.urls")),
]
