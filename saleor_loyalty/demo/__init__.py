"""The README's main job: a month of a small Israeli shop through the club engine, then the club report.

Invariant: it runs on the engine alone (no Saleor), on DATABASE_URL or an embedded PostgreSQL.
"""
