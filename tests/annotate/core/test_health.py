import pytest
from django.db import connection


def test_health_reports_database_and_broker(db, client):
    response = client.get("/api/v1/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert set(body) == {"status", "database", "broker", "workers"}


@pytest.mark.django_db(transaction=True)
def test_health_is_503_when_the_database_is_down(client):
    original_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there
    try:
        response = client.get("/api/v1/health/")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = original_port
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert response.json()["status"] == "unavailable"


@pytest.mark.worker
def test_health_counts_live_workers(celery_worker, client):
    response = client.get("/api/v1/health/")
    assert response.status_code == 200
    body = response.json()
    assert body == {"status": "ok", "database": "ok", "broker": "ok", "workers": 1}
