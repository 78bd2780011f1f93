"""Explore on SQLite (the embedded default of ``make run``): run by ``test_sqlite.py`` in a process of its
own with the local settings. Builds the Explore study, asks every request of ``REQUESTS`` and prints one
JSON line of the answers (what the test compares with PostgreSQL's); any failure exits non-zero."""

import json

# (endpoint, params): the same requests the test asks PostgreSQL.
REQUESTS = [
    ("search", {"q": '"harm reduction"'}),
    ("search", {"q": "gonzalez"}),
    ("search", {"q": "NALOX*"}),
    ("search", {"q": "diversion OR treatment"}),
    ("search", {"q": "harm -reduction"}),
    ("search", {"q": "harm reduction -policy"}),
    ("search", {"q": "שלום"}),
    ("search", {"q": "harm", "role": "participant", "code": "theme", "source": "coders"}),
]


def answers(project_id, codes, client) -> list:
    seen = []
    for endpoint, params in REQUESTS:
        params = {k: (codes[v] if k == "code" else v) for k, v in params.items()}
        response = client.get(f"/api/v1/projects/{project_id}/{endpoint}/", params)
        assert response.status_code == 200, (endpoint, params, response.content)
        body = response.json()
        seen.append(
            {
                "matched": [body["cases_matched"], body["cases_total"]],
                "hits": [
                    [r["case"]["identifier"], r["segment_number"], [p for p, hit in r["pieces"] if hit]]
                    for r in body["results"]
                ],
            }
        )
    return seen


def main() -> None:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from rest_framework.test import APIClient

    from tests.annotate.explore.conftest import build_study

    assert connection.vendor == "sqlite", connection.vendor
    call_command("migrate", verbosity=0)
    study = build_study()
    client = APIClient()
    client.force_authenticate(study.users["owner"])
    codes = {name: code.id for name, code in study.codes.items()}
    print(json.dumps(answers(study.project.id, codes, client)))


if __name__ == "__main__":
    main()
