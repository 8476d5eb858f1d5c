"""`loan-journey notices send` delivers the outbox to real servers: a local SMTP server
(aiosmtpd) receives a real journey's notices at its customer's address, a local HTTP server
the SMS gateway's JSON; a notice without an address, or that the gateway refuses, stays
pending with why, and the next pass sends it; `notices` then shows when each was sent."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError
from sqlalchemy import update
from temporalio.testing import WorkflowEnvironment

from journey.actors import Role
from journey.contact import Contact
from journey.policy import DEFAULT_POLICY_FILE, StaffMember
from journey.policy.calendar import moment_at
from journey.settings import Settings
from journey.stages import Stage
from starter.notifier import Addresses, ByChannel, NotDelivered, SmtpSender
from store.db import session
from store.models import OutboxRow
from store.outbox import OutboxMessage, claim, enqueue, messages_for, pending
from tests.cli_kit import cli, point_cli_at, said
from tests.deploy.tls_kit import PrivateCa
from tests.ports import free_port
from tests.workflows.journey_kit import (
    Documents,
    application,
    running_journey,
    until_sent,
    until_stage,
)

FROM = "notices@bank.example.cn"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Mailbox:
    """What the SMTP server received: each mail with the envelope's recipients."""

    mails: list[tuple[list[str], Message]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.mails.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str,
                 auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"mail-password-in-its-file")


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A real SMTP server on this machine, the settings pointed at it (no STARTTLS)."""
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=box,
                            auth_require_tls=False)
    controller.start()
    for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port),
                        "SMTP_STARTTLS": "false", "NOTICE_FROM": FROM}.items():
        monkeypatch.setenv(f"LOAN_JOURNEY_{name}", value)
    try:
        yield box
    finally:
        controller.stop()


@dataclass
class Gateway:
    """The SMS gateway: each JSON body posted and its Authorization header; answers 503
    while `failing` counts down."""

    posted: list[tuple[dict[str, Any], str | None]] = field(default_factory=list)
    failing: int = 0


@pytest.fixture
def sms_gateway(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Gateway]:
    """A real HTTP server in a thread, the settings pointed at it, its token from a file."""
    gateway = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            gateway.posted.append((json.loads(body), self.headers.get("Authorization")))
            status = 503 if gateway.failing > 0 else 202
            gateway.failing -= 1
            self.send_response(status)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    token = tmp_path / "sms_token"
    token.write_text("sms-token-in-its-file\n", encoding="utf-8")
    monkeypatch.setenv("LOAN_JOURNEY_SMS_WEBHOOK_URL",
                       f"http://127.0.0.1:{server.server_address[1]}/v1/sms")
    monkeypatch.setenv("LOAN_JOURNEY_SMS_WEBHOOK_TOKEN_FILE", str(token))
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()


def _text(mail: Message) -> str:
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes)
    # its lines as the wire ends them (CRLF), as a mail reader shows them
    return payload.decode(mail.get_content_charset() or "ascii").replace("\r\n", "\n")


async def test_a_journeys_notices_reach_its_customers_mailbox(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    smtp_server: Mailbox,
) -> None:
    """The customer's address is the one its application gave, read from the journey's
    start; the mail's subject says the notice's kind, its body is the notice's text (UTF-8)."""
    docs = Documents()
    app = application(docs, drop={"income"}).model_copy(update={"contact": Contact(
        name="财务 陈", mobile="138 0013 8000", email="cfo@acme.example.cn")})
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        await until_sent(settings.db_url, handle.id, template="supplements_requested")
        point_cli_at(monkeypatch, time_skipping_env.client, tmp_path)
        queued = messages_for(settings.db_url, handle.id)
        assert [m.template for m in queued] == ["application_received", "supplements_requested"]

        done = await cli("notices", "send")
        assert done.exit_code == 0, done.output
        assert [rcpt for rcpt, _ in smtp_server.mails] == [["cfo@acme.example.cn"]] * 2
        for m, (_, mail) in zip(queued, smtp_server.mails, strict=True):
            assert (mail["From"], mail["To"]) == (FROM, "cfo@acme.example.cn")
            subject = str(make_header(decode_header(mail["Subject"])))
            assert subject == f"{m.template.replace('_', ' ')} ({handle.id})"
            assert _text(mail).rstrip("\n") == m.body
            assert f"sent #{m.id} email {m.template} to the customer of {handle.id}" in said(
                done)
        assert "利润表" in _text(smtp_server.mails[1][1])  # the income statement, in Chinese
        assert smtp_server.logins == []  # no user set: no login

        sent = messages_for(settings.db_url, handle.id)
        assert all(m.sent_at is not None for m in sent)
        shown = said(await cli("notices", handle.id))
        assert "│ not sent yet │" not in shown
        assert all(moment_at(m.sent_at, 8) in shown for m in sent if m.sent_at)
        again = await cli("notices", "send")  # nothing pending: nothing sent twice
        assert again.exit_code == 0 and len(smtp_server.mails) == 2, again.output


