"""The club's faces: the Saleor Dashboard app (manifest and pages) and the storefront club card.

Invariant: this package only describes and serves files that were built ahead of time
(`static/`, committed; a merchant's `pip install` never needs Node). It holds no business rule and
reads no club data: every screen reads and writes through the club GraphQL endpoint, under the
token the Dashboard (or the storefront) hands it, so what a screen may do is decided there.
"""
