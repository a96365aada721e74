"""WhatsApp's own localised vocabulary, as data.

Two tables:

* ``PHRASES`` — fixed strings WhatsApp writes into a message body (placeholders, marker words,
  suffixes), one row per (concept, language, platform, text).
* ``SYSTEM_TEMPLATES`` — the wording of system lines, one row per (event, language, template).

Adding a language means adding rows; nothing in ``body.py`` names a language. Sources are
``docs/export-formats.md`` §1.9–§1.11 (English catalogue, six-language table, German group
events). Phrases are written without a trailing period: matching strips one, and folds the case
of the first letter only (WhatsApp capitalises differently per platform).

Template syntax (``SYSTEM_TEMPLATES``): literal text with placeholders

* ``{actor}`` who did it, ``{subject}`` one participant concerned, ``{subjects}`` a list
  (``A, B and C``), ``{self}`` one participant who is both actor and subject (``X left``);
  names never contain ``": "`` (that keeps ``Name: text`` user lines out).
* ``{old}`` / ``{new}`` phone numbers (number change: actor = old, subject = new).
* ``{q}`` a quoted string (straight or typographic quotes), ``{any}`` free text on one line,
  ``{rest}`` an optional tail starting with a non-letter (``. Tap to learn more.``).
"""

from __future__ import annotations

from typing import Final, NamedTuple

from reviewer.importers.whatsapp import languages

# The languages with every core concept (export-formats §1.10.3); ``languages.py`` adds rows,
# not always complete, for more.
LANGUAGES: Final = ("en", "de", "es", "fr", "pt", "it", "nl")
ALL_LANGUAGES: Final = LANGUAGES + languages.MORE_LANGUAGES


class Phrase(NamedTuple):
    concept: str
    lang: str
    platform: str  # "android", "ios" or "any"
    text: str


class SystemTemplate(NamedTuple):
    event: str
    lang: str
    template: str


# Media types of the iOS per-type "… omitted" placeholders (concept "omitted-<type>").
OMITTED_TYPES: Final = (
    "image",
    "video",
    "audio",
    "sticker",
    "gif",
    "document",
    "contact-card",
    "video-note",
)

_P = Phrase