async def test_a_customer_without_a_contact_is_held_with_why(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    smtp_server: Mailbox,
) -> None:
    docs = Documents()
    app = application(docs)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        received = await until_sent(settings.db_url, handle.id, template="application_received")
        point_cli_at(monkeypatch, time_skipping_env.client, tmp_path)
        done = await cli("notices", "send")
        assert done.exit_code == 1, done.output
        assert (f"pending #{received.id} email application_received to the customer of "
                f"{handle.id}: no contact for the customer of {handle.id}: its application "
                "gives none") in said(done)
        assert smtp_server.mails == [] and received.id in [m.id for m in pending(
            settings.db_url)]


def _policy_with_addresses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The packaged policy, rm-zhang given an email and a mobile, ops-wang neither."""
    policy = json.loads(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))
    policy["version"] = f"{policy['version']}-addresses"
    for member in policy["staff"]:
        if member["id"] == "rm-zhang":
            member.update(email="zhang@bank.example.cn", mobile="+86 139-0000-1111")
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(policy, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("LOAN_JOURNEY_POLICY_FILE", str(path))
    monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(tmp_path))


async def test_staff_are_told_by_sms_and_mail_and_a_failing_gateway_is_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp_server: Mailbox,
    sms_gateway: Gateway,
) -> None:
    """A staff member's addresses are the policy's; the gateway refusing one leaves it pending
    (said), the next pass sends it; a member without an address is held, naming what to add;
    the mail server's login is the settings', its password from its file."""
    _policy_with_addresses(tmp_path, monkeypatch)
    password = tmp_path / "smtp_password"
    password.write_text("mail-password-in-its-file\n", encoding="utf-8")
    monkeypatch.setenv("LOAN_JOURNEY_SMTP_USER", "notifier")
    monkeypatch.setenv("LOAN_JOURNEY_SMTP_PASSWORD_FILE", str(password))
    url = f"sqlite:///{tmp_path / 'journey.db'}"
    enqueue(url, "loan-X:sla:1", "loan-X", "sms", "rm-zhang", "sla_remind", "客户补件逾期 2 天")
    enqueue(url, "loan-X:sla:2", "loan-X", "email", "rm-zhang", "sla_escalate", "升级：请处理")
    enqueue(url, "loan-X:sla:3", "loan-X", "email", "ops-wang", "sla_remind", "to operations")
    sms, mail, nobody = pending(url)
    sms_gateway.failing = 1

    first = await cli("notices", "send")
    assert first.exit_code == 1, first.output
    assert (f"pending #{sms.id} sms sla_remind to rm-zhang: the SMS gateway answered 503"
            in said(first))
    assert (f"pending #{nobody.id} email sla_remind to ops-wang: no email for 'ops-wang' in "
            "the policy in force's staff directory") in said(first)
    assert f"sent #{mail.id} email sla_escalate to rm-zhang" in said(first)
    assert [m.id for m in pending(url)] == [sms.id, nobody.id]
    [(rcpt, got)] = smtp_server.mails
    assert rcpt == ["zhang@bank.example.cn"] and _text(got).rstrip("\n") == "升级：请处理"
    assert smtp_server.logins == [("notifier", "mail-password-in-its-file")]

    second = await cli("notices", "send")
    assert second.exit_code == 1, second.output
    assert f"sent #{sms.id} sms sla_remind to rm-zhang" in said(second)
    assert [m.id for m in pending(url)] == [nobody.id]
    assert sms_gateway.posted == [
        ({"to": "13900001111", "text": "客户补件逾期 2 天", "key": "loan-X:sla:1"},
         "Bearer sms-token-in-its-file")] * 2
    shown = said(await cli("notices", "loan-X"))
    assert shown.count("│ not sent yet │") == 1


async def test_a_notice_another_notifier_is_sending_is_left_to_it_until_its_claim_lapses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp_server: Mailbox,
) -> None:
    """Two notifiers on one database: a notice the other has claimed is neither sent nor
    held by this one (said, exit 0); once that claim lapses (its notifier killed mid-send),
    this one sends it."""
    _policy_with_addresses(tmp_path, monkeypatch)
    url = f"sqlite:///{tmp_path / 'journey.db'}"
    enqueue(url, "loan-X:sla:2", "loan-X", "email", "rm-zhang", "sla_escalate", "升级：请处理")
    [notice] = pending(url)
    assert claim(url, notice.id, "the other notifier")

    first = await cli("notices", "send")
    assert first.exit_code == 0, first.output
    assert (f"#{notice.id} email sla_escalate to rm-zhang: another notifier is sending it"
            in said(first))
    assert smtp_server.mails == [] and [m.id for m in pending(url)] == [notice.id]

    with session(url) as s:  # as a killed notifier's claim is, a lease later
        s.execute(update(OutboxRow).values(claimed_until=datetime.now(UTC) - timedelta(1)))
    second = await cli("notices", "send")
    assert second.exit_code == 0, second.output
    assert f"sent #{notice.id} email sla_escalate to rm-zhang" in said(second)
    assert [rcpt for rcpt, _ in smtp_server.mails] == [["zhang@bank.example.cn"]]
    assert pending(url) == []


async def test_with_no_gateway_nothing_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'journey.db'}"
    enqueue(url, "loan-X:1", "loan-X", "email", "rm-zhang", "sla_remind", "...")
    done = await cli("notices", "send")
    assert done.exit_code == 5, done.output
    assert "no gateway is configured: nothing sent" in said(done)
    assert len(pending(url)) == 1


async def _until_posted(gateway: Gateway, count: int) -> None:
    for _ in range(600):
        if len(gateway.posted) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the gateway got {len(gateway.posted)} of {count} posts")


async def test_a_follower_sends_what_is_queued_after_it_started_until_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sms_gateway: Gateway,
) -> None:
    """`--follow` as the notifier container runs it: pass after pass, until SIGTERM (`docker
    stop`), which it ends on between passes, exit 0."""
    _policy_with_addresses(tmp_path, monkeypatch)
    url = f"sqlite:///{tmp_path / 'journey.db'}"
    enqueue(url, "loan-X:1", "loan-X", "sms", "rm-zhang", "sla_remind", "first")
    follower = subprocess.Popen(
        [sys.executable, "-m", "starter.cli", "notices", "send", "--follow", "--every", "1"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        await _until_posted(sms_gateway, 1)
        enqueue(url, "loan-X:2", "loan-X", "sms", "rm-zhang", "sla_remind", "second")
        await _until_posted(sms_gateway, 2)
    finally:
        follower.send_signal(signal.SIGTERM)
        output, _ = follower.communicate(timeout=60)
    assert follower.returncode == 0, output
    assert [body["key"] for body, _ in sms_gateway.posted] == ["loan-X:1", "loan-X:2"]
    assert "stopped" in output
    assert pending(url) == []  # the pass that sent the second marked it before it stopped


def _scrape(port: int, path: str = "/metrics") -> tuple[int, dict[str, float]]:
    """The follower's endpoint: the status, and each sample by its name and labels as the
    exposition writes them (`notices_held_total{channel="sms",reason="no_address"}`)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            status, text = answer.status, answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, {}
    samples = {}
    for family in text_string_to_metric_families(text if path == "/metrics" else ""):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return status, samples


