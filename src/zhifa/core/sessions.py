"""File sessions (the default without Redis) with the decoded content remembered per process.

The file is still read on every request, so a logout, an idle timeout or a password change
(which delete or replace the file) take effect at once in every worker. Only the decoding
(signature check, base64, JSON) is skipped when the file holds exactly the text decoded before:
decoding is a pure function of the text and the secret key, so a cached result is the same
result. The cache keeps the JSON text, so each request gets fresh objects to change.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.sessions.backends.file import SessionStore as FileSessionStore

_MAX_ENTRIES = 4096
# session file text -> JSON of its decoded content; only successful decodes are kept, so a
# tampered file is refused (and logged) every time.
_decoded: dict[str, str] = {}


class SessionStore(FileSessionStore):
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
