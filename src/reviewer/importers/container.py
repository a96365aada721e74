"""Open a WhatsApp export (bare text, zip or folder) and expose its chat text and files.

Nothing here writes to disk or extracts anything. Members are streamed on demand; zip members
go through our own reader, which enforces the sizes the archive declares instead of trusting
them, so a hostile archive can neither exhaust memory nor disk.
"""

from __future__ import annotations

import io
import itertools
import os
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import unquote

import magic

from reviewer.core.errors import InputError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = ["ExportContainer", "Limits", "Member", "open_export"]

_CHUNK = 64 * 1024
_SNIFF_BYTES = 64 * 1024
_RATIO_MIN_BYTES = 1 << 20  # small members compress absurdly well legitimately (blank text)
_DIRECTORY_BYTES_PER_MEMBER = 1024  # generous: real entries are ~100-300 bytes
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_FLAG_ENCRYPTED = 0x1
_FLAG_UTF8 = 0x800
_STORED, _DEFLATED = 0, 8
_BIDI_MARKS = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
)
_TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_MACOS_FORK = "macOS resource fork"
# libmagic answers that do not rule out a chat text; byte heuristics decide.
_UNDECIDED_TYPES = frozenset(
    {"application/octet-stream", "application/json", "application/csv", "message/rfc822"}
)


@dataclass(frozen=True)
class Limits:
    """Refusal thresholds for hostile or absurd archives."""

    max_members: int = 200_000
    max_total_bytes: int = 64 * 2**30  # declared uncompressed total
    max_ratio: float = 200.0  # per member, uncompressed/compressed, above _RATIO_MIN_BYTES
    max_chat_bytes: int = 2 * 2**30


@dataclass(frozen=True)
class Member:
    """One regular file of an export.

    ``name`` is the path inside the export as stored (zip name or folder-relative posix
    path); ``size`` its declared uncompressed size; ``aliases`` other spellings of the name
    worth matching (a UTF-8 name that a zip tool stored without the UTF-8 flag).
    """

    name: str
    size: int
    opener: Callable[[], BinaryIO] = field(repr=False, compare=False, kw_only=True)
    aliases: tuple[str, ...] = field(default=(), compare=False, kw_only=True)

    @property
    def basename(self) -> str:
        return _basename(self.name)

    def open(self) -> BinaryIO:
        """A streaming reader; raises InputError if the bytes contradict the archive."""
        return self.opener()


class ExportContainer:
    """An opened export: its chat text file, its other files, and what was ignored."""

    def __init__(
        self,
        *,
        kind: str,
        path: Path,
        chat: Member,
        members: list[Member],
        skipped: list[str],
    ) -> None:
        self._streams: list[BinaryIO] = []
        self._closed = False
        self._index: _NameIndex | None = None
        self.kind = kind
        self.path = path
        self.chat = self._adopt(chat)
        self.members = [self._adopt(member) for member in members]
        self.skipped = skipped

    def __enter__(self) -> ExportContainer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ExportContainer(kind={self.kind!r}, path={self.path!r}, chat={self.chat.name!r})"

    def find(self, filename: str) -> Member | None:
        """Resolve a file name referenced by a chat line to a member, or None.

        Tries, for the name as written and then URL-decoded: exact, Unicode-normalised (macOS
        zips store NFD) and case-insensitive matches, each first against the full stored path
        and then against the base name anywhere in the tree. Among equal candidates, files
        beside the chat text win, then the shallowest.
        """
        if self._index is None:
            self._index = _NameIndex(self.members, _parent(self.chat.name))
        return self._index.lookup(filename)

    def close(self) -> None:
        """Close every stream still open from this container; later opens fail."""
        self._closed = True
        for stream in self._streams:
            stream.close()
        self._streams.clear()

    def _adopt(self, member: Member) -> Member:
        """The member, its streams tracked so that close() closes them."""

        def tracked_open() -> BinaryIO:
            if self._closed:
                raise ValueError("the export container is closed")
            stream = member.opener()
            self._streams = [s for s in self._streams if not s.closed]
            self._streams.append(stream)
            return stream

        return replace(member, opener=tracked_open)


