"""Where an order's lines sit in Saleor's catalogue (product, category, collections), for saved segments.

Two queries per order: the lines with their variant's product, and the products' collections. A line
whose variant or product Saleor has deleted keeps what is known (nothing, for a deleted variant).
"""

from saleor_loyalty.insights.order_events import LineCatalogFacts


def line_catalog_facts(order_id) -> list[LineCatalogFacts]:
    from saleor.order.models import OrderLine
    from saleor.product.models import CollectionProduct

    lines = list(
        OrderLine.objects.filter(order_id=order_id)
        .select_related("variant__product")
        .only("id", "variant__product__id", "variant__product__category_id")
    )
    products = {line.variant.product_id for line in lines if line.variant is not None}
    collections: dict[int, list[int]] = {}
    for product_id, collection_id in CollectionProduct.objects.filter(product_id__in=products).values_list(
        "product_id", "collection_id"
    ):
        collections.setdefault(product_id, []).append(collection_id)
    facts = []
    for line in lines:
        product = line.variant.product if line.variant is not None else None
        facts.append(
            LineCatalogFacts(
                line_id=str(line.pk),
                product_id=product.pk if product else None,
                category_id=product.category_id if product else None,
                collection_ids=tuple(sorted(collections.get(product.pk, ()))) if product else (),
            )
        )
    return facts
