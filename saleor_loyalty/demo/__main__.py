"""Run a month of a small Israeli shop through the club engine and print the club report.

    python -m saleor_loyalty.demo [--seed N]

With no DATABASE_URL it starts an embedded PostgreSQL and uses a fresh `loyalty_demo` database.
"""

import argparse
import os
import sys


def _fresh_embedded_database():
    import psycopg

    from saleor_loyalty.devdb import database_settings

    server = database_settings("postgres")
    with psycopg.connect(host=server["HOST"], user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS loyalty_demo")
        conn.execute("CREATE DATABASE loyalty_demo")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=5786)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_loyalty.demo.settings")
    if not os.environ.get("DATABASE_URL"):
        _fresh_embedded_database()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)

    from saleor_loyalty.demo.simulation import simulate_month

    report = simulate_month(seed=args.seed)
    print(report.render())
    return 0 if report.healthy else 1


if __name__ == "__main__":
    sys.exit(main())
