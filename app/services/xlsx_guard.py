"""Refuse an XLSX workbook whose unpacked parts would cost far more memory than a batch file needs.

openpyxl reads the shared strings, the styles, the workbook part and every element outside a
sheet's rows whole, and a sheet row whole: a 2 MB zip can unpack to gigabytes of them. The zip
directory (sizes, ratios, members) is checked first, cheaply, in the upload request; the parts
themselves are scanned with a streaming XML parser in the background, before openpyxl opens them.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

from flask import current_app, has_app_context
from flask_babel import gettext as _

from app.services import ServiceError

MB = 2**20
SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
STRING_TAGS = frozenset({"si", "t"})  # the shared strings' own elements: cheap, but many
FEED = 64 * 1024


@dataclass(frozen=True)
class XlsxLimits:
    """How much of a workbook may unpack, and into how many parts and XML elements."""

    max_unpacked: int = 50 * MB  # all members together
    max_part: int = 5 * MB  # sharedStrings.xml and every other part openpyxl reads whole
    max_members: int = 100
    max_ratio: int = 100  # unpacked : packed, for members over ratio_from
    ratio_from: int = 1 * MB
    max_text_elements: int = 500_000  # <si> and <t> outside rows (~80 bytes each when read)
    max_other_elements: int = 20_000  # any other element outside rows (styles: ~600 bytes)
    max_row_elements: int = 2_000  # one row is read whole (~350 bytes per cell)
    max_row_bytes: int = 1 * MB
    max_token: int = 1 * MB  # a start tag (with its attributes) the parser must hold at once

    @classmethod
    def from_config(cls, config) -> XlsxLimits:
        return cls(
            max_unpacked=config.get("XLSX_MAX_UNPACKED_MB", 50) * MB,
            max_part=config.get("XLSX_MAX_SHARED_STRINGS_MB", 5) * MB,
            max_members=config.get("XLSX_MAX_MEMBERS", 100),
            max_ratio=config.get("XLSX_MAX_RATIO", 100),
        )


def current_limits() -> XlsxLimits:
    """The limits of the running app (config), or the defaults outside one."""
    return XlsxLimits.from_config(current_app.config) if has_app_context() else XlsxLimits()


def invalid() -> ServiceError:
    return ServiceError(_("The file is not a valid XLSX workbook."))


def too_big() -> ServiceError:
    return ServiceError(
        _(
            "The workbook holds far more than a batch file needs; copy the batch's rows into "
            "a new workbook and upload that."
        )
    )


def check_archive(data: bytes, limits: XlsxLimits | None = None) -> list[zipfile.ZipInfo]:
    """Check the zip directory alone (cheap): members, unpacked sizes and compression ratios.

    The sizes are the directory's: Python's zipfile stops a member at its declared size.
    """
    limits = limits or current_limits()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise invalid() from exc
    if len(members) > limits.max_members:
        raise ServiceError(
            _(
                "The workbook holds %(n)d parts, more than the %(max)d a batch file can have.",
                n=len(members),
                max=limits.max_members,
            )
        )
    if sum(member.file_size for member in members) > limits.max_unpacked:
        raise ServiceError(
            _(
                "The workbook unpacks to more than %(mb)d MB; a batch file is much smaller.",
                mb=limits.max_unpacked // MB,
            )
        )
    for member in members:
        if member.file_size > limits.ratio_from and (
            member.file_size > limits.max_ratio * max(member.compress_size, 1)
        ):
            raise ServiceError(
                _(
                    "The workbook is packed %(ratio)d times tighter than a real spreadsheet "
                    "can be; it is refused.",
                    ratio=member.file_size // max(member.compress_size, 1),
                )
            )
        if member.file_size > limits.max_part and not SHEET_PART.fullmatch(member.filename):
            raise ServiceError(
                _(
                    "The part %(part)s of the workbook unpacks to more than %(mb)d MB; a "
                    "batch file's is much smaller.",
                    part=member.filename[-60:],
                    mb=limits.max_part // MB,
                )
            )
    return members


def check_workbook(data: bytes, limits: XlsxLimits | None = None) -> None:
    """Check the directory, then scan every XML part (constant memory) before openpyxl reads it."""
    limits = limits or current_limits()
    members = check_archive(data, limits)
    budget = _Budget(limits)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in members:
                with archive.open(member) as stream:
                    budget.scan(stream)
    except ServiceError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, zlib.error) as exc:
        raise invalid() from exc


class _Budget:
    """Elements and bytes the whole workbook has spent, counted by an expat parse of each part."""

    def __init__(self, limits: XlsxLimits):
        self.limits = limits
        self.text_elements = self.other_elements = 0

    def scan(self, stream) -> None:
        """Count one part's elements; a part that is not XML (an image) stops being counted where
        expat, the parser openpyxl uses too, would refuse it."""
        part = _Part(self)
        while chunk := stream.read(FEED):
            if not part.feed(chunk):
                return
        part.feed(b"", final=True)


class _Part:
    def __init__(self, budget: _Budget):
        self.budget, self.limits = budget, budget.limits
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.parser.EntityDeclHandler = self.doctype
        self.fed = self.seen = 0  # bytes given to the parser; position of the last event
        self.row_depth = self.row_start = self.row_elements = 0
        self.in_rows = 0  # bytes inside rows (read a row at a time, so not held)

    def feed(self, chunk: bytes, final: bool = False) -> bool:
        """Parse a chunk and check the part's byte budgets; tell whether it is still XML."""
        try:
            self.parser.Parse(chunk, final)
        except expat.ExpatError:
            return False
        self.fed += len(chunk)
        if self.fed - self.seen > self.limits.max_token + FEED:
            raise too_big()
        row_now = self.fed - self.row_start if self.row_depth else 0
        if row_now > self.limits.max_row_bytes + FEED:
            raise too_big()
        if self.fed - self.in_rows - row_now > self.limits.max_part + FEED:
            raise too_big()
        return True

    def start(self, name, _attrs) -> None:
        self.seen = self.parser.CurrentByteIndex
        local = name.rpartition(":")[2]
        if self.row_depth:
            self.row_depth += 1
            self.row_elements += 1
            if self.row_elements > self.limits.max_row_elements:
                raise too_big()
        elif local == "row":
            self.row_depth, self.row_start, self.row_elements = 1, self.seen, 0
        elif local in STRING_TAGS:
            self.budget.text_elements += 1
            if self.budget.text_elements > self.limits.max_text_elements:
                raise too_big()
        else:
            self.budget.other_elements += 1
            if self.budget.other_elements > self.limits.max_other_elements:
                raise too_big()

    def end(self, _name) -> None:
        self.seen = self.parser.CurrentByteIndex
        if self.row_depth:
            self.row_depth -= 1
            if not self.row_depth:
                span = self.seen - self.row_start
                if span > self.limits.max_row_bytes:
                    raise too_big()
                self.in_rows += span

    def text(self, _data) -> None:
        self.seen = self.parser.CurrentByteIndex

    def doctype(self, *_args) -> None:
        raise invalid()  # a workbook part never declares a DTD or entities


def open_workbook(data: bytes, limits: XlsxLimits | None = None):
    """Check the workbook, then open it read-only with openpyxl; anything unreadable is refused."""
    check_workbook(data, limits)
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds of error on a malformed part
        raise invalid() from exc
