"""Media, deleted, edited, poll, location, view-once, mentions and plain text (§1.10–§1.11)."""

from __future__ import annotations

import pytest

from reviewer.core.records import MessageKind
from reviewer.importers.whatsapp.body import Body, classify_body

LRM = "\u200e"
FSI = "\u2068"
PDI = "\u2069"


def android(body: str, author: str = "Alex Turner") -> Body:
    return classify_body(author, body, platform="android")


def ios(body: str, author: str = "Alex Turner") -> Body:
    return classify_body(author, body, platform="ios")


# --- Android media ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "marker",
    [
        "<Media omitted>",
        "<Medien ausgeschlossen>",
        "<Medien weggelassen>",
        "<Multimedia omitido>",
        "<Archivo omitido>",
        "<Médias omis>",
        "<Fichier omis>",
        "<Mídia oculta>",
        "<Mídia omitida>",
        "<Ficheiro não revelado>",
        "<Media omessi>",
        "<Media omesso>",
        "<Media weggelaten>",
    ],
)
def test_android_media_omitted_all_languages(marker: str) -> None:
    got = android(marker)
    assert (got.kind, got.text, got.attachments) == (MessageKind.MEDIA, "", ())
    assert got.flags == ("media-omitted",)
    assert got.sender == "Alex Turner"


@pytest.mark.parametrize("marker", ["<Video message omitted>", "<Video note omitted>"])
def test_android_video_note_omitted(marker: str) -> None:
    got = android(marker)
    assert got.kind is MessageKind.MEDIA
    assert got.flags == ("media-omitted", "omitted-video-note")


def test_android_media_omitted_then_document_name_line() -> None:
    got = android("<Media omitted>\nStatement_draft.pdf")
    assert got.kind is MessageKind.MEDIA
    assert got.text == "Statement_draft.pdf"
    assert got.flags == ("media-omitted", "document-name-line")


def test_android_media_omitted_then_caption() -> None:
    got = android("<Media omitted>\nPhoto of the damage to the car")
    assert got.text == "Photo of the damage to the car"
    assert got.flags == ("media-omitted",)


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("IMG-20240314-WA0007.jpg (file attached)", "IMG-20240314-WA0007.jpg"),
        (f"{LRM}IMG-20240314-WA0007.jpg (file attached)", "IMG-20240314-WA0007.jpg"),
        (
            "4f2680f1d3c2b9a8e7f6a5b4c3d2e1fc.jpg (file attached)",
            "4f2680f1d3c2b9a8e7f6a5b4c3d2e1fc.jpg",
        ),
        ("Statement (final).pdf (file attached)", "Statement (final).pdf"),
        ("PTT-20220323-WA0000.opus (Datei angehängt)", "PTT-20220323-WA0000.opus"),
        ("IMG-1.jpg (archivo adjunto)", "IMG-1.jpg"),
        ("IMG-1.jpg (archivo adjuntado)", "IMG-1.jpg"),
        ("IMG-1.jpg (fichier joint)", "IMG-1.jpg"),
        ("IMG-1.jpg (arquivo anexado)", "IMG-1.jpg"),
        ("IMG-1.jpg (ficheiro anexado)", "IMG-1.jpg"),
        ("IMG-1.jpg (file allegato)", "IMG-1.jpg"),
        ("IMG-1.jpg (bestand bijgevoegd)", "IMG-1.jpg"),
    ],
)
def test_android_file_attached(body: str, name: str) -> None:
    got = android(body)
    assert (got.kind, got.attachments, got.text) == (MessageKind.MEDIA, (name,), "")


def test_android_caption_on_following_lines() -> None:
    got = android("IMG-20240314-WA0007.jpg (file attached)\nPhoto of the damage\nto the car")
    assert got.attachments == ("IMG-20240314-WA0007.jpg",)
    assert got.text == "Photo of the damage\nto the car"


def test_android_contact_card_is_contact() -> None:
    got = android("Jo Lee.vcf (file attached)")
    assert (got.kind, got.attachments) == (MessageKind.CONTACT, ("Jo Lee.vcf",))


def test_text_in_parentheses_is_not_an_attachment() -> None:
    got = android("see you later (maybe)")
    assert (got.kind, got.text, got.attachments) == (MessageKind.TEXT, "see you later (maybe)", ())


# --- iOS media -------------------------------------------------------------------------------


