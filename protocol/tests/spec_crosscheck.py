#!/usr/bin/env python3
"""Independent re-implementation of protocol/SPEC.md, used as a cross-check.

Packs the SPEC.md §7 example messages from the specification alone (bit writer, DCCL-style
fields, fragmentation, CRC-16/IBM-3740) and checks that every resulting frame appears, hex
for hex, in SPEC.md. The Rust test protocol/tests/golden.rs checks the Rust implementation
against the same hex. Standard library only. Exit status 0 = every frame matches.
"""
import pathlib
import sys

SPEC = pathlib.Path(__file__).resolve().parent.parent / "SPEC.md"
POLL = 1_795_867_200  # 2026-11-28T12:00:00Z


def crc16(data: bytes) -> int:
    crc = 0xFFFF
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


class Bits:
    def __init__(self):
        self.bits = []

    def put(self, value: int, width: int):
        if value < 0:
            value += 1 << width
        assert 0 <= value < (1 << width), (value, width)
        self.bits += [(value >> (width - 1 - i)) & 1 for i in range(width)]

    def bytes(self) -> bytes:
        bits = self.bits + [0] * (-len(self.bits) % 8)
        return bytes(int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, len(bits), 8))


def field(value, minimum, width):
    """SPEC §4.1: code 0 = not measured, else value - min + 1."""
    return 0 if value is None else value - minimum + 1


def ctd_batch():
    rows = [
        (135874, 441235, 503417, 4123), (134619, 440327, 755902, 4187),
        (133712, 439901, 1008311, 4201), (132960, 439710, 1261047, None),
        (132457, 439802, 1513775, 4254), (131980, 440211, 2018560, 4262),
        (131902, 440905, 2220118, None), (131876, 441432, 2422904, 4270),
    ]
    b = Bits()
    b.put(POLL, 32)
    b.put(0x00FF, 16)
    for t, c, p, o in rows:
        b.put(field(t, -50000, 19), 19)
        b.put(field(c, 0, 20), 20)
        b.put(field(p, -10000, 23), 23)
        b.put(field(o, 0, 14), 14)
    return 1, b.bytes()


def line_status():
    b = Bits()
    for v in (POLL + 5,):
        b.put(v, 32)
    for v in (14412, 48, 1, 100, 3, 0):
        b.put(v, 16)
    b.put(0, 12)
    b.put(104, 12)
    b.put(8, 8)
    kinds = [(2, 500), (2, 750), (2, 1000), (1, 1250), (2, 1500), (2, 2000), (1, 2200), (2, 2400)]
    for slot, (kind, depth) in enumerate(kinds):
        b.put(slot, 4)
        b.put(kind, 4)
        b.put(3723401 + slot, 32)
        b.put(depth, 16)
    return 2, b.bytes()


def aquadopp():
    b = Bits()
    b.put(8, 4); b.put(0, 2); b.put(0, 1); b.put(0, 1)
    b.put(POLL, 32)
    for v in (-123, 45, 3):
        b.put(v, 16)
    for v in (120, 118, 121):
        b.put(v, 8)
    b.put(2345, 16); b.put(-12, 16); b.put(8, 16)
    b.put(500123, 24); b.put(1345, 16); b.put(145, 16); b.put(15234, 16)
    b.put(0, 8); b.put(0x30, 8)
    return 3, b.bytes()


def ack():
    b = Bits(); b.put(1, 4); b.put(101, 12)
    return 8, b.bytes()


def repeat():
    b = Bits(); b.put(1, 4); b.put(2, 4)
    for start, n in ((40, 3), (4095, 2)):
        b.put(start, 12); b.put(n, 8)
    return 9, b.bytes()


def status_request():
    b = Bits(); b.put(1, 4); b.put(0, 4)
    return 10, b.bytes()


def frames(msg_type, payload, source, first_seq, ack_wanted, mtu=64):
    chunk = mtu - 6
    count = max(1, -(-len(payload) // chunk))
    out = []
    for i in range(count):
        h = Bits()
        h.put(1, 2); h.put(msg_type, 4); h.put(int(ack_wanted), 1); h.put(int(i + 1 < count), 1)
        h.put(source, 4); h.put(i, 4); h.put((first_seq + i) % 4096, 12); h.put(1, 4)
        body = h.bytes() + payload[i * chunk:(i + 1) * chunk]
        out.append(body + crc16(body).to_bytes(2, "big"))
    return out


def main():
    assert crc16(b"123456789") == 0x29B1
    spec = "".join(SPEC.read_text().split())
    cases = [
        (ctd_batch, 1, 100, True), (line_status, 1, 102, True), (aquadopp, 1, 103, False),
        (ack, 0, 7, False), (repeat, 0, 8, False), (status_request, 0, 9, False),
    ]
    failed = total = 0
    for make, source, seq, ack_wanted in cases:
        msg_type, payload = make()
        for f in frames(msg_type, payload, source, seq, ack_wanted):
            ok = f.hex() in spec
            total += 1
            failed += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {make.__name__:15} {f.hex()}")
    print(f"{total - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
