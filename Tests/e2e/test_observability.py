"""Observability (README, "Metrics"; deploy/README.md, "Observability"): Debian's real Prometheus
scrapes a running patgate and its HTTP API counts exactly the exchanges this test made; the
admin listener serves /metrics, /healthz and /readyz apart from /token; no label holds a token
or a user; the alert rules pass `promtool check rules` and `promtool test rules`; `logging.format:
json` writes one JSON object a line with the request id and the incoming trace id.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from patgate_e2e import REPO, free_port, http_session, poll, postgres_schema, run_cli, stop_process

OBSERVABILITY = REPO / "deploy" / "observability"
PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")
needs_prometheus = pytest.mark.skipif(PROMETHEUS is None or PROMTOOL is None,
                                      reason="Debian's prometheus package is not installed")
SERIES = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})? (\S+)$')


def samples(text: str) -> dict[str, float]:
    """`name{labels}` → value of a Prometheus text exposition."""
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            match = SERIES.match(line)
            assert match, f"not an exposition line: {line!r}"
            found[match.group(1) + (match.group(2) or "")] = float(match.group(3))
    return found


def value(found: dict[str, float], name: str, **labels: str) -> float:
    """The sum over series of `name` whose labels include `labels`."""
    total = 0.0
    for series, number in found.items():
        if series == name or series.startswith(name + "{"):
            if all(f'{key}="{text}"' in series for key, text in labels.items()):
                total += number
    return total


@needs_prometheus
def test_prometheus_scrapes_the_admin_listener_and_counts_every_exchange(patgate_factory, processes, tmp_path):
    admin = free_port()
    server = patgate_factory().start(env={"PATGATE_SERVER_ADMIN_PORT": str(admin)})
    session = http_session()
    admin_url = f"http://127.0.0.1:{admin}"
    assert session.get(admin_url + "/healthz", timeout=5).status_code == 200
    assert session.get(admin_url + "/readyz", timeout=5).json()["status"] == "ready"
    # With an admin listener, the metrics are not public: the main listener does not serve them.
    assert server.get("/metrics").status_code == 404
    assert session.get(admin_url + "/token", timeout=5).status_code == 404

    pat = server.create_pat(user="alice")
    exchanges, refused = 7, 3
    for _ in range(exchanges):
        assert server.exchange(pat["token"]).status_code == 200
    for index in range(refused):
        assert server.exchange(f"pgat_{index:027d}000000").status_code == 400

    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        f"rule_files:\n  - {OBSERVABILITY / 'alerts.yml'}\n"
        "scrape_configs:\n  - job_name: patgate\n    static_configs:\n"
        f"      - targets: ['127.0.0.1:{admin}']\n")
    port = free_port()
    log = tmp_path / "prometheus.log"
    with open(log, "wb") as out:
        prometheus = subprocess.Popen(
            [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    processes.processes.append(prometheus)

    def query(expression: str) -> list:
        try:
            answer = session.get(f"http://127.0.0.1:{port}/api/v1/query", params={"query": expression}, timeout=5)
        except Exception:
            return []
        return answer.json()["data"]["result"] if answer.status_code == 200 else []

    def scraped():
        result = query('sum(patgate_token_exchanges_total{job="patgate",result="success"})')
        return result and float(result[0]["value"][1]) == exchanges

    assert poll(scraped, timeout=30, interval=0.5), log.read_text(errors="replace")[-3000:]
    refusals = query('sum(patgate_token_exchanges_total{job="patgate",result="invalid_request"})')
    assert float(refusals[0]["value"][1]) == refused
    by_client = query('sum by (client_id) (patgate_token_exchanges_total{job="patgate"})')
    assert {series["metric"]["client_id"] for series in by_client} == {"ci"}
    token_route = query('sum(patgate_http_requests_total{job="patgate",route="/token",method="POST"})')
    assert float(token_route[0]["value"][1]) == exchanges + refused
    assert query('up{job="patgate"}')[0]["value"][1] == "1"
    # Every alert rule loaded and evaluates without error on the real series.
    rules = session.get(f"http://127.0.0.1:{port}/api/v1/rules", timeout=5).json()["data"]["groups"]
    assert {rule["name"] for group in rules for rule in group["rules"]} >= {"PatgateHigh5xxRate", "PatgateUpstreamFailing"}
    assert all(rule["health"] in ("ok", "unknown") for group in rules for rule in group["rules"]), rules


def test_metrics_name_no_token_user_or_path_and_cover_each_kind_of_event(patgate_factory):
    server = patgate_factory().start()
    pat = server.create_pat(user="mallory")
    for _ in range(3):
        assert server.exchange(pat["token"]).status_code == 200
    assert server.get(f"/api/v1/tokens/{pat['id']}").status_code in (401, 403)
    text = server.get("/metrics").text
    found = samples(text)
    # The exchange counter by configured client; cache hits after the first miss; one upstream call.
    assert value(found, "patgate_token_exchanges_total", client_id="ci", result="success") == 3
    assert value(found, "patgate_cache_lookups_total", result="hit") >= 2
    assert value(found, "patgate_introspection_requests_total", outcome="active") >= 1
    assert value(found, "patgate_signing_duration_seconds_count") == 3
    assert value(found, "patgate_build_info") == 1
    assert value(found, "process_resident_memory_bytes") > 1_000_000
    assert value(found, "process_open_fds") > 3
    assert abs(value(found, "process_start_time_seconds") - time.time()) < 600
    assert value(found, "patgate_signing_key_created_timestamp_seconds", role="active") > 1_600_000_000
    # The PAT census runs at start (then every 30 s): the series exist for every state.
    assert {"active", "expired", "revoked"} <= {s.split('state="')[1].split('"')[0] for s in found if s.startswith("patgate_pats{")}
    assert value(found, "patgate_db_operation_duration_seconds_count", db="sqlite", operation="read") >= 1
    # Route templates, never paths; no token, token id or user anywhere.
    assert 'route="/api/v1/tokens/{id}"' in text or 'route="/api/v1/tokens/:id"' in text, text
    for secret in (pat["token"], pat["id"], "mallory", server.ci_secret):
        assert secret not in text


def test_on_postgres_the_store_revocations_and_pats_are_measured(patgate_factory):
    with postgres_schema("metrics") as (_, url):
        server = patgate_factory().start(env={
            "PATGATE_STORE_KIND": "postgres", "PATGATE_CACHE_TTL_SECONDS": "600", "PATGATE_STORE_POSTGRES_URL": url})
        try:
            kept, revoked = server.create_pat(user="alice"), server.create_pat(user="alice")
            for pat in (kept, revoked):
                assert server.exchange(pat["token"]).status_code == 200
            server.revoke(revoked["id"])
            assert poll(lambda: server.exchange(revoked["token"]).status_code == 400, timeout=5)
            # The census counts at start and every 30 s: restart to read it now.
            server.restart()
            found = samples(server.get("/metrics").text)
            assert value(found, "patgate_pats", state="active") == 1
            assert value(found, "patgate_pats", state="revoked") == 1
            assert value(found, "patgate_db_operation_duration_seconds_count", db="postgres") >= 1
            assert 'patgate_db_connections_in_use{db="postgres"}' in " ".join(found)
            assert value(found, "patgate_db_connections_in_use", db="postgres") >= 0
        finally:
            server.stop()


def test_a_revocation_is_counted_with_its_lag(patgate_factory):
    server = patgate_factory().start(env={"PATGATE_CACHE_TTL_SECONDS": "600"})
    pat = server.create_pat(user="alice")
    assert server.exchange(pat["token"]).status_code == 200
    before = value(samples(server.get("/metrics").text), "patgate_revocation_events_total", kind="token")
    server.revoke(pat["id"])    # the CLI: another process, the same SQLite file
    assert poll(lambda: server.exchange(pat["token"]).status_code == 400, timeout=5)
    found = samples(server.get("/metrics").text)
    assert value(found, "patgate_revocation_events_total", kind="token") == before + 1
    assert value(found, "patgate_revocation_lag_seconds_count") >= 1
    # Whole-second event times: the lag reads at most a second high, and arrived within the 1 s promise.
    assert value(found, "patgate_revocation_lag_seconds_bucket", le="2.0") == value(found, "patgate_revocation_lag_seconds_count")


def test_credentials_are_counted_by_provider_and_outcome_and_the_ca_dates_exported(patgate_factory):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    server = patgate_factory().bootstrap()
    run_cli("ca", "init", "--data-dir", str(server.data_dir), "--days", "30")
    server.start()
    csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")])) \
        .sign(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()
    pat = server.create_pat(user="alice", scopes=["openid", "credentials"])["token"]
    assert server.exchange(pat, scope="openid credentials", extra=[("csr", csr)]).status_code == 200
    assert server.exchange(pat, scope="openid credentials", extra=[("csr", "not a CSR")]).status_code == 400
    found = samples(server.get("/metrics").text)
    assert value(found, "patgate_credentials_issued_total", provider="x509", outcome="issued") == 1
    assert value(found, "patgate_credentials_issued_total", provider="x509", outcome="rejected") == 1
    assert value(found, "patgate_credential_duration_seconds_count", provider="x509") == 1
    ca = x509.load_pem_x509_certificate((server.data_dir / "secrets" / "ca.pem").read_bytes())
    assert value(found, "patgate_ca_not_after_timestamp_seconds") == ca.not_valid_after_utc.timestamp()
    assert value(found, "patgate_ca_not_before_timestamp_seconds") == ca.not_valid_before_utc.timestamp()


def test_console_logins_are_counted_by_result_and_lockouts_seen(patgate_factory):
    server = patgate_factory().start(env={"PATGATE_USERS_BCRYPT_COST": "4", "PATGATE_LOGIN_MAX_FAILURES_PER_ACCOUNT": "3"})
    server.ensure_user("carol")
    password = server.cli("user", "passwd", "carol", "--generate").stdout.split()[-1]

    def login(secret: str) -> int:
        return server.post("/api/v1/session", json={"username": "carol", "password": secret}, timeout=10).status_code

    assert login(password) == 200
    for _ in range(3):
        assert login("wrong password") == 401
    assert login(password) == 429     # locked out, even with the right password
    found = samples(server.get("/metrics").text)
    assert value(found, "patgate_console_logins_total", result="success") == 1
    assert value(found, "patgate_console_logins_total", result="failure") == 3
    assert value(found, "patgate_console_logins_total", result="locked_out") == 1
    assert "carol" not in " ".join(found) and password not in " ".join(found)


def test_metrics_can_be_switched_off(patgate_factory):
    server = patgate_factory().start(env={"PATGATE_METRICS_ENABLED": "false"})
    assert server.get("/metrics").status_code == 404
    assert server.exchange(server.create_pat()["token"]).status_code == 200


def test_metrics_off_in_the_file_need_a_restart_to_come_on(patgate_factory):
    server = patgate_factory().bootstrap()
    original = server.config_path.read_text()
    server.config_path.write_text(original + "metrics:\n  enabled: false\n")
    server.start()
    assert server.get("/metrics").status_code == 404
    server.config_path.write_text(original)
    assert "restart_needed=metrics/logging" in server.reload()
    assert server.get("/metrics").status_code == 404
    server.restart()
    assert server.get("/metrics").status_code == 200


def test_a_reload_pauses_and_resumes_the_metrics(patgate_factory):
    server = patgate_factory().start()
    pat = server.create_pat()["token"]
    counted = lambda: value(samples(server.get("/metrics").text), "patgate_token_exchanges_total", result="success")  # noqa: E731
    for _ in range(2):
        assert server.exchange(pat).status_code == 200
    assert counted() == 2
    original = server.config_path.read_text()

    server.config_path.write_text(original + "metrics:\n  enabled: false\n")
    line = server.reload()
    assert "metrics=paused" in line and "restart_needed" not in line, line
    assert server.get("/metrics").status_code == 404
    for _ in range(3):   # answered, and counted nowhere
        assert server.exchange(pat).status_code == 200

    server.config_path.write_text(original)
    assert "metrics=on" in server.reload()
    assert counted() == 2
    assert server.exchange(pat).status_code == 200
    assert counted() == 3


@needs_prometheus
def test_the_alert_rules_pass_promtool_check_and_their_unit_tests():
    checked = subprocess.run([PROMTOOL, "check", "rules", "alerts.yml"], cwd=OBSERVABILITY,
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "10 rules found" in checked.stdout
    tested = subprocess.run([PROMTOOL, "test", "rules", "alerts.test.yml"], cwd=OBSERVABILITY,
                            capture_output=True, text=True, timeout=60)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def documented_series() -> set[str]:
    """The series README's "Observability" table names."""
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Observability"):readme.index("## Deploy")]
    return set(re.findall(r"`((?:patgate|process)_[a-z_]+)`", section))


