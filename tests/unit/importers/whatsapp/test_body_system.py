"""System lines, calls and ``is_system_text`` (export-formats §1.8–§1.9, §1.10.3)."""

from __future__ import annotations

import pytest

from reviewer.core.records import MessageKind
from reviewer.importers.whatsapp.body import classify_body, is_system_text

LRM = "\u200e"

# (Android system text, event, actor, subjects)
ENGLISH_CATALOGUE = [
    (
        "Messages and calls are end-to-end encrypted. No one outside of this chat, not even "
        "WhatsApp, can read or listen to them. Tap to learn more.",
        "encryption",
        None,
        (),
    ),
    (
        "Messages and calls are end-to-end encrypted. Only people in this chat can read, "
        "listen to, or share them. Learn more.",
        "encryption",
        None,
        (),
    ),
    (
        "Messages to this chat and calls are now secured with end-to-end encryption. "
        "Tap for more info.",
        "encryption",
        None,
        (),
    ),
    ("Messages to this group are now secured with end-to-end encryption.", "encryption", None, ()),
    (
        "Messages you send to this group are now secured with end-to-end encryption.",
        "encryption",
        None,
        (),
    ),
    ('Sam Patel created group "Night Shift"', "created", "Sam Patel", ()),
    ("You created group “Night Shift”", "created", "You", ()),
    ("You created this group", "created", "You", ()),
    ("Sam Patel added Chris Evans", "added", "Sam Patel", ("Chris Evans",)),
    ("Sam Patel added you", "added", "Sam Patel", ("you",)),
    ("You added Chris Evans and Jo Lee", "added", "You", ("Chris Evans", "Jo Lee")),
    ("Chris Evans, Jo Lee were added", "added", None, ("Chris Evans", "Jo Lee")),
    ("Sam Patel removed Chris Evans", "removed", "Sam Patel", ("Chris Evans",)),
    ("Chris Evans left", "left", "Chris Evans", ("Chris Evans",)),
    (
        "+44 7700 900123 joined using this group's invite link",
        "joined",
        "+44 7700 900123",
        ("+44 7700 900123",),
    ),
    ("Jo Lee joined using this group’s invite link", "joined", "Jo Lee", ("Jo Lee",)),
    ('Sam Patel changed the subject from "A" to "B"', "subject", "Sam Patel", ()),
    ('Sam Patel changed the group name from "A" to "B"', "subject", "Sam Patel", ()),
    ('Sam Patel changed the subject to "B"', "subject", "Sam Patel", ()),
    ("Sam Patel changed this group's icon", "icon", "Sam Patel", ()),
    ("Sam Patel deleted this group's icon", "icon", "Sam Patel", ()),
    ("Sam Patel changed the group description", "description", "Sam Patel", ()),
    (
        "Sam Patel changed this group's settings to allow only admins to send messages to this "
        "group",
        "settings",
        "Sam Patel",
        (),
    ),
    ("You turned on admin approval to join this group", "settings", "You", ()),
    ("You're now an admin", "admin", "You", ("You",)),
    ("You're no longer an admin", "admin", "You", ("You",)),
    ("You revoked this group's invite link", "invite-link", "You", ()),
    (
        "Your security code with Sam Patel changed. Tap to learn more.",
        "security-code",
        None,
        ("Sam Patel",),
    ),
    (
        "Sam Patel's security code changed. Tap for more info.",
        "security-code",
        "Sam Patel",
        ("Sam Patel",),
    ),
    (
        "Your security code with all participants changed.",
        "security-code",
        None,
        ("all participants",),
    ),
    (
        "Sam Patel changed their phone number to a new number. Tap to message or add the new "
        "number.",
        "number-changed",
        "Sam Patel",
        ("Sam Patel",),
    ),
    (
        "+44 7700 900123 changed to +44 7700 900456",
        "number-changed",
        "+44 7700 900123",
        ("+44 7700 900456",),
    ),
    (
        "You turned on disappearing messages. New messages will disappear from this chat 7 days "
        "after they're sent.",
        "disappearing",
        "You",
        (),
    ),
    (
        "You updated the message timer. New messages will disappear from this chat 7 days after "
        "they're sent, except when kept.",
        "disappearing",
        "You",
        (),
    ),
    ("You turned off disappearing messages.", "disappearing", "You", ()),
    ("Missed voice call", "call", None, ()),
    ("Missed video call", "call", None, ()),
    ("Sam Patel started a call", "call", "Sam Patel", ()),
    ("Sam Patel started a video call", "call", "Sam Patel", ()),
    ("You blocked this contact. Tap to unblock.", "blocked", "You", ()),
    ("You unblocked this contact.", "unblocked", "You", ()),
    ("This chat is with a business account. Tap to learn more.", "business", None, ()),
    ("Sam Patel pinned a message", "pin", "Sam Patel", ()),
    ("Waiting for this message. This may take a while.", "waiting", None, ()),
    (
        "Meta AI is an optional service from Meta that can answer your questions.",
        "meta-ai",
        None,
        (),
    ),
    ("Only messages that mention @Meta AI are sent to Meta.", "meta-ai", None, ()),
]