def test_ios_attached_without_caption() -> None:
    got = ios(f"{LRM}<attached: 00000015-PHOTO-2024-03-14-10-02-11.jpg>")
    assert got.kind is MessageKind.MEDIA
    assert got.attachments == ("00000015-PHOTO-2024-03-14-10-02-11.jpg",)
    assert got.text == ""


def test_ios_caption_before_the_tag() -> None:
    got = ios(f"Photo of the car {LRM}<attached: 00000015-PHOTO-2024-03-14-10-02-11.jpg>")
    assert got.text == "Photo of the car"
    assert got.attachments == ("00000015-PHOTO-2024-03-14-10-02-11.jpg",)
    assert got.flags == ()


@pytest.mark.parametrize(
    "tag",
    [
        "<Anhang: 00000003-PHOTO-2022-01-01-10-00-00.jpg>",
        "<adjunto: 00000003-PHOTO-2022-01-01-10-00-00.jpg>",
        "<pièce jointe : 00000003-PHOTO-2022-01-01-10-00-00.jpg>",
        "<pièce jointe\u202f: 00000003-PHOTO-2022-01-01-10-00-00.jpg>",
        "<anexado: 00000003-PHOTO-2022-01-01-10-00-00.jpg>",
        "<anexo: 00000003-PHOTO-2022-01-01-10-00-00.jpg>",
        "<allegato: 00000003-PHOTO-2022-01-01-10-00-00.jpg>",
        "<bijgevoegd: 00000003-PHOTO-2022-01-01-10-00-00.jpg>",
    ],
)
def test_ios_localised_tags(tag: str) -> None:
    got = ios(LRM + tag)
    assert got.attachments == ("00000003-PHOTO-2022-01-01-10-00-00.jpg",)
    assert got.kind is MessageKind.MEDIA


def test_ios_document_with_page_count() -> None:
    got = ios(f"Statement.pdf • {LRM}3 pages {LRM}<attached: 00000047-Statement.pdf>")
    assert got.kind is MessageKind.MEDIA
    assert got.attachments == ("00000047-Statement.pdf",)
    assert got.text == "Statement.pdf • 3 pages"
    assert got.flags == ("document-name-line",)


def test_ios_document_name_before_tag() -> None:
    got = ios(f"notes.txt {LRM}<attached: 00000046-notes.txt>")
    assert got.text == "notes.txt"
    assert got.flags == ("document-name-line",)


def test_ios_contact_card_attachment() -> None:
    got = ios(f"{LRM}<attached: 00000042-Jo Lee.vcf>")
    assert (got.kind, got.attachments) == (MessageKind.CONTACT, ("00000042-Jo Lee.vcf",))


def test_very_old_ios_attached() -> None:
    got = ios(f"2015-08-04-PHOTO-00004762.jpg <{LRM}attached>")
    assert (got.kind, got.attachments, got.text) == (
        MessageKind.MEDIA,
        ("2015-08-04-PHOTO-00004762.jpg",),
        "",
    )