async def _until_scraped(port: int, name: str, value: float) -> dict[str, float]:
    """The follower's samples once `name` reads `value` (its server and passes take a moment
    to start)."""
    seen: dict[str, float] = {}
    for _ in range(600):
        with contextlib.suppress(urllib.error.URLError, ConnectionError):
            _, seen = await asyncio.to_thread(_scrape, port)
            if seen.get(name) == value:
                return seen
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name} never read {value}: {seen}")


async def test_a_followers_metrics_show_a_held_notice_its_age_and_then_a_sent_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sms_gateway: Gateway,
) -> None:
    """With LOAN_JOURNEY_NOTIFIER_METRICS_PORT, `--follow` serves what the alert
    NoticesNotSent reads: a notice held (a staff member without a mobile) counted by its
    channel and why, the outbox's pending notices and the oldest one's age; then one sent."""
    _policy_with_addresses(tmp_path, monkeypatch)
    url = f"sqlite:///{tmp_path / 'journey.db'}"
    enqueue(url, "loan-X:1", "loan-X", "sms", "ops-wang", "sla_remind", "no mobile")
    port = free_port()
    follower = subprocess.Popen(
        [sys.executable, "-m", "starter.cli", "notices", "send", "--follow", "--every", "1"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT),
                       "LOAN_JOURNEY_NOTIFIER_METRICS_PORT": str(port)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    held = 'notices_held_total{channel="sms",reason="no_address"}'
    sent = 'notices_sent_total{channel="sms"}'
    try:
        first = await _until_scraped(port, "notices_pending", 1.0)
        assert first[held] >= 1 and first[sent] == 0
        assert first['notices_held_total{channel="sms",reason="gateway_refused"}'] == 0
        assert first['notices_held_total{channel="email",reason="no_gateway"}'] == 0  # seeded
        assert first["notices_oldest_pending_age_seconds"] > 0
        assert (await asyncio.to_thread(_scrape, port, "/ready"))[0] == 200

        enqueue(url, "loan-X:2", "loan-X", "sms", "rm-zhang", "sla_remind", "to zhang")
        then = await _until_scraped(port, sent, 1.0)
        assert then["notices_pending"] == 1  # ops-wang's, still held
        assert then[held] > first[held]  # held again by each pass
        assert (then["notices_oldest_pending_age_seconds"]
                >= first["notices_oldest_pending_age_seconds"])  # the same notice, older
    finally:
        follower.send_signal(signal.SIGTERM)
        output, _ = follower.communicate(timeout=60)
    assert follower.returncode == 0, output
    assert f"metrics on 127.0.0.1 port {port}" in output
    assert [body["key"] for body, _ in sms_gateway.posted] == ["loan-X:2"]


def test_a_team_reaches_its_active_members_and_a_member_who_left_none() -> None:
    """A team's notice (an SLA reminder to `sme_risk`, an entrusted payout to operations) goes
    to each active member with an address; one to a member no longer active is held."""
    staff = [StaffMember(id="r1", name="甲", role=Role.RISK_OFFICER, team="sme_risk",
                         email="r1@bank.example.cn"),
             StaffMember(id="r2", name="乙", role=Role.RISK_OFFICER, team="sme_risk",
                         email="r2@bank.example.cn", active=False),
             StaffMember(id="r3", name="丙", role=Role.RISK_OFFICER, team="sme_risk"),
             StaffMember(id="o1", name="丁", role=Role.OPERATIONS, mobile="13900002222")]
    addresses = Addresses(staff)

    def to(recipient: str, channel: Literal["sms", "email"] = "email") -> list[str]:
        return addresses.of(OutboxMessage(id=1, key="k", workflow_id="loan-X", channel=channel,
                                          recipient=recipient, template="t", body="b",
                                          created_at=datetime.now(UTC)))

    assert to("sme_risk") == ["r1@bank.example.cn"]
    assert to("operations", "sms") == ["13900002222"]
    with pytest.raises(NotDelivered, match="'r2' is no longer active"):
        to("r2")
    with pytest.raises(NotDelivered, match="no email for 'o1'"):
        to("o1")
    with pytest.raises(NotDelivered, match="neither the customer nor a staff id or team"):
        to("head_office")


def test_a_held_notice_is_counted_by_why_in_a_word() -> None:
    """The metrics' `reason`: a customer without a contact and a staff member without an
    address are `no_address` (held before its gateway is asked); a channel without a gateway
    `no_gateway`."""
    staff = [StaffMember(id="o1", name="丁", role=Role.OPERATIONS)]
    mail = SmtpSender(Settings(smtp_host="127.0.0.1", notice_from=FROM))
    sender = ByChannel(Addresses(staff, {"loan-X": "its application gives none"}), mail, None)

    def held(recipient: str, channel: Literal["sms", "email"], id: int) -> str:
        with pytest.raises(NotDelivered):
            sender.send(OutboxMessage(id=id, key=f"k{id}", workflow_id="loan-X",
                                      channel=channel, recipient=recipient, template="t",
                                      body="b", created_at=datetime.now(UTC)))
        return sender.held[id]

    assert held("customer", "email", 1) == "no_address"
    assert held("o1", "email", 2) == "no_address"
    assert held("o1", "sms", 3) == "no_gateway"


def _notice() -> OutboxMessage:
    return OutboxMessage(id=1, key="loan-APP-1:offer:1", workflow_id="loan-APP-1",
                         channel="email", recipient="customer", template="offer_ready",
                         body="您的贷款要约已就绪", created_at=datetime.now(UTC))


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_mail_reaches_a_relay_behind_the_banks_own_ca_over_tls(
    security: Literal["tls", "starttls"], tmp_path: Path,
) -> None:
    """SMTP_SECURITY=tls: SMTPS, TLS from the first byte (port 465 at many banks' relays), to
    a server that speaks nothing in the clear; starttls: to one that takes no mail before it.
    Both check the server's certificate against SMTP_CA_FILE (the bank's CA) and log in over
    TLS; without that file the system's CAs know it not, and nothing is sent."""
    ca = PrivateCa.create(tmp_path)
    issued = ca.issue("smtp.bank.example.cn", ips=("127.0.0.1",))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(issued.cert, issued.key)
    # aiosmtpd's auth_require_tls looks for STARTTLS alone: its implicit-TLS server (which
    # speaks nothing in the clear) offers a login only without it
    tls: dict[str, Any] = ({"ssl_context": context, "auth_require_tls": False}
                           if security == "tls" else
                           {"tls_context": context, "require_starttls": True})
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=box, **tls)
    controller.start()
    try:
        settings = Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_security=security,
                            smtp_ca_file=ca.cert_file, smtp_user="loan-notices",
                            smtp_password="mail-password-in-its-file", notice_from=FROM)
        SmtpSender(settings).send(_notice(), ["cfo@acme.example.cn"])
        [(rcpt, mail)] = box.mails
        assert (rcpt, _text(mail).strip()) == (["cfo@acme.example.cn"], "您的贷款要约已就绪")
        assert box.logins == [("loan-notices", "mail-password-in-its-file")]

        unknown_ca = SmtpSender(settings.model_copy(update={"smtp_ca_file": None}))
        with pytest.raises(ssl.SSLCertVerificationError):
            unknown_ca.send(_notice(), ["cfo@acme.example.cn"])
        assert len(box.mails) == 1
    finally:
        controller.stop()


