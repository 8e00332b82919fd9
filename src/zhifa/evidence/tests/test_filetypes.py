"""Type detection by content: what is accepted, what is refused and why."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from zhifa.evidence import filetypes

from .samples import docx_bytes, png_bytes, zip_bytes

ACCEPTED = [
    (png_bytes(), "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32, "image/jpeg"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 16, "image/webp"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image/heic"),
    (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic", "image/heif"),
    (b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 16, "audio/mpeg"),
    (b"\xff\xfb\x90\x00" + b"\x00" * 16, "audio/mpeg"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 16, "audio/wav"),
    (b"#!AMR\n" + b"\x3c" * 32, "audio/amr"),
    (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom", "audio/mp4"),
    (b"\xff\xf1\x50\x80\x02\x1f\xfc" + b"\x00" * 16, "audio/aac"),
    (b"OggS\x00\x02" + b"\x00" * 32, "audio/ogg"),
    (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41", "video/mp4"),
    (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ", "video/quicktime"),
    (b"\x00\x00\x00\x14ftyp3gp4\x00\x00\x00\x003gp4", "video/3gpp"),
    (b"RIFF\x24\x00\x00\x00AVI LIST" + b"\x00" * 16, "video/x-msvideo"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "video/webm"),
    (b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\x82\x88matroska", "video/x-matroska"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "application/pdf"),
    (
        docx_bytes(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (zip_bytes({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<d/>"}), "application/ofd"),
    ("现场检查笔录：当事人在场。\n".encode(), "text/plain"),
]

REFUSED = [
    (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56, "可执行文件"),
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56, "可执行文件"),
    (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 24, "可执行文件"),
    (b"#!/bin/sh\nrm -rf /\n", "可执行文件"),
    (zip_bytes({"readme.txt": b"hello"}), "压缩包"),
    (zip_bytes({"../evil": b"x"}), "非法路径"),
    (zip_bytes({"[Content_Types].xml": b"<T/>", "word/../../etc/cron": b"x"}), "非法路径"),
    (zip_bytes({"/etc/passwd": b"x"}), "非法路径"),
    (zip_bytes({"word\\..\\evil.bat": b"x"}), "非法路径"),
    (b"Rar!\x1a\x07\x01\x00" + b"\x00" * 16, "压缩包"),
    (b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 16, "压缩包"),
    (b"\x1f\x8b\x08\x00" + b"\x00" * 16, "压缩包"),
    (b"a.txt".ljust(257, b"\x00") + b"ustar\x0000" + b"\x00" * 250, "压缩包"),
    (b"PK\x03\x04garbage that is not a zip at all", "损坏"),
    (b"\x00\x01\x02\x03binary\xff\xfe", "不支持的文件类型"),
    (b"\xc3\x28 invalid utf-8", "不支持的文件类型"),
    (b"text with a NUL\x00 inside", "不支持的文件类型"),
]


@pytest.mark.parametrize(("data", "expected"), ACCEPTED)
def test_accepted_types(tmp_path, data, expected):
    path = tmp_path / "upload.bin"  # the name says nothing; only the content counts
    path.write_bytes(data)
    assert filetypes.detect(path) == expected


@pytest.mark.parametrize(("data", "message"), REFUSED)
def test_refused_types(tmp_path, data, message):
    path = tmp_path / "photo.jpg"  # an innocent extension changes nothing
    path.write_bytes(data)
    with pytest.raises(ValidationError) as exc:
        filetypes.detect(path)
    assert message in exc.value.messages[0]


def test_empty_file_refused(tmp_path):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(ValidationError, match="文件为空"):
        filetypes.detect(path)


def test_text_split_across_chunks_is_still_text(tmp_path, monkeypatch):
    monkeypatch.setattr(filetypes, "_TEXT_CHUNK", 5)
    path = tmp_path / "note.txt"
    path.write_bytes("执法记录仪编号".encode())  # 3-byte characters straddle 5-byte chunks
    assert filetypes.detect(path) == "text/plain"
