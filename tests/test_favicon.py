"""The site's icon: linked from every page, and at /favicon.ico where browsers look without a link."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client


@pytest.mark.django_db
def test_slash_favicon_ico_leads_to_the_icon_which_is_served() -> None:
    client = Client()

    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"
    found = finders.find("favicon.svg")  # what collectstatic copies and whitenoise serves
    assert isinstance(found, str)
    assert Path(found).read_text(encoding="utf-8").startswith('<svg xmlns="http://www.w3.org/2000/svg"')


@pytest.mark.django_db
def test_every_page_links_the_icon() -> None:
    html = Client().get("/accounts/login/").content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
