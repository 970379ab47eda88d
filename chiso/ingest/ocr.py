"""Scanned pages to words with boxes and confidence: Debian's tesseract (``tesseract-ocr`` and
``tesseract-ocr-vie``) through pytesseract's TSV output; pages rasterised by poppler's ``pdftoppm``.

Before OCR each page is straightened (the skew of a scan, a few degrees, found by the angle that
makes the rows of ink sharpest), its table rules are erased (long straight runs of ink, which
tesseract would read as ``|`` or ``l``) and its specks removed (median filter). Words come back in
PDF points (72 per inch) with tesseract's confidence (0–100), so a scan reads like a text page.
Nothing is downloaded: the language data is the Debian package's.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from chiso.ingest.problems import AnnexError, Note, issue

LANG = "vie"
_NUMBERISH = re.compile(r"[0-9.,/\\|:;'\s-]+")
MAX_SKEW = 3.0  # degrees searched either way
JUNK = set("|¦!_—–-‘’'\"`~.,:;[](){}<>/\\=+*")
DIGITS_LANG = "eng"  # the digits pass: its model keeps single digits that the Vietnamese one drops
DIGITS = "--psm 6 -c tessedit_char_whitelist=0123456789,."
INK = 128  # grey level below which a pixel is ink (a reread cell)
NAME_CONF = 50  # below it a word in the body is noise or a misread number, not a name
WORKERS = 2  # pages read at once (each tesseract on one thread: OMP_THREAD_LIMIT=1)


def _missing(file: str, what: str) -> AnnexError:
    """``what``: the key under scan.part.* of the missing library, program or data."""
    return AnnexError([issue(file, "scan.missing", hints=("scan.packages",), what=Note(f"scan.part.{what}"))])


def _tesseract(file: str):
    try:
        import pytesseract
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise _missing(file, "pytesseract") from exc
    if not shutil.which("tesseract"):
        raise _missing(file, "tesseract")
    # Tesseract's OpenMP threads spin while waiting: on a few shared cores they cost two to three
    # times the CPU of one thread and are slower too. Pages run side by side instead (WORKERS).
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        langs = pytesseract.get_languages(config="")
    except Exception as exc:
        raise _missing(file, "tesseract_runs") from exc
    if LANG not in langs or DIGITS_LANG not in langs:
        raise _missing(file, "tesseract_vie")
    return pytesseract


def rasterise(data: bytes, file: str, pages: list[int], dpi: int) -> dict[int, object]:
    """Pages of a PDF as grey PIL images at dpi (pdftoppm)."""
    from PIL import Image

    if not shutil.which("pdftoppm"):
        raise _missing(file, "pdftoppm")
    images = {}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(data)
        for page in pages:
            out = Path(tmp) / f"p{page}"
            try:
                subprocess.run(
                    [
                        "pdftoppm",
                        "-r",
                        str(dpi),
                        "-gray",
                        "-png",
                        "-f",
                        str(page),
                        "-l",
                        str(page),
                        "-singlefile",
                        str(source),
                        str(out),
                    ],
                    check=True,
                    capture_output=True,
                    timeout=120,
                )
            except (subprocess.SubprocessError, OSError) as exc:
                raise AnnexError([issue(file, "scan.render_failed", hints=(), page=page)]) from exc
            with Image.open(f"{out}.png") as image:
                images[page] = image.convert("L")
    return images


def skew_angle(image) -> float:
    """The rotation (degrees, counter-clockwise) that straightens the page's lines of ink."""
    import numpy as np
    from PIL import Image

    small = image.copy()
    small.thumbnail((1000, 1000))
    ink = Image.fromarray(((np.asarray(small) < 160) * 255).astype("uint8"))

    def sharpness(angle: float) -> float:
        rotated = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0), dtype=float)
        profile = rotated.sum(axis=1)
        return float(((profile[1:] - profile[:-1]) ** 2).sum())

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.25), key=sharpness)
    fine = np.arange(best - 0.25, best + 0.26, 0.05)
    return float(max(fine, key=sharpness))