@pytest.mark.parametrize(("text", "event", "actor", "subjects"), ENGLISH_CATALOGUE)
def test_android_english_catalogue(
    text: str, event: str, actor: str | None, subjects: tuple[str, ...]
) -> None:
    body = classify_body(None, text, platform="android")
    assert body.kind is MessageKind.SYSTEM
    assert body.sender is None
    assert (body.system_event, body.event_actor, body.event_subjects) == (event, actor, subjects)
    assert body.flags == ()
    assert is_system_text(text)


@pytest.mark.parametrize(("text", "event", "actor", "subjects"), ENGLISH_CATALOGUE)
def test_ios_pseudo_author_catalogue(
    text: str, event: str, actor: str | None, subjects: tuple[str, ...]
) -> None:
    body = classify_body("Night Shift Team", LRM + text, platform="ios")
    if event in ("call", "waiting"):
        assert body.sender == "Night Shift Team"
        return
    assert body.kind is MessageKind.SYSTEM
    assert body.sender is None
    assert (body.system_event, body.event_actor, body.event_subjects) == (event, actor, subjects)
    assert not body.text.startswith(LRM)


@pytest.mark.parametrize(
    ("author", "body", "event", "actor", "subjects"),
    [
        ("Night Shift Team", f"{LRM}You created group “Night Shift Team”", "created", "You", ()),
        ("Chris Evans", f"{LRM}You added Chris Evans", "added", "You", ("Chris Evans",)),
        (
            "Sam Patel",
            f"{LRM}{LRM}Your security code with Sam changed. {LRM}Tap to learn more.",
            "security-code",
            None,
            ("Sam",),
        ),
        (
            "Night Shift Team",
            f"{LRM}Messages and calls are end-to-end encrypted. No one outside "
            "of this chat, not even WhatsApp, can read or listen to them.",
            "encryption",
            None,
            (),
        ),
    ],
)
def test_ios_system_lines_from_the_spec(
    author: str, body: str, event: str, actor: str | None, subjects: tuple[str, ...]
) -> None:
    got = classify_body(author, body, platform="ios")
    assert got.kind is MessageKind.SYSTEM
    assert got.sender is None
    assert (got.system_event, got.event_actor, got.event_subjects) == (event, actor, subjects)
    assert LRM not in got.text


def test_ios_security_code_text_has_no_marks() -> None:
    got = classify_body(
        "Sam Patel",
        f"{LRM}{LRM}Your security code with Sam changed. {LRM}Tap to learn more.",
        platform="ios",
    )
    assert got.text == "Your security code with Sam changed. Tap to learn more."


def test_old_ios_system_line_without_lrm_naming_the_pseudo_author() -> None:
    got = classify_body("Sam", "Sam changed the group name to “Shift B”", platform="ios")
    assert got.kind is MessageKind.SYSTEM
    assert got.system_event == "subject"
    assert got.sender is None


def test_old_ios_self_evident_notice_without_lrm() -> None:
    got = classify_body(
        "Team",
        "Messages to this group are now secured with end-to-end encryption.",
        platform="ios",
    )
    assert got.kind is MessageKind.SYSTEM
    assert got.system_event == "encryption"


def test_ios_user_text_that_reads_like_a_system_line_stays_text() -> None:
    got = classify_body("Alex Turner", "Chris Evans left", platform="ios")
    assert got.kind is MessageKind.TEXT
    assert got.sender == "Alex Turner"


def test_android_user_text_that_reads_like_a_system_line_stays_text() -> None:
    got = classify_body("Alex Turner", "Chris Evans left", platform="android")
    assert got.kind is MessageKind.TEXT
    assert got.sender == "Alex Turner"


def test_ios_lrm_led_unknown_body_keeps_author_and_is_flagged() -> None:
    got = classify_body("Alex Turner", f"{LRM}Something WhatsApp wrote", platform="ios")
    assert got.kind is MessageKind.TEXT
    assert got.sender == "Alex Turner"
    assert got.text == "Something WhatsApp wrote"
    assert "unrecognised-pattern" in got.flags


def test_android_unrecognised_system_line() -> None:
    got = classify_body(None, "Sam a fait quelque chose", platform="android")
    assert got.kind is MessageKind.SYSTEM
    assert got.sender is None
    assert got.system_event is None
    assert got.flags == ("unrecognised-system",)


# --- calls -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        f"{LRM}Missed voice call. {LRM}Tap to call back",
        f"{LRM}Missed video call",
        f"{LRM}Missed group video call",
        f"{LRM}Voice call. 2 min",
        f"{LRM}Video call, 5 min",
        f"{LRM}Voice call. No answer",
    ],
)
def test_ios_call_lines_are_calls_of_their_author(body: str) -> None:
    got = classify_body("Sam Patel", body, platform="ios")
    assert got.kind is MessageKind.CALL
    assert got.sender == "Sam Patel"
    assert got.system_event == "call"
    assert LRM not in got.text


