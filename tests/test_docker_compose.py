"""docker-compose.yml is checked here because no Docker engine runs in CI: it must satisfy the Compose
specification's schema, and give the containers every variable the production settings require."""

import json
import re
import runpy
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
ENV_EXAMPLE = dict(
    line.split("=", 1)
    for line in (ROOT / ".env.example").read_text().splitlines()
    if line.strip() and not line.startswith("#")
)


def _required_production_env() -> set[str]:
    """Variables read without a default: ``env("X")``/``env.list("X")``/``env.db("X")`` in production.py,
    plus the base settings' ones without a default."""
    source = (ROOT / "annotate" / "settings" / "production.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\("([A-Z_]+)"\)', source))


def test_compose_file_satisfies_the_compose_specification():
    schema = json.loads((ROOT / "tests" / "data" / "compose" / "compose-spec.json").read_text())
    jsonschema.Draft7Validator(schema).validate(COMPOSE)


def test_services_and_healthchecks():
    services = COMPOSE["services"]
    assert set(services) == {"proxy", "postgres", "redis", "web", "events", "worker", "beat"}
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no healthcheck"
    assert "gunicorn" in services["web"]["command"]
    assert services["events"]["command"][:2] == ["uvicorn", "annotate.asgi:application"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "annotate", "worker"]
    # One beat runs the job dispatcher; no worker embeds another (-B) to send its ticks twice.
    assert services["beat"]["command"][:4] == ["celery", "-A", "annotate", "beat"]
    assert "-B" not in services["worker"]["command"]


@pytest.mark.parametrize("service", ["web", "events", "worker", "beat"])
def test_app_containers_get_every_variable_production_requires(service):
    required = _required_production_env()
    assert {
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "REDIS_URL",
    } <= required
    spec = COMPOSE["services"][service]
    provided = set(ENV_EXAMPLE) if spec.get("env_file") == ".env" else set()
    provided |= set(spec.get("environment", {}))
    assert required <= provided, f"{service} lacks {sorted(required - provided)}"
    assert spec["environment"]["DJANGO_SETTINGS_MODULE"] == "annotate.settings.production"


def test_database_url_in_the_example_matches_the_postgres_service():
    assert ENV_EXAMPLE["DATABASE_URL"] == (
        f"postgres://{ENV_EXAMPLE['POSTGRES_USER']}:{ENV_EXAMPLE['POSTGRES_PASSWORD']}"
        f"@postgres:5432/{ENV_EXAMPLE['POSTGRES_DB']}"
    )
    assert ENV_EXAMPLE["CELERY_BROKER_URL"].startswith("redis://redis:6379")


def test_the_schema_check_catches_a_mistake():
    broken = json.loads(json.dumps(COMPOSE))
    broken["services"]["web"]["healthcheck"]["intervall"] = "10s"  # a typo Docker would reject
    schema = json.loads((ROOT / "tests" / "data" / "compose" / "compose-spec.json").read_text())
    with pytest.raises(jsonschema.ValidationError, match="intervall"):
        jsonschema.Draft7Validator(schema).validate(broken)


def test_gunicorn_takes_its_workers_from_the_one_config_file():
    """Compose, the image and the load benchmark start gunicorn in the directory holding gunicorn.conf.py
    and do not override it, so the benchmark measures the server production runs."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))
    for command in (COMPOSE["services"]["web"]["command"], cmd):
        assert "gunicorn" in command
        assert not re.search(r"--workers|\s-w\s|--worker-class|--threads", command), command
    assert re.search(r"^COPY .*\bgunicorn\.conf\.py\b", dockerfile, re.M), "the image lacks gunicorn.conf.py"
    benchmark = (ROOT / "benchmarks" / "coding_load.py").read_text()
    assert "cwd=ROOT" in benchmark

    from gunicorn.config import Config

    config = Config()
    namespace = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    for key in ("workers", "worker_class", "timeout"):
        config.set(key, namespace[key])  # gunicorn validates each setting as it loads the file
    assert config.worker_class_str == "sync"
    assert config.workers >= 3


def test_web_and_worker_share_one_volume_for_uploads_and_exports():
    """The web app stores uploads the worker imports, and serves the exports the worker writes: both
    containers mount one named volume at MEDIA_ROOT (``$INTERCODER_VAR_DIR/media``)."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    var_dir = re.search(r"INTERCODER_VAR_DIR=(\S+)", dockerfile).group(1)
    media_root = f"{var_dir}/media"
    mounts = {}
    for name in ("web", "worker"):
        service = COMPOSE["services"][name]
        assert service.get("environment", {}).get("INTERCODER_VAR_DIR", var_dir) == var_dir
        mounts[name] = {
            volume.split(":")[0]
            for volume in service.get("volumes", [])
            if volume.split(":")[1] == media_root
        }
    shared = mounts["web"] & mounts["worker"]
    assert len(shared) == 1, f"web and worker share no volume at {media_root}: {mounts}"
    assert shared <= set(COMPOSE["volumes"]), "the shared volume must be a named volume"
    # The image creates the folder for its user, so a new volume is writable by the app.
    assert re.search(rf"mkdir -p {re.escape(media_root)}\b.*chown -R intercoder", dockerfile)


def test_the_proxy_is_the_only_way_in_and_knows_both_upstreams():
    """Only the proxy publishes a port; its template's variables are all given, and its upstreams are the
    ports gunicorn (web) and uvicorn (events) listen on. tests/deploy/test_nginx.py runs the template."""
    services = COMPOSE["services"]
    assert [name for name, service in services.items() if "ports" in service] == ["proxy"]
    proxy = services["proxy"]
    template_dir = ROOT / "deploy" / "nginx" / "templates"
    assert f"./{template_dir.relative_to(ROOT)}:/etc/nginx/templates:ro" in proxy["volumes"]
    template = (template_dir / "default.conf.template").read_text()
    assert set(re.findall(r"\$\{(\w+)\}", template)) == set(proxy["environment"])
    web_port = re.search(r"--bind 0\.0\.0\.0:(\d+)", services["web"]["command"]).group(1)
    events = services["events"]["command"]
    events_port = events[events.index("--port") + 1]
    assert proxy["environment"]["INTERCODER_WEB_UPSTREAM"] == f"web:{web_port}"
    assert proxy["environment"]["INTERCODER_EVENTS_UPSTREAM"] == f"events:{events_port}"
    assert proxy["ports"] == [f"{proxy['environment']['INTERCODER_PROXY_PORT']}:8000"]
    # Behind the stack's own proxy, the client's address is the last X-Forwarded-For entry.
    assert int(ENV_EXAMPLE["INTERCODER_TRUSTED_PROXIES"]) >= 1
