"""Campaign sending on one worker into a real local SMTP server, against a raw smtplib loop in the same run.

    bash scripts/bench.sh campaign_sending [--members N] [--batch B] [--database NAME]

Starts aiosmtpd on 127.0.0.1 (a real SMTP conversation per message: MAIL, RCPT, DATA), builds N
consenting members in a fresh database (`loyalty_bench_campaigns` plus
$LOYALTY_TEST_DB_SUFFIX, or `--database`), then times:
(1) the club: `campaign_sending.run` end to end: start, enrol, claim in batches (audience, consent,
email gap, per-person locks, merge fields with points, one log row per message), render through the
§30A gate and deliver over one reused SMTP connection per batch; counting the SQL statements and
the bytes of each message handed to SMTP;
(2) raw, twice right after it (the machine's load moves; their mean is the baseline): one smtplib
connection sending N messages already serialised, of the club's mean size, to N recipients:
nothing but the SMTP conversation, the fastest a sender can go on this connection.
Target: >= 300 messages/s per worker. Prints the rates, their ratio and SQL statements per message.
"""

import argparse
import email.policy
import hashlib
import os
import smtplib
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from email.message import EmailMessage

from fresh_database import setup_django

TUESDAY = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)


def _wait_for(port: int) -> None:
    for _ in range(100):
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the SMTP server did not start")


def build(members: int):
    from saleor_loyalty.core.facts import ChannelFacts
    from saleor_loyalty.ledger import programs
    from saleor_loyalty.models import ConsentEvent, LoyaltyAccount, MessagingSettings

    program = programs.ensure_program(ChannelFacts("bench", "ILS", "IL"))
    MessagingSettings.objects.create(
        channel_slug="bench",
        sender_name="Bench shop",
        sender_email="shop@bench.example",
        contact_address="1 Herzl St, Tel Aviv",
    )
    emails = [f"m{i}@bench.example" for i in range(members)]
    LoyaltyAccount.objects.bulk_create(
        [LoyaltyAccount(program=program, email=email, balance=100 + i) for i, email in enumerate(emails)],
        batch_size=5000,
    )
    ConsentEvent.objects.bulk_create(
        [
            ConsentEvent(
                subject_hash=hashlib.sha256(f"email:{email}".encode()).hexdigest(),
                channel_slug="bench",
                medium="email",
                action="grant",
                source="account_page",
                wording="Send me club offers",
                occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
            for email in emails
        ],
        batch_size=5000,
    )
    return program


def raw_rate(port: int, count: int, size: int) -> float:
    message = EmailMessage()
    message["From"], message["Subject"] = "Bench shop <shop@bench.example>", "Sale"
    message["To"] = "member@bench.example"
    message.set_content(("x" * 75 + "\n") * (size // 76))
    data = message.as_bytes(policy=email.policy.SMTP)
    data += b"x" * max(size - len(data) - 2, 0) + b"\r\n"  # the club's size to the byte
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(count):
            smtp.sendmail("shop@bench.example", [f"m{i}@bench.example"], data)
    return count / (time.perf_counter() - started)


class Meter:
    """SQL statements run and bytes handed to SMTP while the club sends (counted, not changed)."""

    def __init__(self):
        self.queries = self.messages = self.bytes = 0
        self.cpu = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)

    def sendmail(self, original):
        def counted(smtp, from_addr, to_addrs, msg, *args, **kwargs):
            self.messages += 1
            self.bytes += len(msg)
            return original(smtp, from_addr, to_addrs, msg, *args, **kwargs)

        return counted


def club_rate(program, batch: int, meter: Meter) -> tuple[float, int]:
    from django.db import connection

    from saleor_loyalty.insights import campaign_sending, campaigns

    body = "Hello {first_name}, you have {points} points ({points_value}). https://shop.example/sale"
    campaign = campaigns.create(
        program,
        campaigns.CampaignSpec(
            name="bench",
            send_rate_per_minute=campaigns.MAX_RATE,
            variants=[
                campaigns.VariantSpec("A", {"he": {"subject": "Sale A", "body": body}}),
                campaigns.VariantSpec("B", {"he": {"subject": "Sale B", "body": body}}),
            ],
            holdout_percent=5,
        ),
    )
    campaigns.schedule(campaign, TUESDAY, TUESDAY)
    original = smtplib.SMTP.sendmail
    smtplib.SMTP.sendmail = meter.sendmail(original)
    try:
        with connection.execute_wrapper(meter):
            started, cpu = time.perf_counter(), time.process_time()
            report = campaign_sending.run(TUESDAY, limit=batch, max_batches=10**6)
            elapsed = time.perf_counter() - started
            meter.cpu = time.process_time() - cpu
    finally:
        smtplib.SMTP.sendmail = original
    return report.sent / elapsed, report.sent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument(
        "--database", default=f"loyalty_bench_campaigns{os.environ.get('LOYALTY_TEST_DB_SUFFIX', '')}"
    )
    args = parser.parse_args()
    setup_django(args.database)
    from django.conf import settings

    with socket.socket() as probe:  # a free port for the server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The server runs in its own process, as a real one would: in a thread it would share our GIL.
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"]
    )
    _wait_for(port)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    meter = Meter()
    try:
        program = build(args.members)
        size = 2500  # a first guess for the warm-up; the measured runs use the club's own size
        raw_rate(port, min(args.members, 200), size)
        club, sent = club_rate(program, args.batch, meter)
        size = meter.bytes // max(meter.messages, 1)
        first = raw_rate(port, args.members, size)
        second = raw_rate(port, args.members, size)
    finally:
        server.terminate()
    raw = (first + second) / 2
    print(f"members: {args.members}, batch: {args.batch}, mean message size: {size:,} bytes")
    print(
        f"raw smtplib loop (one connection, no database): {raw:,.0f} messages/s ({first:,.0f} and {second:,.0f})"
    )
    print(f"club campaign sending (one worker): {club:,.0f} messages/s ({sent} accepted by the server)")
    print(f"SQL statements: {meter.queries} in all, {meter.queries / max(sent, 1):.3f} per message sent")
    print(f"club CPU time (this process): {meter.cpu * 1000 / max(sent, 1):.2f} ms per message")
    print(
        f"ratio club/raw: {club / raw:.2f}; target >= 300 messages/s: {'met' if club >= 300 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