@pytest.mark.parametrize(
    ("body", "concept"),
    [
        (f"{LRM}image omitted", "omitted-image"),
        (f"{LRM}video omitted", "omitted-video"),
        (f"{LRM}audio omitted", "omitted-audio"),
        (f"{LRM}sticker omitted", "omitted-sticker"),
        (f"{LRM}GIF omitted", "omitted-gif"),
        (f"{LRM}video note omitted", "omitted-video-note"),
        (f"<{LRM}image omitted>", "omitted-image"),
        ("image omitted", "omitted-image"),
        # de
        (f"{LRM}Bild weggelassen", "omitted-image"),
        (f"{LRM}Video weggelassen", "omitted-video"),
        (f"{LRM}Audio weggelassen", "omitted-audio"),
        (f"{LRM}Sticker weggelassen", "omitted-sticker"),
        (f"{LRM}GIF weggelassen", "omitted-gif"),
        # es
        (f"{LRM}imagen omitida", "omitted-image"),
        (f"{LRM}Video omitido", "omitted-video"),
        (f"{LRM}audio omitido", "omitted-audio"),
        (f"{LRM}sticker omitido", "omitted-sticker"),
        (f"{LRM}GIF omitido", "omitted-gif"),
        # fr
        (f"{LRM}image absente", "omitted-image"),
        (f"{LRM}vidéo absente", "omitted-video"),
        (f"{LRM}audio omis", "omitted-audio"),
        (f"{LRM}sticker omis", "omitted-sticker"),
        (f"{LRM}GIF retiré", "omitted-gif"),
        # pt
        (f"{LRM}imagem não revelada", "omitted-image"),
        (f"{LRM}imagem ocultada", "omitted-image"),
        (f"{LRM}vídeo omitido", "omitted-video"),
        (f"{LRM}áudio ocultado", "omitted-audio"),
        (f"{LRM}figurinha omitida", "omitted-sticker"),
        (f"{LRM}GIF não revelada", "omitted-gif"),
        # it
        (f"{LRM}immagine omessa", "omitted-image"),
        (f"{LRM}video omesso", "omitted-video"),
        (f"{LRM}audio omesso", "omitted-audio"),
        (f"{LRM}sticker non incluso", "omitted-sticker"),
        (f"{LRM}GIF esclusa", "omitted-gif"),
        # nl
        (f"{LRM}afbeelding weggelaten", "omitted-image"),
        (f"{LRM}video weggelaten", "omitted-video"),
        (f"{LRM}audio weggelaten", "omitted-audio"),
        (f"{LRM}sticker weggelaten", "omitted-sticker"),
        (f"{LRM}GIF weggelaten", "omitted-gif"),
    ],
)
def test_ios_per_type_omitted(body: str, concept: str) -> None:
    got = ios(body)
    assert (got.kind, got.text, got.attachments) == (MessageKind.MEDIA, "", ())
    assert got.flags == ("media-omitted", concept)


@pytest.mark.parametrize(
    "placeholder",
    [
        "Contact card omitted",
        "Kontaktkarte ausgelassen",
        "Tarjeta de contacto omitida",
        "Fiche contact manquante",
        "Contacto não revelado",
        "Cartão do contato omitido",
        "Scheda contatto omessa",
        "Visitekaartje weggelaten",
    ],
)
def test_ios_contact_card_omitted_is_contact(placeholder: str) -> None:
    got = ios(LRM + placeholder)
    assert got.kind is MessageKind.CONTACT
    assert got.flags == ("media-omitted", "omitted-contact-card")


@pytest.mark.parametrize(
    "word",
    [
        "document omitted",
        "Dokument weggelassen",
        "documento omitido",
        "document manquant",
        "documento não revelado",
        "documento omesso",
        "document weggelaten",
    ],
)
def test_ios_document_omitted_keeps_name(word: str) -> None:
    got = ios(f"Statement.pdf • {LRM}3 pages {LRM}{word}")
    assert got.kind is MessageKind.MEDIA
    assert got.text == "Statement.pdf • 3 pages"
    assert got.flags == ("media-omitted", "omitted-document", "document-name-line")


def test_ios_short_document_omitted() -> None:
    got = ios(f"notes.txt {LRM}document omitted")
    assert (got.text, got.flags) == (
        "notes.txt",
        ("media-omitted", "omitted-document", "document-name-line"),
    )


def test_typed_words_ending_like_a_placeholder_stay_text() -> None:
    got = ios("the best bits were image omitted")
    assert got.kind is MessageKind.TEXT


# --- deleted ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "flags"),
    [
        ("This message was deleted", ()),
        (f"{LRM}This message was deleted.", ()),
        ("Message deleted", ()),
        ("You deleted this message", ("deleted-by-self",)),
        (f"{LRM}You deleted this message.", ("deleted-by-self",)),
        ("Diese Nachricht wurde gelöscht.", ()),
        ("Du hast diese Nachricht gelöscht.", ("deleted-by-self",)),
        ("Se eliminó este mensaje.", ()),
        ("Eliminaste este mensaje.", ("deleted-by-self",)),
        ("Ce message a été supprimé.", ()),
        ("Vous avez supprimé ce message.", ("deleted-by-self",)),
        ("Esta mensagem foi apagada.", ()),
        ("Mensagem apagada", ()),
        ("Apagou esta mensagem.", ("deleted-by-self",)),
        ("Você apagou esta mensagem", ("deleted-by-self",)),
        ("Questo messaggio è stato eliminato.", ()),
        ("Hai eliminato questo messaggio.", ("deleted-by-self",)),
        ("Dit bericht is verwijderd", ()),
        ("U hebt dit bericht verwijderd", ("deleted-by-self",)),
    ],
)
def test_deleted(body: str, flags: tuple[str, ...]) -> None:
    for platform in ("android", "ios"):
        got = classify_body("Sam Patel", body, platform=platform)
        assert got.kind is MessageKind.DELETED
        assert got.flags == flags
        assert got.sender == "Sam Patel"
        assert got.text == body.lstrip(LRM)