def open_export(
    path: Path, *, limits: Limits = Limits(), chat: str | None = None
) -> ExportContainer:
    """Open a ``.txt`` chat, a ``.zip`` export or a folder export, judged by content.

    ``chat`` names the chat file of a folder export exactly (``result.json`` for Telegram)
    instead of looking for a WhatsApp text file.
    """
    path = Path(path)
    if path.is_dir():
        return _open_folder(path, limits, chat)
    if not path.is_file():
        raise InputError("no such file, or not a regular file", file=str(path))
    head = _read_head(path)
    if not head:
        raise InputError(
            "the file is empty; expected a WhatsApp .txt or .zip export", file=path.name
        )
    if head[:4] in _ZIP_MAGICS:
        return _open_zip(path, limits)
    mime = _libmagic(head)
    if _is_text(head, mime):
        return _open_text(path, limits)
    if zipfile.is_zipfile(path):  # a zip with data in front of it (self-extracting etc.)
        return _open_zip(path, limits)
    raise InputError(
        f"not a WhatsApp export: expected a .txt or .zip, but the content is {mime}",
        file=path.name,
    )


# --- sniffing ---------------------------------------------------------------------------


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(_SNIFF_BYTES)
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", file=path.name) from exc


def _libmagic(head: bytes) -> str:
    try:
        return str(magic.from_buffer(head, mime=True))
    except magic.MagicException:
        return "application/octet-stream"


def _is_text(head: bytes, mime: str) -> bool:
    if mime.startswith("text/"):
        return True
    return mime in _UNDECIDED_TYPES and _looks_like_text(head)


def _looks_like_text(head: bytes) -> bool:
    """Byte heuristics for text libmagic shrugs at: BOM-less UTF-16, legacy 8-bit codepages."""
    if head.startswith(_TEXT_BOMS) or _looks_like_utf16(head):
        return True
    controls = sum(1 for b in head if b < 0x20 and b not in b"\t\n\r\f\x1b")
    return controls == 0


def _looks_like_utf16(head: bytes) -> bool:
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / max(len(odd), 1)
    return max(zeros_even, zeros_odd) > 0.3 and min(zeros_even, zeros_odd) < 0.05


# --- bare text ----------------------------------------------------------------------------


def _open_text(path: Path, limits: Limits) -> ExportContainer:
    size = path.stat().st_size
    _check_chat_size(path.name, size, limits, path)
    chat = Member(path.name, size, opener=lambda: _open_regular(path, size, path.name))
    return ExportContainer(kind="txt", path=path, chat=chat, members=[], skipped=[])


