"""The real-WordPress fixture serves what WordPress serves: discovery, paged REST API, feed."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

import httpx
import pytest
from wordpress import POST_COUNT, STARTUP_TIMEOUT, WordPressSite, seed_posts, wordpress_site

__all__ = ["wordpress_site"]  # the fixture, imported so pytest finds it in this module


@pytest.fixture
def client() -> httpx.Client:
    return httpx.Client(timeout=30.0)


def test_started_in_time(
    wordpress_site: WordPressSite, record_property: Callable[[str, object], None]
) -> None:
    record_property("wordpress_startup_seconds", round(wordpress_site.startup_seconds, 2))
    assert wordpress_site.startup_seconds < STARTUP_TIMEOUT
    assert wordpress_site.post_count == POST_COUNT
    assert len(set(wordpress_site.post_ids)) == POST_COUNT


def test_home_declares_the_rest_api(wordpress_site: WordPressSite, client: httpx.Client) -> None:
    response = client.get(wordpress_site.base_url + "/")
    assert response.status_code == 200
    api = f"{wordpress_site.base_url}/wp-json/"
    assert response.headers["link"] == f'<{api}>; rel="https://api.w.org/"'
    assert f'<link rel="https://api.w.org/" href="{api}" />' in response.text


def test_posts_page_by_100(wordpress_site: WordPressSite, client: httpx.Client) -> None:
    ids: list[int] = []
    for page in (1, 2, 3):
        response = client.get(wordpress_site.posts_endpoint, params={"per_page": 100, "page": page})
        assert response.status_code == 200
        assert response.headers["x-wp-total"] == str(POST_COUNT)
        assert response.headers["x-wp-totalpages"] == "3"
        ids += [post["id"] for post in response.json()]
    assert sorted(ids) == sorted(wordpress_site.post_ids)
    past = client.get(wordpress_site.posts_endpoint, params={"per_page": 100, "page": 4})
    assert past.status_code == 400


def test_newest_post_is_the_last_created(
    wordpress_site: WordPressSite, client: httpx.Client
) -> None:
    [newest] = client.get(wordpress_site.posts_endpoint, params={"per_page": 1}).json()
    expected = seed_posts()[-1]
    assert newest["id"] == wordpress_site.post_ids[-1]
    assert html.unescape(newest["title"]["rendered"]) == expected["title"]
    assert newest["slug"] == expected["slug"]


def test_seed_markup_survives(wordpress_site: WordPressSite, client: httpx.Client) -> None:
    post_id = wordpress_site.post_ids[0]
    post = client.get(f"{wordpress_site.posts_endpoint}/{post_id}").json()
    assert wordpress_site.post_sources[0] == (
        "cases/real-seed-digitaltradecenter/digitaltradecenter_13123.json"
    )
    assert 'data-uri="cms.cnn.com/_components/paragraph/instances/' in post["content"]["rendered"]


def test_feed_lists_the_ten_newest(wordpress_site: WordPressSite, client: httpx.Client) -> None:
    response = client.get(wordpress_site.base_url + "/feed/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/rss+xml")
    items = response.text.split("<item>")[1:]
    links = [re.search(r"<link>([^<]+)</link>", item)[1] for item in items]  # type: ignore[index]
    newest = client.get(wordpress_site.posts_endpoint, params={"per_page": 10}).json()
    assert [p["id"] for p in newest] == list(reversed(wordpress_site.post_ids[-10:]))
    assert links == [p["link"] for p in newest]


def test_update_post_changes_what_the_api_serves(
    wordpress_site: WordPressSite, client: httpx.Client
) -> None:
    post_id = wordpress_site.post_ids[5]
    url = f"{wordpress_site.posts_endpoint}/{post_id}"
    before = client.get(url, params={"context": "view"}).json()
    original = wordpress_site.run_php(_RAW_CONTENT, str(post_id))
    try:
        wordpress_site.update_post(post_id, "<p>A changed paragraph.</p>", title="Changed title")
        after = client.get(url).json()
        assert after["content"]["rendered"].strip() == "<p>A changed paragraph.</p>"
        assert after["title"]["rendered"] == "Changed title"
        assert after["link"] == before["link"]
    finally:
        raw = json.loads(original)
        wordpress_site.update_post(post_id, raw["content"], title=raw["title"])
    assert client.get(url).json()["content"] == before["content"]


_RAW_CONTENT = """<?php
require __DIR__ . '/wp-load.php';
$p = get_post((int) $argv[1]);
echo json_encode(['content' => $p->post_content, 'title' => $p->post_title]);
"""
