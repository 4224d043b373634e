"""The checkout benchmark runs on the Saleor tier's fixtures and database."""

from tests.saleor_tier.conftest import *  # noqa: F403
