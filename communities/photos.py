"""Field photos: check an upload, clean it and store it with two thumbnails.

Phones send JPEG or HEIC with GPS coordinates, camera serial numbers and a
rotation flag in the EXIF block. What we store is re-encoded from the pixels
alone: upright, in sRGB, with no metadata of any kind.
"""

import io
import uuid
import warnings
from datetime import date, datetime

import pillow_heif
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from baitang.roles import recorded_actor, require_actor

from . import services
from .models import Building, Estate, Photo, Problem
from .permissions import can_edit_estate

pillow_heif.register_heif_opener()

# Pillow's names for the four accepted formats; MPO is how Pillow reports the
# multi-picture JPEGs many phones write.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
ACCEPTED_DECODED_FORMATS = frozenset(ACCEPTED_FORMATS) | {"MPO"}
# Formats recognised only to name them in the refusal message, never decoded.
KNOWN_OTHER_FORMATS = ("GIF", "BMP", "TIFF", "ICO", "PSD", "JPEG2000", "AVIF", "PPM")
JPEG_QUALITY = 85
EXIF_IFD = 0x8769
EXIF_DATETIME_ORIGINAL = 0x9003
EXIF_DATETIME = 0x0132


def _accepted_formats_hint() -> str:
    return _("请上传 JPEG、PNG、WebP 或 HEIC 格式的照片。")


def _read_limited(image_file) -> bytes:
    """The upload's bytes, refusing an oversize file before reading all of it."""
    limit = settings.PHOTO_MAX_UPLOAD_BYTES
    size = getattr(image_file, "size", None)
    if size is None and hasattr(image_file, "seek"):
        image_file.seek(0, io.SEEK_END)
        size = image_file.tell()
    if size is not None and size > limit:
        raise _too_large(size, limit)
    if hasattr(image_file, "seek"):
        image_file.seek(0)
    data = image_file.read(limit + 1)
    if len(data) > limit:
        raise _too_large(len(data), limit)
    if not data:
        raise ValidationError(_("照片文件是空的。"), code="photo_empty")
    return data


def _too_large(size: int, limit: int) -> ValidationError:
    return ValidationError(
        _("照片文件太大（%(size)s），最大允许 %(limit)s。"),
        code="photo_too_large",
        params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
    )


