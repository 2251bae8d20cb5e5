"""A tiny BIFF8 (.xls) writer for tests: text and number cells, dates, merged ranges.

No .xls writer is a dependency of the project, and old bureaus still publish .xls, so the
tests build the files themselves. The output is a bare BIFF8 workbook stream (no OLE2
container), which xlrd reads like any .xls file.
"""

import datetime
import struct


def _rec(rtype: int, data: bytes) -> bytes:
    return struct.pack("<HH", rtype, len(data)) + data


def _ustr(text: str, lenlen: int) -> bytes:
    raw = text.encode("utf-16-le")
    head = struct.pack("<B" if lenlen == 1 else "<H", len(text))
    return head + b"\x01" + raw


def _bof(kind: int) -> bytes:
    return _rec(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))


def _xf(fmt: int, style: bool) -> bytes:
    type_prot = 0xFFF5 if style else 0x0001
    return _rec(0x00E0, struct.pack("<HHHBBBBIIH", 0, fmt, type_prot, 0x20, 0, 0, 0, 0, 0, 0x20C0))


def write_xls(
    sheets: dict[str, list[list]], merges: dict[str, list[tuple[int, int, int, int]]] | None = None
) -> bytes:
    """``sheets``: name -> rows of cells (str, int/float, datetime.date or None).
    ``merges``: name -> (first_row, last_row, first_col, last_col), 0-based inclusive."""
    merges = merges or {}
    font = _rec(
        0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 134, 0) + _ustr("宋体", 1)
    )
    glob = [_bof(0x0005), _rec(0x0042, struct.pack("<H", 1200)), _rec(0x0022, struct.pack("<H", 0))]
    glob += [font] * 5
    glob += [_xf(0, True)] * 15 + [_xf(0, False), _xf(14, False)]  # XF 15 general, XF 16 date
    bodies = []
    for name, rows in sheets.items():
        recs = [_bof(0x0010)]
        ncols = max((len(r) for r in rows), default=0)
        recs.append(_rec(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, ncols, 0)))
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None or v == "":
                    continue
                if isinstance(v, datetime.date):
                    serial = (v - datetime.date(1899, 12, 30)).days
                    recs.append(_rec(0x0203, struct.pack("<HHHd", r, c, 16, float(serial))))
                elif isinstance(v, (int, float)):
                    recs.append(_rec(0x0203, struct.pack("<HHHd", r, c, 15, float(v))))
                else:
                    recs.append(_rec(0x0204, struct.pack("<HHH", r, c, 15) + _ustr(str(v), 2)))
        ranges = merges.get(name, [])
        if ranges:
            data = struct.pack("<H", len(ranges)) + b"".join(
                struct.pack("<HHHH", *m) for m in ranges
            )
            recs.append(_rec(0x00E5, data))
        recs.append(_rec(0x000A, b""))
        bodies.append((name, b"".join(recs)))
    # BOUNDSHEET records need the absolute offset of each sheet's BOF
    sheet_recs_len = sum(
        len(_rec(0x0085, struct.pack("<IBB", 0, 0, 0) + _ustr(n, 1))) for n, _ in bodies
    )
    offset = sum(map(len, glob)) + sheet_recs_len + len(_rec(0x000A, b""))
    bound = []
    for name, body in bodies:
        bound.append(_rec(0x0085, struct.pack("<IBB", offset, 0, 0) + _ustr(name, 1)))
        offset += len(body)
    return b"".join(glob) + b"".join(bound) + _rec(0x000A, b"") + b"".join(b for _, b in bodies)
