"""Saleor's product variants as paid membership plans need them: do they exist, and their price in a channel."""

from prices import Money

from saleor_loyalty.engagement.membership_plans import VariantFacts


def variants(channel_slug: str, variant_ids: frozenset[int]) -> dict[int, VariantFacts]:
    """The variants among these that Saleor has (one query); `price` is None where the channel does not
    list the variant or lists it without a price, so such a plan is never offered."""
    from saleor.product.models import ProductVariant, ProductVariantChannelListing

    found = {
        variant.pk: variant
        for variant in ProductVariant.objects.filter(pk__in=variant_ids).select_related("product")
    }
    listings = {
        listing.variant_id: listing
        for listing in ProductVariantChannelListing.objects.filter(
            variant_id__in=found, channel__slug=channel_slug, price_amount__isnull=False
        )
    }
    return {
        pk: VariantFacts(
            variant_id=pk,
            name=variant.name or "",
            product_name=variant.product.name,
            price=Money(listings[pk].price_amount, listings[pk].currency) if pk in listings else None,
        )
        for pk, variant in found.items()
    }