def queried_series(expression: str) -> set[str]:
    return {re.sub(r"_(bucket|count|sum)$", "", name) for name in re.findall(r"\b((?:patgate|process)_[a-z_]+)", expression)}


def test_the_dashboard_the_alerts_and_the_code_name_only_documented_series():
    documented = documented_series()
    exported = set(re.findall(r'"((?:patgate|process)_[a-z_]+)"',
                              (REPO / "Sources" / "PatgateTelemetry" / "MetricName.swift").read_text()))
    assert exported == documented, (exported ^ documented)
    dashboard = json.loads((OBSERVABILITY / "grafana-dashboard.json").read_text())
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    assert len(expressions) >= 15
    alerts = (OBSERVABILITY / "alerts.yml").read_text()
    for expression in expressions + [alerts]:
        assert queried_series(expression) <= documented, queried_series(expression) - documented


def test_json_logs_are_one_object_a_line_with_request_and_trace_id(patgate_factory):
    closed = free_port()   # nothing listens: the exchange fails closed and logs a warning
    server = patgate_factory().start(env={
        "PATGATE_LOGGING_FORMAT": "json",
        "PATGATE_UPSTREAM_INTROSPECTION_URL": f"http://127.0.0.1:{closed}/introspect",
    })
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    response = server.session.post(server.url("/token"), auth=("ci", server.ci_secret), timeout=10,
                                    headers={"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"},
                                    data={"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                                          "subject_token": "pgat_" + "0" * 33,
                                          "subject_token_type": "urn:ietf:params:oauth:token-type:pat"})
    assert response.status_code == 503
    # Without a traceparent the miss is held on the event loop (docs/ARCHITECTURE.md, "POST
    # /token"): its line names a request id all the same.
    untraced = server.session.post(server.url("/token"), auth=("ci", server.ci_secret), timeout=10,
                                   data={"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                                         "subject_token": "pgat_" + "1" * 33,
                                         "subject_token_type": "urn:ietf:params:oauth:token-type:pat"})
    assert untraced.status_code == 503
    server.stop()
    lines = [line for line in server.stderr_text().splitlines() if line.strip()]
    objects = [json.loads(line) for line in lines]   # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in objects)
    failed = [entry for entry in objects if entry["message"] == "token exchange failed closed"]
    assert len(failed) == 2, lines
    assert failed[0]["trace_id"] == trace_id
    assert "trace_id" not in failed[1]
    for entry in failed:
        assert re.fullmatch(r"[0-9a-f]+", entry["request_id"]), entry
        assert entry["level"] == "warning"
    assert failed[0]["request_id"] != failed[1]["request_id"]


