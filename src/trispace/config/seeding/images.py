"""Demo product images drawn with Pillow: a coloured square with the product's name.

The name is drawn with a CJK font when one is installed (Debian's fonts-noto-cjk, which
``make install-browser`` installs); otherwise the picture is a plain shape and the product's
number, so seeding never depends on a font being present.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = 480
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
_FONT_PATTERNS = ("*CJK*.tt[cf]", "*SourceHan*.tt[cf]", "*wqy*.tt[cf]", "*SC-*.[ot]tf")

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.cache
def cjk_font_path() -> tuple[str, int] | None:
    """The CJK font to draw with, as (path, face index), preferring a regular weight."""
    found: list[Path] = []
    for directory in FONT_DIRS:
        if directory.is_dir():
            for pattern in _FONT_PATTERNS:
                found.extend(sorted(directory.rglob(pattern)))
    if not found:
        return None
    regular = [path for path in found if "Regular" in path.name]
    path = (regular or found)[0]
    return str(path), _simplified_index(path)


def _simplified_index(path: Path) -> int:
    """In a .ttc collection, the face whose name says SC (Simplified Chinese), else 0."""
    if path.suffix.lower() != ".ttc":
        return 0
    for index in range(10):
        try:
            face = ImageFont.truetype(str(path), 12, index=index)
        except OSError:
            break
        family = " ".join(part or "" for part in face.getname())
        if " SC" in family or family.endswith("SC"):
            return index
    return 0


def _font(size: int) -> FontType | None:
    found = cjk_font_path()
    if found is None:
        return None
    path, index = found
    return ImageFont.truetype(path, size, index=index)


def _colour(hue_seed: int, lightness: int = 0) -> tuple[int, int, int]:
    palette = (
        (231, 76, 60),
        (46, 134, 193),
        (39, 174, 96),
        (243, 156, 18),
        (142, 68, 173),
        (22, 160, 133),
        (211, 84, 0),
        (52, 73, 94),
    )
    r, g, b = palette[hue_seed % len(palette)]
    return (min(r + lightness, 255), min(g + lightness, 255), min(b + lightness, 255))


def product_png(name: str, *, number: int, hue: int, caption: str = "") -> bytes:
    """A PNG square for a product: its name (two lines at most) over a coloured ground."""
    image = Image.new("RGB", (SIZE, SIZE), _colour(hue, 40))
    draw = ImageDraw.Draw(image)
    margin = SIZE // 12
    draw.rounded_rectangle(
        (margin, margin, SIZE - margin, SIZE - margin), radius=SIZE // 10, fill=_colour(hue)
    )
    font = _font(SIZE // 8)
    if font is not None:
        lines = [name[i : i + 5] for i in range(0, len(name), 5)][:2]
        line_height = SIZE // 6
        top = SIZE // 2 - line_height * len(lines) // 2 - SIZE // 20
        for row, line in enumerate(lines):
            draw.text(
                (SIZE // 2, top + row * line_height),
                line,
                font=font,
                fill=(255, 255, 255),
                anchor="mt",
            )
        if caption:
            small = _font(SIZE // 16)
            if small is not None:
                draw.text(
                    (SIZE // 2, SIZE - margin * 2),
                    caption,
                    font=small,
                    fill=(255, 255, 255),
                    anchor="mm",
                )
    else:
        # No CJK font: a plain shape and the product's number.
        centre, radius = SIZE // 2, SIZE // 5
        draw.ellipse(
            (centre - radius, centre - radius, centre + radius, centre + radius),
            fill=_colour(hue, 90),
        )
        draw.text((centre, centre), f"{number:03d}", fill=_colour(hue), anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
