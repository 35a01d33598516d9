"""deploy/compose.yaml and deploy/kubernetes/ validated against their schemas (the compose-spec
schema check-jsonschema ships, the Kubernetes schemas kubernetes-validate ships: no network), and
held to what README "Running on a cluster" promises: clustered brokers and databases, quorum
queues, majority writes, two instances of everything, probes on /ready, /health and deploy.probe."""

import copy
import importlib.util
import json
from importlib import resources
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from deploy import probe
from deploy.supervisor import SERVICES as SERVICE_MODULES
from services.runtime.cluster import cluster_problems, mongo_settings, queue_arguments
from tests.conftest import load_config_file

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "deploy" / "compose.yaml"
KUBERNETES = REPO / "deploy" / "kubernetes"
SERVICES = [module.split(".")[1] for module in SERVICE_MODULES]  # intake … gateway
WORKERS = [service for service in SERVICES if service != "gateway"]
# The oldest Kubernetes the manifests are for, and the newest whose schemas the validator ships.
KUBERNETES_VERSIONS = ["1.29.0", kubernetes_validate.utils.latest_version()]


def compose_schema():
    vendored = resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    return json.loads(vendored.read_text(encoding="utf-8"))


def compose_errors(document):
    validator = jsonschema.Draft202012Validator(compose_schema())
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(document)]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def manifest_files():
    return sorted(path for path in KUBERNETES.glob("*.yaml") if path.name != "kustomization.yaml")


