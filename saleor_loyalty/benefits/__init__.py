"""Tier benefits: the tier discount and free shipping inside Saleor's checkout, birthday gifts, early access.

Invariant: a benefit reaches only the member it was granted to; order creation refuses it for anyone else.
"""
