"""Participants: listing, membership answers from imported exports, linking, flags, CLI."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from reviewer.cli import main as cli_main
from reviewer.cli import participants as cli_participants
from reviewer.core.errors import InputError, ReviewerError
from reviewer.services import audit_log
from reviewer.services import participants as service
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.messages import message_records
from reviewer.store.models import Participant

LRM = "\u200e"

# Exported from Jo Park's phone (Android): Jo joins by "added you", Alex leaves and is re-added,
# a number joins by link, is removed and posts again with no re-add, Chris posts with no add.
ANDROID_CHAT = "\n".join(
    [
        "14/03/2024, 09:00 - Messages and calls are end-to-end encrypted. No one outside of "
        "this chat, not even WhatsApp, can read or listen to them. Tap to learn more.",
        '14/03/2024, 09:00 - Sam Reid created group "Night Shift"',
        "14/03/2024, 09:01 - Sam Reid added you",
        "14/03/2024, 09:02 - Sam Reid added Alex Turner",
        "14/03/2024, 09:05 - Sam Reid: Morning",
        "14/03/2024, 09:06 - Alex Turner: Hi all",
        "14/03/2024, 09:07 - +44 7700 900123 joined using this group's invite link",
        "14/03/2024, 09:08 - +44 7700 900123: hello from the new number",
        "14/03/2024, 09:09 - Alex Turner left",
        "14/03/2024, 09:10 - Chris Evans: nobody added me",
        "14/03/2024, 09:11 - Sam Reid removed +447700900123",
        "14/03/2024, 09:12 - You added Alex Turner",
        "14/03/2024, 09:13 - Alex Turner: back again",
        "14/03/2024, 09:14 - Jo Park: welcome back",
        "14/03/2024, 09:15 - +44 7700 900123: am I still in?",
        "",
    ]
)

# Exported from Sam Reid's phone (iOS), where Alex is saved as "Alex T".
IOS_CHAT = "\r\n".join(
    [
        f"[14/03/2024, 09:58:01] Shift B: {LRM}Messages and calls are end-to-end encrypted. "
        "No one outside of this chat, not even WhatsApp, can read or listen to them.",
        f"[14/03/2024, 09:58:02] Shift B: {LRM}You created group \u201cShift B\u201d",
        f"[14/03/2024, 09:58:03] Alex T: {LRM}You added Alex T",
        "[14/03/2024, 10:00:00] Sam Reid: Morning all",
        "[14/03/2024, 10:01:00] Alex T: on my way",
        f"[14/03/2024, 10:02:00] Alex T: {LRM}Alex T left",
        "[14/03/2024, 10:03:00] Sam Reid: gone already",
        "",
    ]
)


@pytest.fixture
def exports(tmp_path: Path) -> tuple[Path, Path]:
    android = tmp_path / "WhatsApp Chat with Night Shift.txt"
    android.write_text(ANDROID_CHAT, encoding="utf-8")
    ios = tmp_path / "_chat.txt"
    ios.write_bytes(IOS_CHAT.encode())
    return android, ios


@pytest.fixture
def imported(case: Case, actor: Actor, exports: tuple[Path, Path]) -> Case:
    android, ios = exports
    import_export(case, android, actor, ImportOptions(exhibit="AND/1", custodian="Jo Park"))
    import_export(case, ios, actor, ImportOptions(exhibit="IOS/1", custodian="Sam Reid"))
    return case


def message_id(case: Case, exhibit: str, text: str) -> int:
    found = [r["id"] for r in message_records(case, exhibit=exhibit) if text in r["text"]]
    assert len(found) == 1, (text, found)
    return int(found[0])


def participant(case: Case, exhibit: str, name: str) -> service.ParticipantInfo:
    return next(p for p in service.list_participants(case, exhibit) if p.display_name == name)


def present(case: Case, exhibit: str, text: str) -> dict[str, bool]:
    return {m.name: m.inferred for m in service.present_at(case, message_id(case, exhibit, text))}


def last_entry(case: Case) -> dict[str, Any]:
    with case.reading() as session:
        return list(audit_log.entries(session))[-1]


# --------------------------------------------------------------------------- listing


def test_participants_are_listed_with_counts_and_times(imported: Case) -> None:
    found = service.list_participants(imported, "AND/1")
    assert [p.display_name for p in found] == [
        "Sam Reid",
        "Alex Turner",
        "+44 7700 900123",
        "Chris Evans",
        "Jo Park",
    ]
    alex = found[1]
    assert (alex.exhibit, alex.message_count) == ("AND/1", 2)
    assert found[2].message_count == 2
    assert alex.first_timestamp is not None and alex.first_timestamp.startswith("2024-03-14")
    assert alex.first_timestamp < (alex.last_timestamp or "")
    assert found[2].match_key == "+447700900123"
    assert {p.exhibit for p in service.list_participants(imported)} == {"AND/1", "IOS/1"}
    with pytest.raises(InputError, match="no exhibit"):
        service.list_participants(imported, "NOPE")


# --------------------------------------------------------------------------- membership


def test_membership_answers_on_android(imported: Case) -> None:
    assert present(imported, "AND/1", "Morning") == {
        "Sam Reid": False,
        "Jo Park": False,
        "Alex Turner": False,
        "Chris Evans": True,  # posts later with no add line: inferred from the creation
    }
    hello = present(imported, "AND/1", "hello from the new number")
    assert hello["+44 7700 900123"] is False
    nobody = present(imported, "AND/1", "nobody added me")
    assert "Alex Turner" not in nobody  # left just before
    assert nobody["Chris Evans"] is True
    back = present(imported, "AND/1", "back again")
    assert back["Alex Turner"] is False  # re-added by "You" (Jo Park)
    assert "+44 7700 900123" not in back  # removed, by a differently written number
    # Posting after removal with no re-add: present again, inferred from that post.
    assert present(imported, "AND/1", "am I still in?")["+44 7700 900123"] is True


def test_membership_intervals_and_summary(imported: Case) -> None:
    m = service.membership(imported, "AND/1")
    assert m.you == "Jo Park"
    jo = m.intervals("Jo Park")
    assert len(jo) == 1 and jo[0].how_joined == "added" and not jo[0].inferred
    alex = [(i.how_joined, i.how_left) for i in m.intervals("Alex Turner")]
    assert alex == [("added", "left"), ("added", None)]
    summary = json.loads(json.dumps(m.summary()))
    assert {x["name"] for x in summary["members"]} >= {"Jo Park", "Alex Turner"}


def test_membership_answers_on_ios_with_the_custodian_as_you(imported: Case) -> None:
    morning = present(imported, "IOS/1", "Morning all")
    assert morning == {"Sam Reid": False, "Alex T": False}
    assert present(imported, "IOS/1", "gone already") == {"Sam Reid": False}
    members = service.present_at(imported, message_id(imported, "IOS/1", "Morning all"))
    sam = participant(imported, "IOS/1", "Sam Reid")
    assert [m.participant_id for m in members if m.name == "Sam Reid"] == [sam.id]


def test_the_flagged_custodian_is_you(imported: Case, actor: Actor) -> None:
    alex = participant(imported, "IOS/1", "Alex T")
    service.set_custodian(imported, actor, alex.id)
    m = service.membership(imported, "IOS/1")
    assert m.you == "Alex T"
    assert m.intervals("Alex T")[0].how_joined == "created"


def test_present_at_an_unknown_message_is_an_input_error(imported: Case) -> None:
    with pytest.raises(InputError, match="no message 999999"):
        service.present_at(imported, 999999)


# --------------------------------------------------------------------------- linking


def test_linking_across_exhibits_uses_the_smallest_id_and_is_audited(
    imported: Case, actor: Actor
) -> None:
    alex_a = participant(imported, "AND/1", "Alex Turner")
    alex_i = participant(imported, "IOS/1", "Alex T")
    changes = service.link_participants(imported, actor, [alex_i.id, alex_a.id])
    assert changes.audit_seq is not None and changes.message_ids == ()
    person = min(alex_a.id, alex_i.id)
    assert participant(imported, "AND/1", "Alex Turner").person_id == person
    assert participant(imported, "IOS/1", "Alex T").person_id == person
    entry = last_entry(imported)
    assert entry["action"] == "participant.linked"
    details = entry["details"]
    assert details["ids"] == sorted([alex_a.id, alex_i.id])
    assert {p["name"] for p in details["participants"]} == {"Alex Turner", "Alex T"}
    assert {p["exhibit"] for p in details["participants"]} == {"AND/1", "IOS/1"}
    assert service.link_participants(imported, actor, [alex_a.id, alex_i.id]).audit_seq is None


def test_linking_to_a_linked_participant_joins_the_whole_group(
    imported: Case, actor: Actor
) -> None:
    a = participant(imported, "AND/1", "Alex Turner").id
    b = participant(imported, "IOS/1", "Alex T").id
    c = participant(imported, "AND/1", "+44 7700 900123").id
    service.link_participants(imported, actor, [b, c])
    service.link_participants(imported, actor, [a, b])
    with imported.reading() as session:
        rows = session.scalars(select(Participant).where(Participant.id.in_([a, b, c]))).all()
        assert {p.person_id for p in rows} == {min(a, b, c)}


def test_unlinking_regroups_the_rest_and_is_audited(imported: Case, actor: Actor) -> None:
    a = participant(imported, "AND/1", "Sam Reid").id
    b = participant(imported, "IOS/1", "Sam Reid").id
    c = participant(imported, "IOS/1", "Alex T").id
    service.link_participants(imported, actor, [a, b, c])
    changes = service.unlink_participant(imported, actor, a)
    assert changes.audit_seq is not None
    with imported.reading() as session:
        people = {p.id: p.person_id for p in session.scalars(select(Participant))}
    assert people[a] is None and people[b] == people[c] == min(b, c)
    entry = last_entry(imported)
    assert entry["action"] == "participant.unlinked"
    assert entry["details"] == {
        "id": a,
        "name": "Sam Reid",
        "exhibit": "AND/1",
        "former_person_id": min(a, b, c),
        "remaining": sorted([b, c]),
        "remaining_person_id": min(b, c),
    }
    service.unlink_participant(imported, actor, b)
    assert participant(imported, "IOS/1", "Alex T").person_id is None  # a group of one
    assert service.unlink_participant(imported, actor, b).audit_seq is None


@pytest.mark.parametrize(("ids", "message"), [([1], "at least two"), ([1, 1], "at least two")])
def test_linking_needs_two_participants(
    imported: Case, actor: Actor, ids: list[int], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        service.link_participants(imported, actor, ids)


def test_linking_an_unknown_participant_changes_nothing(imported: Case, actor: Actor) -> None:
    first = service.list_participants(imported)[0].id
    with pytest.raises(InputError, match="no participant 9999"):
        service.link_participants(imported, actor, [first, 9999])
    assert all(p.person_id is None for p in service.list_participants(imported))


# --------------------------------------------------------------------------- flags


def test_custodian_is_one_per_exhibit_and_audited(imported: Case, actor: Actor) -> None:
    sam = participant(imported, "AND/1", "Sam Reid").id
    jo = participant(imported, "AND/1", "Jo Park").id
    service.set_custodian(imported, actor, sam)
    changes = service.set_custodian(imported, actor, jo)
    assert changes.audit_seq is not None
    flagged = [p.id for p in service.list_participants(imported) if p.is_custodian]
    assert flagged == [jo]
    entry = last_entry(imported)
    assert entry["action"] == "participant.custodian"
    assert entry["details"] == {"id": jo, "name": "Jo Park", "exhibit": "AND/1", "previous": [sam]}
    assert service.set_custodian(imported, actor, jo).audit_seq is None


def test_subject_flag_is_set_cleared_and_audited(imported: Case, actor: Actor) -> None:
    chris = participant(imported, "AND/1", "Chris Evans").id
    assert service.set_subject(imported, actor, chris, True).audit_seq is not None
    assert participant(imported, "AND/1", "Chris Evans").is_subject
    assert service.set_subject(imported, actor, chris, True).audit_seq is None
    service.set_subject(imported, actor, chris, False)
    assert not participant(imported, "AND/1", "Chris Evans").is_subject
    with imported.reading() as session:
        entries = [e for e in audit_log.entries(session) if e["action"] == "participant.subject"]
        assert [e["details"]["is_subject"] for e in entries] == [True, False]
        assert audit_log.verify(session).ok


# --------------------------------------------------------------------------- command line


def _wired() -> bool:
    actions = cli_main.build_parser()._actions
    return any(
        isinstance(a, argparse._SubParsersAction) and "members" in a.choices for a in actions
    )


def _own_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="reviewer")
    parser.add_argument("--reviewer")
    cli_participants.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except ReviewerError as exc:
        print(f"reviewer: error: {exc}", file=sys.stderr)
        return 1
    return code


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Through ``reviewer.cli.main`` once it registers these commands, else a parser of ours."""
    full = ["--reviewer", "CLI Tester", *argv]
    code = cli_main.main(full) if _wired() else _own_main(full)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_participants_link_members_flags(
    imported: Case, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(imported.root)
    code, out, _ = cli(capsys, "participants", root, "--exhibit", "IOS/1", "--jsonl")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["display_name"] for r in records] == ["Sam Reid", "Alex T"]
    alex_i = records[1]["id"]
    alex_a = participant(imported, "AND/1", "Alex Turner").id

    code, out, _ = cli(capsys, "link", root, str(alex_a), str(alex_i))
    assert code == 0 and "linked participants" in out and "audit entry" in out
    code, out, _ = cli(capsys, "participants", root)
    assert code == 0 and f"person {min(alex_a, alex_i)}" in out

    morning = message_id(imported, "AND/1", "Morning")
    code, out, _ = cli(capsys, "members", root, str(morning))
    assert code == 0 and "Chris Evans  (inferred)" in out and "Alex Turner" in out

    assert cli(capsys, "subject", root, str(alex_a))[0] == 0
    assert participant(imported, "AND/1", "Alex Turner").is_subject
    code, out, _ = cli(capsys, "subject", root, str(alex_a), "--off")
    assert code == 0 and "not a subject" in out
    assert cli(capsys, "custodian", root, str(alex_i))[0] == 0
    assert participant(imported, "IOS/1", "Alex T").is_custodian
    code, out, _ = cli(capsys, "unlink", root, str(alex_i))
    assert code == 0 and "unlinked" in out
    actor = next(e for e in reversed(_entries(imported)) if e["action"].startswith("participant"))
    assert actor["actor"] == "CLI Tester"