def erase_rules(pixels, dpi: int):
    """Pixels with table rules (straight runs of ink longer than any glyph) turned white."""
    import numpy as np

    ink = pixels < 150
    out = pixels.copy()
    for axis, length in ((1, int(dpi * 0.6)), (0, int(dpi * 0.35))):
        mask = ink if axis == 1 else ink.T
        closed = mask.copy()  # bridge the specks of paper that noise leaves inside a rule
        for step in (1, 2, 3):
            closed[:, step:] |= mask[:, :-step]
            closed[:, :-step] |= mask[:, step:]
        mask = closed
        width = mask.shape[1]
        if width <= length:
            continue
        run = np.concatenate(
            [np.zeros((mask.shape[0], 1), np.int32), np.cumsum(mask, axis=1, dtype=np.int32)], 1
        )
        full = np.zeros(mask.shape, dtype=np.int32)
        full[:, : width - length + 1] = (run[:, length:] - run[:, : width - length + 1]) == length
        starts = np.concatenate(
            [np.zeros((mask.shape[0], 1), np.int32), np.cumsum(full, axis=1, dtype=np.int32)], 1
        )
        high = np.arange(width) + 1
        low = np.clip(np.arange(width) - length + 1, 0, None)
        covered = (starts[:, high] - starts[:, low]) > 0  # inside a run of ink at least length long
        grown = covered.copy()  # the rule's anti-aliased edge too
        for step in (1, 2):
            grown[step:] |= covered[:-step]
            grown[:-step] |= covered[step:]
        if axis == 1:
            out[grown] = 255
        else:
            out.T[grown] = 255
    return out


def prepare(image, dpi: int):
    """Straightened, rules erased, specks removed: the image tesseract reads."""
    import numpy as np
    from PIL import Image, ImageFilter

    angle = skew_angle(image)
    if abs(angle) >= 0.05:
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    image = image.filter(ImageFilter.MedianFilter(3))
    pixels = erase_rules(np.asarray(image), dpi)
    return Image.fromarray(pixels), angle


def _tsv_words(image, config: str, scale: float, file: str, offset=(0, 0), lang: str = LANG) -> list:
    from chiso.ingest.pdf_types import Word

    pytesseract = _tesseract(file)
    image.format = "PPM"  # handed over uncompressed (PGM): PNG would cost a second a page
    try:
        data = pytesseract.image_to_data(image, lang=lang, config=config, output_type=pytesseract.Output.DICT)
    except Exception as exc:
        raise AnnexError(
            [issue(file, "scan.tesseract_failed", hints=("scan.packages",), reason=exc)]
        ) from exc
    words = []
    for text, left, top, width, height, conf in zip(
        data["text"], data["left"], data["top"], data["width"], data["height"], data["conf"], strict=True
    ):
        # Ð (Icelandic eth) is no Vietnamese letter: tesseract's reading of Đ
        text = (text or "").strip().strip("|¦").replace("Ð", "Đ").replace("ð", "đ")
        if not text or float(conf) < 0 or all(ch in JUNK for ch in text):
            continue
        left, top = left + offset[0], top + offset[1]
        words.append(
            Word(text, left * scale, top * scale, (left + width) * scale, (top + height) * scale, float(conf))
        )
    return words


def words_of(image, dpi: float, file: str) -> list:
    """Words in PDF points with confidence, read in two passes.

    Pass 1 (sparse text) reads everything: titles, headers, names, most numbers. Pass 2 reads the
    body's numbers again line by line with only digits and separators allowed, the names and
    everything above and below the body whitened: single digits (ranks, STT) that sparse reading
    skips are found, and no letter can be read in a number."""
    from PIL import Image, ImageDraw

    from chiso.ingest.pdf_types import group_lines, is_number, phrases

    scale = 72.0 / dpi
    first = phrases(_tsv_words(image, "--psm 11", scale, file), gap=0.6, tolerance=0.45)
    top, rows_top, bottom = _body_span(group_lines(first, 0.45))
    if top is None:
        return first
    masked = image.copy()
    draw = ImageDraw.Draw(masked)
    px = 1 / scale
    draw.rectangle([0, 0, masked.width, max(0, top * px)], fill=255)
    draw.rectangle([0, bottom * px, masked.width, masked.height], fill=255)
    # Names are whitened; a word read with little confidence is no name but a speck or a number
    # misread ("J;2T"): whitening it would erase the number the digits pass is there to read.
    texts = [
        w
        for w in first
        if not _numberish(w.text) and top <= w.center_y <= bottom and (w.conf or 0) >= NAME_CONF
    ]
    for w in texts:
        draw.rectangle([w.x0 * px - 4, w.top * px - 4, w.x1 * px + 4, w.bottom * px + 4], fill=255)
    second = []
    # a column of names, not of numbers: told by the rows' names (a header's words above the rows,
    # whitened too, say nothing about the columns below them)
    names = [w for w in texts if w.center_y >= rows_top]
    for left, right in _ink_strips(masked, int(top * px), int(bottom * px), dpi):
        x0, x1 = left * scale, right * scale
        if any(min(x1, w.x1) - max(x0, w.x0) > 0.5 * (x1 - x0) for w in names):
            continue  # what the masks left of a name (an accent, a stroke), not a column of numbers
        y0 = max(int(top * px) - 10, 0)
        strip = masked.crop((left, y0, right, min(int(bottom * px) + 10, masked.height)))
        at_size = _tsv_words(strip, DIGITS, scale, file, lang=DIGITS_LANG, offset=(left, y0))
        # Twice the size finds a lone small digit ("3") that tesseract drops at the scan's size;
        # at the scan's size it reads better what it does see: the clearly more confident wins.
        larger = strip.resize((strip.width * 2, strip.height * 2), Image.Resampling.LANCZOS)
        doubled = _tsv_words(larger, DIGITS, scale / 2, file, lang=DIGITS_LANG, offset=(left * 2, y0 * 2))
        for word in doubled:
            rivals = [o for o in at_size if _overlap(o, word)]
            if not rivals:
                at_size.append(word)
            elif all((word.conf or 0) > (o.conf or 0) + 10 for o in rivals):
                at_size = [o for o in at_size if o not in rivals] + [word]
        second += at_size
    second = [w for w in phrases(second, gap=0.6, tolerance=0.45) if top <= w.center_y <= bottom]
    first_numbers = [w for w in first if _numberish(w.text) and top <= w.center_y <= bottom]
    kept = [
        w
        for w in first
        if w not in first_numbers and not ((w.conf or 0) < NAME_CONF and any(_overlap(w, o) for o in second))
    ]
    # Where both passes read a number, a reading that parses wins, then the more confident.
    chosen = []
    for word in second:
        rivals = [o for o in first_numbers if _overlap(o, word)]
        best = max([word, *rivals], key=lambda w: (is_number(w.text), w.conf or 0))
        chosen.append(best)
    for word in first_numbers:
        if not any(_overlap(word, o) for o in second):
            chosen.append(word)
    return kept + [_comma(w) for w in chosen]


