import zipfile
from pathlib import Path

from django.conf import settings
from lxml import etree

from annotate.exports.models import ExportJob
from annotate.exports.services import export_job_request
from annotate.projects.models import Membership

ROOT = Path(__file__).resolve().parents[3]
XSD = ROOT / "tests" / "data" / "refi-qda" / "Project-mrt2019.xsd"


def run_export(capture, project, user, kind, fmt=None, **params) -> ExportJob:
    """Request an export as ``user`` and run it (eager Celery, after the commit)."""
    membership = Membership.objects.select_related("project").get(project=project, user=user)
    with capture(execute=True):
        job = export_job_request(membership=membership, actor=user, kind=kind, fmt=fmt, params=params)
    job.refresh_from_db()
    return job


def export_path(job) -> Path:
    return Path(settings.MEDIA_ROOT) / job.file_path


def assert_valid_qde(qdpx: Path) -> etree._Element:
    with zipfile.ZipFile(qdpx) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(root), schema.error_log
    return root
