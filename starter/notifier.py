"""`loan-journey notices send`: the outbox's notices delivered, email over the bank's mail
server (SMTP) and SMS through its gateway's HTTP API, each marked sent once delivered.

Whom a notice reaches is resolved as it is sent, never at queue time, so that the journeys'
`notify` (and its history) is unchanged and every row queued before this version is sent the
same way:
- "customer": the contact its journey's application gives (`LoanApplication.contact`), read
  from the journey's start on the server (its latest run's first event: a continued run
  carries the application too), where `start` kept it; the bank's database holds no copy.
  A journey without one (started before the field, or its customer reached by its manager
  alone), or whose history the server deleted after its retention, has its notices wait,
  saying why.
- a staff id: that member's email or mobile in the policy in force; a team (`sme_risk`,
  `operations`): every active member of it (by team, or by role for operations) with one.
A message that cannot be resolved, or that its gateway refuses, stays pending, its reason
said, and the next pass tries it again; the gateway gets the message's key to de-duplicate
one sent twice (a pass that stopped between the send and its mark).

Several notifiers may run on one database: each claims a message before it sends it
(store/outbox.py `claim`), and leaves one another has claimed to it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr

from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.service import RPCError, RPCStatusCode

from journey.actors import Role
from journey.contact import Contact
from journey.policy import StaffMember
from journey.settings import Settings
from journey.status import JourneyInput
from starter.codec import SETTING, undecodable
from starter.notifier_metrics import HeldKind, observe_pass
from starter.pinned_policy import current_policy
from store.outbox import Dispatched, OutboxMessage, backlog, dispatch_all, pending

CUSTOMER = "customer"
TIMEOUT_S = 30.0


class NotDelivered(Exception):
    """Why a message stays pending: said as the pass reports it, and counted by its kind (a
    gateway refusing it unless said otherwise)."""

    def __init__(self, why: str, kind: HeldKind = "gateway_refused") -> None:
        super().__init__(why)
        self.kind: HeldKind = kind


def subject_of(message: OutboxMessage) -> str:
    """The template in words, and the journey it is about: "offer ready (loan-APP-1)"."""
    return f"{message.template.replace('_', ' ')} ({message.workflow_id})"


def text_of(message: OutboxMessage) -> str:
    """The notice's text; a notice queued without one says its kind."""
    return message.body or message.template.replace("_", " ")


@dataclass
class Addresses:
    """Each recipient's addresses for a channel: the customers' contacts by journey (looked
    up by `contacts` before the pass, a reason for each that has none) and the staff
    directory of the policy in force."""

    staff: Sequence[StaffMember]
    customers: dict[str, Contact | str] = field(default_factory=dict)

    def of(self, message: OutboxMessage) -> list[str]:
        """Where `message` goes on its channel; `NotDelivered` saying why it cannot."""
        kind = "mobile" if message.channel == "sms" else "email"
        if message.recipient == CUSTOMER:
            contact = self.customers.get(
                message.workflow_id, "queued as the pass ran, it is read on the next one")
            if isinstance(contact, str):
                raise NotDelivered(f"no contact for the customer of {message.workflow_id}: "
                                   f"{contact}", "no_address")
            if (address := getattr(contact, kind)) is None:
                raise NotDelivered(f"the customer of {message.workflow_id} gave no {kind} "
                                   f"(its application's contact)", "no_address")
            return [address]
        members = self._members(message.recipient)
        if [m.active for m in members] == [False]:
            raise NotDelivered(f"{message.recipient!r} is no longer active in the policy in "
                               "force's staff directory", "no_address")
        if not members:
            raise NotDelivered(f"{message.recipient!r} is neither the customer nor a staff id "
                               "or team of the policy in force", "no_address")
        found = [a for m in members if (a := getattr(m, kind)) is not None]
        if not found:
            raise NotDelivered(f"no {kind} for {message.recipient!r} in the policy in force's "
                               "staff directory: add one to its member(s)", "no_address")
        return found

    def _members(self, recipient: str) -> list[StaffMember]:
        by_id = [m for m in self.staff if m.id == recipient]
        return by_id or [m for m in self.staff if m.active and (
            m.team == recipient or (recipient == Role.OPERATIONS and m.role is Role.OPERATIONS))]


