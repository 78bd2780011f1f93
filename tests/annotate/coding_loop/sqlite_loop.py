"""The coding loop on SQLite (the embedded default of ``make run``), end to end through its endpoints:
run by ``test_sqlite.py`` in a process of its own with the local settings (the test suite's own database is
PostgreSQL). Prints one JSON line of what it saw; any failure exits non-zero with the traceback."""

import json


def main() -> None:
    # Imported here: Django is set up first, with the settings this script's process was given.
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from rest_framework.test import APIClient

    from annotate.analysis.models import AgreementRun
    from annotate.assignments.models import Assignment
    from annotate.assignments.services import assignment_plan_apply
    from annotate.audit.models import AuditEvent
    from annotate.audit.selectors import audit_chain_breaks
    from annotate.coding.models import Coding
    from tests.factories import ProjectFactory, UserFactory, make_case, make_code, make_document

    assert connection.vendor == "sqlite", connection.vendor
    call_command("migrate", verbosity=0)

    owner = UserFactory(username="pi")
    coders = [UserFactory(username=name) for name in ("ana", "ben")]
    project = ProjectFactory(creator=owner, name="Loop on SQLite")
    for coder in coders:
        project.add_member(coder, "coder")
    for n in (1, 2):
        make_document(
            project,
            owner,
            case=make_case(project, owner, identifier=f"P{n}"),
            text=f"Interviewer: What changed?\n\nP{n}: We stopped charging possession. It saved lives.",
        )
    code = make_code(project, owner, name="Harm reduction")
    other = make_code(project, owner, name="Public health")
    assignment_plan_apply(
        project=project,
        actor=owner,
        data={"unit_type": "segment", "coders": [{"user": c.pk} for c in coders], "overlap": 2, "seed": 1},
    )

    base = f"/api/v1/projects/{project.id}"
    seen = {}
    for coder in coders:
        client = APIClient()
        client.force_authenticate(coder)
        units = []
        while True:
            body = client.get(f"{base}/queue/next/").json()
            if body["unit"] is None:
                break
            unit = body["unit"]
            segment = unit["segment"]["id"]
            units.append(segment)
            assert unit["codings"]["version"] == 0
            put = client.put(
                f"{base}/segments/{segment}/codings/",
                {
                    "version": 0,
                    "offset_unit": "codepoint",
                    "codings": [
                        {"code": code.pk},
                        {
                            "code": other.pk,
                            "span_start": unit["segment"]["start_offset"],
                            "span_end": unit["segment"]["start_offset"] + 3,
                        },
                    ],
                },
                format="json",
            )
            assert put.status_code == 200, put.content
            stale = client.put(
                f"{base}/segments/{segment}/codings/", {"version": 0, "codings": []}, format="json"
            )
            assert stale.status_code == 409, stale.content
            assert client.post(f"{base}/assignments/{segment}/done/").status_code == 200
        assert client.post(f"{base}/assignments/{units[0]}/reopen/").status_code == 200
        assert client.post(f"{base}/assignments/{units[0]}/done/").status_code == 200
        seen[coder.username] = units

    print(
        json.dumps(
            {
                "units": seen,
                "slots": Assignment.objects.filter(project=project).count(),
                "done": Assignment.objects.filter(project=project, status="done").count(),
                "codings": Coding.objects.filter(project=project).count(),
                "claims": AuditEvent.objects.filter(project=project, action="assignment.claim").count(),
                "automatic_agreement_runs": AgreementRun.objects.filter(
                    project=project, automatic=True
                ).count(),
                "chain_breaks": len(list(audit_chain_breaks(project_id=project.id))),
            }
        )
    )


if __name__ == "__main__":  # run as a script by test_sqlite.py; pytest's doctest collection only imports it
    main()
