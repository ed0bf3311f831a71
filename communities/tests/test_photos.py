import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from communities.models import Photo
from communities.photos import photo_create, photo_delete
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    ProblemFactory,
)
from communities.tests.image_samples import (
    GPS_IFD,
    encode,
    exif_with_gps,
    jpeg_with_gps,
    picture,
    png_header_claiming,
    truncated_jpeg,
    upload,
)

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def reopen(field_file) -> Image.Image:
    with field_file.open("rb") as handle:
        image = Image.open(handle)
        image.load()
    return image


def heic_bytes(size=(200, 100)) -> bytes:
    return encode(picture(size), "HEIF")


@pytest.mark.parametrize(
    "data, name",
    [
        (encode(picture(), "JPEG"), "a.jpg"),
        (encode(picture(mode="RGBA"), "PNG"), "a.png"),
        (encode(picture(), "WEBP"), "a.webp"),
        (heic_bytes(), "IMG_0001.HEIC"),
    ],
    ids=["jpeg", "png", "webp", "heic"],
)
def test_each_accepted_format_is_stored_as_a_clean_jpeg(data, name, street_user):
    estate = EstateFactory()

    photo = photo_create(
        estate=estate, image_file=upload(data, name), actor=street_user
    )

    photo.refresh_from_db()
    assert (photo.width, photo.height) == (200, 100)
    assert photo.uploaded_by == street_user
    assert photo.stage == Photo.Stage.BEFORE
    for field_file in (photo.image, photo.thumbnail_small, photo.thumbnail_large):
        assert field_file.name.endswith(".jpg")
        assert reopen(field_file).format == "JPEG"
    assert reopen(photo.image).size == (200, 100)


def test_gps_and_every_other_metadata_are_stripped(street_user):
    data = jpeg_with_gps()
    # given: the upload really carries GPS, camera make and an ICC profile
    original = Image.open(io.BytesIO(data))
    assert original.getexif().get_ifd(GPS_IFD)[1] == "N"
    assert "icc_profile" in original.info

    photo = photo_create(
        estate=EstateFactory(), image_file=upload(data), actor=street_user
    )

    for field_file in (photo.image, photo.thumbnail_small, photo.thumbnail_large):
        stored = reopen(field_file)
        assert dict(stored.getexif()) == {}
        assert stored.getexif().get_ifd(GPS_IFD) == {}
        assert not {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp"} & set(
            stored.info
        )
        with field_file.open("rb") as handle:
            raw = handle.read()
        assert b"Exif\x00\x00" not in raw
        assert b"PhoneMaker" not in raw
        assert b"http://ns.adobe.com/xap" not in raw


def test_exif_orientation_is_applied_before_the_flag_is_dropped(street_user):
    # given: a 200x100 picture, red on its left half, flagged "rotate 90° CW"
    data = jpeg_with_gps(size=(200, 100), orientation=6)

    photo = photo_create(
        estate=EstateFactory(), image_file=upload(data), actor=street_user
    )

    assert (photo.width, photo.height) == (100, 200)
    stored = reopen(photo.image).convert("RGB")
    assert stored.size == (100, 200)
    red, green, blue = stored.getpixel((50, 20))
    assert red > 200 and green < 60 and blue < 60  # the left half is now on top
    assert min(stored.getpixel((50, 180))) > 200  # and the white half below


def test_taken_on_defaults_from_exif_date_original(street_user):
    data = jpeg_with_gps(taken="2024:03:05 09:30:00")

    photo = photo_create(
        estate=EstateFactory(), image_file=upload(data), actor=street_user
    )

    assert str(photo.taken_on) == "2024-03-05"


def test_thumbnails_have_the_configured_long_edges(settings, street_user):
    data = encode(picture((2000, 1000)), "JPEG")

    photo = photo_create(
        estate=EstateFactory(), image_file=upload(data), actor=street_user
    )

    assert settings.PHOTO_THUMBNAIL_SIZES == {"small": 320, "large": 1280}
    assert reopen(photo.image).size == (2000, 1000)
    assert reopen(photo.thumbnail_small).size == (320, 160)
    assert reopen(photo.thumbnail_large).size == (1280, 640)