async def contacts(client: Client, journeys: Sequence[str]) -> dict[str, Contact | str]:
    """Each journey's customer contact, from its start on the server, or why there is none."""
    found: dict[str, Contact | str] = {}
    for workflow_id in journeys:
        try:
            contact = await contact_or_why(client, workflow_id)
        except RPCError as err:
            contact = f"the server: {err}"
        found[workflow_id] = contact if contact is not None else (
            "its application gives none (`contact`: name, mobile, email)")
    return found


async def contact_or_why(client: Client, workflow_id: str) -> Contact | None | str:
    """The journey's contact (`contact_of`), None if its application gives none, or why it
    could not be read: its history deleted after its retention, encrypted without the keys
    here, a start of another kind. The server's other refusals are raised: the caller says
    whether one journey's or the whole pass's."""
    try:
        return await contact_of(client, workflow_id)
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            return "its history is no longer on the server (deleted after its retention)"
        raise
    except Exception as err:
        return why_unread(err, "its history")


def why_unread(err: Exception, what: str) -> str:
    """Why `what` (a history, an archived one) could not be read for its start: encrypted
    without the codec keys here, or the error."""
    if undecodable(err):
        return (f"{what} is encrypted and {SETTING} is not set here: it could not be read; "
                "set the keys as the workers have them and ask again")
    return f"{what}'s start could not be read: {err}"


async def contact_of(client: Client, workflow_id: str) -> Contact | None:
    """The contact the journey's application gives, from its latest run's first event (a run
    continued as new carries the application too), decoded by `client`'s converter: the one
    place the bank keeps it, read by the notifier and by `subject`."""
    handle = client.get_workflow_handle(workflow_id)
    async for event in handle.fetch_history_events(page_size=1):
        return await contact_in(client.data_converter, event)
    return None


async def contact_in(converter: DataConverter, started: HistoryEvent) -> Contact | None:
    """The contact of the application a journey's run started with (its first event, from
    the server or an archived history), decoded by `converter`."""
    given = started.workflow_execution_started_event_attributes.input.payloads
    [start] = await converter.decode(given, [JourneyInput])
    return start.application.contact


class SmtpSender:
    """Email through the bank's mail server: STARTTLS on a plain connection, TLS from the
    first byte (SMTPS), or neither, as `smtp_mode` says; the server's certificate checked
    against the CA file when set (a relay behind the bank's own CA), the system's CAs
    otherwise; a login when a user is set, one message to all of its recipient's addresses.
    Its Message-ID is the notice's key's digest, so that a mail system sees one sent twice
    as the same message."""

    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_host is not None and settings.notice_from is not None
        self.host, self.port = settings.smtp_host, settings.smtp_port_used
        self.mode, self.user = settings.smtp_mode, settings.smtp_user
        self.ca_file = settings.smtp_ca_file
        self.password = settings.smtp_password
        self.sender = settings.notice_from

    def send(self, message: OutboxMessage, to: Sequence[str]) -> None:
        mail = EmailMessage()
        mail["From"] = formataddr(("", self.sender))
        mail["To"] = ", ".join(to)
        mail["Subject"] = subject_of(message)
        digest = hashlib.sha256(message.key.encode()).hexdigest()[:32]
        mail["Message-ID"] = f"<{digest}@{self.sender.split('@')[1]}>"
        mail.set_content(text_of(message), charset="utf-8")
        with self._connect() as smtp:
            if self.user is not None:
                smtp.login(self.user, self.password.get_secret_value() if self.password else "")
            smtp.send_message(mail, self.sender, list(to))

    def _connect(self) -> smtplib.SMTP:
        """A connection to the mail server, encrypted as the mode says before any login."""
        if self.mode == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_S,
                                    context=self._tls())
        smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S)
        if self.mode == "starttls":
            try:
                smtp.starttls(context=self._tls())
            except BaseException:
                smtp.close()
                raise
        return smtp

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)


