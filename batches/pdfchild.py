"""Renders one PDF in a child process (batches/pdf.py starts it): HTML on standard input, the PDF on standard
output, exit 3 when it would run past --max-pages. Needs WeasyPrint only, not Django: whatever the text layout
library does with an input (it has crashed a whole process on a machine without fonts), it does it here.

The Chinese fonts are then embedded compactly (compact_fonts()): WeasyPrint keeps every glyph slot of a font up to
the last one used, 63,000 of them in Noto CJK, which cost about 135 kB a font even when almost all are empty (a
batch's 58 pages: 833 kB, of which 735 kB fonts; compact, 425 kB)."""

import argparse
import io
import resource
import sys

TOO_LONG = 3


def used_cids(cid_font) -> set[int]:
    """The glyphs a CID font's pages use: those its /W array gives a width (WeasyPrint writes every one used)."""
    used, widths, i = set(), cid_font.get("/W"), 0
    widths = widths.get_object() if widths is not None else []
    while i < len(widths):
        first, following = int(widths[i]), widths[i + 1].get_object()
        if isinstance(following, list):  # c [w1 w2 …]
            used.update(range(first, first + len(following)))
            i += 2
        else:  # c_first c_last w
            used.update(range(first, int(following) + 1))
            i += 3
    return used


def compact_font(program: bytes, used: set[int]) -> bytes | None:
    """The bare CID-keyed CFF of the used glyphs only, or None for a font that is not one.

    The pages name glyphs by CID (Identity-H); in a CID-keyed CFF the charset maps each glyph to its CID, so the
    glyphs can be renumbered without touching the pages (PDF 32000-1, 9.7.4.2). fontTools keeps the CIDs in the
    glyph names (cid01234)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(program))
    if "CFF " not in font or not hasattr(font["CFF "].cff.topDictIndex[0], "ROS"):
        return None
    order = font.getGlyphOrder()
    keep = [order[0], *(order[cid] for cid in sorted(used) if 0 < cid < len(order))]
    options = subset.Options(retain_gids=False, notdef_outline=True, hinting=False, glyph_names=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(glyphs=keep)
    subsetter.subset(font)
    return font["CFF "].compile(font)


def compact_fonts(pdf: bytes) -> bytes:
    """The PDF with each embedded OpenType CID font replaced by the compact CFF of its used glyphs."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, StreamObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    done = set()
    for page in writer.pages:
        for reference in page["/Resources"].get_object().get("/Font", {}).get_object().values():
            font = reference.get_object()
            if font.get("/Subtype") != "/Type0":
                continue
            cid_font = font["/DescendantFonts"][0].get_object()
            descriptor = cid_font["/FontDescriptor"].get_object()
            program_reference = descriptor.raw_get("/FontFile3") if "/FontFile3" in descriptor else None
            if program_reference is None or program_reference.idnum in done:
                continue
            done.add(program_reference.idnum)
            program = program_reference.get_object()
            if cid_font.get("/Subtype") != "/CIDFontType0" or program.get("/Subtype") != "/OpenType":
                continue
            cff = compact_font(program.get_data(), used_cids(cid_font))
            if cff is None:
                continue
            stream = StreamObject()
            stream.set_data(cff)
            stream[NameObject("/Subtype")] = NameObject("/CIDFontType0C")
            writer._objects[program_reference.idnum - 1] = stream.flate_encode(level=9)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-pages", type=int, required=True)
    parser.add_argument("--max-memory-mb", type=int, required=True)
    args = parser.parse_args()
    limit = args.max_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from weasyprint import HTML

    document = HTML(string=sys.stdin.buffer.read().decode("utf-8")).render()
    if len(document.pages) > args.max_pages:
        sys.exit(TOO_LONG)
    pdf = document.write_pdf()
    try:
        pdf = compact_fonts(pdf)
    except Exception as exc:  # the PDF as WeasyPrint wrote it is still right, only larger
        print(f"fonts left as written: {exc!r}", file=sys.stderr)
    sys.stdout.buffer.write(pdf)


if __name__ == "__main__":
    main()
