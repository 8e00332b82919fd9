from __future__ import annotations

import pytest


@pytest.fixture
def evidence_dirs(settings, tmp_path):
    """DATA_DIR and the default storage under tmp_path; returns (tmp dir, storage root)."""
    settings.DATA_DIR = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
    return tmp_path / "tmp", tmp_path / "files"