@pytest.fixture(scope="module")
def manifests():
    return [doc for path in manifest_files() for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def of_kind(manifests, kind):
    return {doc["metadata"]["name"]: doc for doc in manifests if doc["kind"] == kind}


def config_with(environment: dict, monkeypatch) -> dict:
    for name, value in environment.items():
        monkeypatch.setenv(name, str(value))
    return load_config_file()


# --- compose -----------------------------------------------------------------------------------


def test_the_compose_file_follows_the_compose_spec(compose):
    assert compose_errors(compose) == []


def test_the_compose_schema_check_catches_a_mistake(compose):
    broken = copy.deepcopy(compose)
    broken["services"]["intake"]["deploy"] = {"replica": 2}
    broken["services"]["pool"]["healthcheck"]["tests"] = broken["services"]["pool"]["healthcheck"].pop("test")
    errors = compose_errors(broken)
    assert any("'replica'" in error for error in errors) and any("'tests'" in error for error in errors)


def test_compose_clusters_rabbitmq_and_mongodb_over_three_nodes_each(compose):
    services = compose["services"]
    assert {f"rabbitmq{n}" for n in (1, 2, 3)} | {f"mongo{n}" for n in (1, 2, 3)} <= set(services)
    rabbit_conf = compose["configs"]["rabbitmq-conf"]["content"]
    for n in (1, 2, 3):
        assert f"rabbit@rabbitmq{n}" in rabbit_conf
        assert services[f"rabbitmq{n}"]["hostname"] == f"rabbitmq{n}"
        assert services[f"mongo{n}"]["command"][-3:] == ["--replSet", "rs0", "--bind_ip_all"]
        assert f'host: "mongo{n}:27017"' in services["mongo-init"]["command"][-1]


def test_compose_runs_every_service_twice_on_quorum_queues_and_majority_writes(compose, monkeypatch):
    services = compose["services"]
    for service in SERVICES:
        spec = services[service]
        assert spec["deploy"]["replicas"] >= 2, service
        assert spec["command"][-1] == f"services.{service}.service"
        assert importlib.util.find_spec(spec["command"][-1]), service
        environment = spec["environment"]
        assert environment["BATON_AMQP_QUEUE_TYPE"] == "quorum"
        assert environment["BATON_MONGO_WRITE_CONCERN"] == "majority"
        assert "replicaSet=rs0" in environment["BATON_MONGO_URI"]
        assert [uri.split("@")[1] for uri in environment["BATON_AMQP_URI"].split(";")] == [
            f"rabbitmq{n}:5672/" for n in (1, 2, 3)
        ]
    environment = {k: v for k, v in services["intake"]["environment"].items() if "${" not in str(v)}
    config = config_with(environment, monkeypatch)
    assert cluster_problems(config) == []
    assert queue_arguments(config) == {"x-queue-type": "quorum"}
    assert mongo_settings(config)["write_concern"] == "majority"


def test_compose_checks_services_with_the_probe_and_the_gateway_with_ready_and_health(compose, monkeypatch):
    services = compose["services"]
    for service in WORKERS:
        assert services[service]["healthcheck"]["test"] == ["CMD", "python", "-m", "deploy.probe", "ready", service]
    assert "http://127.0.0.1:8000/ready" in " ".join(services["gateway"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8080/health" in services["proxy"]["healthcheck"]["test"]
    # nginx forwards the client's address; the gateway believes the proxy's address only
    assert services["gateway"]["environment"]["BATON_TRUSTED_PROXIES"] == "[172.28.0.10]"
    assert services["proxy"]["networks"]["baton"]["ipv4_address"] == "172.28.0.10"
    trusted = config_with(
        {"BATON_TRUSTED_PROXIES": services["gateway"]["environment"]["BATON_TRUSTED_PROXIES"]}, monkeypatch
    )
    assert trusted["BATON"]["gateway"]["trusted_proxies"] == ["172.28.0.10"]
    assert "proxy_pass http://baton_gateway" in compose["configs"]["nginx-conf"]["content"]


# --- kubernetes --------------------------------------------------------------------------------


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_kubernetes_manifest_follows_the_kubernetes_schema(manifests, version):
    for document in manifests:
        kubernetes_validate.validate(document, version, strict=True)


def test_the_kubernetes_schema_check_catches_a_mistake(manifests):
    deployment = copy.deepcopy(of_kind(manifests, "Deployment")["intake"])
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)


def test_the_kustomization_lists_every_manifest():
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text(encoding="utf-8"))
    assert kustomization["kind"] == "Kustomization" and kustomization["namespace"] == "baton"
    assert sorted(kustomization["resources"]) == [path.name for path in manifest_files()]
    assert [image["name"] for image in kustomization["images"]] == ["baton"]


def test_each_service_has_a_deployment_with_probes_a_budget_and_an_autoscaler(manifests):
    deployments = of_kind(manifests, "Deployment")
    budgets = of_kind(manifests, "PodDisruptionBudget")
    scalers = of_kind(manifests, "HorizontalPodAutoscaler")
    for service in SERVICES:
        deployment = deployments[service]
        assert deployment["spec"]["replicas"] >= 2
        pod = deployment["spec"]["template"]
        assert pod["metadata"]["labels"] == deployment["spec"]["selector"]["matchLabels"]
        [container] = pod["spec"]["containers"]
        assert container["image"] == "baton:latest"  # kustomization's images: replaces it
        assert container["command"][-1] == f"services.{service}.service"
        assert {source.get("configMapRef", source.get("secretRef"))["name"] for source in container["envFrom"]} == {
            "baton-config",
            "baton-secrets",
        }
        assert container["readinessProbe"] and container["livenessProbe"]
        assert budgets[service]["spec"]["selector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
        assert budgets[service]["spec"]["minAvailable"] == 1
        scaler = scalers[service]["spec"]
        assert scaler["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": service}
        assert scaler["minReplicas"] >= 2 and scaler["maxReplicas"] > scaler["minReplicas"]


def test_services_probe_with_the_probe_command_and_scale_on_their_queues(manifests):
    deployments = of_kind(manifests, "Deployment")
    scalers = of_kind(manifests, "HorizontalPodAutoscaler")
    for service in WORKERS:
        [container] = deployments[service]["spec"]["template"]["spec"]["containers"]
        assert container["readinessProbe"]["exec"]["command"] == ["python", "-m", "deploy.probe", "ready", service]
        assert container["livenessProbe"]["exec"]["command"] == ["python", "-m", "deploy.probe", "live"]
        [queues] = [m["external"] for m in scalers[service]["spec"]["metrics"] if m["type"] == "External"]
        assert queues["metric"] == {"name": "baton_queue_messages", "selector": {"matchLabels": {"service": service}}}


def test_the_gateway_is_ready_on_ready_and_served_through_a_service_and_an_ingress(manifests):
    [container] = of_kind(manifests, "Deployment")["gateway"]["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    assert container["livenessProbe"]["httpGet"]["path"] == "/ready"
    assert {"name": "BATON_HTTP_ADDRESS", "value": "0.0.0.0:8000"} in container["env"]
    service = of_kind(manifests, "Service")["gateway"]
    assert service["spec"]["selector"] == {"app.kubernetes.io/name": "baton", "app.kubernetes.io/component": "gateway"}
    backend = of_kind(manifests, "Ingress")["baton"]["spec"]["rules"][0]["http"]["paths"][0]["backend"]
    assert backend == {"service": {"name": "gateway", "port": {"name": "http"}}}


def test_the_config_map_asks_for_quorum_queues_and_majority_writes(manifests, monkeypatch):
    settings = of_kind(manifests, "ConfigMap")["baton-config"]["data"]
    config = config_with(settings, monkeypatch)
    assert cluster_problems(config) == []
    assert queue_arguments(config) == {"x-queue-type": "quorum"}
    assert mongo_settings(config) == {
        "write_concern": "majority",
        "write_timeout_ms": 10000,
        "journal": None,
        "read_concern": "majority",
    }
    secrets = of_kind(manifests, "Secret")["baton-secrets"]["stringData"]
    assert "replicaSet=rs0" in secrets["BATON_MONGO_URI"]


# --- deploy.probe -----------------------------------------------------------------------------


def test_live_reads_the_main_process_state(tmp_path):
    stat = tmp_path / "stat"
    stat.write_text("1 (python -m nameko) S 0 1 1 0 -1 4194560 …")
    assert probe.main_process_state(stat) == "S"
    stat.write_text("1 (odd) name)) Z 0 1 1")
    assert probe.main_process_state(stat) == "Z"
    assert probe.main_process_state(tmp_path / "missing") is None


def test_ready_refuses_a_service_that_does_not_exist():
    assert probe.ready("nope", {}) == ["no service 'nope' (intake, profile, handoff, pool, notification, gateway)"]
    assert probe.main(["sideways"]) == 2


# --- the image ---------------------------------------------------------------------------------


def test_the_image_builds_the_console_with_node_20_and_runs_python_3_11_slim():
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    stages = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("FROM ")]
    assert stages[0].startswith("node:20") and stages[-1].startswith("python:3.11-slim")
    assert "RUN npm ci" in dockerfile and "RUN npm run build" in dockerfile
    assert "COPY --from=console /src/web/dist web/dist" in dockerfile
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert {"**/.env", ".venv", "web/node_modules", "var"} <= set(ignored)  # no secrets, no local state
