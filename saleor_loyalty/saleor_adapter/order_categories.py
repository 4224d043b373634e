"""The Saleor categories of an order's lines, for challenges that count first orders in a new category."""


def order_category_ids(order_id) -> list[int]:
    """Category ids of the order's lines' products (lines whose variant Saleor deleted have none)."""
    from saleor.order.models import OrderLine

    return sorted(
        {
            category_id
            for category_id in OrderLine.objects.filter(order_id=order_id).values_list(
                "variant__product__category_id", flat=True
            )
            if category_id is not None
        }
    )
