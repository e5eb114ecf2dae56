import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_base_page_has_the_govuk_furniture(client, health_visitor):
    client.force_login(health_visitor)
    html = client.get(reverse("home")).content.decode()
    assert 'class="govuk-skip-link"' in html and 'href="#main-content"' in html
    assert "govuk-header" in html and "Neglect Portal" in html
    assert "govuk-service-navigation" in html
    assert 'id="main-content"' in html
    assert reverse("accessibility") in html
    assert "govuk-frontend-5.14.0/govuk-frontend.min.css" in html
    assert "govuk-header__logotype" not in html  # no crown


def test_sign_out_is_a_form_posting_with_csrf(client, health_visitor):
    client.force_login(health_visitor)
    html = client.get(reverse("home")).content.decode()
    assert f'method="post" action="{reverse("logout")}"' in html
    assert "csrfmiddlewaretoken" in html


def test_the_404_page_is_styled_and_says_nothing_about_the_record(client, health_visitor):
    client.force_login(health_visitor)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and "govuk-header" in html


def test_the_403_page_is_styled(client, health_visitor):
    client.force_login(health_visitor)
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "You do not have permission to do this" in response.content.decode()


def test_the_500_page_renders_without_a_request_context():
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in html
    assert "govuk-frontend.min.css" in html


def test_accessibility_statement_is_public(client):
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    assert "Accessibility statement for the Neglect Portal" in response.content.decode()


def test_health_check_reports_the_database(client):
    response = client.get(reverse("health"))
    assert response.json() == {"status": "ok"}


def test_static_files_collect_with_the_manifest_storage(settings, tmp_path):
    """The production storage hashes every file and every url() in the CSS must resolve."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--no-input", verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/govuk-frontend-5.14.0/govuk-frontend.min.*.css.gz"))
    assert not list(tmp_path.glob("src/**"))  # Sass sources and node_modules stay out
    assert not list(tmp_path.rglob("*.woff2"))  # Arial only: no GDS Transport font


def test_forms_leave_validation_to_the_server_error_summary(client):
    html = client.get(reverse("login")).content.decode()
    assert 'name="username"' in html
    assert " required" not in html


def test_page_links_keep_the_lists_filters(rf):
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string

    request = rf.get("/children/", {"q": "Ward", "plan": "cp", "page": "2"})
    page = Paginator(list(range(100)), 25).get_page(2)
    html = render_to_string("includes/pagination.html", {"page": page}, request=request)
    assert 'href="?q=Ward&amp;plan=cp&amp;page=3"' in html
    assert 'href="?q=Ward&amp;plan=cp&amp;page=1"' in html
