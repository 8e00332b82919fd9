"""File sessions (the default without Redis), read with one open and decoded once per text.

The file is still read on every request, so a logout, an idle timeout or a password change
(which delete or replace the file) take effect at once in every worker. Only the decoding
(signature check, base64, JSON) is skipped when the file holds exactly the text decoded before:
decoding is a pure function of the text and the secret key, so a cached result is the same
result. The cache keeps the JSON text, so each request gets fresh objects to change. Expiry
(file age beyond SESSION_COOKIE_AGE) is checked as Django does.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.file import SessionStore as FileSessionStore
from django.core.exceptions import SuspiciousOperation

_MAX_ENTRIES = 4096
# session file text -> JSON of its decoded content; only successful decodes are kept, so a
# tampered file is refused (and logged) every time.
_decoded: dict[str, str] = {}


class SessionStore(FileSessionStore):
    _mtime: float | None = None

    def load(self) -> dict[str, Any]:
        """Django's FileSessionStore.load, reading the file with one open and taking the
        modification time (for the expiry check) from the open file instead of a second
        lookup of the path."""
        session_data: dict[str, Any] = {}
        try:
            fd = os.open(self._key_to_file(), os.O_RDONLY)
            try:
                stat = os.fstat(fd)
                self._mtime = stat.st_mtime
                # Django writes a session to a temporary file and renames it into place, so
                # an open file never changes size under us.
                file_data = os.read(fd, stat.st_size).decode("ascii") if stat.st_size else ""
            finally:
                os.close(fd)
            # An empty file is the placeholder written while a session is being created.
            if file_data:
                try:
                    session_data = self.decode(file_data)
                except (EOFError, SuspiciousOperation) as e:
                    if isinstance(e, SuspiciousOperation):
                        logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
                    self.create()
                expiry_age = self.get_expiry_age(expiry=self._expiry_date(session_data))
                if expiry_age <= 0:
                    session_data = {}
                    self.delete()
                    self.create()
        except (OSError, UnicodeDecodeError, SuspiciousOperation):
            self._session_key = None
        finally:
            self._mtime = None
        return session_data

    def _last_modification(self) -> datetime.datetime:
        if self._mtime is None:
            return super()._last_modification()
        tz = datetime.UTC if settings.USE_TZ else None
        return datetime.datetime.fromtimestamp(self._mtime, tz=tz)

    def decode(self, session_data: str) -> dict[str, Any]:
        cached = _decoded.get(session_data)
        if cached is not None:
            return json.loads(cached)
        data = super().decode(session_data)
        if data:
            if len(_decoded) >= _MAX_ENTRIES:
                _decoded.clear()  # rare; a dict kept small beats LRU bookkeeping per request
            _decoded[session_data] = json.dumps(data)
        return data