def test_deleted_by_admin() -> None:
    got = android("This message was deleted by admin ~Sam.")
    assert got.kind is MessageKind.DELETED
    assert got.flags == ("deleted-by-admin",)
    assert got.event_actor == "~Sam"


# --- edited ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "suffix",
    [
        " <This message was edited>",
        f" {LRM}<This message was edited>",
        " <Diese Nachricht wurde bearbeitet.>",
        " <Diese Nachricht wurde bearbeitet>",
        " <Se editó este mensaje.>",
        " <Ce message a été modifié>",
        " <Mensagem editada>",
        " <Questo messaggio è stato modificato>",
        " <Dit bericht is bewerkt>",
    ],
)
def test_edited_suffix(suffix: str) -> None:
    got = android("ok then\nsee you at 6" + suffix)
    assert got.edited is True
    assert got.text == "ok then\nsee you at 6"
    assert got.kind is MessageKind.TEXT


def test_edited_caption_on_ios() -> None:
    got = ios(
        f"Photo {LRM}<attached: 00000015-PHOTO-2024-03-14-10-02-11.jpg> <This message was edited>"
    )
    assert got.edited is True
    assert (got.kind, got.text) == (MessageKind.MEDIA, "Photo")


def test_edited_marker_in_the_middle_is_kept() -> None:
    got = android("he wrote <This message was edited> as a joke")
    assert got.edited is False
    assert got.text == "he wrote <This message was edited> as a joke"


# --- polls -----------------------------------------------------------------------------------


def test_android_poll() -> None:
    body = (
        "POLL:\nWhich shift works for the debrief?\nOPTION: Tuesday early (2 votes)\n"
        "OPTION: Wednesday late (1 vote)\nOPTION: Friday (0 votes)"
    )
    got = android(body)
    assert (got.kind, got.text) == (MessageKind.POLL, body)


def test_poll_with_blank_lines_and_capital_votes() -> None:
    body = "POLL:\nWhen?\nOPTION: Tue (2 Votes)\n\nOPTION: Wed (1 Vote)\n"
    assert android(body).kind is MessageKind.POLL


def test_spanish_poll() -> None:
    body = "ENCUESTA:\n¿Cuándo?\nOPCIÓN: Martes (2 votos)\nOPCIÓN: Miércoles (0 votos)"
    assert android(body).kind is MessageKind.POLL


def test_poll_shaped_text_without_options_is_text() -> None:
    assert android("NOTE:\nbring the keys\nand the radio").kind is MessageKind.TEXT


# --- location --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "platform"),
    [
        ("location: https://maps.google.com/?q=51.5007,-0.1246", "android"),
        (f"{LRM}Location: https://maps.google.com/?q=51.5007,-0.1246", "ios"),
        ("Standort: https://maps.google.com/?q=51.5007,-0.1246", "ios"),
        ("Ubicación: https://maps.google.com/?q=51.5007,-0.1246", "ios"),
        ("Localisation : https://maps.google.com/?q=51.5007,-0.1246", "ios"),
        ("Localização: https://maps.google.com/?q=51.5007,-0.1246", "ios"),
        ("Posizione: https://maps.google.com/?q=51.5007,-0.1246", "ios"),
        ("locatie: https://maps.google.com/?q=51.5007,-0.1246", "android"),
    ],
)
def test_location_prefixes(body: str, platform: str) -> None:
    got = classify_body("Sam", body, platform=platform)
    assert got.kind is MessageKind.LOCATION
    assert got.text == "https://maps.google.com/?q=51.5007,-0.1246"


def test_ios_named_place() -> None:
    body = "Westminster Abbey (London SW1P 3PA): https://foursquare.com/v/4ac518cef964a520"
    got = ios(body)
    assert (got.kind, got.text) == (MessageKind.LOCATION, body)


