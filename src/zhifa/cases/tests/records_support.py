"""Test setting for the full-process record (records, service, execution, uploads), built with
the cases test factory (``make_case`` and ``cw`` in conftest.py, through the real services):
a penalty case of 大兴乡 under investigation, with 李明 and 王芳 assigned, 杨德福 assigned and
then recused, 何晓东 assigned while his certificate was valid (it has since expired), and
岩温香 never assigned. Every person here is fictional."""

from __future__ import annotations

import datetime
import io
import struct
from dataclasses import dataclass, field

from django.utils import timezone

from zhifa.cases import services
from zhifa.cases.models import Case, Party
from zhifa.core.demo import DemoWorld
from zhifa.core.validators import validate_citizen_id
from zhifa.registry import services as registry
from zhifa.registry.models import Officer

PARTY_ID = "530926198803041213"  # fictional, valid check digit
OFFICERS = {
    "officer": "李明",
    "officer2": "王芳",
    "recused": "杨德福",
    "expired": "何晓东",
    "outsider": "岩温香",
}


@dataclass
class Setting:
    world: DemoWorld
    case: Case
    party: Party
    officers: dict[str, Officer] = field(default_factory=dict)

    @property
    def two(self) -> list[int]:
        """The two certified officers present (李明 and 王芳)."""
        return [self.officers["officer"].pk, self.officers["officer2"].pk]


def use_tmp_storage(settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }


def party(name: str = "岩应") -> dict:
    assert validate_citizen_id(PARTY_ID) == PARTY_ID
    return {
        "kind": "natural",
        "name": name,
        "id_number": PARTY_ID,
        "address": "大兴乡芒洪村3组（虚构）",
        "phone": "13800000000",
    }


def build(cw, make_case, settings, tmp_path, stage: str = "investigating", **options) -> Setting:
    use_tmp_storage(settings, tmp_path)
    officers = {key: cw.officers[name] for key, name in OFFICERS.items()}
    case = make_case(
        "penalty_ordinary",
        stage,
        parties=[party()],
        officers=[officers[k] for k in ("officer", "officer2", "recused", "expired")],
        **options,
    )
    services.declare_conflict(
        cw.users["unithead"], case, officers["recused"], "与当事人系近亲属", applied_by="当事人"
    )
    registry.update_officer(
        None,
        officers["expired"],
        certificate_expires_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    officers["expired"].refresh_from_db()
    case.refresh_from_db()
    return Setting(cw.world, case, case.parties.get(), officers)


# ---------------------------------------------------------------- file contents


def png_bytes(red: int = 255) -> bytes:
    from zhifa.evidence.tests.samples import png_bytes as make

    return make(red)


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_bytes(size: int = 4096) -> bytes:
    """A structurally whole MP4: ftyp, moov and mdat boxes tiling the file."""
    ftyp = _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
    moov = _box(b"moov", _box(b"mvhd", b"\x00" * 100))
    mdat = _box(b"mdat", bytes(range(256)) * (size // 256))
    return ftyp + moov + mdat


def truncated_mp4() -> bytes:
    """A video cut off in transfer: the mdat box claims more bytes than there are."""
    whole = mp4_bytes()
    return whole[: len(whole) - 1000]


def webm_bytes() -> bytes:
    """The start of a MediaRecorder WebM: EBML header (doctype webm) and a Segment of unknown
    size, as browsers write while recording."""
    doctype = b"\x42\x82\x84webm"
    header = b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(doctype)]) + doctype
    segment = b"\x18\x53\x80\x67" + b"\x01\xff\xff\xff\xff\xff\xff\xff" + b"\x00" * 64
    return header + segment


def upload(data: bytes, name: str) -> io.BytesIO:
    buf = io.BytesIO(data)
    buf.name = name
    return buf
