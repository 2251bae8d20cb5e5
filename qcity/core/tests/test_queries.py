"""Query budgets (PATTERNS.md 11): list pages and the home page do not query per row."""

import pytest

PAGES = [
    "/",
    "/core/orgunits/",
    "/core/orgunitnames/",
    "/core/regions/",
    "/core/roleassignments/",
    "/api/core/orgunits/",
]


@pytest.mark.parametrize("url", PAGES)
def test_page_query_budget(world, client_for, django_assert_max_num_queries, url):
    client = client_for("office_admin")
    client.get(url)  # warm caches (content types, rules)
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
