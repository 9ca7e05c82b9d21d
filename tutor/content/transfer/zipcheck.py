"""Zip containers (.xlsx, .docx) checked before anything parses them.

A zip entry's declared size is only a claim; every entry is therefore inflated once, in
chunks that are counted and thrown away, and the check stops as soon as an entry or the
whole archive passes its bound. Inflating costs well under a second for the largest archive
allowed, and nothing is kept in memory but one chunk.
"""
from __future__ import annotations

import zipfile
from io import BytesIO

from tutor.content.transfer.limits import (MB, ZIP_MAX_ENTRIES, ZIP_MAX_ENTRY_BYTES,
                                           ZIP_MAX_TOTAL_BYTES)

CHUNK = 1 * MB


class ZipTooLarge(Exception):
    """The archive passes a bound; the message (Chinese) says which."""


def open_checked(data: bytes) -> zipfile.ZipFile:
    """The archive, once every entry is known to inflate within the bounds.

    Raises ZipTooLarge, or zipfile.BadZipFile (and the like) for a damaged file.
    """
    archive = zipfile.ZipFile(BytesIO(data))
    entries = archive.infolist()
    if len(entries) > ZIP_MAX_ENTRIES:
        raise ZipTooLarge(f"压缩包内有 {len(entries):,} 个文件，超过上限 {ZIP_MAX_ENTRIES:,} 个")
    declared = 0
    for entry in entries:
        declared += entry.file_size
        if entry.file_size > ZIP_MAX_ENTRY_BYTES or declared > ZIP_MAX_TOTAL_BYTES:
            raise ZipTooLarge(_message(entry.filename))
    total = 0
    for entry in entries:
        size = 0
        with archive.open(entry) as stream:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                total += len(chunk)
                if size > ZIP_MAX_ENTRY_BYTES or total > ZIP_MAX_TOTAL_BYTES:
                    raise ZipTooLarge(_message(entry.filename))
    return archive


def _message(name: str) -> str:
    return (f"解压后的内容过大（{name[:60]}）：每个部分不能超过 {ZIP_MAX_ENTRY_BYTES // MB} MB，"
            f"全部不能超过 {ZIP_MAX_TOTAL_BYTES // MB} MB")
