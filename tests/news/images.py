"""Image bytes for upload tests, made with Pillow."""

from __future__ import annotations

from io import BytesIO

from PIL import Image


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30), mode: str = "RGB", **save) -> bytes:
    buffer = BytesIO()
    Image.new(mode, size, "teal").save(buffer, fmt, **save)
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (2400, 1200), "orange")
    exif = image.getexif()
    exif[0x010F] = "SecretCam"  # camera make
    exif[0x8825] = {1: "N", 2: (43.0, 15.0, 0.0)}  # GPS info
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()
