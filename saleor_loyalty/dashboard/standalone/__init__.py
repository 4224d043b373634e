"""The app and the card without Saleor: a stand-in Dashboard, storefront and Saleor API around the real
club endpoint and the real built pages, on the engine's own settings (the demo's `--serve`, the browser tests).

Invariant: never reachable from Saleor. The plugin imports nothing from here; this runs only as its own
process (`python -m saleor_loyalty.dashboard.standalone`), with its own settings and database, and its
stand-in tokens are signed with that process's secret, so none of them means anything to a real Saleor.
"""
