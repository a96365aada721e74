"""The files of a redacted bundle (``--redact-uninvolved``): each attachment's file becomes a
*redacted copy* with its own hash, or is withheld; never the original altered under the
original's name and hash.

- pictures, videos and audio in a format with a metadata remover (JPEG, PNG, WebP, GIF,
  MP4/MOV/M4A, HEIF, MP3, Ogg Opus/Vorbis): EXIF, XMP, IPTC, comments, tags and text chunks
  removed, pixels and samples untouched (:mod:`reviewer.bundle.media_clean`);
- a picture whose machine-read text names a person not involved: those lines blacked out,
  saved as PNG (:mod:`reviewer.bundle.media_black_out`); a video whose frames do: withheld;
- a damaged file of those formats: withheld (its metadata cannot be removed);
- a document whose file name or text names a person not involved: withheld; any other PDF
  or office document loses its author properties (:mod:`reviewer.bundle.media_documents`);
- anything else (AAC, AMR …) as it is.

Each change is recorded on the attachment (:class:`MediaRedaction`), so the records and
``redaction/media.jsonl`` say which copy came from which original and what was removed.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from reviewer.bundle.files import sha256_file
from reviewer.bundle.media_black_out import black_out
from reviewer.bundle.media_clean import CannotClean, Unsupported, clean_file
from reviewer.bundle.media_documents import clean_document
from reviewer.bundle.model import Bundle, BundleAttachment, MediaRedaction
from reviewer.core.progress import CancelToken, ProgressSink
from reviewer.services.redaction import Redactor

NAMED = "its file name names a person not involved"
CONTENT = "its content names a person not involved"
FRAMES = "a frame shows text naming a person not involved"
UNCLEANABLE = "its metadata could not be removed ({why})"
_MEDIA = ("image/", "video/", "audio/")
GUESSABLE = 4096  # bytes: a withheld file shorter than this is listed without its hash
_TEXT_LIMIT = 20_000_000  # bytes of a document read to look for names


def redact_media(
    bundle: Bundle,
    screen: Redactor,
    workdir: Path,
    progress: ProgressSink,
    cancel: CancelToken,
) -> Bundle:
    """``bundle`` with each present attachment replaced by its redacted copy (written into
    ``workdir``, which the caller removes after the bundle is written) or withheld.
    ``screen`` flags every person not involved by name or number (the audit screen)."""
    done: dict[tuple[str, MediaRedaction], BundleAttachment] = {}
    total = sum(len(m.attachments) for m in bundle.messages)
    count = 0
    messages = []
    for message in bundle.messages:
        attachments = []
        for attachment in message.attachments:
            cancel.raise_if_cancelled()
            attachments.append(_one(attachment, screen, workdir, done))
            count += 1
            if count % 50 == 0 or count == total:
                progress.report("redacting media", count, total)
        messages.append(replace(message, attachments=tuple(attachments)))
    return replace(bundle, messages=messages)


def _one(
    attachment: BundleAttachment,
    redactor: Redactor,
    workdir: Path,
    done: dict[tuple[str, MediaRedaction], BundleAttachment],
) -> BundleAttachment:
    plan = attachment.redaction
    source, sha = attachment.source, attachment.sha256
    if plan is None or not attachment.present or source is None or sha is None:
        return attachment
    key = (sha, plan)
    if key not in done:
        done[key] = _redacted(attachment, plan, source, sha, redactor, workdir)
    made = done[key]
    # the file as made once; everything else (name, analysis …) as this message has it
    return replace(
        attachment,
        sha256=made.sha256,
        mime=made.mime,
        size=made.size,
        present=made.present,
        source=made.source,
        bundle_path=made.bundle_path,
        thumbnail=made.thumbnail,
        redaction=made.redaction,
    )


def _redacted(
    attachment: BundleAttachment,
    plan: MediaRedaction,
    source: Path,
    sha: str,
    redactor: Redactor,
    workdir: Path,
) -> BundleAttachment:
    mime = (attachment.mime or "").lower()
    suffix = Path(attachment.bundle_path or "").suffix
    if not mime.startswith(_MEDIA):
        if plan.named:
            return _withheld(attachment, plan, sha, NAMED)
        if redactor.mentions(_document_texts(source)):
            return _withheld(attachment, plan, sha, CONTENT)
        return _cleaned(attachment, plan, source, sha, workdir, suffix, clean_document)
    if plan.areas:
        if not mime.startswith("image/"):
            return _withheld(attachment, plan, sha, FRAMES)
        target = workdir / f"{sha}-areas.png"
        try:
            areas = black_out(source, target, plan.areas)
        except (OSError, ValueError) as exc:
            return _withheld(attachment, plan, sha, UNCLEANABLE.format(why=exc))
        what = f"redacted: {areas} area{'s' * (areas != 1)} blacked out (re-encoded as PNG)"
        copy = _copy(attachment, plan, sha, target, ".png", "image/png", (what,))
        # the case's thumbnail shows what was blacked out: the report's is made from the copy
        return replace(copy, thumbnail=None)
    return _cleaned(attachment, plan, source, sha, workdir, suffix, clean_file)


def _cleaned(
    attachment: BundleAttachment,
    plan: MediaRedaction,
    source: Path,
    sha: str,
    workdir: Path,
    suffix: str,
    cleaner: Callable[[Path, Path], tuple[str, ...]],
) -> BundleAttachment:
    """The file without its metadata: a redacted copy when there was any to remove."""
    target = workdir / f"{sha}-clean{suffix}"
    try:
        removed = cleaner(source, target)
    except Unsupported:
        return replace(attachment, redaction=replace(plan, original_sha256=sha))
    except (CannotClean, OSError) as exc:
        return _withheld(attachment, plan, sha, UNCLEANABLE.format(why=exc))
    if not removed:
        target.unlink(missing_ok=True)
        return replace(attachment, redaction=replace(plan, original_sha256=sha))
    return _copy(attachment, plan, sha, target, suffix, attachment.mime, removed)


def _copy(
    attachment: BundleAttachment,
    plan: MediaRedaction,
    sha: str,
    made: Path,
    suffix: str,
    mime: str | None,
    removed: tuple[str, ...],
) -> BundleAttachment:
    new_sha = sha256_file(made)
    target = made.with_name(new_sha + suffix)
    made.replace(target)
    return replace(
        attachment,
        sha256=new_sha,
        mime=mime,
        size=target.stat().st_size,
        source=target,
        bundle_path=f"media/{new_sha}{suffix}",
        # the case's thumbnail keeps serving: same pixels, and the report's thumbnails are
        # written again from it without any metadata
        redaction=replace(plan, original_sha256=sha, removed=removed),
    )


def _withheld(
    attachment: BundleAttachment, plan: MediaRedaction, sha: str | None, why: str
) -> BundleAttachment:
    # A short file's hash is not given: its few words could be guessed and confirmed by it.
    if (attachment.size or 0) < GUESSABLE:
        sha = None
    return replace(
        attachment,
        sha256=None,
        size=None,
        present=False,
        source=None,
        bundle_path=None,
        thumbnail=None,
        redaction=replace(plan, original_sha256=sha, withheld=why),
    )


def _document_texts(source: Path) -> list[str]:
    """Every text a reader could take out of a document: a PDF's pages, metadata, XMP and
    attached files; a zip's (DOCX, ODT, XLSX …) member names and contents; the bytes read as
    UTF-8, UTF-16 and Latin-1."""
    with source.open("rb") as handle:
        data = handle.read(_TEXT_LIMIT)
    return list(_texts(data))


def _texts(data: bytes, member: bool = False) -> list[str]:
    """The texts of a file; compressed formats only through their structure (a name found
    by chance in compressed bytes would withhold a document for nothing)."""
    if data.startswith(b"%PDF"):
        return _pdf_texts(data)
    if data.startswith(b"PK\x03\x04"):
        found: list[str] = []
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for info in archive.infolist():
                    found.append(info.filename)
                    if info.file_size <= _TEXT_LIMIT:
                        found += _texts(archive.read(info), member=True)
            return found
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
            pass
    if member and b"\0" in data[:4096] and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        return []  # a picture inside a DOCX: not text
    return [data.decode(codec, "ignore") for codec in ("utf-8", "utf-16-le", "latin-1")]


def _pdf_texts(data: bytes) -> list[str]:
    import pypdf  # only when a redacted bundle holds a PDF

    found: list[str] = []
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        found += [page.extract_text() or "" for page in reader.pages]
        found += [str(value) for value in (reader.metadata or {}).values()]
        if reader.xmp_metadata is not None:
            found.append(reader.xmp_metadata.stream.get_data().decode("utf-8", "ignore"))
        for name, contents in reader.attachments.items():
            found.append(name)
            for content in contents:
                found += _texts(content)
    except (pypdf.errors.PyPdfError, OSError, ValueError, KeyError, TypeError):
        # unreadable structure: what can be read as text still counts
        found += [data.decode(codec, "ignore") for codec in ("utf-8", "latin-1")]
    return found
