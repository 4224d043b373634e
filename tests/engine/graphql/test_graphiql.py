"""GraphiQL on GET comes from the package itself: no CDN, a strict Content-Security-Policy, assets that exist."""

import re

from django.test import RequestFactory

from saleor_loyalty.dashboard import pages
from saleor_loyalty.graphql import views

ENDPOINT = "/plugins/global/saleor.loyalty/graphql/"


def get(path, graphiql_enabled=True):
    request = RequestFactory().get(path)
    return views.handle(request, lambda request: None, graphiql_enabled=graphiql_enabled)


def test_the_page_loads_only_its_own_assets_under_a_strict_policy():
    response = get(ENDPOINT)
    page = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'(?:src|href)="([^"]+)"', page) == [
        "/plugins/global/saleor.loyalty/graphiql/graphiql.css",
        "/plugins/global/saleor.loyalty/graphiql/graphiql.js",
    ]
    assert "<script>" not in page  # nothing inline: the policy allows scripts from 'self' only
    policy = response["Content-Security-Policy"]
    for directive in ("default-src 'none'", "script-src 'self';", "connect-src 'self'"):
        assert directive in policy


def test_the_endpoint_without_its_trailing_slash_points_at_the_same_assets():
    page = get(ENDPOINT.rstrip("/")).content.decode()
    assert 'src="/plugins/global/saleor.loyalty/graphiql/graphiql.js"' in page


def test_the_assets_are_served_from_the_built_package_files():
    for name, content_type in (("graphiql.js", "text/javascript"), ("graphiql.css", "text/css")):
        response = pages.handle(RequestFactory().get("/x"), f"/graphiql/{name}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith(content_type)
        assert len(response.content) > 10_000  # the real bundle, not a placeholder
    assert pages.handle(RequestFactory().get("/x"), "/graphiql/../manifest.py") is None


def test_get_without_graphiql_is_refused_as_before():
    response = get(ENDPOINT, graphiql_enabled=False)
    assert response.status_code == 405