_CORE_PHRASES: Final[tuple[Phrase, ...]] = (
    # Android generic "without media" placeholder, written with its angle brackets.
    _P("media-omitted", "en", "android", "<Media omitted>"),
    _P("media-omitted", "de", "android", "<Medien ausgeschlossen>"),
    _P("media-omitted", "de", "android", "<Medien weggelassen>"),
    _P("media-omitted", "es", "android", "<Multimedia omitido>"),
    _P("media-omitted", "es", "android", "<Archivo omitido>"),
    _P("media-omitted", "fr", "android", "<Médias omis>"),
    _P("media-omitted", "fr", "android", "<Fichier omis>"),
    _P("media-omitted", "pt", "android", "<Mídia oculta>"),
    _P("media-omitted", "pt", "android", "<Mídia omitida>"),
    _P("media-omitted", "pt", "android", "<Ficheiro não revelado>"),
    _P("media-omitted", "it", "android", "<Media omessi>"),
    _P("media-omitted", "it", "android", "<Media omesso>"),
    _P("media-omitted", "nl", "android", "<Media weggelaten>"),
    _P("video-note-omitted", "en", "android", "<Video message omitted>"),
    _P("video-note-omitted", "en", "android", "<Video note omitted>"),
    # Android "NAME (file attached)" suffix word(s), without the parentheses.
    _P("file-attached", "en", "android", "file attached"),
    _P("file-attached", "de", "android", "Datei angehängt"),
    _P("file-attached", "es", "android", "archivo adjunto"),
    _P("file-attached", "es", "android", "archivo adjuntado"),
    _P("file-attached", "fr", "android", "fichier joint"),
    _P("file-attached", "pt", "android", "arquivo anexado"),
    _P("file-attached", "pt", "android", "ficheiro anexado"),
    _P("file-attached", "it", "android", "file allegato"),
    _P("file-attached", "nl", "android", "bestand bijgevoegd"),
    # iOS "<WORD: NAME>" tag word; very old iOS also wrote "NAME <WORD>".
    _P("attached-tag", "en", "ios", "attached"),
    _P("attached-tag", "de", "ios", "Anhang"),
    _P("attached-tag", "es", "ios", "adjunto"),
    _P("attached-tag", "fr", "ios", "pièce jointe"),
    _P("attached-tag", "pt", "ios", "anexado"),
    _P("attached-tag", "pt", "ios", "anexo"),
    _P("attached-tag", "it", "ios", "allegato"),
    _P("attached-tag", "nl", "ios", "bijgevoegd"),
    # iOS per-type "without media" placeholders.
    _P("omitted-image", "en", "ios", "image omitted"),
    _P("omitted-video", "en", "ios", "video omitted"),
    _P("omitted-audio", "en", "ios", "audio omitted"),
    _P("omitted-sticker", "en", "ios", "sticker omitted"),
    _P("omitted-gif", "en", "ios", "GIF omitted"),
    _P("omitted-document", "en", "ios", "document omitted"),
    _P("omitted-contact-card", "en", "ios", "Contact card omitted"),
    _P("omitted-video-note", "en", "ios", "video note omitted"),
    _P("omitted-image", "de", "ios", "Bild weggelassen"),
    _P("omitted-video", "de", "ios", "Video weggelassen"),
    _P("omitted-audio", "de", "ios", "Audio weggelassen"),
    _P("omitted-sticker", "de", "ios", "Sticker weggelassen"),
    _P("omitted-gif", "de", "ios", "GIF weggelassen"),
    _P("omitted-document", "de", "ios", "Dokument weggelassen"),
    _P("omitted-contact-card", "de", "ios", "Kontaktkarte ausgelassen"),
    _P("omitted-image", "es", "ios", "imagen omitida"),
    _P("omitted-video", "es", "ios", "Video omitido"),
    _P("omitted-audio", "es", "ios", "audio omitido"),
    _P("omitted-sticker", "es", "ios", "sticker omitido"),
    _P("omitted-gif", "es", "ios", "GIF omitido"),
    _P("omitted-document", "es", "ios", "documento omitido"),
    _P("omitted-contact-card", "es", "ios", "Tarjeta de contacto omitida"),
    _P("omitted-image", "fr", "ios", "image absente"),
    _P("omitted-video", "fr", "ios", "vidéo absente"),
    _P("omitted-audio", "fr", "ios", "audio omis"),
    _P("omitted-sticker", "fr", "ios", "sticker omis"),
    _P("omitted-gif", "fr", "ios", "GIF retiré"),
    _P("omitted-document", "fr", "ios", "document manquant"),
    _P("omitted-contact-card", "fr", "ios", "Fiche contact manquante"),
    _P("omitted-image", "pt", "ios", "imagem não revelada"),
    _P("omitted-image", "pt", "ios", "imagem ocultada"),
    _P("omitted-video", "pt", "ios", "vídeo não revelado"),
    _P("omitted-video", "pt", "ios", "vídeo omitido"),
    _P("omitted-audio", "pt", "ios", "ficheiro de áudio não revelado"),
    _P("omitted-audio", "pt", "ios", "áudio ocultado"),
    _P("omitted-sticker", "pt", "ios", "sticker não revelado"),
    _P("omitted-sticker", "pt", "ios", "figurinha omitida"),
    _P("omitted-gif", "pt", "ios", "GIF não revelada"),
    _P("omitted-document", "pt", "ios", "documento não revelado"),
    _P("omitted-contact-card", "pt", "ios", "Contacto não revelado"),
    _P("omitted-contact-card", "pt", "ios", "Cartão do contato omitido"),
    _P("omitted-image", "it", "ios", "immagine omessa"),
    _P("omitted-video", "it", "ios", "video omesso"),
    _P("omitted-audio", "it", "ios", "audio omesso"),
    _P("omitted-sticker", "it", "ios", "sticker non incluso"),
    _P("omitted-gif", "it", "ios", "GIF esclusa"),
    _P("omitted-document", "it", "ios", "documento omesso"),
    _P("omitted-contact-card", "it", "ios", "Scheda contatto omessa"),
    _P("omitted-image", "nl", "ios", "afbeelding weggelaten"),
    _P("omitted-video", "nl", "ios", "video weggelaten"),
    _P("omitted-audio", "nl", "ios", "audio weggelaten"),
    _P("omitted-sticker", "nl", "ios", "sticker weggelaten"),
    _P("omitted-gif", "nl", "ios", "GIF weggelaten"),
    _P("omitted-document", "nl", "ios", "document weggelaten"),
    _P("omitted-contact-card", "nl", "ios", "Visitekaartje weggelaten"),
    # Deleted-message placeholders (whole body).
    _P("deleted", "en", "any", "This message was deleted"),
    _P("deleted", "en", "android", "Message deleted"),
    _P("deleted-self", "en", "any", "You deleted this message"),
    _P("deleted", "de", "any", "Diese Nachricht wurde gelöscht"),
    _P("deleted-self", "de", "any", "Du hast diese Nachricht gelöscht"),
    _P("deleted", "es", "any", "Se eliminó este mensaje"),
    _P("deleted-self", "es", "any", "Eliminaste este mensaje"),
    _P("deleted", "fr", "any", "Ce message a été supprimé"),
    _P("deleted-self", "fr", "any", "Vous avez supprimé ce message"),
    _P("deleted", "pt", "any", "Esta mensagem foi apagada"),
    _P("deleted", "pt", "any", "Mensagem apagada"),
    _P("deleted-self", "pt", "any", "Apagou esta mensagem"),
    _P("deleted-self", "pt", "any", "Você apagou esta mensagem"),
    _P("deleted", "it", "any", "Questo messaggio è stato eliminato"),
    _P("deleted-self", "it", "any", "Hai eliminato questo messaggio"),
    _P("deleted", "nl", "any", "Dit bericht is verwijderd"),
    _P("deleted-self", "nl", "any", "U hebt dit bericht verwijderd"),
    # "... by admin NAME": the phrase is a prefix, the admin's name follows.
    _P("deleted-admin", "en", "any", "This message was deleted by admin"),
    # Edited suffix "<…>" at the very end of the body (optional trailing period allowed).
    _P("edited", "en", "any", "This message was edited"),
    _P("edited", "de", "any", "Diese Nachricht wurde bearbeitet"),
    _P("edited", "es", "any", "Se editó este mensaje"),
    _P("edited", "fr", "any", "Ce message a été modifié"),
    _P("edited", "pt", "any", "Mensagem editada"),
    _P("edited", "it", "any", "Questo messaggio è stato modificato"),
    _P("edited", "nl", "any", "Dit bericht is bewerkt"),
    # "PREFIX: https://maps…" (case-insensitive; Android lower-case, iOS capitalised).
    _P("location", "en", "any", "location"),
    _P("location", "de", "any", "Standort"),
    _P("location", "es", "any", "Ubicación"),
    _P("location", "fr", "any", "Localisation"),
    _P("location", "pt", "any", "Localização"),
    _P("location", "it", "any", "Posizione"),
    _P("location", "nl", "any", "locatie"),
    _P("live-location", "en", "any", "live location shared"),
    _P("live-location", "de", "any", "Live-Standort wird geteilt"),
    _P("live-location", "es", "any", "ubicación en tiempo real compartida"),
    _P("live-location", "fr", "any", "Localisation en direct partagée"),
    _P("live-location", "pt", "any", "localização atual compartilhada"),
    _P("live-location", "it", "any", "posizione attuale condivisa"),
    _P("live-location", "nl", "any", "live locatie gedeeld"),
    # View-once placeholders (prefixes; an explanatory sentence follows).
    _P("view-once", "en", "any", "You sent a view once message"),
    _P("view-once", "en", "any", "You received a view once message"),
    # Missed calls; also the start of iOS call lines with a tail (". Tap to call back").
    _P("missed-call", "en", "any", "Missed voice call"),
    _P("missed-call", "en", "any", "Missed video call"),
    _P("missed-call", "en", "any", "Missed group voice call"),
    _P("missed-call", "en", "any", "Missed group video call"),
    _P("missed-call", "de", "any", "Verpasster Sprachanruf"),
    _P("missed-call", "de", "any", "Verpasster Videoanruf"),
    _P("missed-call", "es", "any", "Llamada perdida"),
    _P("missed-call", "es", "any", "Llamada de voz perdida"),
    _P("missed-call", "es", "any", "Videollamada perdida"),
    _P("missed-call", "fr", "any", "Appel vocal manqué"),
    _P("missed-call", "fr", "any", "Appel vidéo manqué"),
    _P("missed-call", "pt", "any", "Chamada de voz perdida"),
    _P("missed-call", "pt", "any", "Videochamada perdida"),
    _P("missed-call", "it", "any", "Chiamata vocale persa"),
    _P("missed-call", "it", "any", "Videochiamata persa"),
    _P("missed-call", "nl", "any", "Gemiste spraakoproep"),
    _P("missed-call", "nl", "any", "Gemist videogesprek"),
    _P("missed-call", "nl", "any", "Gemiste video-oproep"),
    # Conjunction before the last name of a list ("A, B and C").
    _P("and", "en", "any", "and"),
    _P("and", "de", "any", "und"),
    _P("and", "es", "any", "y"),
    _P("and", "fr", "any", "et"),
    _P("and", "pt", "any", "e"),
    _P("and", "it", "any", "e"),
    _P("and", "nl", "any", "en"),
)

