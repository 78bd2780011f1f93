"""The project-scoped routes: the apps' route lists are tried in an order chosen for speed (the coding
loop's first), which is only safe while no two of them hold the same route."""

from collections import Counter

from django.urls import URLPattern, URLResolver, get_resolver


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def test_no_two_routes_are_the_same_so_their_order_does_not_matter():
    routes = list(_routes(get_resolver().url_patterns))
    assert any(route.endswith("queue/next/") for route in routes)
    assert [route for route, n in Counter(routes).items() if n > 1] == []
