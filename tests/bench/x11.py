"""Just enough of the X11 wire protocol to read pixels from a local X server (no deps).

Used to see when a window has painted its list without running a screenshot tool per poll:
a poll is a handful of small GetImage requests on one connection (~1 ms), so it hardly
competes with the app starting up on a 2-core machine.
"""
import os
import socket
import struct
import time


class X11:
    def __init__(self, display):
        num = display.split(":")[1].split(".")[0]
        # A server that has just started can drop the first connection (seen once on a fresh
        # machine: a broken pipe at the setup request), so a dropped setup is tried again.
        for attempt in range(10):
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(f"/tmp/.X11-unix/X{num}")
                # Little-endian, protocol 11.0, no authorisation (our own Xvfb runs without -auth).
                self.sock.sendall(struct.pack("<BxHHHHxx", 0x6C, 11, 0, 0, 0))
                head = self._read(8)
                break
            except OSError:
                self.sock.close()
                if attempt == 9:
                    raise
                time.sleep(0.2)
        if head[0] != 1:
            raise OSError(f"X server refused the connection: {self._read(struct.unpack('<H', head[6:8])[0] * 4)!r}")
        data = self._read(struct.unpack("<H", head[6:8])[0] * 4)
        vendor_len = struct.unpack("<H", data[16:18])[0]
        n_formats = data[21]
        screen = 32 + (vendor_len + 3) // 4 * 4 + 8 * n_formats
        self.root = struct.unpack("<I", data[screen : screen + 4])[0]
        self.width, self.height = struct.unpack("<HH", data[screen + 20 : screen + 24])

    def _read(self, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise OSError("X server closed the connection")
            buf += chunk
        return bytes(buf)

    def rows(self, ys, x=0, width=None):
        """Pixels (32-bit ZPixmap) of the 1-pixel-high rows at ys, pipelined in one write."""
        width = width or self.width
        req = b"".join(
            struct.pack("<BBHIhhHHI", 73, 2, 5, self.root, x, y, width, 1, 0xFFFFFFFF) for y in ys
        )
        self.sock.sendall(req)
        out = []
        for _ in ys:
            head = self._read(32)
            if head[0] != 1:
                raise OSError(f"X error {head[1]} on GetImage")
            out.append(self._read(struct.unpack("<I", head[4:8])[0] * 4))
        return out

    def close(self):
        self.sock.close()


def detailed(row):
    """A 1-pixel row carries text-like detail: >= 4 distinct colours (glyph antialiasing)."""
    return len(set(memoryview(row).cast("I"))) >= 4


def filled(x, y0, y1, slice_px=50, step=4, width=None):
    """Every slice_px-high slice of [y0, y1) has a row with detail: a screen filled with rows of a
    table. A blank window, or a page with a few lines of text (an error, a spinner), does not."""
    ys = list(range(y0, min(y1, x.height), step))
    hits = {(y - y0) // slice_px for y, row in zip(ys, x.rows(ys, width=width)) if detailed(row)}
    return len(hits) == -(-(ys[-1] + 1 - y0) // slice_px)


if __name__ == "__main__":  # quick look: python3 x11.py :NN
    import sys

    x = X11(sys.argv[1] if len(sys.argv) > 1 else os.environ["DISPLAY"])
    print(f"root {x.root:#x} {x.width}x{x.height}; rows fill y 300-650: {filled(x, 300, 650, width=900)}")
