"""One file per mutation: each declares its permission, calls one engine function and maps its errors.

Invariant: a mutation that answers `errors` wrote nothing.
"""
