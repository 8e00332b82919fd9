"""Static files storage that remembers each file's URL: the manifest never changes while a
process runs, and building the URL (hash lookup and quoting) cost more per page than the
page's own queries."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._url_cache: dict[tuple[str, bool], str] = {}

    def url(self, name, force=False):
        key = (name, force)
        url = self._url_cache.get(key)
        if url is None:
            url = self._url_cache[key] = super().url(name, force)
        return url