class SmsWebhookSender:
    """SMS through the bank's gateway: a POST of {to, text, key} as JSON per number, with the
    bearer token when set; a 2xx answer is sent. The key is the notice's (with the number
    after it when a team has several), for the gateway to drop a repeat."""

    def __init__(self, settings: Settings) -> None:
        assert settings.sms_webhook_url is not None
        self.url, self.token = settings.sms_webhook_url, settings.sms_webhook_token

    def send(self, message: OutboxMessage, to: Sequence[str]) -> None:
        for number in to:
            key = message.key if len(to) == 1 else f"{message.key}:{number}"
            body = json.dumps({"to": number, "text": text_of(message), "key": key},
                              ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json; charset=utf-8"}
            if self.token is not None:
                headers["Authorization"] = f"Bearer {self.token.get_secret_value()}"
            request = urllib.request.Request(self.url, body, headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
                    status = answer.status
            except urllib.error.HTTPError as err:
                raise NotDelivered(f"the SMS gateway answered {err.code} {err.reason}") from None
            except (urllib.error.URLError, OSError) as err:
                raise NotDelivered(f"the SMS gateway cannot be reached: {err}") from None
            if not 200 <= status < 300:
                raise NotDelivered(f"the SMS gateway answered {status}")


@dataclass
class ByChannel:
    """The outbox's `Sender`: each message to its recipient's addresses, by its channel's
    gateway; a channel without one leaves its messages pending."""

    addresses: Addresses
    email: SmtpSender | None
    sms: SmsWebhookSender | None

    held: dict[int, HeldKind] = field(default_factory=dict)
    """Each message held by this pass, by its id: why, in a word (its metrics' label)."""

    def send(self, message: OutboxMessage) -> None:
        try:
            self._send(message)
        except NotDelivered as err:
            self.held[message.id] = err.kind
            raise
        except Exception:
            self.held[message.id] = "other"
            raise

    def _send(self, message: OutboxMessage) -> None:
        gateway = self.email if message.channel == "email" else self.sms
        if gateway is None:
            raise NotDelivered(f"no {message.channel} gateway is configured", "no_gateway")
        to = self.addresses.of(message)
        try:
            gateway.send(message, to)
        except (smtplib.SMTPException, OSError) as err:
            raise NotDelivered(f"the mail server {type(err).__name__}: {err}") from None


def gateways(settings: Settings) -> tuple[SmtpSender | None, SmsWebhookSender | None]:
    """The senders the settings configure: email needs a host and a From address."""
    return (SmtpSender(settings) if settings.email_gateway else None,
            SmsWebhookSender(settings) if settings.sms_webhook_url else None)


async def send_pass(settings: Settings, connect: Callable[[], Awaitable[Client]],
                    by: str | None = None) -> Dispatched:
    """One pass: every pending notice sent where it can be, the rest held with why; those
    another notifier has claimed left to it. `connect` gives the Temporal client, asked for
    only when a customer is to be told; `by` names this notifier in its claims (one name for
    all of a follower's passes)."""
    email, sms = gateways(settings)
    waiting: list[str] = []
    after = 0
    while batch := await asyncio.to_thread(pending, settings.db_url, 500, after):
        waiting += [m.workflow_id for m in batch if m.recipient == CUSTOMER]
        after = batch[-1].id
    addresses = Addresses(current_policy(settings).staff)
    if waiting:
        client = await connect()
        addresses.customers = await contacts(client, list(dict.fromkeys(waiting)))
    sender = ByChannel(addresses, email, sms)
    done = await asyncio.to_thread(dispatch_all, settings.db_url, sender, by=by)
    left, oldest = await asyncio.to_thread(backlog, settings.db_url)
    observe_pass(done, sender.held, left, oldest)
    return done

