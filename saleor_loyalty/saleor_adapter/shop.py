"""Channels and catalog ids as the club needs them."""

from saleor_loyalty.core.facts import ChannelFacts


def channel_facts(slug: str) -> ChannelFacts | None:
    from saleor.channel.models import Channel

    channel = Channel.objects.filter(slug=slug).first()
    if channel is None:
        return None
    return ChannelFacts(
        slug=channel.slug,
        currency=channel.currency_code,
        default_country=str(channel.default_country or ""),
        is_active=channel.is_active,
    )


def catalog_ids(kind: str, ids: frozenset[int]) -> set[int]:
    """The ids among these that Saleor has as products or collections (`kind`): early access marks only those."""
    from saleor.product.models import Collection, Product

    model = {"product": Product, "collection": Collection}[kind]
    return set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
