"""saleor-loyalty: a customer club for Saleor built on an append-only points ledger."""

__version__ = "0.1.0"
