"""Images made in memory for the photo tests: every accepted format, photos
carrying GPS and rotation EXIF, and the malicious or broken files we refuse."""

import io
import struct
import zlib

import pillow_heif
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms

pillow_heif.register_heif_opener()

ORIENTATION = 0x0112
GPS_IFD = 0x8825
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003


def picture(size=(200, 100), mode="RGB") -> Image.Image:
    """A picture with a left/right difference, so a rotation is detectable."""
    image = Image.new(mode, size, "white" if mode != "RGBA" else (255, 255, 255, 0))
    left = Image.new(mode, (size[0] // 2, size[1]), "red")
    image.paste(left, (0, 0))
    return image


def encode(image: Image.Image, image_format: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **params)
    return buffer.getvalue()


def exif_with_gps(orientation: int = 1, taken: str | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[GPS_IFD] = {
        1: "N",
        2: (22.0, 10.0, 30.0),
        3: "E",
        4: (113.0, 20.0, 5.0),
    }
    if taken:
        exif[EXIF_IFD] = {DATETIME_ORIGINAL: taken}
    return exif


def jpeg_with_gps(size=(200, 100), orientation=1, taken=None) -> bytes:
    return encode(
        picture(size),
        "JPEG",
        exif=exif_with_gps(orientation, taken),
        icc_profile=srgb_profile(),
    )


def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def png_header_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image (a decompression bomb)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + chunk(b"IEND", b"")
    )


def truncated_jpeg() -> bytes:
    data = encode(Image.effect_noise((400, 300), 60).convert("RGB"), "JPEG")
    return data[: len(data) // 2]


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)