def _open_regular(path: Path, size: int, display: str) -> BinaryIO:
    """Open a plain file without following a symlink swapped in since it was listed."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(f"cannot open {display!r} ({exc.strerror})", file=path.name) from exc
    stream = os.fdopen(fd, "rb")
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_size != size:
        stream.close()
        raise InputError(f"{display!r} changed since the export was opened", file=path.name)
    return stream


def _check_chat_size(name: str, size: int, limits: Limits, path: Path) -> None:
    if size > limits.max_chat_bytes:
        raise InputError(
            f"the chat text {name!r} is {size} bytes, above the limit of "
            f"{limits.max_chat_bytes} bytes",
            file=path.name,
        )


# --- folders ------------------------------------------------------------------------------


def _open_folder(path: Path, limits: Limits, chat_name: str | None = None) -> ExportContainer:
    files: list[tuple[str, int]] = []
    skipped: list[str] = []
    for rel, size in _walk_folder(path, skipped):
        files.append((rel, size))
        if len(files) + len(skipped) > limits.max_members:
            raise InputError(
                f"the folder holds more than {limits.max_members} entries", file=path.name
            )
    total = sum(size for _, size in files)
    if total > limits.max_total_bytes:
        raise InputError(
            f"the folder holds {total} bytes, above the limit of {limits.max_total_bytes}",
            file=path.name,
        )
    names = [rel for rel, _ in files]
    if chat_name is not None:
        chat_at = names.index(chat_name) if chat_name in names else None
    else:
        chat_at = _pick_chat(names)
    if chat_at is None:
        raise InputError(_no_chat_message([rel for rel, _ in files]), file=path.name)

    def member(rel: str, size: int) -> Member:
        target = path.joinpath(*rel.split("/"))
        return Member(rel, size, opener=lambda: _open_regular(target, size, rel))

    members = [member(rel, size) for rel, size in files]
    chat = members.pop(chat_at)
    _check_chat_size(chat.name, chat.size, limits, path)
    return ExportContainer(kind="folder", path=path, chat=chat, members=members, skipped=skipped)


def _walk_folder(root: Path, skipped: list[str]) -> Iterator[tuple[str, int]]:
    """Yield (posix relative path, size) of regular files; never follows links."""
    pending: list[tuple[Path, str]] = [(root, "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            raise InputError(
                f"cannot list {prefix or '.'!r} ({exc.strerror})", file=root.name
            ) from exc
        subfolders: list[tuple[Path, str]] = []
        for entry in entries:
            rel = prefix + entry.name
            if _is_macos_junk(rel):
                skipped.append(f"{rel}: {_MACOS_FORK}")
            elif entry.is_symlink() or _is_reparse_point(entry):
                skipped.append(f"{rel}: symbolic link (not followed)")
            elif entry.is_dir(follow_symlinks=False):
                subfolders.append((Path(entry.path), rel + "/"))
            elif entry.is_file(follow_symlinks=False):
                yield rel, entry.stat(follow_symlinks=False).st_size
            else:
                skipped.append(f"{rel}: not a regular file")
        pending.extend(reversed(subfolders))


def _is_reparse_point(entry: os.DirEntry[str]) -> bool:
    # Windows junctions are not symlinks to is_symlink() on Python 3.11 but redirect all the same.
    attributes = getattr(entry.stat(follow_symlinks=False), "st_file_attributes", 0)
    return bool(attributes & stat.FILE_ATTRIBUTE_REPARSE_POINT)


# --- zips ---------------------------------------------------------------------------------


def _open_zip(path: Path, limits: Limits) -> ExportContainer:
    _precheck_directory(path, limits)
    infos = _read_directory(path)
    if len(infos) > limits.max_members:
        raise InputError(
            f"the zip holds {len(infos)} entries, above the limit of {limits.max_members}",
            file=path.name,
        )
    kept, skipped = _classify_entries(infos)
    for info in kept:
        _check_entry(info, limits, path)
    _check_total(kept, limits, path)
    _check_overlaps(infos, path)
    chat_at = _pick_chat([info.filename for info in kept])
    if chat_at is None:
        raise InputError(_no_chat_message([info.filename for info in kept]), file=path.name)

    def member(info: zipfile.ZipInfo) -> Member:
        return Member(
            info.filename,
            info.file_size,
            opener=lambda: _open_zip_member(path, info),
            aliases=_mojibake_aliases(info),
        )

    members = [member(info) for info in kept]
    chat = members.pop(chat_at)
    _check_chat_size(chat.name, chat.size, limits, path)
    return ExportContainer(kind="zip", path=path, chat=chat, members=members, skipped=skipped)


def _read_directory(path: Path) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, struct.error) as exc:
        raise InputError(f"damaged or truncated zip archive ({exc})", file=path.name) from exc
    except OSError as exc:
        raise InputError(f"cannot read the zip archive ({exc})", file=path.name) from exc


def _precheck_directory(path: Path, limits: Limits) -> None:
    """Refuse absurd entry counts before zipfile loads the whole central directory."""
    entries, directory_bytes = _end_record_counts(path)
    if entries > limits.max_members:
        raise InputError(
            f"the zip declares {entries} entries, above the limit of {limits.max_members}",
            file=path.name,
        )
    if directory_bytes > max(limits.max_members, 1) * _DIRECTORY_BYTES_PER_MEMBER:
        raise InputError(
            f"the zip's central directory is {directory_bytes} bytes; refusing it as hostile",
            file=path.name,
        )


def _end_record_counts(path: Path) -> tuple[int, int]:
    """(entry count, central directory size) from the end records; (0, 0) if none found."""
    with path.open("rb") as f:
        size = f.seek(0, os.SEEK_END)
        tail_start = max(0, size - (22 + 0xFFFF))
        f.seek(tail_start)
        tail = f.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return 0, 0
        entries, directory_bytes = struct.unpack_from("<HI", tail, at + 10)
        if entries != 0xFFFF and directory_bytes != 0xFFFFFFFF:
            return int(entries), int(directory_bytes)
        locator = tail[at - 20 : at] if at >= 20 else b""
        if len(locator) < 20 or not locator.startswith(b"PK\x06\x07"):
            return int(entries), int(directory_bytes)
        (record_at,) = struct.unpack_from("<Q", locator, 8)
        f.seek(min(record_at, size))
        record = f.read(56)
        if len(record) < 56 or not record.startswith(b"PK\x06\x06"):
            return int(entries), int(directory_bytes)
        entries64, directory64 = struct.unpack_from("<QQ", record, 32)
        return int(entries64), int(directory64)


def _classify_entries(infos: Sequence[zipfile.ZipInfo]) -> tuple[list[zipfile.ZipInfo], list[str]]:
    kept: list[zipfile.ZipInfo] = []
    skipped: list[str] = []
    for info in infos:
        reason = _skip_reason(info)
        if reason == "":
            kept.append(info)
        elif reason is not None:
            skipped.append(f"{info.filename}: {reason}")
    return kept, skipped


def _skip_reason(info: zipfile.ZipInfo) -> str | None:
    """Why an entry is not a member: a reason, None for a plain directory, "" to keep it."""
    name = info.filename
    if _is_unsafe_name(name):
        return "unsafe path (absolute or '..'; ignored, and nothing is ever extracted by name)"
    if _is_macos_junk(name):
        return _MACOS_FORK
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "symbolic link (not followed)"
    if info.is_dir():
        return None
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG):  # 0: a DOS-style entry, no type recorded
        return "not a regular file"
    return ""


def _is_unsafe_name(name: str) -> bool:
    if not name or "\x00" in name or name.startswith(("/", "\\")):
        return True
    if len(name) >= 2 and name[1] == ":" and name[0].isalpha():
        return True
    return ".." in name.replace("\\", "/").split("/")


def _check_entry(info: zipfile.ZipInfo, limits: Limits, path: Path) -> None:
    if info.flag_bits & _FLAG_ENCRYPTED:
        raise InputError(
            f"member {info.filename!r} is encrypted; export the chat again without a password",
            file=path.name,
        )
    if info.file_size > _RATIO_MIN_BYTES:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            raise InputError(
                f"member {info.filename!r} would expand {ratio:.0f}-fold "
                f"({info.compress_size} to {info.file_size} bytes): refusing a likely zip bomb",
                file=path.name,
            )


def _check_total(kept: Sequence[zipfile.ZipInfo], limits: Limits, path: Path) -> None:
    total = sum(info.file_size for info in kept)
    if total > limits.max_total_bytes:
        raise InputError(
            f"the zip declares {total} uncompressed bytes, above the limit of "
            f"{limits.max_total_bytes}",
            file=path.name,
        )


def _check_overlaps(infos: Sequence[zipfile.ZipInfo], path: Path) -> None:
    """Refuse entries sharing bytes: the trick behind non-recursive zip bombs."""
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for first, second in itertools.pairwise(ordered):
        # 30 header bytes plus the data is a lower bound of the first entry's extent.
        if first.header_offset + 30 + first.compress_size > second.header_offset:
            raise InputError(
                f"members {first.filename!r} and {second.filename!r} overlap: "
                "refusing a likely zip bomb",
                file=path.name,
            )


def _mojibake_aliases(info: zipfile.ZipInfo) -> tuple[str, ...]:
    # Zip tools that store UTF-8 names without the UTF-8 flag get them decoded as cp437.
    if info.flag_bits & _FLAG_UTF8 or info.filename.isascii():
        return ()
    try:
        repaired = info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return ()
    return (repaired,) if repaired != info.filename else ()


def _open_zip_member(archive: Path, info: zipfile.ZipInfo) -> BinaryIO:
    if info.compress_type not in (_STORED, _DEFLATED):
        raise InputError(
            f"member {info.filename!r} uses compression method {info.compress_type}, "
            "which is not supported; re-create the zip with ordinary (deflate) compression",
            file=archive.name,
        )
    return io.BufferedReader(_ZipMemberReader(archive, info), buffer_size=_CHUNK)


class _ZipMemberReader(io.RawIOBase):
    """Streams one member, holding at most a chunk, trusting none of the declared numbers.

    It reads only the compressed bytes the directory declares, refuses output beyond the
    declared size (a lying header), and checks the final size and CRC.
    """

    def __init__(self, archive: Path, info: zipfile.ZipInfo) -> None:
        super().__init__()
        self._archive = archive
        self._info = info
        self._fp = archive.open("rb")
        try:
            self._seek_to_data()
        except BaseException:
            self._fp.close()
            raise
        self._compressed_left = info.compress_size
        self._output_left = info.file_size
        self._crc = 0
        self._inflater = zlib.decompressobj(-15) if info.compress_type == _DEFLATED else None
        self._pending = memoryview(b"")
        self._done = False
        self._failure: InputError | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        view = memoryview(buffer).cast("B")
        if self._failure is not None:  # stay failed: never let a retry look like a clean end
            raise self._failure
        try:
            while not self._pending and not self._done:
                self._pending = memoryview(self._produce())
        except InputError as exc:
            self._failure = exc
            raise
        count = min(len(view), len(self._pending))
        view[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def close(self) -> None:
        if not self.closed:
            self._fp.close()
        super().close()

    def _error(self, problem: str) -> InputError:
        return InputError(f"member {self._info.filename!r} {problem}", file=self._archive.name)

    def _seek_to_data(self) -> None:
        self._fp.seek(self._info.header_offset)
        header = self._fp.read(30)
        if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
            raise self._error("has no valid local header; the zip is damaged or truncated")
        name_length, extra_length = struct.unpack_from("<HH", header, 26)
        raw_name = self._fp.read(name_length)
        encoding = "utf-8" if self._info.flag_bits & _FLAG_UTF8 else "cp437"
        if raw_name.decode(encoding, "replace") != self._info.orig_filename:
            raise self._error("has a different name in its local header; the zip is damaged")
        self._fp.seek(extra_length, os.SEEK_CUR)

    def _produce(self) -> bytes:
        try:
            out = self._next_output()
        except zlib.error as exc:
            raise self._error(f"is corrupt ({exc})") from exc
        if not out:
            if self._exhausted():
                self._finish()
            return b""
        if len(out) > self._output_left:
            raise self._error(
                f"inflates past its declared size of {self._info.file_size} bytes; "
                "the zip is corrupt or hostile"
            )
        self._output_left -= len(out)
        self._crc = zlib.crc32(out, self._crc)
        return out

    def _next_output(self) -> bytes:
        if self._inflater is None:
            return self._read_compressed()
        data = self._inflater.unconsumed_tail or self._read_compressed()
        return self._inflater.decompress(data, _CHUNK)

    def _exhausted(self) -> bool:
        if self._inflater is None:
            return self._compressed_left == 0
        if self._inflater.eof:  # bytes after the end of the stream are ignored, as zipfile does
            return True
        return self._compressed_left == 0 and not self._inflater.unconsumed_tail

    def _read_compressed(self) -> bytes:
        wanted = min(_CHUNK, self._compressed_left)
        if wanted == 0:
            return b""
        data = self._fp.read(wanted)
        if len(data) < wanted:
            raise self._error("is cut short; the zip is truncated")
        self._compressed_left -= wanted
        return data

    def _finish(self) -> None:
        self._done = True
        if self._inflater is not None and not self._inflater.eof:
            raise self._error("ends before its compressed data does; the zip is damaged")
        if self._output_left:
            raise self._error(
                f"is {self._info.file_size - self._output_left} bytes, not the declared "
                f"{self._info.file_size}; the zip is damaged"
            )
        if self._crc != self._info.CRC:
            raise self._error("fails its CRC check; the zip is damaged")


# --- chat selection and name matching --------------------------------------------------


def _basename(name: str) -> str:
    return name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def _parent(name: str) -> str:
    return str(PurePosixPath(name.replace("\\", "/")).parent)


def _is_macos_junk(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return parts[0] == "__MACOSX" or _basename(name).startswith("._")


def _pick_chat(names: Sequence[str]) -> int | None:
    """Index of the chat text: ``_chat.txt``, else a *whatsapp*/*chat* ``.txt``, shortest first."""
    ranked = [(rank, i) for i, name in enumerate(names) if (rank := _chat_rank(name)) is not None]
    return min(ranked)[1] if ranked else None


def _chat_rank(name: str) -> tuple[int, int, int, str] | None:
    base = unicodedata.normalize("NFC", _basename(name)).casefold()
    if not base.endswith(".txt"):
        return None
    if base == "_chat.txt":
        tier = 0
    elif "whatsapp" in base:
        tier = 1
    elif "chat" in base:
        tier = 2
    else:
        return None
    return tier, len(base), name.count("/"), name


def _no_chat_message(names: Sequence[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:10])
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    found = f"found {len(names)} file(s): {shown}{more}" if names else "found no files"
    return "no chat text file (expected '_chat.txt' or 'WhatsApp Chat with ….txt'); " + found


_Fold = Callable[[str], str]
_FOLDS: tuple[_Fold, ...] = (
    lambda s: s,
    lambda s: unicodedata.normalize("NFC", s),
    lambda s: unicodedata.normalize("NFC", s).casefold(),
)


class _NameIndex:
    """Lookup tables from folded full paths and base names to members."""

    def __init__(self, members: Sequence[Member], chat_folder: str) -> None:
        self._chat_folder = chat_folder
        self._full: list[dict[str, list[Member]]] = [{} for _ in _FOLDS]
        self._base: list[dict[str, list[Member]]] = [{} for _ in _FOLDS]
        for member in members:
            for name in (member.name, *member.aliases):
                for level, fold in enumerate(_FOLDS):
                    self._full[level].setdefault(fold(name), []).append(member)
                    self._base[level].setdefault(fold(_basename(name)), []).append(member)

    def lookup(self, filename: str) -> Member | None:
        for query in _query_variants(filename):
            for level, fold in enumerate(_FOLDS):
                for table in (self._full[level], self._base[level]):
                    hits = table.get(fold(query))
                    if hits:
                        return min(hits, key=self._preference)
        return None

    def _preference(self, member: Member) -> tuple[bool, int]:
        return _parent(member.name) != self._chat_folder, member.name.count("/")


def _query_variants(filename: str) -> list[str]:
    cleaned = filename.translate(_BIDI_MARKS).strip()
    variants = [filename, cleaned, unquote(cleaned)]
    return [v for i, v in enumerate(variants) if v and v not in variants[:i]]
