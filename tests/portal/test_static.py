"""The vendored USWDS files survive collectstatic with a manifest (every url() they use exists)."""

from __future__ import annotations

from django.core.management import call_command


def test_vendored_uswds_collects_with_a_manifest(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    for name in (
        "vendor/uswds/css/uswds.min.css",
        "vendor/uswds/js/uswds.min.js",
        "vendor/uswds/img/us_flag_small.png",
        "vendor/uswds/fonts/source-sans-pro/sourcesanspro-regular-webfont.woff2",
    ):
        assert f'"{name}"' in manifest