@pytest.mark.parametrize(
    "body", ["Missed voice call", "Missed video call", "Verpasster Sprachanruf"]
)
def test_android_call_line_from_the_caller(body: str) -> None:
    got = classify_body("Sam Patel", body, platform="android")
    assert got.kind is MessageKind.CALL
    assert got.sender == "Sam Patel"


def test_android_text_starting_like_a_call_stays_text() -> None:
    got = classify_body("Sam Patel", "Video call, tonight?", platform="android")
    assert got.kind is MessageKind.TEXT


def test_android_call_notice_without_author_is_system() -> None:
    got = classify_body(None, "Sam Patel started a call", platform="android")
    assert got.kind is MessageKind.SYSTEM
    assert (got.system_event, got.event_actor) == ("call", "Sam Patel")


def test_waiting_for_this_message_under_an_author() -> None:
    got = classify_body(
        "Sam Patel", "Waiting for this message. This may take a while.", platform="android"
    )
    assert got.kind is MessageKind.TEXT
    assert got.sender == "Sam Patel"
    assert got.system_event == "waiting"
    assert "undecryptable" in got.flags


# --- other languages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb dieses Chats "
        "kann sie lesen oder anhören, nicht einmal WhatsApp.",
        "Los mensajes y las llamadas están cifrados de extremo a extremo. Nadie fuera de este "
        "chat, ni siquiera WhatsApp, puede leerlos ni escucharlos.",
        "Les messages et les appels sont chiffrés de bout en bout. Aucun tiers, pas même "
        "WhatsApp, ne peut les lire ou les écouter.",
        "As mensagens e chamadas são encriptadas ponto a ponto. Ninguém fora desta conversa, nem "
        "mesmo o WhatsApp, pode ler ou ouvi-las.",
        "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta e ficam "
        "somente entre você e os participantes desta conversa.",
        "I messaggi e le chiamate sono crittografati end-to-end. Nessuno al di fuori di questa "
        "chat, nemmeno WhatsApp, può leggerne o ascoltarne il contenuto.",
        "Berichten en oproepen worden end-to-end versleuteld. Niemand buiten deze chat kan ze "
        "lezen of beluisteren, zelfs WhatsApp niet.",
    ],
)
def test_six_languages_encryption_notice(text: str) -> None:
    assert classify_body(None, text, platform="android").system_event == "encryption"
    ios = classify_body("Gruppe", LRM + text, platform="ios")
    assert (ios.kind, ios.system_event) == (MessageKind.SYSTEM, "encryption")
    assert is_system_text(text)


@pytest.mark.parametrize(
    ("text", "event", "actor", "subjects"),
    [
        ('Du hast die Gruppe "Nachtschicht" erstellt.', "created", "Du", ()),
        ('Sam Patel hat die Gruppe "Nachtschicht" erstellt.', "created", "Sam Patel", ()),
        ("Du hast Chris Evans hinzugefügt.", "added", "Du", ("Chris Evans",)),
        ("Sam hat Chris Evans und Jo Lee hinzugefügt.", "added", "Sam", ("Chris Evans", "Jo Lee")),
        ("Sam Patel hat Chris Evans entfernt.", "removed", "Sam Patel", ("Chris Evans",)),
        ("Chris Evans hat die Gruppe verlassen.", "left", "Chris Evans", ("Chris Evans",)),
        ("Sam Patel hat das Gruppenbild geändert.", "icon", "Sam Patel", ()),
        ("Sam Patel hat den Gruppennamen von „A“ zu „B“ geändert.", "subject", "Sam Patel", ()),
        (
            "Dein Sicherheitscode für Sam Patel hat sich geändert. Tippe, um mehr zu erfahren.",
            "security-code",
            None,
            ("Sam Patel",),
        ),
    ],
)
def test_german_group_events(
    text: str, event: str, actor: str | None, subjects: tuple[str, ...]
) -> None:
    got = classify_body(None, text, platform="android")
    assert (got.kind, got.system_event, got.event_actor, got.event_subjects) == (
        MessageKind.SYSTEM,
        event,
        actor,
        subjects,
    )


# --- is_system_text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'Sam changed the subject from "a: b" to "c"',
        'Sam Patel created group "Shift: B"',
        "Sam Patel hat den Gruppennamen von „A: x“ zu „B“ geändert.",
        f"{LRM}Chris Evans left",
        "Sam Patel added Chris Evans",
    ],
)
def test_is_system_text_true(text: str) -> None:
    assert is_system_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "Sam: I left",
        "Sam Patel: left",
        "Sam Patel: Chris Evans left",
        "Sam Patel: Messages and calls are end-to-end encrypted.",
        "Sam Patel: You added Chris Evans",
        "Sam Patel: Missed voice call",
        "Alex Turner: hello there",
        "Alex Turner: ",
    ],
)
def test_is_system_text_false_for_user_lines(text: str) -> None:
    assert not is_system_text(text)


def test_is_system_text_verdict_does_not_leak_between_calls() -> None:
    assert not is_system_text("Chris Evans left: the car was parked")
    assert is_system_text("Chris Evans left")
