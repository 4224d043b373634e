"""Saleor-style global IDs the club API takes, for engine-tier tests."""

import graphene


def tier_gid(tier) -> str:
    return graphene.Node.to_global_id("LoyaltyTier", tier.pk)


def user_gid(user) -> str:
    return graphene.Node.to_global_id("User", user.pk)