def _body_span(lines: list) -> tuple[float | None, float | None, float | None]:
    """(top, rows' top, bottom) of the table's body in points. ``top``: the first line carrying a
    number beside something else (a row whose small STT and rank sparse reading dropped counts);
    ``rows' top``: the first line carrying two such numbers (one, when no two lines do), which a
    header's misread "(12,5 điểm)" never is; ``bottom``: the last line carrying a number."""
    from chiso.ingest.pdf_types import is_number

    def numbers(line) -> int:
        return sum(1 for w in line if is_number(w.text)) if len(line) >= 2 else 0

    body = [line for line in lines if numbers(line) >= 1]
    if not body:
        return None, None, None
    needed = 2 if sum(1 for line in lines if numbers(line) >= 2) >= 2 else 1
    rows = next(line for line in lines if numbers(line) >= needed)
    return (
        min(w.top for w in body[0]) - 2,
        min(w.top for w in rows) - 2,
        max(w.bottom for line in body for w in line) + 2,
    )


def _comma(word):
    """A colon in a number is a misread comma ("12:22"): read as a comma, marked unsure so that a
    person confirms it."""
    fixed = word.text.replace(":", ",").replace(";", ",")
    if fixed == word.text:
        return word
    return replace(word, text=fixed, conf=min(word.conf or 0, 50.0))


def _numberish(text: str) -> bool:
    """A number, or what OCR made of one ("15/1", "9,2 5"): digits and separators only."""
    return bool(_NUMBERISH.fullmatch(text)) and any(ch.isdigit() for ch in text)


def _overlap(a, b) -> bool:
    return min(a.x1, b.x1) > max(a.x0, b.x0) and min(a.bottom, b.bottom) > max(a.top, b.top)


def _ink_strips(image, top: int, bottom: int, dpi: float) -> list[tuple[int, int]]:
    """Vertical strips of the body holding ink, split at white gaps (the columns of numbers)."""
    import numpy as np

    ink = np.asarray(image)[max(top, 0) : bottom] < 128
    profile = ink.sum(axis=0) > 0
    gap = max(int(dpi * 0.06), 3)
    strips: list[list[int]] = []
    for x in np.flatnonzero(profile):
        if strips and x - strips[-1][1] <= gap:
            strips[-1][1] = int(x)
        else:
            strips.append([int(x), int(x)])
    pad = max(int(dpi * 0.03), 2)
    return [(max(a - pad, 0), min(b + pad + 1, image.width)) for a, b in strips if b - a >= 2]


def pdf_words(data: bytes, file: str, pages: list[int], *, dpi: int = 300) -> dict[int, tuple[list, tuple]]:
    """OCR of the pages: page -> (words, page size in points). A page that is one scanned image
    is read at the image's own resolution; anything else is rendered at dpi."""
    from concurrent.futures import ThreadPoolExecutor

    _tesseract(file)

    def read(page: int):
        image, size = scanned_image(data, page)
        if image is None:
            image = rasterise(data, file, [page], dpi)[page]
            size = (image.width * 72 / dpi, image.height * 72 / dpi)
        resolution = image.width * 72 / size[0]
        ready, _ = prepare(image, round(resolution))
        return words_of(ready, resolution, file), size, ready

    # threads, not processes: the time is spent in tesseract's processes and in numpy and Pillow,
    # which release the GIL; nothing is forked from a server's threads
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(pages)) or 1) as pool:
        return dict(zip(pages, pool.map(read, pages), strict=True))