def test_cli_errors_are_one_line(imported: Case, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(imported.root)
    code, _, err = cli(capsys, "members", root, "424242")
    assert code == 1 and err.strip() == "reviewer: error: no message 424242 in this case"
    code, _, err = cli(capsys, "link", root, "1")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "two" in err


def _entries(case: Case) -> list[dict[str, Any]]:
    with case.reading() as session:
        return list(audit_log.entries(session))


def test_you_leaving_is_the_custodian_leaving(case: Case, actor: Actor, tmp_path: Path) -> None:
    chat = tmp_path / "WhatsApp Chat with Crew.txt"
    chat.write_text(
        "21/02/2024, 08:00 - Kim Lee: first\n"
        "21/02/2024, 08:01 - Jo Park: hello\n"
        "21/02/2024, 08:02 - You left\n"
        "21/02/2024, 08:03 - Kim Lee: she left\n"
        "21/02/2024, 08:04 - Jo Park: back without a re-add line\n",
        encoding="utf-8",
    )
    import_export(case, chat, actor, ImportOptions(exhibit="C/1", custodian="jo park"))
    m = service.membership(case, "C/1")
    assert m.you == "Jo Park"  # spelled as the participant with the same key
    assert [(i.how_left, i.inferred) for i in m.intervals("Jo Park")] == [
        ("left", True),
        (None, True),
    ]
    assert "Jo Park" not in present(case, "C/1", "she left")
    assert present(case, "C/1", "back without")["Jo Park"] is True


def test_group_presence_answers_as_present_at_for_every_message(imported: Case) -> None:
    """The GUI asks a conversation's derived membership by seq; it must agree with
    present_at (which derives it per message) everywhere."""
    from reviewer.services import browse

    for conversation in browse.conversations(imported):
        group = service.group_presence(imported, conversation.id)
        ids = list(browse.conversation_message_ids(imported, conversation.id))
        views = browse.message_views(imported, ids)
        for message in ids:
            assert group.at(views[message].seq) == service.present_at(imported, message)
    with pytest.raises(InputError, match="no conversation 999999"):
        service.group_presence(imported, 999999)
