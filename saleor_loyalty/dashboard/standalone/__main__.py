"""Serve the app and the card without Saleor (a fresh database each start):

    python -m saleor_loyalty.dashboard.standalone [--port 8765] [--seed browser|demo]

Prints one JSON line with the URLs once it is listening (port 0 picks a free port), then serves until
stopped. With no DATABASE_URL it uses the embedded PostgreSQL, like the demo.
"""

import argparse
import json
import os
import sys


def _fresh_database(name: str) -> None:
    import psycopg

    from saleor_loyalty.devdb import database_settings

    server = database_settings("postgres")
    params = {
        "host": server["HOST"] or "127.0.0.1",
        "port": server.get("PORT") or None,
        "user": server["USER"],
        "password": server.get("PASSWORD") or None,
        "dbname": "postgres",
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _member_global_id(email: str) -> str:
    import graphene
    from django.contrib.auth import get_user_model

    return graphene.Node.to_global_id("User", get_user_model().objects.get(email=email).pk)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", choices=["browser", "demo"], default="demo")
    parser.add_argument("--demo-seed", type=int, default=5786)
    args = parser.parse_args(argv)

    suffix = os.environ.get("LOYALTY_TEST_DB_SUFFIX", "")
    name = os.environ.setdefault("LOYALTY_STANDALONE_DB", f"loyalty_standalone_{args.seed}{suffix}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_loyalty.dashboard.standalone.settings")
    _fresh_database(name)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)

    from saleor_loyalty.dashboard.standalone import seed

    if args.seed == "browser":
        seed.seed_browser_shop()
        channel, member, other = seed.CHANNEL.slug, seed.DANA, "member02@example.co.il"
    else:
        print(seed.seed_demo_shop(args.demo_seed), file=sys.stderr)
        from saleor_loyalty.models import LoyaltyAccount

        channel, other = "bakery-levi", None
        member = (
            LoyaltyAccount.objects.exclude(user=None).order_by("-balance").values_list("email", flat=True)[0]
        )

    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):  # the browser tests read stdout for the one JSON line
            pass

    server = ThreadedWSGIServer(("127.0.0.1", args.port), QuietHandler)
    server.set_app(get_wsgi_application())
    base = f"http://127.0.0.1:{server.server_port}"
    print(
        json.dumps(
            {
                "url": base,
                "dashboard": f"{base}/dashboard/?channel={channel}",
                "storefront": f"{base}/storefront/?channel={channel}&email={member}",
                "manifest": f"{base}/plugins/global/saleor.loyalty/app/manifest",
                "channel": channel,
                "member_id": _member_global_id(member),
                "other_member_id": _member_global_id(other) if other else None,
            }
        ),
        flush=True,
    )
    if args.seed == "demo":
        print(
            f"\nThe club's faces on the demo shop (no Saleor):\n  Dashboard app: {base}/dashboard/?channel={channel}"
            f"\n  Club card:     {base}/storefront/?channel={channel}&email={member}  (add &lang=he)"
            f"\n  Manifest:      {base}/plugins/global/saleor.loyalty/app/manifest\nCtrl-C stops it.",
            file=sys.stderr,
        )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
