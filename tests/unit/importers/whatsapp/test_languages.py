"""System lines and markers in UI languages beyond the core tables (issue 10, point 5).

Small exports written inline, iOS and Android, parsed whole: kind, sender, text, timestamps
and attachments, and that the spans still tile the file.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from reviewer.core.records import MessageKind, ParsedMessage
from reviewer.importers.whatsapp.body import classify_body
from reviewer.importers.whatsapp.parser import ParsedChat, parse_chat

LRM = "\u200e"
SYSTEM, TEXT, MEDIA = MessageKind.SYSTEM, MessageKind.TEXT, MessageKind.MEDIA


def parse(data: str) -> tuple[ParsedChat, list[ParsedMessage]]:
    raw = data.encode("utf-8")
    chat = parse_chat(raw, file_name="_chat.txt")
    messages = list(chat.messages)
    assert sum(m.span.length for m in messages) == len(raw)  # every byte kept
    return chat, messages


def ios(*lines: tuple[str, str, str]) -> str:
    return "".join(f"[{stamp}] {author}: {body}\r\n" for stamp, author, body in lines)


# An encryption notice in a language no table has (Swahili-like wording, invented here).
UNKNOWN_NOTICE = (
    "Ujumbe na simu zimesimbwa kutoka mwanzo hadi mwisho. Hakuna mtu nje ya gumzo hili, hata "
    "WhatsApp, anayeweza kuzisoma."
)


def test_ios_group_notice_in_an_unknown_language_is_system_without_sender() -> None:
    _, messages = parse(
        ios(
            ("12/09/2023, 10:22:33", "Zamu ya Usiku", LRM + UNKNOWN_NOTICE),
            ("12/09/2023, 10:22:34", "Zamu ya Usiku", f"{LRM}Juma ameunda kikundi"),
            ("14/09/2023, 10:22:35", "Juma", "habari za asubuhi"),
            ("14/09/2023, 10:22:36", "Amina", f"{LRM}Amina ameondoka"),
            ("14/09/2023, 10:22:37", "Amina", f"{LRM}kitu fulani"),
        )
    )
    kinds = [(m.kind, m.sender) for m in messages]
    assert kinds == [
        (SYSTEM, None),
        (SYSTEM, None),  # the group's own name writes only system lines
        (TEXT, "Juma"),
        (SYSTEM, None),  # names its own author: "⟨LRM⟩Amina left" under "Amina"
        (TEXT, "Amina"),  # a person's ⟨LRM⟩-led line that names nobody stays theirs
    ]
    assert messages[0].text == UNKNOWN_NOTICE
    assert messages[0].flags == ("unrecognised-system",)
    assert "unrecognised-pattern" in messages[4].flags
    assert messages[0].timestamp == datetime(2023, 9, 12, 10, 22, 33)
    assert messages[4].timestamp == datetime(2023, 9, 14, 10, 22, 37)


def test_ios_one_to_one_notice_from_the_contact_is_system_but_their_lines_stay_theirs() -> None:
    _, messages = parse(
        ios(
            ("12/09/2023, 10:22:33", "Juma", LRM + UNKNOWN_NOTICE),
            ("14/09/2023, 10:22:35", "Juma", "habari"),
            ("14/09/2023, 10:22:36", "Juma", f"{LRM}picha imeachwa"),  # unknown placeholder
        )
    )
    assert [(m.kind, m.sender) for m in messages] == [
        (SYSTEM, None),
        (TEXT, "Juma"),
        (TEXT, "Juma"),
    ]
    assert "unrecognised-pattern" in messages[2].flags


def test_a_short_first_line_of_a_person_is_not_taken_for_a_notice() -> None:
    _, messages = parse(
        ios(
            ("14/09/2023, 10:22:36", "Juma", f"{LRM}picha imeachwa"),
            ("14/09/2023, 10:22:37", "Juma", "habari"),
        )
    )
    assert (messages[0].kind, messages[0].sender) == (TEXT, "Juma")


@pytest.mark.parametrize(
    "notice",
    [
        # Dutch and Turkish notices as WhatsApp writes them (export-formats §1.10.3; whats_json)
        "Berichten en oproepen worden end-to-end versleuteld. Niemand buiten deze chat kan ze "
        "lezen of beluisteren, zelfs WhatsApp niet.",
        "Mesajlar ve aramalar uçtan uca şifrelidir. WhatsApp da dahil olmak üzere bu sohbetin "
        "dışında bulunan hiç kimse mesaj ve aramalarınızı okuyamaz ve dinleyemez.",
    ],
)
def test_ios_dutch_and_turkish_first_line_is_the_encryption_notice(notice: str) -> None:
    _, messages = parse(
        ios(
            ("12.09.23, 10:22:33", "Ploeg B", LRM + notice),
            ("14.09.23, 10:22:35", "Jan", "hallo"),
        )
    )
    first = messages[0]
    assert (first.kind, first.sender, first.system_event) == (SYSTEM, None, "encryption")
    assert first.text == notice
    assert first.span.line == 1 and first.timestamp == datetime(2023, 9, 12, 10, 22, 33)


@pytest.mark.parametrize("word", ["adjunto", "anexado", "joint", "angehängt", "ambatisho", "附件"])
def test_ios_attachment_tag_in_any_language_is_media(word: str) -> None:
    name = "00000012-PHOTO-2023-09-14-10-22-33.jpg"
    _, messages = parse(
        ios(
            ("14/09/2023, 10:22:33", "Ana", f"{LRM}<{word}: {name}>"),
            ("14/09/2023, 10:22:40", "Ana", f"Foto del coche {LRM}<{word}: 00000013-Informe.pdf>"),
        )
    )
    assert [(m.kind, m.sender, m.attachments) for m in messages] == [
        (MEDIA, "Ana", (name,)),
        (MEDIA, "Ana", ("00000013-Informe.pdf",)),
    ]
    assert messages[0].text == "" and messages[1].text == "Foto del coche"


def test_an_angle_tag_without_a_whatsapp_file_name_is_not_an_attachment() -> None:
    got = classify_body("Ana", f"{LRM}<nota: ver el informe.pdf>", platform="ios")
    assert got.kind is TEXT and got.attachments == ()


def test_android_attachment_with_any_words_in_parentheses() -> None:
    _, messages = parse(
        "14/09/2023, 10:22 - Juma: IMG-20230914-WA0003.jpg (faili limeambatishwa)\n"
        "picha ya gari\n"
        "14/09/2023, 10:23 - Juma: ripoti.pdf (faili limeambatishwa)\n"
    )
    assert (messages[0].kind, messages[0].attachments) == (MEDIA, ("IMG-20230914-WA0003.jpg",))
    assert messages[0].text == "picha ya gari"
    # a name without WhatsApp's media shape needs a known phrase
    assert (messages[1].kind, messages[1].attachments) == (TEXT, ())


# --------------------------------------------------------------------------- Android markers

# (language, media omitted, deleted, deleted by you, missed call, location prefix) — one
# Android export per language; strings from languages.py / markers.py.
ANDROID = [
    ("pl", "<Multimedia pominięte>", "Ta wiadomość została usunięta", "Usunąłeś(-ęłaś) tę wiadomość", "Nieodebrane poł. głosowe", "położenie"),  # noqa: E501
    ("ro", "<Conținut media omis>", "Acest mesaj a fost șters", "Ați șters acest mesaj", "Apel vocal ratat", "locație"),  # noqa: E501
    ("pa", "<ਮੀਡੀਆ ਛੱਡਿਆ ਗਿਆ>", "ਇਸ ਸੁਨੇਹੇ ਨੂੰ ਹਟਾਇਆ ਗਿਆ", "ਤੁਸੀਂ ਇਹ ਸੁਨੇਹਾ ਹਟਾਇਆ", "ਮਿਸ ਹੋਈ ਆਵਾਜ਼ ਕਾਲ", "ਟਿਕਾਣਾ"),  # noqa: E501
    ("ur", "<میڈیا چھوڑ دیا گیا>", "یہ پیغام حذف کیا گیا", "آپ نے اس پیغام کو حذف کیا", "مسڈ وائس کال", "مقام"),  # noqa: E501
    ("pt", "<Mídia oculta>", "Esta mensagem foi apagada", "Você apagou esta mensagem", "Chamada de voz perdida", "Localização"),  # noqa: E501
    ("es", "<Multimedia omitido>", "Se eliminó este mensaje.", "Eliminaste este mensaje.", "Llamada perdida", "Ubicación"),  # noqa: E501
    ("ar", "<تم استبعاد الوسائط>", "تم حذف هذه الرسالة", "أنت حذفت هذه الرسالة", "مكالمة صوتية فائتة", "الموقع"),  # noqa: E501
    ("bn", "<মিডিয়া বাদ দেওয়া হয়েছে>", "এই বার্তাটি মুছে ফেলা হয়েছে", "আপনি এই বার্তাটি মুছে ফেলেছেন", "মিসড ভয়েস কল", "অবস্থান"),  # noqa: E501
    ("gu", "<મીડિયા અવગણાયું>", "આ સંદેશ રદ્દ કરાયો", "તમે આ સંદેશને રદ્દ કર્યો", "છૂટેલો વોઇસ કૉલ", "સ્થળ"),
    ("it", "<Media omessi>", "Questo messaggio è stato eliminato", "Hai eliminato questo messaggio", "Chiamata vocale persa", "Posizione"),  # noqa: E501
    ("fr", "<Médias omis>", "Ce message a été supprimé", "Vous avez supprimé ce message", "Appel vocal manqué", "Localisation"),  # noqa: E501
    ("lt", "<Praleistas medijos turinys>", "Ši žinutė buvo ištrinta", "Jūs ištrynėte šią žinutę", "Praleistas balso skambutis", "buvimo vieta"),  # noqa: E501
    ("ta", "<ஊடகங்கள் நீக்கப்பட்டது>", "இத்தகவல் திரும்பப்பெறப்பட்டது", "இத்தகவலை தாங்கள் அழித்தீர்கள்", "தவறிய குரல் அழைப்பு", None),  # noqa: E501
    ("zh", "<省略多媒体文件>", "这条消息已被删除。", "您已删除这条消息", "未接语音通话", "位置"),
    ("de", "<Medien ausgeschlossen>", "Diese Nachricht wurde gelöscht", "Du hast diese Nachricht gelöscht", "Verpasster Sprachanruf", "Standort"),  # noqa: E501
    ("tr", "<Medya dahil edilmedi>", "Bu mesaj silindi", "Bu mesajı sildiniz", "Cevapsız sesli arama", "konum"),  # noqa: E501
    ("bg", "<Без файл>", "Съобщението беше изтрито", "Изтрихте това съобщение", "Пропуснато гласово обаждане", "местоположение"),  # noqa: E501
    ("fa", "<پيوست نما/آهنگ حذف شد>", "این پیام حذف شد", "شما این پیام را حذف کردید", "تماس صوتی پاسخ داده نشده", "موقعیت"),  # noqa: E501
    ("ru", "<Без медиафайлов>", "Данное сообщение удалено", "Вы удалили данное сообщение", "Пропущенный аудиозвонок", "местоположение"),  # noqa: E501
]  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "omitted", "deleted", "deleted_self", "missed", "location"),
    ANDROID,
    ids=[row[0] for row in ANDROID],
)
def test_android_markers_in_each_language(
    lang: str, omitted: str, deleted: str, deleted_self: str, missed: str, location: str | None
) -> None:
    place = f"{location}: https://maps.google.com/?q=51.5007,-0.1246" if location else "ok"
    _, messages = parse(
        f"14/09/2023, 10:00 - Ali: {omitted}\n"
        f"14/09/2023, 10:01 - Ali: {deleted}\n"
        f"14/09/2023, 10:02 - Bea: {deleted_self}\n"
        f"14/09/2023, 10:03 - Bea: {missed}\n"
        f"14/09/2023, 10:04 - Bea: {place}\n"
        f"15/09/2023, 10:05 - Ali: null\n"
    )
    got = [(m.kind, m.sender) for m in messages]
    assert got == [
        (MEDIA, "Ali"),
        (MessageKind.DELETED, "Ali"),
        (MessageKind.DELETED, "Bea"),
        (MessageKind.CALL, "Bea"),
        (MessageKind.LOCATION if location else TEXT, "Bea"),
        (TEXT, "Ali"),
    ], lang
    assert "media-omitted" in messages[0].flags and messages[0].text == ""
    assert "deleted-by-self" in messages[2].flags
    assert messages[5].flags == ("null-body",)
    assert messages[0].timestamp == datetime(2023, 9, 14, 10, 0)
    assert messages[5].timestamp == datetime(2023, 9, 15, 10, 5)


@pytest.mark.parametrize(
    ("lang", "notice"),
    [
        ("pl", "Wiadomości i połączenia są w pełni zaszyfrowane. Nikt spoza czatu, nawet WhatsApp, nie może ich odczytać ani odsłuchać."),  # noqa: E501
        ("ro", "Mesajele și apelurile sunt criptate integral. Nicio persoană care nu participă la această conversație, nici măcar WhatsApp, nu le poate citi sau asculta."),  # noqa: E501
        ("ar", "الرسائل والمكالمات مشفرة تمامًا بين الطرفين، بحيث لا يستطيع أحد خارج هذه الدردشة قراءتها."),  # noqa: E501
        ("zh", "消息和通话都进行端到端加密。对话之外的任何人，甚至包含 WhatsApp，都无法读取或收听。"),  # noqa: E501
        ("tr", "Mesajlar ve aramalar uçtan uca şifrelidir. Bu sohbetin dışında bulunan hiç kimse okuyamaz."),  # noqa: E501
        ("ru", "Сообщения и звонки защищены сквозным шифрованием. Третьи лица, включая WhatsApp, не могут прочитать ваши сообщения."),  # noqa: E501
        ("bg", "Съобщенията и обажданията ви са подсигурени с криптиране от край до край, това означава, че никой не може да ги прочете."),  # noqa: E501
    ],
)  # fmt: skip
def test_android_encryption_notice_in_each_language(lang: str, notice: str) -> None:
    _, messages = parse(f"14/09/2023, 10:00 - {notice}\n14/09/2023, 10:01 - Ali: x\n")
    first = messages[0]
    assert (first.kind, first.sender, first.system_event) == (SYSTEM, None, "encryption"), lang


def test_ios_markers_in_turkish() -> None:
    _, messages = parse(
        ios(
            ("14.09.2023 10:00:01", "Ali", f"{LRM}görüntü dahil edilmedi"),
            ("14.09.2023 10:00:02", "Ali", f"{LRM}Bu mesaj silindi."),
            ("14.09.2023 10:00:03", "Veli", f"{LRM}Cevapsız sesli arama"),
            (
                "14.09.2023 10:00:04",
                "Veli",
                f"{LRM}<eklendi: 00000012-PHOTO-2023-09-14-10-00-04.jpg>",
            ),
        )
    )
    assert [(m.kind, m.sender) for m in messages] == [
        (MEDIA, "Ali"),
        (MessageKind.DELETED, "Ali"),
        (MessageKind.CALL, "Veli"),
        (MEDIA, "Veli"),
    ]
    assert "omitted-image" in messages[0].flags


# --------------------------------------------------------------------------- repeated markers


def test_a_repeated_unknown_marker_is_reported_with_string_and_count() -> None:
    senders = ["Ali", "Bea", "Cem", "Ali", "Bea"]
    lines = [
        f"14/09/2023, 10:0{i} - {who}: <Warbaahin lama soo dhigin>\n"
        for i, who in enumerate(senders)
    ]
    lines.append("14/09/2023, 10:09 - Ali: <just me>\n")
    chat, messages = parse("".join(lines))
    assert all(m.kind is TEXT for m in messages)  # kind kept; bytes kept (parse checks spans)
    assert messages[0].sender == "Ali" and "unrecognised-pattern" in messages[0].flags
    warnings = [w for w in chat.warnings if "Warbaahin" in w]
    assert len(warnings) == 1
    assert "'<Warbaahin lama soo dhigin>' occurs 5 times from 3 senders" in warnings[0]
    assert warnings[0].startswith("_chat.txt: ")
    assert not any("just me" in w for w in chat.warnings)


def test_a_marker_repeated_by_only_two_people_needs_four_occurrences() -> None:
    def chat_of(count: int) -> list[str]:
        lines = [
            f"14/09/2023, 10:{i:02d} - {'Ali' if i % 2 else 'Bea'}: {LRM}<Sawir lama soo dhigin>\n"
            for i in range(count)
        ]
        chat, _ = parse("".join(lines))
        return [w for w in chat.warnings if "Sawir" in w]

    assert chat_of(3) == []
    assert len(chat_of(4)) == 1


def test_an_unknown_edited_suffix_repeated_across_senders_is_reported() -> None:
    lines = [
        f"14/09/2023, 10:0{i} - {who}: words {i} <Ujumbe huu umehaririwa>\n"
        for i, who in enumerate(["Ali", "Bea", "Cem"])
    ]
    chat, messages = parse("".join(lines))
    assert messages[0].flags == ("unrecognised-suffix",)
    assert messages[0].text == "words 0 <Ujumbe huu umehaririwa>"  # nothing removed
    assert any(
        "'<Ujumbe huu umehaririwa>' occurs 3 times from 3 senders" in w for w in chat.warnings
    )


def test_typed_text_repeated_by_everyone_is_not_reported() -> None:
    lines = [
        f"14/09/2023, 10:0{i} - {who}: ok\n" for i, who in enumerate(["Ali", "Bea", "Cem", "Dan"])
    ]
    chat, _ = parse("".join(lines))
    assert chat.warnings == []


def test_unknown_markers_of_a_chat_walked_in_chunks_are_reported_as_for_the_whole() -> None:
    senders = ["Ali", "Bea", "Ali", "Cem", "Bea", "Ali"]
    raw = "".join(
        f"14/09/2023, 10:0{i} - {who}: <Warbaahin lama soo dhigin>\n"
        for i, who in enumerate(senders)
    ).encode()
    whole = parse_chat(raw, file_name="chat.txt")
    list(whole.messages)
    chat = parse_chat(raw, file_name="chat.txt")
    cut = chat.record_start_at_or_after(len(raw) // 2)
    assert cut is not None
    list(chat.chunk(0, cut, first_line=1))
    first = chat.take_notes()  # Ali, Bea, Ali: two senders only
    list(chat.chunk(cut, len(raw)))
    second = chat.take_notes()
    assert sum(first.markers["<Warbaahin lama soo dhigin>"].values()) == 3
    assert chat.warnings_of([first]) == []
    assert chat.warnings_of([first, second]) == whole.warnings
    assert "occurs 6 times from 3 senders" in whole.warnings[0]


@pytest.mark.parametrize(
    ("line", "event", "actor", "subjects"),
    [
        ("+55 51 9000-0001 entrou usando o link de convite deste grupo", "joined", "+55 51 9000-0001", ("+55 51 9000-0001",)),  # noqa: E501
        ("Dimas saiu", "left", "Dimas", ("Dimas",)),
        ("Patrícia adicionou Dimas e Ana", "added", "Patrícia", ("Dimas", "Ana")),
        ("Patrícia removeu Dimas", "removed", "Patrícia", ("Dimas",)),
        ("Patrícia criou o grupo “Turno B”", "created", "Patrícia", ()),
        ("+39 300 000 0001 se unió usando el enlace de invitación de este grupo", "joined", "+39 300 000 0001", ("+39 300 000 0001",)),  # noqa: E501
        ("Luis salió del grupo", "left", "Luis", ("Luis",)),
        ("Diego creó el grupo \"Turno B\"", "created", "Diego", ()),
        ("Mahmut bu grubun davet bağlantısıyla katıldı", "joined", "Mahmut", ("Mahmut",)),
    ],
)  # fmt: skip
def test_android_group_events_in_portuguese_spanish_turkish(
    line: str, event: str, actor: str, subjects: tuple[str, ...]
) -> None:
    _, messages = parse(f"14/09/2023 10:00 - {line}\n14/09/2023 10:01 - Ana: oi\n")
    first = messages[0]
    assert (first.kind, first.sender, first.system_event) == (SYSTEM, None, event)
    assert (first.event_actor, first.event_subjects) == (actor, subjects)


def test_portuguese_media_hidden_placeholder() -> None:
    _, messages = parse("18/09/2020 04:46 - Ana: <Arquivo de mídia oculto>\n")
    assert messages[0].kind is MEDIA and "media-omitted" in messages[0].flags