PHRASES: Final[tuple[Phrase, ...]] = _CORE_PHRASES + tuple(
    Phrase(*row) for row in languages.PHRASE_ROWS
)

_T = SystemTemplate

_CORE_TEMPLATES: Final[tuple[SystemTemplate, ...]] = (
    # --- English (§1.9) ---
    _T("encryption", "en", "Messages and calls are end-to-end encrypted{rest}"),
    _T(
        "encryption",
        "en",
        "Messages to this chat and calls are now secured with end-to-end encryption{rest}",
    ),
    _T(
        "encryption",
        "en",
        "Messages to this group are now secured with end-to-end encryption{rest}",
    ),
    _T(
        "encryption",
        "en",
        "Messages you send to this chat and calls are now secured with end-to-end encryption{rest}",
    ),
    _T("encryption", "en", "Messages you send to this group are now secured{rest}"),
    _T("created", "en", "{actor} created group {q}"),
    _T("created", "en", "{actor} created this group"),
    _T("added", "en", "{actor} added {subjects}"),
    _T("added", "en", "{subjects} were added"),
    _T("added", "en", "{subjects} was added"),
    _T("removed", "en", "{actor} removed {subjects}"),
    _T("removed", "en", "{subjects} were removed"),
    _T("removed", "en", "{subjects} was removed"),
    _T("left", "en", "{self} left"),
    _T("joined", "en", "{self} joined using this group's invite link"),
    _T("joined", "en", "{self} joined using this community's invite link"),
    _T("joined", "en", "{self} joined using an invite link"),
    _T("joined", "en", "{self} joined from the community"),
    _T("subject", "en", "{actor} changed the subject from {q} to {q}"),
    _T("subject", "en", "{actor} changed the subject to {q}"),
    _T("subject", "en", "{actor} changed the group name from {q} to {q}"),
    _T("subject", "en", "{actor} changed the group name to {q}"),
    _T("subject", "en", "{actor} changed this group's name from {q} to {q}"),
    _T("subject", "en", "{actor} changed this group's name to {q}"),
    _T("icon", "en", "{actor} changed this group's icon"),
    _T("icon", "en", "{actor} changed the group icon"),
    _T("icon", "en", "{actor} deleted this group's icon"),
    _T("icon", "en", "{actor} removed this group's icon"),
    _T("description", "en", "{actor} changed the group description{rest}"),
    _T("description", "en", "{actor} deleted the group description"),
    _T("settings", "en", "{actor} changed this group's settings{rest}"),
    _T("settings", "en", "{actor} changed the group settings{rest}"),
    _T("settings", "en", "{actor} turned on admin approval to join this group"),
    _T("settings", "en", "{actor} turned off admin approval to join this group"),
    _T("invite-link", "en", "{actor} revoked this group's invite link"),
    _T("invite-link", "en", "{actor} reset this group's invite link"),
    _T("admin", "en", "{self}'re now an admin"),
    _T("admin", "en", "{self}'re no longer an admin"),
    _T("admin", "en", "{self} is now an admin"),
    _T("admin", "en", "{self} is no longer an admin"),
    _T("admin", "en", "{actor} made {subjects} an admin"),
    _T("admin", "en", "{actor} made {subjects} admins"),
    _T("admin", "en", "{actor} dismissed {subjects} as admin"),
    _T("security-code", "en", "Your security code with {subject} changed{rest}"),
    _T("security-code", "en", "{self}'s security code changed{rest}"),
    _T("number-changed", "en", "{self} changed their phone number to a new number{rest}"),
    _T("number-changed", "en", "{self} changed their phone number{rest}"),
    _T("number-changed", "en", "{old} changed to {new}"),
    _T("disappearing", "en", "{actor} turned on disappearing messages{rest}"),
    _T("disappearing", "en", "{actor} turned off disappearing messages{rest}"),
    _T("disappearing", "en", "{actor} updated the message timer{rest}"),
    _T("disappearing", "en", "{actor} changed the message timer{rest}"),
    _T("disappearing", "en", "{actor} use a default timer for disappearing messages{rest}"),
    _T("disappearing", "en", "{actor} uses a default timer for disappearing messages{rest}"),
    _T("disappearing", "en", "Disappearing messages were turned on{rest}"),
    _T("disappearing", "en", "Disappearing messages were turned off{rest}"),
    _T("call", "en", "Voice call{rest}"),
    _T("call", "en", "Video call{rest}"),
    _T("call", "en", "Group voice call{rest}"),
    _T("call", "en", "Group video call{rest}"),
    _T("call", "en", "{actor} started a call"),
    _T("call", "en", "{actor} started a video call"),
    _T("call", "en", "{actor} started a voice call"),
    _T("blocked", "en", "{actor} blocked this contact{rest}"),
    _T("unblocked", "en", "{actor} unblocked this contact{rest}"),
    _T("business", "en", "This chat is with a business account{rest}"),
    _T("business", "en", "This chat is with an official business account{rest}"),
    _T("business", "en", "This business uses a secure service from Meta to manage this chat{rest}"),
    _T("business", "en", "This business is now using a secure service from Meta{rest}"),
    _T("pin", "en", "{actor} pinned a message"),
    _T("pin", "en", "{actor} unpinned a message"),
    _T("waiting", "en", "Waiting for this message{rest}"),
    _T("waiting", "es", "No se puede mostrar este mensaje aquí{rest}"),
    _T("meta-ai", "en", "Meta AI is an optional service{rest}"),
    _T("meta-ai", "en", "Only messages that mention @Meta AI{rest}"),
    # --- end-to-end notices, six languages (§1.10.3) ---
    _T("encryption", "de", "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt{rest}"),
    _T("encryption", "es", "Los mensajes y las llamadas están cifrados de extremo a extremo{rest}"),
    _T("encryption", "fr", "Les messages et les appels sont chiffrés de bout en bout{rest}"),
    _T("encryption", "pt", "As mensagens e chamadas são encriptadas ponto a ponto{rest}"),
    _T(
        "encryption",
        "pt",
        "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta{rest}",
    ),
    _T("encryption", "it", "I messaggi e le chiamate sono crittografati end-to-end{rest}"),
    _T("encryption", "nl", "Berichten en oproepen worden end-to-end versleuteld{rest}"),
    _T("encryption", "nl", "Berichten en gesprekken worden end-to-end versleuteld{rest}"),
    # --- German group events (§1.10.3, WhatsR) ---
    _T("created", "de", "{actor} hast die Gruppe {q} erstellt"),
    _T("created", "de", "{actor} hat die Gruppe {q} erstellt"),
    _T("added", "de", "{actor} hast {subjects} hinzugefügt"),
    _T("added", "de", "{actor} hat {subjects} hinzugefügt"),
    _T("removed", "de", "{actor} hast {subjects} entfernt"),
    _T("removed", "de", "{actor} hat {subjects} entfernt"),
    _T("left", "de", "{self} hast die Gruppe verlassen"),
    _T("left", "de", "{self} hat die Gruppe verlassen"),
    _T("icon", "de", "{actor} hast das Gruppenbild geändert"),
    _T("icon", "de", "{actor} hat das Gruppenbild geändert"),
    _T("subject", "de", "{actor} hast den Gruppennamen von {q} zu {q} geändert"),
    _T("subject", "de", "{actor} hat den Gruppennamen von {q} zu {q} geändert"),
    _T("subject", "de", "{actor} hast den Gruppennamen zu {q} geändert"),
    _T("subject", "de", "{actor} hat den Gruppennamen zu {q} geändert"),
    _T("security-code", "de", "Dein Sicherheitscode für {subject} hat sich geändert{rest}"),
)

SYSTEM_TEMPLATES: Final[tuple[SystemTemplate, ...]] = _CORE_TEMPLATES + tuple(
    SystemTemplate(*row) for row in languages.TEMPLATE_ROWS
)

# Events a participant's own line can carry (kept with its author, not made a system line).
PARTICIPANT_EVENTS: Final = frozenset({"call", "waiting"})

# Events whose wording alone proves a system line, even without the iOS leading LRM.
SELF_EVIDENT_EVENTS: Final = frozenset(
    {"encryption", "business", "meta-ai", "blocked", "unblocked", "security-code", "disappearing"}
)


def phrases(concept: str, platform: str | None = None) -> tuple[str, ...]:
    """All texts of ``concept`` (any language), optionally only those valid on ``platform``."""
    return tuple(
        p.text
        for p in PHRASES
        if p.concept == concept and (platform is None or p.platform in ("any", platform))
    )


def concept_phrases(prefix: str) -> tuple[Phrase, ...]:
    """All rows whose concept starts with ``prefix`` (e.g. ``"omitted-"``, ``"deleted"``)."""
    return tuple(p for p in PHRASES if p.concept.startswith(prefix))