class OTLPReceiver:
    """An OTLP/HTTP collector on loopback: keeps every span `POST /v1/traces` brings, decoded
    with opentelemetry-proto's `ExportTraceServiceRequest`."""

    def __init__(self) -> None:
        import http.server
        import threading
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest, ExportTraceServiceResponse)
        self.spans: list = []
        self.resources: list[dict[str, str]] = []
        self.content_types: set[str] = set()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.content_types.add(self.headers["Content-Type"])
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                for resource_spans in request.resource_spans:
                    receiver.resources.append({kv.key: kv.value.string_value for kv in resource_spans.resource.attributes})
                    for scope_spans in resource_spans.scope_spans:
                        receiver.spans.extend(scope_spans.spans)
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200 if self.path == "/v1/traces" else 404)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_cache_miss_exchange_exports_a_span_tree_with_the_introspection_call_under_the_incoming_trace(patgate_factory):
    receiver = OTLPReceiver()
    try:
        server = patgate_factory().start(env={"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{receiver.port}",
                                              "OTEL_SERVICE_NAME": "patgate-e2e"})
        pat = server.create_pat(user="alice")
        trace_id = "0af7651916cd43dd8448eb211c80319c"
        parent = "b7ad6b7169203331"
        response = server.session.post(server.url("/token"), auth=("ci", server.ci_secret), timeout=10,
                                        headers={"traceparent": f"00-{trace_id}-{parent}-01"},
                                        data={"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                                              "subject_token": pat["token"],
                                              "subject_token_type": "urn:ietf:params:oauth:token-type:pat"})
        assert response.status_code == 200, response.text

        def tree():
            spans = [s for s in receiver.spans if s.trace_id.hex() == trace_id]
            names = {s.name for s in spans}
            return spans if {"POST /token", "introspection", "POST /introspect"} <= names else None

        spans = poll(tree, timeout=10, interval=0.2)
        assert spans, [(s.name, s.trace_id.hex()) for s in receiver.spans]
        by_name = {s.name: s for s in spans}
        token, introspection, issuer = by_name["POST /token"], by_name["introspection"], by_name["POST /introspect"]
        # The incoming parent → the /token server span → the introspection client call → the
        # issuer's /introspect server span (the upstream is this process, over loopback).
        assert token.parent_span_id.hex() == parent
        assert token.kind == token.SPAN_KIND_SERVER
        assert introspection.parent_span_id == token.span_id
        assert introspection.kind == introspection.SPAN_KIND_CLIENT
        assert issuer.parent_span_id == introspection.span_id
        assert token.start_time_unix_nano <= introspection.start_time_unix_nano <= introspection.end_time_unix_nano \
            <= token.end_time_unix_nano
        attributes = {kv.key: kv.value.string_value for kv in token.attributes}
        assert attributes["http.route"] == "/token" and attributes["http.response.status_code"] == "200"
        assert {kv.key: kv.value.string_value for kv in introspection.attributes}["patgate.outcome"] == "active"
        assert {"service.name": "patgate-e2e", "service.version": receiver.resources[0]["service.version"]} \
            == receiver.resources[0]
        assert receiver.content_types == {"application/x-protobuf"}
        # No span carries the PAT, its id or the client secret.
        blob = b"".join(s.SerializeToString() for s in receiver.spans)
        for secret in (pat["token"], pat["id"], server.ci_secret):
            assert secret.encode() not in blob
    finally:
        receiver.close()
