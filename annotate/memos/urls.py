from django.urls import path

from .apis import MemoDetailApi, MemoListApi

urlpatterns = [
    path("memos/", MemoListApi.as_view(), name="memo-list"),
    path("memos/<int:memo_id>/", MemoDetailApi.as_view(), name="memo-detail"),
]
