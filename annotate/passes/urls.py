from django.urls import path

from .apis import SecondaryPassApi

urlpatterns = [
    path("secondary-passes/", SecondaryPassApi.as_view(), name="secondary-pass-list"),
]
