"""What an evidence file is, decided by its content (magic bytes), never by its name.

Allowed: photos, audio and video from phones and recorders, PDF, OOXML documents (DOCX/XLSX),
OFD and plain UTF-8 text. Refused: executables and scripts, generic archives, and any zip
whose entry names could escape a directory when unpacked."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path, PurePosixPath
from typing import NoReturn

from django.core.exceptions import ValidationError

HEAD_BYTES = 4096
_TEXT_CHUNK = 1024 * 1024

MSG_EXECUTABLE = "不支持的文件类型：可执行文件"
MSG_ARCHIVE = "不支持的文件类型：压缩包"
MSG_TRAVERSAL = "压缩包中含有非法路径"
MSG_BAD_ZIP = "文件已损坏：无法读取压缩包结构"
MSG_UNKNOWN = "不支持的文件类型：仅接受图片、音频、视频、PDF、Word/Excel（OOXML）、OFD 和纯文本"

_MACHO = (
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # universal binary (also Java class files: refused as well)
)
_ARCHIVES = (
    b"Rar!\x1a\x07",  # RAR 4 and 5
    b"7z\xbc\xaf\x27\x1c",  # 7-Zip
    b"\x1f\x8b",  # gzip
    b"BZh",  # bzip2
    b"\xfd7zXZ\x00",  # xz
    b"\x28\xb5\x2f\xfd",  # zstd
    b"MSCF",  # Microsoft cabinet
    b"PK\x05\x06",  # empty zip
    b"PK\x07\x08",  # spanned zip
)
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}
_HEIF_GENERIC = {b"mif1", b"msf1"}
_M4A_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}


def _refuse(message: str) -> NoReturn:
    raise ValidationError(message, code="file_type")


def detect(path: str | Path) -> str:
    """Return the MIME type of the file at ``path`` or raise ValidationError saying why not."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head:
        raise ValidationError("文件为空", code="empty")

    # Executables first: nothing below may let one through under another name.
    if head.startswith(b"#!AMR"):  # AMR begins "#!AMR\n" / "#!AMR-WB\n", not a shebang
        return "audio/amr"
    if head.startswith((b"\x7fELF", b"MZ", b"#!")) or head.startswith(_MACHO):
        _refuse(MSG_EXECUTABLE)

    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and len(head) >= 12:
        kind = head[8:12]
        if kind == b"WEBP":
            return "image/webp"
        if kind == b"WAVE":
            return "audio/wav"
        if kind == b"AVI ":
            return "video/x-msvideo"
        _refuse(MSG_UNKNOWN)
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _iso_bmff(head)
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    if len(head) >= 2 and head[0] == 0xFF:
        second = head[1]
        if second & 0xF6 == 0xF0:  # ADTS AAC: sync 0xFFF, layer 00
            return "audio/aac"
        if second & 0xE0 == 0xE0 and (second >> 1) & 0x03 != 0:  # MPEG audio frame sync
            return "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska or WebM
        return "video/webm" if b"webm" in head[:64] else "video/x-matroska"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip(path)
    if head.startswith(_ARCHIVES) or head[257:262] == b"ustar":
        _refuse(MSG_ARCHIVE)
    if _is_utf8_text(path):
        return "text/plain"
    _refuse(MSG_UNKNOWN)


def _iso_bmff(head: bytes) -> str:
    brand = head[8:12]
    if brand in _HEIF_BRANDS:
        return "image/heic"
    if brand in _HEIF_GENERIC:
        return "image/heif"
    if brand in _M4A_BRANDS:
        return "audio/mp4"
    if brand.startswith((b"3gp", b"3g2", b"3ge", b"3gg")):
        return "video/3gpp"
    if brand == b"qt  ":
        return "video/quicktime"
    if brand in {b"avif", b"avis", b"crx "}:
        _refuse(MSG_UNKNOWN)
    if not all(0x20 <= b < 0x7F for b in brand):
        _refuse(MSG_UNKNOWN)
    # isom, iso2..iso6, mp41, mp42, avc1, MSNV, M4V, dash and the camera makers' own brands.
    return "video/mp4"


def unsafe_member_name(name: str) -> bool:
    """A zip entry name that could land outside the directory it is unpacked into."""
    if ".." in name or "\\" in name or "\x00" in name:
        return True
    if name.startswith("/") or PurePosixPath(name).is_absolute():
        return True
    return len(name) >= 2 and name[1] == ":"  # drive letter, "C:evil"


def _zip(path: str | Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [info.filename for info in archive.infolist()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        _refuse(MSG_BAD_ZIP)
    if any(unsafe_member_name(name) for name in names):
        _refuse(MSG_TRAVERSAL)
    members = set(names)
    if "[Content_Types].xml" in members:
        if any(name.startswith("word/") for name in names):
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if any(name.startswith("xl/") for name in names):
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if "OFD.xml" in members:  # GB/T 33190-2016: the package's entry file sits at the root
        return "application/ofd"
    _refuse(MSG_ARCHIVE)


def _is_utf8_text(path: str | Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_TEXT_CHUNK):
                if b"\x00" in chunk:
                    return False
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True