def test_thumbnails_never_upscale_a_small_picture(street_user):
    data = encode(picture((300, 200)), "PNG")

    photo = photo_create(
        estate=EstateFactory(), image_file=upload(data, "small.png"), actor=street_user
    )

    assert reopen(photo.thumbnail_small).size == (300, 200)
    assert reopen(photo.thumbnail_large).size == (300, 200)


def test_transparent_png_is_flattened_onto_white(street_user):
    data = encode(picture((200, 100), mode="RGBA"), "PNG")

    photo = photo_create(
        estate=EstateFactory(), image_file=upload(data, "a.png"), actor=street_user
    )

    stored = reopen(photo.image).convert("RGB")
    assert min(stored.getpixel((180, 50))) > 240  # transparent → white
    assert stored.getpixel((20, 50))[0] > 200  # opaque red stays red


def test_heic_photo_with_exif_is_stored_without_it(street_user):
    image = picture((200, 100))
    data = encode(image, "HEIF", exif=jpeg_exif_bytes())

    photo = photo_create(
        estate=EstateFactory(), image_file=upload(data, "IMG.HEIC"), actor=street_user
    )

    stored = reopen(photo.image)
    assert dict(stored.getexif()) == {}
    with photo.image.open("rb") as handle:
        assert b"PhoneMaker" not in handle.read()


def jpeg_exif_bytes() -> bytes:
    return exif_with_gps().tobytes()


GIF = encode(picture(), "GIF")
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
TEXT = "这不是照片，只是改了扩展名的文本文件。".encode()


@pytest.mark.parametrize(
    "data, name, code, words",
    [
        (TEXT, "photo.jpg", "photo_not_image", "不是图片"),
        (PDF, "scan.jpg", "photo_not_image", "PDF"),
        (GIF, "anim.gif", "photo_unsupported_format", "不支持 GIF 格式"),
        (truncated_jpeg(), "cut.jpg", "photo_corrupt", "已损坏或不完整"),
        (
            png_header_claiming(100_000, 100_000),
            "bomb.png",
            "photo_too_many_pixels",
            "",
        ),
        (
            png_header_claiming(9000, 9000),
            "big.png",
            "photo_too_many_pixels",
            "9000×9000",
        ),
        (b"", "empty.jpg", "photo_empty", "空的"),
    ],
    ids=["text", "pdf", "gif", "truncated", "pillow-bomb", "pixel-limit", "empty"],
)
def test_bad_files_are_refused_with_a_chinese_message(
    data, name, code, words, settings, street_user
):
    with pytest.raises(ValidationError) as refused:
        photo_create(
            estate=EstateFactory(), image_file=upload(data, name), actor=street_user
        )

    assert refused.value.code == code
    message = refused.value.messages[0]
    assert words in message
    assert any("\u4e00" <= char <= "\u9fff" for char in message)
    assert Photo.objects.count() == 0
    assert stored_files(settings) == []


def test_oversize_upload_is_refused_before_it_is_read(settings, street_user):
    settings.PHOTO_MAX_UPLOAD_BYTES = 1024

    class HugeUpload:
        size = 5 * 1024 * 1024

        def read(self, *args):
            raise AssertionError("an oversize file must not be read")

        def seek(self, *args):
            return 0

    with pytest.raises(ValidationError) as refused:
        photo_create(estate=EstateFactory(), image_file=HugeUpload(), actor=street_user)

    assert refused.value.code == "photo_too_large"
    assert "太大（5.0" in refused.value.messages[0]
    assert "1.0" in refused.value.messages[0]


def test_upload_over_the_limit_without_a_declared_size_is_refused(
    settings, street_user
):
    settings.PHOTO_MAX_UPLOAD_BYTES = 1024
    data = encode(Image.effect_noise((200, 200), 60).convert("RGB"), "PNG")
    assert len(data) > 1024

    with pytest.raises(ValidationError) as refused:
        photo_create(
            estate=EstateFactory(), image_file=io.BytesIO(data), actor=street_user
        )

    assert refused.value.code == "photo_too_large"