def scanned_image(data: bytes, page: int):
    """The page's scan when the page is a single image covering it (pdfimages), else None."""
    import pdfplumber
    from PIL import Image

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        sheet = pdf.pages[page - 1]
        size = (float(sheet.width), float(sheet.height))
        images = sheet.images
        if len(images) != 1 or not shutil.which("pdfimages"):
            return None, size
        box = images[0]
        if (box["x1"] - box["x0"]) * (box["bottom"] - box["top"]) < 0.9 * size[0] * size[1]:
            return None, size
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(data)
        try:
            subprocess.run(
                # -all: the image as stored (a JPEG stays a JPEG); -png re-encodes it, 4 s a page
                ["pdfimages", "-all", "-f", str(page), "-l", str(page), str(source), f"{tmp}/img"],
                check=True,
                capture_output=True,
                timeout=120,
            )
        except (subprocess.SubprocessError, OSError):
            return None, size
        found = sorted(Path(tmp).glob("img-*"))
        if len(found) != 1:
            return None, size
        try:
            with Image.open(found[0]) as image:
                return image.convert("L"), size
        except Exception:  # a format Pillow cannot open (JBIG2, CCITT): the page is rendered instead
            return None, size


def image_words(data: bytes, file: str, *, dpi: int = 300) -> tuple[list, tuple]:
    """OCR of an image file (PNG, JPEG, TIFF); its own resolution when it records one."""
    from PIL import Image

    _tesseract(file)
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = opened.convert("L")
            recorded = opened.info.get("dpi")
    except Exception as exc:
        raise AnnexError([issue(file, "scan.image_broken")]) from exc
    if recorded and recorded[0] and recorded[0] > 50:
        dpi = round(float(recorded[0]))
    ready, _ = prepare(image, dpi)
    return words_of(ready, dpi, file), (image.width * 72 / dpi, image.height * 72 / dpi), ready


def page_image(data: bytes, file: str, page: int, dpi: int = 100):
    """One page as an image for the preview (PIL, RGB)."""
    from PIL import Image

    if data[:5] != b"%PDF-":
        with Image.open(io.BytesIO(data)) as opened:
            return opened.convert("RGB")
    return rasterise(data, file, [page], dpi)[page].convert("RGB")


SHEET_HEIGHT = 20000  # pixels: cells read again are stacked on sheets up to this tall


def _reread_crop(image, box: tuple[float, float, float, float], size: tuple[float, float]):
    """A number cell alone, black on white and three times larger, with a margin; None if tiny.
    Tesseract's own threshold, on a crop that is mostly speckled paper, breaks the digits ("7,72"
    read as "512"): the straightened page is thresholded here."""
    from PIL import Image, ImageOps

    scale = image.width / size[0]  # pixels per point
    x0, top, x1, bottom = box
    crop = image.crop((int(x0 * scale), int(top * scale), int(x1 * scale) + 1, int(bottom * scale) + 1))
    if crop.width < 4 or crop.height < 4:
        return None
    crop = crop.point(lambda v: 0 if v < INK else 255)
    crop = crop.resize((crop.width * 3, crop.height * 3), Image.Resampling.LANCZOS)
    return ImageOps.expand(crop, border=30, fill=255)


def reread(cells: list[tuple[object, tuple, tuple]], file: str) -> list[tuple[str, float] | None]:
    """Number cells read again, each alone (``_reread_crop``): (text, confidence) or None for each
    (page image, box in points, page size in points). The crops are stacked on a few sheets, each
    read by one tesseract call: a call per cell cost a tenth of a second each in starting
    tesseract, more than reading the cell."""
    from PIL import Image

    crops = [_reread_crop(image, box, size) for image, box, size in cells]
    found: list[tuple[str, float] | None] = [None] * len(cells)
    todo = [(i, crop) for i, crop in enumerate(crops) if crop is not None]
    while todo:
        sheet_cells, height = [], 0
        while todo and (not sheet_cells or height + todo[0][1].height <= SHEET_HEIGHT):
            sheet_cells.append(todo.pop(0))
            height += sheet_cells[-1][1].height
        sheet = Image.new("L", (max(c.width for _, c in sheet_cells), height), 255)
        spans, y = [], 0
        for i, crop in sheet_cells:
            sheet.paste(crop, (0, y))
            spans.append((i, y, y + crop.height))
            y += crop.height
        words = _tsv_words(sheet, DIGITS, 1.0, file, lang=DIGITS_LANG)
        for i, y0, y1 in spans:
            inside = sorted((w for w in words if y0 <= (w.top + w.bottom) / 2 < y1), key=lambda w: w.x0)
            if inside:
                found[i] = "".join(w.text for w in inside), min(w.conf or 0 for w in inside)
    return found