def test_the_mail_servers_security_is_read_as_set_or_as_before_it_was_a_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SMTP_SECURITY when set (any case), its port 465 for TLS unless SMTP_PORT says another;
    unset, SMTP_STARTTLS as a deployment set it before: true STARTTLS, false none, on 587."""
    def read(**given: str) -> tuple[str, int]:
        for name in ("SMTP_SECURITY", "SMTP_STARTTLS", "SMTP_PORT"):
            monkeypatch.delenv(f"LOAN_JOURNEY_{name}", raising=False)
        for name, value in given.items():
            monkeypatch.setenv(f"LOAN_JOURNEY_{name.upper()}", value)
        settings = Settings()
        return settings.smtp_mode, settings.smtp_port_used

    assert read() == ("starttls", 587)
    assert read(smtp_starttls="false") == ("none", 587)
    assert read(smtp_starttls="false", smtp_port="25") == ("none", 25)
    assert read(smtp_security="TLS") == ("tls", 465)
    assert read(smtp_security="tls", smtp_port="2465") == ("tls", 2465)
    assert read(smtp_security="starttls", smtp_starttls="false") == ("starttls", 587)
    assert read(smtp_security="none") == ("none", 587)
    assert read(smtp_security="", smtp_port="") == ("starttls", 587)  # compose's unset
    with pytest.raises(ValidationError, match="starttls"):
        read(smtp_security="ssl")