def test_pixel_limit_is_a_setting(settings, street_user):
    settings.PHOTO_MAX_PIXELS = 10_000

    with pytest.raises(ValidationError) as refused:
        photo_create(
            estate=EstateFactory(),
            image_file=upload(encode(picture((200, 100)), "JPEG")),
            actor=street_user,
        )

    assert refused.value.code == "photo_too_many_pixels"
    assert "200×100" in refused.value.messages[0]


def test_building_of_another_estate_is_refused(settings, street_user):
    estate = EstateFactory(name="逸鸿花园")
    foreign_building = BuildingFactory(name="3栋")

    with pytest.raises(ValidationError) as refused:
        photo_create(
            estate=estate,
            image_file=upload(encode(picture(), "JPEG")),
            actor=street_user,
            building=foreign_building,
        )

    assert refused.value.messages == ["所选楼栋「3栋」不属于小区「逸鸿花园」。"]
    assert Photo.objects.count() == 0
    assert stored_files(settings) == []


def test_problem_of_another_estate_is_refused(street_user):
    estate = EstateFactory(name="湖景花园")

    with pytest.raises(ValidationError) as refused:
        photo_create(
            estate=estate,
            image_file=upload(encode(picture(), "JPEG")),
            actor=street_user,
            problem=ProblemFactory(),
        )

    assert refused.value.messages == ["所选问题不属于小区「湖景花园」。"]


def test_photo_links_to_its_building_and_problem(street_user):
    building = BuildingFactory()
    problem = ProblemFactory(estate=building.estate)

    photo = photo_create(
        estate=building.estate,
        image_file=upload(encode(picture(), "JPEG")),
        actor=street_user,
        building=building,
        problem=problem,
        stage=Photo.Stage.AFTER,
        caption="  楼道杂物清理后 ",
        pair_key="1栋楼道",
    )

    photo.refresh_from_db()
    assert (photo.building, photo.problem) == (building, problem)
    assert (photo.stage, photo.caption, photo.pair_key) == (
        Photo.Stage.AFTER,
        "楼道杂物清理后",
        "1栋楼道",
    )


def test_no_files_are_left_behind_when_saving_fails(settings, street_user, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Photo, "save", fail)

    with pytest.raises(RuntimeError):
        photo_create(
            estate=EstateFactory(),
            image_file=upload(encode(picture(), "JPEG")),
            actor=street_user,
        )

    assert stored_files(settings) == []


def test_staff_of_another_community_may_not_add_photos(other_community_user, community):
    with pytest.raises(PermissionDenied):
        photo_create(
            estate=EstateFactory(community=community),
            image_file=upload(encode(picture(), "JPEG")),
            actor=other_community_user,
        )

    assert Photo.objects.count() == 0


def test_community_staff_add_photos_to_their_own_estates(community_user, community):
    photo = photo_create(
        estate=EstateFactory(community=community),
        image_file=upload(encode(picture(), "JPEG")),
        actor=community_user,
    )

    assert photo.uploaded_by == community_user


@pytest.mark.django_db(transaction=True)
def test_deleting_a_photo_removes_its_files(street_user):
    photo = photo_create(
        estate=EstateFactory(),
        image_file=upload(encode(picture(), "JPEG"), "site.jpg"),
        actor=street_user,
    )
    paths = [
        Path(photo.image.path),
        Path(photo.thumbnail_small.path),
        Path(photo.thumbnail_large.path),
    ]
    assert all(path.exists() for path in paths)

    photo_delete(photo=photo, actor=street_user)

    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not any(path.exists() for path in paths)


def test_community_staff_cannot_delete_photos(community_user, community):
    photo = photo_create(
        estate=EstateFactory(community=community),
        image_file=upload(encode(picture(), "JPEG"), "site.jpg"),
        actor=community_user,
    )

    with pytest.raises(PermissionDenied):
        photo_delete(photo=photo, actor=community_user)

    assert Photo.objects.filter(pk=photo.pk).exists()
