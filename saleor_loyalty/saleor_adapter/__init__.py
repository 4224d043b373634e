"""The one place that reads Saleor's models and auth, turning them into the engine's plain facts.

Everything Saleor-version-specific lives here; the engine never imports `saleor`. Imports of
Saleor are inside functions so the engine tier (no Saleor installed) can import this package.
"""