def _open(data: bytes) -> Image.Image:
    """Parse only the header, in one of the accepted formats."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(None) from exc
    except UnidentifiedImageError as exc:
        raise _unrecognised(data) from exc
    except Exception as exc:  # any decoder may fail on a damaged header
        raise _corrupt() from exc
    if image.format not in ACCEPTED_DECODED_FORMATS:
        raise _unsupported(image.format)
    width, height = image.size
    if width <= 0 or height <= 0:
        raise _corrupt()
    if width * height > settings.PHOTO_MAX_PIXELS:
        raise _too_many_pixels(image.size)
    return image


def _unrecognised(data: bytes) -> ValidationError:
    if data.lstrip()[:5] == b"%PDF-":
        return ValidationError(
            _("该文件是 PDF 文档，不是图片。") + _accepted_formats_hint(),
            code="photo_not_image",
        )
    Image.init()
    others = [name for name in KNOWN_OTHER_FORMATS if name in Image.OPEN]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            other = Image.open(io.BytesIO(data), formats=others)
    except Exception:
        return ValidationError(
            _("该文件不是图片。") + _accepted_formats_hint(), code="photo_not_image"
        )
    return _unsupported(other.format)


def _unsupported(image_format: str | None) -> ValidationError:
    return ValidationError(
        _("不支持 %(format)s 格式的图片。") + _accepted_formats_hint(),
        code="photo_unsupported_format",
        params={"format": image_format or _("未知")},
    )


def _too_many_pixels(size) -> ValidationError:
    if size is None:
        return ValidationError(
            _("图片像素数量过大，超过允许的 %(limit)s 像素，可能是恶意文件，已拒绝。"),
            code="photo_too_many_pixels",
            params={"limit": settings.PHOTO_MAX_PIXELS},
        )
    return ValidationError(
        _("图片尺寸过大（%(width)s×%(height)s 像素），超过允许的 %(limit)s 像素。"),
        code="photo_too_many_pixels",
        params={
            "width": size[0],
            "height": size[1],
            "limit": settings.PHOTO_MAX_PIXELS,
        },
    )


def _corrupt() -> ValidationError:
    return ValidationError(
        _("图片文件已损坏或不完整，无法读取，请重新导出后再上传。"),
        code="photo_corrupt",
    )


def _decode(data: bytes) -> Image.Image:
    """Verify, then fully decode, the image; refuse bombs and damaged files."""
    header = _open(data)  # format and pixel count, from the header alone
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            header.verify()
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(None) from exc
    except Exception as exc:  # truncated data, bad checksums, decoder errors
        raise _corrupt() from exc
    return image


def _exif_date(image: Image.Image) -> date | None:
    """When the photo was taken, from EXIF, read before the metadata is dropped."""
    try:
        exif = image.getexif()
        raw = exif.get_ifd(EXIF_IFD).get(EXIF_DATETIME_ORIGINAL) or exif.get(
            EXIF_DATETIME
        )
        if not raw:
            return None
        if isinstance(raw, bytes):
            raw = raw.decode("ascii", "ignore")
        taken = datetime.strptime(str(raw).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except Exception:  # missing, malformed or lying EXIF is not an error
        return None
    if not (1990 <= taken.year and taken.date() <= timezone.localdate()):
        return None
    return taken.date()


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert wide-gamut phone photos (Display P3…) to sRGB before the ICC
    profile is dropped, so colours stay right without it."""
    if not icc_profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=output_mode
        )
    except Exception:  # a broken profile: keep the pixels as they are
        return image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB (or L) pixels; transparent areas become white."""
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    ):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode in ("RGB", "L"):
        return image
    return image.convert("RGB")


def _clean_pixels(image: Image.Image) -> Image.Image:
    """A new image holding the pixels only: no info, EXIF, ICC or XMP to leak."""
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def _encode(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def _thumbnail(image: Image.Image, long_edge: int) -> Image.Image:
    thumb = image.copy()
    thumb.thumbnail((long_edge, long_edge), Image.Resampling.LANCZOS)  # never grows
    return thumb


def process_photo(image_file) -> tuple[Image.Image, date | None]:
    """Check an upload and return its clean, upright pixels and EXIF date.

    Raises ValidationError (Chinese message) for anything not accepted.
    """
    data = _read_limited(image_file)
    image = _decode(data)
    taken_on = _exif_date(image)
    icc_profile = image.info.get("icc_profile")
    try:
        image = ImageOps.exif_transpose(image)
        image = _flatten(_to_srgb(image, icc_profile))
        return _clean_pixels(image), taken_on
    except Exception as exc:
        raise _corrupt() from exc


@transaction.atomic
def photo_create(
    *,
    estate: Estate,
    image_file,
    actor,
    stage: str = Photo.Stage.BEFORE,
    building: Building | None = None,
    problem: Problem | None = None,
    caption: str = "",
    pair_key: str = "",
    taken_on: date | None = None,
) -> Photo:
    """Store a field photo of an estate: cleaned of all metadata, upright, with
    small and large thumbnails. Refuses bad files with a Chinese message; an
    actor who may not edit the estate is refused (SYSTEM is the platform)."""
    require_actor(actor)
    if not can_edit_estate(actor, estate):
        raise PermissionDenied(_("您无权为该小区上传照片。"))
    if building is not None and building.estate_id != estate.pk:
        raise ValidationError(
            _("所选楼栋「%(building)s」不属于小区「%(estate)s」。"),
            code="photo_building_mismatch",
            params={"building": building.name, "estate": estate.name},
        )
    if problem is not None and problem.estate_id != estate.pk:
        raise ValidationError(
            _("所选问题不属于小区「%(estate)s」。"),
            code="photo_problem_mismatch",
            params={"estate": estate.name},
        )
    photo = Photo(
        estate=estate,
        building=building,
        problem=problem,
        stage=stage,
        caption=caption.strip(),
        pair_key=pair_key.strip(),
        taken_on=taken_on,
        uploaded_by=recorded_actor(actor),
    )
    image_fields = ["image", "thumbnail_small", "thumbnail_large"]
    photo.full_clean(exclude=image_fields)

    image, exif_taken_on = process_photo(image_file)
    if photo.taken_on is None:
        photo.taken_on = exif_taken_on
    photo.width, photo.height = image.size
    sizes = settings.PHOTO_THUMBNAIL_SIZES
    stem = uuid.uuid4().hex
    files = [
        ("image", f"{stem}.jpg", _encode(image)),
        (
            "thumbnail_small",
            f"{stem}_{sizes['small']}.jpg",
            _encode(_thumbnail(image, sizes["small"])),
        ),
        (
            "thumbnail_large",
            f"{stem}_{sizes['large']}.jpg",
            _encode(_thumbnail(image, sizes["large"])),
        ),
    ]
    stored = []
    try:
        for field_name, name, content in files:
            field_file = getattr(photo, field_name)
            field_file.save(name, ContentFile(content), save=False)
            stored.append(field_file)
        photo.full_clean()
        photo.save()
    except BaseException:
        for field_file in stored:
            field_file.storage.delete(field_file.name)
        raise
    return photo


PHOTO_FIELDS = {"stage", "caption", "pair_key", "taken_on", "building", "problem"}


@transaction.atomic
def photo_update(*, photo: Photo, actor, **fields) -> Photo:
    """Change a photo's stage, caption, pair, date, building or problem. The file
    never changes (upload a new photo), and the photo stays with its estate."""
    row = services.locked_row(photo)
    services.require_estate_rights(actor, row.estate)
    services.refuse_move(row, fields, "estate")
    for name in ("caption", "pair_key"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    unknown = set(fields) - PHOTO_FIELDS
    if unknown:
        raise TypeError(f"Photo: cannot set {sorted(unknown)}")
    for name, value in fields.items():
        setattr(row, name, value)
    services.check_building_in_estate(building=row.building, estate_id=row.estate_id)
    services.check_problem_in_estate(problem=row.problem, estate_id=row.estate_id)
    row.full_clean()
    row.save()
    services.sync_instance(photo, row)
    return photo


@transaction.atomic
def photo_delete(*, photo: Photo, actor) -> None:
    """Delete a photo and, once the deletion is committed, its three files."""
    services.delete_row_with_files(photo, actor)
