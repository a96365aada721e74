"""Author and similar properties removed from a document kept in a redacted bundle (one that
names no one the case knows can still say who wrote it):

- PDF: the document information dictionary (Author, Title, Subject, Keywords, Creator …) and
  the XMP stream, rewritten by pypdf (pages, fonts and images are carried over as they are);
- Office Open XML (DOCX, XLSX, PPTX) and OpenDocument (ODT, ODS, ODP): ``docProps/core.xml``,
  ``app.xml`` and ``custom.xml`` or ``meta.xml`` replaced by empty ones; every other member
  is copied in order, with its compression (an OpenDocument's ``mimetype`` stays first and
  stored).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from reviewer.bundle.media_isobmff import CannotClean, Unsupported

_OOXML = "http://schemas.openxmlformats.org/"
_EMPTY = {
    "docProps/core.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp='
        f'"{_OOXML}package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"/>'
    ),
    "docProps/app.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns='
        f'"{_OOXML}officeDocument/2006/extended-properties"/>'
    ),
    "docProps/custom.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns='
        f'"{_OOXML}officeDocument/2006/custom-properties"/>'
    ),
    "meta.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta xmlns:office='
        '"urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.2">'
        "<office:meta/></office:document-meta>"
    ),
}


def clean_document(source: Path, target: Path) -> tuple[str, ...]:
    """Write ``source`` without its author properties to ``target``; returns what was removed
    (empty: nothing to remove, ``target`` not written). Raises :class:`Unsupported` for other
    formats and :class:`CannotClean` for an encrypted or unreadable one."""
    with source.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF"):
        return _pdf(source, target)
    if head.startswith(b"PK\x03\x04") and zipfile.is_zipfile(source):
        return _package(source, target)
    raise Unsupported("not a PDF or an office document")


def _pdf(source: Path, target: Path) -> tuple[str, ...]:
    import pypdf  # only for a redacted bundle holding a PDF

    try:
        reader = pypdf.PdfReader(source)
        if reader.is_encrypted:
            raise CannotClean("the PDF is encrypted, so its content cannot be checked")
        info = {k: v for k, v in (reader.metadata or {}).items() if v}
        has_xmp = "/Metadata" in reader.root_object
        if not info and not has_xmp:
            return ()
        writer = pypdf.PdfWriter(clone_from=reader)
        writer.metadata = None
        if "/Metadata" in writer.root_object:
            del writer.root_object["/Metadata"]
        writer.write(target)
    except (pypdf.errors.PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CannotClean(f"the PDF cannot be read ({exc})") from exc
    removed = [f"PDF document information ({', '.join(k.lstrip('/') for k in info)})"]
    if has_xmp:
        removed.append("PDF XMP metadata")
    return (*removed, "(rewritten by pypdf)")


def _package(source: Path, target: Path) -> tuple[str, ...]:
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            if not any(i.filename in _EMPTY for i in infos):
                return ()
            removed = []
            with zipfile.ZipFile(target, "w") as out:
                for info in infos:
                    data = archive.read(info)
                    if info.filename in _EMPTY:
                        data = _EMPTY[info.filename].encode()
                        removed.append(f"document properties ({info.filename})")
                    out.writestr(info, data, compress_type=info.compress_type)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise CannotClean(f"the document cannot be read ({exc})") from exc
    return tuple(removed)
