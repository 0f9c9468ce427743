"""A period in a URL is read once, by the URL converter: a bad or out-of-range one is a 404."""

import pytest
from django.test import Client
from django.urls import reverse

from metrics.cycles.models import Cycle
from people.models import Role, User
from plans.periods import Period

MONTH_URLS = ["/figures/{}/", "/figures/{}/template.csv", "/figures/{}/template.xlsx", "/figures/{}/someone/history/"]
PERIOD_URLS = ["/cycles/{}/", "/cycles/{}/progress/", "/cycles/{}/force/"]
POSTED_URLS = ["/cycles/{}/close/", "/cycles/{}/force/", "/cycles/{}/reopen/", "/figures/{}/"]


@pytest.fixture
def hr(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_user(username="hr", role=Role.HR))
    return client


@pytest.mark.parametrize("period", ["9999-12", "0000-01", "1999-12", "2101-01", "2026-13", "2026-00", "2026-Q5"])
@pytest.mark.parametrize("url", MONTH_URLS)
def test_a_month_page_of_no_month_in_range_is_404(hr: Client, url: str, period: str) -> None:
    assert hr.get(url.format(period)).status_code == 404


@pytest.mark.parametrize("url", MONTH_URLS[1:])
def test_a_quarters_figures_lead_to_its_reviews_and_nothing_else_of_it_is_a_page(hr: Client, url: str) -> None:
    assert hr.get("/figures/2026-Q1/")["Location"] == "/reviews/team/2026-Q1/"
    assert hr.get("/figures/2100-Q4/")["Location"] == "/reviews/team/2100-Q4/"
    assert hr.get("/figures/2101-Q1/").status_code == 404
    assert hr.get(url.format("2026-Q1")).status_code == 404


@pytest.mark.parametrize("period", ["9999-12", "0000-01", "1999-Q4", "2101-Q1", "2026-13", "2026-Q5", "2026-Q0"])
@pytest.mark.parametrize("url", PERIOD_URLS)
def test_a_cycle_page_of_no_period_in_range_is_404(hr: Client, url: str, period: str) -> None:
    assert hr.get(url.format(period)).status_code == 404


@pytest.mark.parametrize("period", ["9999-12", "0000-01"])
@pytest.mark.parametrize("url", POSTED_URLS)
def test_posting_to_a_period_out_of_range_is_404_and_creates_no_cycle(hr: Client, url: str, period: str) -> None:
    assert hr.post(url.format(period), {"confirm": "on", "reason": "why"}).status_code == 404
    assert not Cycle.objects.exists()


@pytest.mark.parametrize(("url", "period"), [("/figures/{}/", "2000-01"), ("/cycles/{}/", "2100-Q4")])
def test_the_first_and_last_periods_have_pages(hr: Client, url: str, period: str) -> None:
    assert hr.get(url.format(period)).status_code == 200


def test_a_link_takes_a_period_or_its_text() -> None:
    assert reverse("metrics:cycle", args=[Period.parse("2026-Q1")]) == "/cycles/2026-Q1/"
    assert reverse("metrics:figures_grid", args=["2026-02"]) == "/figures/2026-02/"


# --- the year (SPEC.md section 10) ----------------------------------------------------------------


@pytest.mark.parametrize("url", PERIOD_URLS)
def test_a_year_has_cycle_pages_and_one_out_of_range_is_404(hr: Client, url: str) -> None:
    assert hr.get(url.format("2026")).status_code == 200
    assert hr.get(url.format("1999")).status_code == 404
    assert hr.get(url.format("2101")).status_code == 404


@pytest.mark.parametrize("url", [*MONTH_URLS, "/reviews/team/{}/"])
def test_a_year_has_no_figures_and_no_team_reviews(hr: Client, url: str) -> None:
    manager = Client()
    manager.force_login(User.objects.create_user(username="boss", role=Role.MANAGER))
    assert manager.get(url.format("2026")).status_code == 404
    if url in MONTH_URLS:
        assert hr.get(url.format("2026")).status_code == 404


def test_the_ranking_is_of_a_year_only(hr: Client) -> None:
    assert hr.get("/cycles/2026/ranking/").status_code == 200
    assert hr.get("/cycles/2026-Q1/ranking/").status_code == 404
    assert hr.get("/cycles/2101/ranking/").status_code == 404