def test_android_named_place_three_lines() -> None:
    body = "Westminster Abbey\n20 Deans Yd, London SW1P 3PA\nhttps://foursquare.com/v/4ac518cef9"
    got = android(body)
    assert (got.kind, got.text) == (MessageKind.LOCATION, body)


def test_old_android_bare_maps_url() -> None:
    assert android("https://maps.google.com/?q=51.5007,-0.1246").kind is MessageKind.LOCATION


def test_ordinary_link_is_text() -> None:
    got = android("look: https://example.org/report")
    assert (got.kind, got.text) == (MessageKind.TEXT, "look: https://example.org/report")


@pytest.mark.parametrize(
    "body",
    [
        "live location shared",
        "Live-Standort wird geteilt.",
        "ubicación en tiempo real compartida",
        "Localisation en direct partagée",
        "localização atual compartilhada",
        "posizione attuale condivisa",
        "live locatie gedeeld",
    ],
)
def test_live_location(body: str) -> None:
    got = android(body)
    assert got.kind is MessageKind.LOCATION
    assert got.flags == ("live-location",)


# --- view once, null, empty ------------------------------------------------------------------


def test_null_body_is_flagged_text() -> None:
    got = android("null")
    assert (got.kind, got.text, got.flags) == (MessageKind.TEXT, "null", ("null-body",))


@pytest.mark.parametrize(
    "body",
    [
        "You sent a view once message. For added privacy, you can only open it on your phone.",
        "You received a view once message. For added privacy, you can only open it on your phone.",
    ],
)
def test_view_once_placeholder(body: str) -> None:
    got = ios(body)
    assert (got.kind, got.flags, got.text) == (MessageKind.MEDIA, ("view-once",), body)


@pytest.mark.parametrize(("body", "text"), [("", ""), (".", "."), (" ", "")])
def test_empty_body(body: str, text: str) -> None:
    got = android(body)
    assert (got.kind, got.text, got.flags) == (MessageKind.TEXT, text, ("empty-body",))


# --- mentions and marks ----------------------------------------------------------------------


def test_mention_isolates_removed_and_flagged() -> None:
    got = android(f"thanks @{FSI}Sam Patel{PDI} for the lift")
    assert got.text == "thanks @Sam Patel for the lift"
    assert got.flags == ("mention",)


def test_number_mention_flagged() -> None:
    got = android("ask @447700900123 about it")
    assert (got.text, got.flags) == ("ask @447700900123 about it", ("mention",))


def test_email_address_is_not_a_mention() -> None:
    got = android("mail me at sam@example.org")
    assert got.flags == ()


def test_leading_marks_removed_inner_marks_kept() -> None:
    got = android(f"{LRM}hello {LRM}there")
    assert got.text == f"hello {LRM}there"


def test_unknown_angle_pattern_that_looks_like_a_marker_is_flagged() -> None:
    got = android("<Medien entfernt>")
    assert (got.kind, got.flags) == (MessageKind.TEXT, ("unrecognised-pattern",))


def test_ordinary_angle_brackets_are_plain_text() -> None:
    got = android("a <b and c> d")
    assert (got.kind, got.flags, got.text) == (MessageKind.TEXT, (), "a <b and c> d")


# --- fast path -------------------------------------------------------------------------------


def test_fast_path_result_is_a_real_body() -> None:
    got = android("see you at the station")
    expected = Body(
        MessageKind.TEXT, "Alex Turner", "see you at the station", False, (), (), None, None, ()
    )
    assert got == expected
    assert type(got) is Body
    assert repr(got) == repr(expected)
    assert hash(got) == hash(expected)
    with pytest.raises(AttributeError):
        got.text = "changed"  # type: ignore[misc]


@pytest.mark.parametrize("platform", ["android", "ios"])
@pytest.mark.parametrize(
    "body",
    [
        "This message was deleted",
        "this message was deleted.",
        "null",
        ".",
        "image omitted",
        "Missed voice call",
        "live location shared",
        "You deleted this message.",
        "Waiting for this message",
        "You sent a view once message. For added privacy, …",
    ],
)
def test_fast_path_never_hides_a_placeholder(body: str, platform: str) -> None:
    got = classify_body("Alex", body, platform=platform)
    assert got.kind is not MessageKind.TEXT or got.flags


def test_file_attached_suffix_needs_a_file_name() -> None:
    got = android("I was there (file attached)")
    assert (got.kind, got.attachments) == (MessageKind.TEXT, ())
