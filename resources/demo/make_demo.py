# ruff: noqa: E501  (the chat lines read better unwrapped)
"""Write the demo export shipped with reviewer: a FICTIONAL police night-shift WhatsApp group.

    python resources/demo/make_demo.py [OUT.zip]

Everything here is invented: the officers, the town, the places and the jobs. Phone numbers
are in Ofcom's drama range (07700 900000-900999). Ten messages are marked "[DEMO EXAMPLE]":
they show the kind of remark misconduct cases describe, kept as mild as the starter lexicon
allows, so that `reviewer screen` has something to suggest. Everything else is ordinary shift
chatter and should not be flagged.

The output is deterministic (fixed seed, fixed zip timestamps): an iOS "Export chat → Attach
media" zip with `_chat.txt` (`[dd/mm/yyyy, hh:mm:ss] Name: text`, CRLF record ends, bare LF
inside multi-line messages, U+200E on media and system lines) and the media at the zip root.
Needs only the standard library and Pillow. The short video is `clip.mp4` beside this script
(made once with ffmpeg's test pattern; see the note at the end of this file).
"""

from __future__ import annotations

import io
import random
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = (
    HERE.parents[1] / "src" / "reviewer" / "resources" / "demo" / "WhatsApp Chat - Night Shift.zip"
)
LRM = "\u200e"
GROUP = "Night Shift B 🚓"
GROUP_RENAMED = "B Relief – Nights 🚓"
FIRST_DAY = date(2024, 9, 2)
LAST_DAY = date(2024, 11, 30)
SEED = 20240902

SERGEANT = "Claire Dunmore"
CUSTODIAN = "Tom Whitfield"
OFFICERS = [
    SERGEANT,
    CUSTODIAN,
    "Dan Hollis",
    "Priya Nair",
    "Kev Marsh",
    "Jess Okafor",
    "Gareth Price",
    "Aimee Lowther",
    "Rob Tennant",
    "Nadia Farouk",
    "Becky Shaw",
    "Owen Castell",
]
LEAVER = "Liam Cross"  # transfers to Roads Policing and leaves the group
REMOVED = "Harvey Lund"  # special constable, removed when his attachment ends
NEWCOMER = "+44 7700 900412"  # transferee not in the custodian's contacts; joins by link
NEWCOMER_LATER = "+44 7700 900587"  # ... and later changes number

PLACES = [
    "Harlow Road",
    "the Kingsmead estate",
    "Station Parade",
    "the retail park",
    "Fenwick Street",
    "the garage on Mill Lane",
    "Ashby Court",
    "the canal path",
    "Brook Lane",
    "the high street",
    "Carver Close",
    "the bus station",
]
CARS = ["14", "22", "31", "Bravo 2", "the van", "the Astra", "the new Focus"]
TEAMS = ["Rovers", "City", "United", "Athletic", "Town"]
NICE = ["Cheers", "Legend", "Thanks mate", "Nice one", "Ta", "Appreciate it", "👍", "🙏", "Star"]
LAUGHS = ["😂", "😂😂", "Haha", "🤣", "lol", "Classic", "😂😂😂"]


# --- ordinary chatter ----------------------------------------------------------------------
# A script is a short exchange; "A", "B", "C" are different officers picked per use, "S" is the
# sergeant. Slots: {place} {car} {team} {team2} {time} {day} {n} {m}.
SCRIPTS: list[list[tuple[str, str]]] = [
    [
        ("A", "Anyone fancy swapping a night? I need the {day} off, can give you any of next week"),
        ("B", "I can do {day}. Give me the Thursday after?"),
        ("A", "Deal. I'll put it through on the system"),
        ("S", "Approved, just make sure it's on the rota by Friday"),
    ],
    [
        ("A", "Can someone grab me a lift in tonight? Car's in the garage"),
        ("B", "Where are you? I come past {place} about quarter to ten"),
        ("A", "Perfect, I'll be outside the Co-op"),
        ("A", "{nice}"),
    ],
    [
        ("S", "Briefing at 22:00 sharp tonight please, inspector is sitting in"),
        ("A", "👍"),
        ("B", "Will be there"),
        ("C", "Running 5 late, sorry sarge, roadworks on the bypass"),
    ],
    [
        ("A", "Who's got the keys for {car}?"),
        ("B", "In the key safe, top row"),
        ("A", "Not there"),
        ("B", "Check the drawer in the writing room then"),
        ("A", "Found them. {nice}"),
    ],
    [
        ("A", "Custody is rammed, three in the queue and only one sergeant booking in"),
        ("B", "How long are we looking at?"),
        ("A", "At least an hour. Bring a flask"),
        ("C", "{laugh}"),
    ],
    [
        ("A", "Did anyone see the {team} game?"),
        ("B", "Don't. Absolute shambles in the second half"),
        ("C", "{m}-{n}. Should have been more"),
        ("A", "Ref was having a mare"),
        ("B", "Five-a-side Sunday still on?"),
    ],
    [
        ("A", "Five-a-side Sunday 10am at the leisure centre, who's in?"),
        ("B", "In"),
        ("C", "In"),
        ("D", "Can't, kids' party"),
        ("A", "Need two more or we're borrowing Response C again"),
    ],
    [
        ("A", "Van's got a flat on the nearside rear. Left it in the yard and told fleet"),
        ("S", "Thanks, I'll email the garage. Use {car} tonight"),
    ],
    [
        ("A", "Anyone seen my radio charger? Left it in the parade room on Tuesday"),
        ("B", "There's one in the sergeants' office with no name on it"),
        ("A", "That's the one, cheers"),
    ],
    [
        (
            "S",
            "Reminder: personal safety training refreshers are due by the end of the month. Book on the learning site",
        ),
        ("A", "Booked for the 14th"),
        ("B", "Is it the full day or just the half?"),
        ("S", "Full day, bring kit"),
    ],
    [
        ("A", "Quiet one so far"),
        ("B", "Don't say the Q word"),
        ("C", "You've done it now"),
        ("A", "Sorry 🙈"),
    ],
    [
        ("A", "Three immediates in ten minutes, where's everyone coming from tonight"),
        ("B", "Full moon"),
        ("C", "Payday weekend as well"),
        ("A", "Heading to {place} now"),
    ],
    [
        ("A", "Canteen's shut again. Kebab van at {place} or the garage?"),
        ("B", "Garage meal deal, living the dream"),
        ("C", "Get me a coffee if you're going"),
        ("A", "Milk no sugar?"),
        ("C", "You know me so well"),
    ],
    [
        ("A", "Stab vest needs re-fitting, the straps have gone. Who do I speak to?"),
        ("S", "Stores on day shift, email them first and they'll book you in"),
    ],
    [
        ("A", "Lost my pocket notebook somewhere between {place} and the nick 😩"),
        ("B", "Have you checked the footwell of {car}?"),
        ("A", "Yes!! Under the seat. Heart attack over"),
        ("C", "{laugh}"),
    ],
    [
        ("A", "Anyone want overtime on the Saturday football? Need two"),
        ("B", "Which game?"),
        ("A", "{team} v {team2}, 12:30 kick off"),
        ("B", "Go on then, put me down"),
    ],
    [
        ("A", "Happy birthday {name}! 🎂🎉"),
        ("B", "Happy birthday! 🎉"),
        ("C", "Have a good one mate"),
        ("D", "Cake in the parade room tonight then?"),
        ("E", "Thanks all, yes there will be cake 🍰"),
    ],
    [
        ("A", "Long night. Home, shower, bed"),
        ("B", "Same. Drive safe everyone"),
        ("C", "Night night (morning morning)"),
    ],
    [
        ("A", "Anyone got a spare pair of gloves? Mine have split"),
        ("B", "Box of them in my locker, help yourself, it's open"),
    ],
    [
        (
            "S",
            "Rota for next block is on the board. Check your rest days and tell me by Sunday if anything's wrong",
        ),
        ("A", "I've got nights and a court day back to back on the {n}th"),
        ("S", "Noted, I'll swap you onto lates for that one"),
    ],
    [
        ("A", "Court was cancelled again, third time for that file"),
        ("B", "Did you get warned for the new date?"),
        ("A", "Not yet. Witness care are chasing"),
    ],
    [
        ("A", "Heading to the hospital with the lad from {place}, could be a while"),
        ("S", "Ok, update me when you're clear"),
        ("A", "Clear now, back in 20"),
    ],
    [
        ("A", "Has anyone done the new statement template yet? Half the boxes won't save"),
        ("B", "Save it as a draft first then reopen it, that fixed mine"),
        ("A", "Legend"),
    ],
    [
        ("A", "What time does the gym open after the refurb?"),
        ("B", "6am, the new rowers are decent"),
    ],
    [
        ("A", "Who's on the tutor rota for the new starters?"),
        ("S", "{name} and me. They start on the {n}th"),
        ("B", "Be nice to them, we were all new once"),
    ],
    [
        ("A", "Fuel card for {car} doesn't work"),
        ("B", "It's the old one, new one is in the glovebox"),
        ("A", "Of course it is"),
    ],
    [
        ("A", "Big job at {place}, anyone free to help with scene guard?"),
        ("B", "On my way"),
        ("C", "Can be there in 10"),
        ("A", "{nice}, cordon tape is in the boot of {car}"),
    ],
    [
        ("A", "Anyone know a decent mechanic near {place}? Mine wants £600 for brake pads"),
        ("B", "Tony's on the industrial estate, tell him I sent you"),
        ("A", "Will do"),
    ],
    [
        ("A", "Sarge, can I take annual leave on the {n}th?"),
        ("S", "Should be fine, put it in and I'll approve it"),
    ],
    [
        ("A", "Does anyone know if the FME is on tonight?"),
        ("B", "Agency one until 2, then on call"),
        ("A", "Brilliant, thanks"),
    ],
    [
        ("A", "Cell 6 out of use again, the buzzer's broken"),
        ("B", "Logged with estates?"),
        ("A", "Yep, job number is on the custody whiteboard"),
    ],
    [
        ("A", "Snowing up on the moor road, take it steady if you're coming in that way"),
        ("B", "Cheers for the heads up"),
    ],
    [
        ("A", "Anyone else's payslip wrong this month? No shift allowance on mine"),
        ("B", "Mine too"),
        ("C", "Payroll have sent an email, it'll be in next month"),
        ("A", "Great, cheers"),
    ],
    [
        ("A", "Parking at the nick is a joke tonight, some event at the college"),
        ("B", "Park at the leisure centre and walk"),
        ("A", "Good shout"),
    ],
    [
        ("A", "Quiz night at the Bell on Thursday for the charity, who's in?"),
        ("B", "Count me in"),
        ("C", "As long as there's no sport round"),
        ("D", "There's always a sport round"),
    ],
    [
        ("A", "Anyone seen the new inspector yet?"),
        ("B", "Seems alright, ex-CID"),
        ("C", "Asked me my name twice so 50/50"),
        ("A", "{laugh}"),
    ],
    [
        ("A", "Reminder everyone, the leaving do for Mo is Saturday 8pm at the Crown"),
        ("B", "Collection envelope is in the parade room"),
        ("C", "I've put a tenner in"),
    ],
    [
        ("A", "Missing person from {place} found safe and well, nice work everyone"),
        ("S", "Good job team, that was a long one"),
        ("B", "👏"),
    ],
    [
        ("A", "Doing a supermarket run before nights, want anything?"),
        ("B", "Milk for the kitchen please"),
        ("C", "Biscuits. Not the cheap ones"),
    ],
    [
        ("A", "The printer in the writing room is jammed again"),
        ("B", "Kick it"),
        ("A", "Worked 🙄"),
    ],
    [
        ("A", "Does anyone have a charger for the old style handsets?"),
        ("B", "Drawer under the radio rack"),
    ],
    [
        ("A", "Crash on the bypass near {place}, road closed both ways"),
        ("B", "Diversions via Brook Lane"),
        ("S", "Traffic have it, we're just doing the closure at the north end"),
    ],
    [
        ("A", "First aid refresher moved to the {n}th, same room"),
        ("B", "Thanks for letting us know"),
    ],
    [
        ("A", "Anyone up for breakfast after the shift? Greasy spoon on Station Parade"),
        ("B", "Always"),
        ("C", "Go on then"),
        ("A", "7:15 there"),
    ],
]
SINGLES = [
    "Morning all",
    "Evening all, have a safe one",
    "On my way in",
    "Running a few minutes late",
    "Anyone in the yard? Need a hand with the cones",
    "Back at the nick",
    "Clear from {place}",
    "Heading to {place}",
    "Who's doubled up tonight?",
    "On a break, shout if you need me",
    "Coffee's on in the kitchen",
    "Has anyone seen the stapler 😅",
    "Keys for {car} back in the safe",
    "Just finished that file, finally",
    "Roads are icy out by the school, take care",
    "Can anyone cover 30 mins at the front counter?",
    "I can",
    "Thanks all",
    "Nice work tonight",
    "Good shift that",
    "See you tomorrow",
    "Drive safe",
    "👍",
    "👌",
    "🙏",
    "Will do",
    "Yes sarge",
    "On it",
    "Any update on the job at {place}?",
    "All quiet at {place}",
    "Can someone bring the breath test kit back to the front desk",
    "Who borrowed my torch?",
    "Great work on that missing person earlier",
    "The heating in the parade room is broken again",
    "Anyone got a spare phone charger?",
    "Pizza in the kitchen if anyone wants some",
    "Leaving the station now, 10 mins out",
    "What time is debrief?",
    "Debrief in 5 in the parade room",
    "Shout if you need a second unit",
    "Just dropped a prisoner in, heading back out",
    "Witness statement done and on the system",
    "Is the back gate code the same?",
    "Sorry, wrong group!",
    "Happy Friday 🎉",
    "That's me done, night all",
    "Kettle's on",
    "Anyone heading to {place}? Could do with a lift back",
    "{laugh}",
    "{nice}",
    "Don't forget to sign the overtime sheets",
    "The new radios are in, swap yours over at stores",
    "Sarge, are we doubling up tonight?",
    "Is anyone free to take a report at the front counter?",
    "Can someone check the fridge, something has died in there",
    "Well done on the commendation {name} 👏",
    "How's the little one doing {name}?",
    "Thinking of you mate, hope your dad's ok",
    "Thanks everyone, means a lot",
]


# --- the marked examples (screening should flag every one) ----------------------------------
@dataclass(frozen=True)
class Example:
    day: date
    time: str
    sender: str
    text: str
    replies: list[tuple[str, str]] = field(default_factory=list)  # (sender, text), a minute apart
    photo: int | None = None  # caption a demo photo


EXAMPLES = [
    Example(
        date(2024, 9, 14),
        "02:41:07",
        "Kev Marsh",
        "[DEMO EXAMPLE] Third call to the same flat tonight. Absolute scrote, waste of space the lot of them.",
        [("Dan Hollis", "😂"), ("Priya Nair", "Bit much Kev, his mum was the one who rang us")],
    ),
    Example(
        date(2024, 9, 21),
        "23:18:52",
        "Rob Tennant",
        "[DEMO EXAMPLE] Can someone do a PNC check for a mate? Her new fella, just want to know if he's got form. Keep this between us.",
        [("Gareth Price", "Not touching that one Rob")],
    ),
    Example(
        date(2024, 9, 29),
        "03:05:30",
        "Gareth Price",
        "[DEMO EXAMPLE] Our favourite frequent flyer is back in cell 4. Smackhead central tonight.",
        [("Kev Marsh", "😂😂"), ("Dan Hollis", "Every weekend")],
    ),
    Example(
        date(2024, 10, 8),
        "01:52:14",
        "Dan Hollis",
        "[DEMO EXAMPLE] If that lad spits at me again I'll give him a slap when we're off camera 😂",
        [("Kev Marsh", "😂"), ("Jess Okafor", "Don't even joke about that")],
    ),
    Example(
        date(2024, 10, 12),
        "04:12:40",
        "Kev Marsh",
        "[DEMO EXAMPLE] Typical, they send a woman to sort out the fight. Get back in the kitchen love 😂",
        [
            ("Aimee Lowther", "Funny. I was the one who cuffed him"),
            ("Claire Dunmore", "Kev. My office, start of next shift."),
        ],
    ),
    Example(
        date(2024, 10, 19),
        "02:27:03",
        "Rob Tennant",
        "[DEMO EXAMPLE] Ran her through PNC for you, nothing on her. Delete this after reading.",
        [],
    ),
    Example(
        date(2024, 10, 26),
        "22:47:19",
        "Dan Hollis",
        "[DEMO EXAMPLE] Someone put the complaint in about Kev. Whoever the snitch is, watch your back.",
        [("Rob Tennant", "👀"), ("Nadia Farouk", "That's out of order Dan")],
    ),
    Example(
        date(2024, 11, 3),
        "03:33:48",
        "Gareth Price",
        "[DEMO EXAMPLE] Custody photo of the lad from Friday, look at the state of him 😂 don't share",
        [("Kev Marsh", "😂😂😂")],
        photo=0,
    ),
    Example(
        date(2024, 11, 16),
        "01:14:26",
        "Kev Marsh",
        "[DEMO EXAMPLE] Don't open that link on a work phone lads, it's basically porn 😂",
        [("Dan Hollis", "🤣")],
    ),
    Example(
        date(2024, 11, 23),
        "06:40:11",
        "Dan Hollis",
        "[DEMO EXAMPLE] Before the debrief we need to get our stories straight about the van.",
        [("Rob Tennant", "Ring me after shift")],
    ),
]

# --- photos --------------------------------------------------------------------------------
PHOTO_TITLES = [
    ("Custody corridor", (64, 72, 88)),  # used by an example above
    ("Sunrise over the yard", (230, 150, 80)),
    ("Van 14 nearside tyre", (70, 70, 70)),
    ("Rota: block 38", (245, 245, 240)),
    ("Five-a-side team", (60, 140, 70)),
    ("Birthday cake", (240, 200, 220)),
    ("Flooded underpass", (80, 110, 150)),
    ("Parade room whiteboard", (235, 235, 235)),
    ("Lost dog, Brook Lane", (170, 130, 90)),
    ("Kit list", (250, 250, 245)),
    ("Charity quiz results", (90, 60, 140)),
    ("Night sky, moor road", (20, 30, 60)),
    ("Cones in the yard", (240, 120, 30)),
    ("New radios", (40, 40, 45)),
    ("Breakfast run", (200, 160, 100)),
    ("Leaving card", (120, 170, 210)),
    ("Fog on the bypass", (180, 185, 190)),
    ("Broken heater", (150, 60, 50)),
    ("Training day", (90, 150, 190)),
    ("Cake sale", (250, 215, 160)),
    ("Road closure", (230, 200, 40)),
    ("Frost on the windscreen", (200, 225, 240)),
    ("Christmas jumper day poll", (180, 30, 40)),
    ("Canal path at dawn", (110, 140, 120)),
    ("Five-a-side trophy", (210, 170, 50)),
]
GPS = [(51.7612, -1.2581), (51.7551, -1.2437), (51.7702, -1.2690), (51.7490, -1.2302)]


@dataclass
class Record:
    at: datetime
    sender: str | None  # None: a system line (pseudo-author = group name)
    text: str
    lrm: bool = False  # U+200E before "[" and at the start of the body (media, deleted)
    edited: bool = False
    files: list[tuple[str, bytes]] = field(default_factory=list)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    rng = random.Random(SEED)
    records = _system_events() + _chatter(rng) + _examples(rng) + _specials(rng)
    records.sort(key=lambda r: r.at)
    records = _with_media(records, rng)
    _write_zip(out, records)
    print(f"{out}: {len(records)} messages")
    return 0


def at(d: date, hms: str) -> datetime:
    """A local time as the export writes it (naive: WhatsApp writes no offset)."""
    return datetime.combine(d, time.fromisoformat(hms))


def _system_events() -> list[Record]:
    day = FIRST_DAY
    encryption = (
        "Messages and calls are end-to-end encrypted. No one outside of this chat, not even "
        "WhatsApp, can read or listen to them."
    )
    events = [
        (at(day, "14:02:11"), encryption),
        (at(day, "14:02:11"), f"{SERGEANT} created group “{GROUP}”"),
        (at(day, "14:02:12"), f"{SERGEANT} added {', '.join(OFFICERS[1:6])}"),
        (at(day, "14:03:40"), f"{SERGEANT} added {', '.join(OFFICERS[6:])}, {LEAVER}"),
        (at(day, "14:05:02"), f"{SERGEANT} changed this group's icon"),
        (at(date(2024, 9, 9), "19:40:26"), f"{SERGEANT} added {REMOVED}"),
        (at(date(2024, 9, 20), "10:15:00"), f"{SERGEANT} changed the group description"),
        (at(date(2024, 10, 4), "08:01:55"), f"{LEAVER} left"),
        (at(date(2024, 10, 7), "21:30:09"), f"{NEWCOMER} joined using this group's invite link"),
        (
            at(date(2024, 10, 15), "16:44:31"),
            "Your security code with Kev Marsh changed. Tap to learn more.",
        ),
        (at(date(2024, 10, 31), "11:20:00"), f"{SERGEANT} removed {REMOVED}"),
        (
            at(date(2024, 11, 4), "18:02:44"),
            f"{SERGEANT} changed the subject from “{GROUP}” to “{GROUP_RENAMED}”",
        ),
        (at(date(2024, 11, 12), "09:13:27"), f"{NEWCOMER} changed to {NEWCOMER_LATER}"),
        (
            at(date(2024, 11, 20), "12:00:05"),
            "Becky Shaw changed their phone number to a new number. Tap to message or add the new number.",
        ),
    ]
    return [Record(t, None, text, lrm=True) for t, text in events]


def _members_on(day: date) -> list[str]:
    people = list(OFFICERS)
    if day < date(2024, 10, 4):
        people.append(LEAVER)
    if date(2024, 9, 9) < day < date(2024, 10, 31):
        people.append(REMOVED)
    if day > date(2024, 11, 12):
        people.append(NEWCOMER_LATER)
    elif day > date(2024, 10, 7):
        people.append(NEWCOMER)
    return people


def _fill(text: str, rng: random.Random, people: list[str]) -> str:
    return text.format(
        place=rng.choice(PLACES),
        car=rng.choice(CARS),
        team=(t := rng.choice(TEAMS)),
        team2=rng.choice([x for x in TEAMS if x != t]),
        day=rng.choice(["Tuesday", "Wednesday", "Thursday", "Saturday", "Sunday"]),
        n=rng.randint(3, 28) if "{n}th" in text else rng.randint(0, 3),
        m=rng.randint(1, 4),
        name=rng.choice(people).split()[0],
        nice=rng.choice(NICE),
        laugh=rng.choice(LAUGHS),
        time=f"{rng.randint(20, 23)}:{rng.choice(['00', '15', '30', '45'])}",
    )


def _chatter(rng: random.Random) -> list[Record]:
    records: list[Record] = []
    example_times = [at(ex.day, ex.time) for ex in EXAMPLES]
    free_from = at(FIRST_DAY, "14:10:00")
    day = FIRST_DAY
    while day <= LAST_DAY:
        people = [p for p in _members_on(day) if not p.startswith("+")] + (
            [p for p in _members_on(day) if p.startswith("+")] if day.day % 3 == 0 else []
        )
        bursts = rng.randint(7, 11)
        starts = []
        for _ in range(bursts):
            # nights: mostly 21:30-07:30, with some daytime chatter on rest days
            hours = 21.5 + rng.random() * 10 if rng.random() < 0.75 else 9 + rng.random() * 11
            starts.append(datetime.combine(day, time()) + timedelta(hours=hours))
        for start in sorted(starts):
            # one exchange at a time, and none in the half hour after a marked example
            t = max(start, free_from)
            while any(timedelta(0) <= t - e < timedelta(minutes=30) for e in example_times):
                t += timedelta(minutes=10)
            if rng.random() < 0.7:
                script = rng.choice(SCRIPTS)
                cast = rng.sample([p for p in people if p != SERGEANT], 5)
                roles = {"A": cast[0], "B": cast[1], "C": cast[2], "D": cast[3], "E": cast[4]}
                roles["S"] = SERGEANT
                for role, line in script:
                    records.append(Record(t, roles[role], _fill(line, rng, people)))
                    t += timedelta(seconds=rng.randint(20, 420))
            else:
                for _ in range(rng.randint(2, 6)):
                    line = _fill(rng.choice(SINGLES), rng, people)
                    records.append(Record(t, rng.choice(people), line))
                    t += timedelta(seconds=rng.randint(30, 900))
            free_from = t + timedelta(minutes=rng.randint(5, 40))
        day += timedelta(days=1)
    opened = at(FIRST_DAY, "14:10:00")  # nobody posts before the group exists
    records = [r for r in records if r.at >= opened]
    for r in records:  # a few edits, as WhatsApp shows them (the current text only)
        if rng.random() < 0.01 and len(r.text) > 20:
            r.edited = True
    return records


def _examples(rng: random.Random) -> list[Record]:
    records: list[Record] = []
    for ex in EXAMPLES:
        t = at(ex.day, ex.time)
        record = Record(t, ex.sender, ex.text)
        if ex.photo is not None:
            record.files.append(("PHOTO", _photo(ex.photo, t)))
        records.append(record)
        for sender, text in ex.replies:
            t += timedelta(seconds=rng.randint(40, 200))
            records.append(Record(t, sender, text))
    return records


def _specials(rng: random.Random) -> list[Record]:
    """Multi-line messages, a poll, a location, deletions, omitted media, the clocks going back."""

    r = [
        Record(
            at(date(2024, 9, 2), "14:06:30"),
            SERGEANT,
            "Welcome to the B relief nights group. Rules:\n"
            "1. Rota swaps go through me and the system, not just here\n"
            "2. Nothing operational in this group, it stays on work systems\n"
            "3. Be decent to each other\nThanks all",
        ),
        Record(at(date(2024, 9, 2), "14:09:12"), "Priya Nair", "Thanks sarge 👍"),
        Record(
            at(date(2024, 9, 16), "21:12:45"),
            SERGEANT,
            "Briefing notes for tonight:\n- Two double-crewed cars, one single\n"
            "- Football traffic plan for Saturday is on the shared drive\n"
            "- Tom and Priya on scene guard until 2\n- Breaks staggered, sort it between you",
        ),
        Record(
            at(date(2024, 10, 1), "20:30:00"),
            "Aimee Lowther",
            "POLL:\nChristmas meal: which night?\nOPTION: Friday 13th (5 votes)\n"
            "OPTION: Saturday 14th (3 votes)\nOPTION: Thursday 19th (1 vote)",
        ),
        Record(at(date(2024, 10, 1), "20:31:10"), "Aimee Lowther", "Vote by the weekend please 🎄"),
        Record(
            at(date(2024, 10, 22), "19:55:03"),
            "Owen Castell",
            f"{LRM}Location: https://maps.google.com/?q=51.76120,-1.25810",
            lrm=True,
        ),
        Record(
            at(date(2024, 10, 22), "19:55:40"),
            "Owen Castell",
            "Breakdown recovery meeting point for the five-a-side minibus, see you there",
        ),
        Record(
            at(date(2024, 10, 27), "01:20:14"),
            "Nadia Farouk",
            "Clocks go back tonight, so we get an extra hour of this 🙃",
        ),
        Record(
            at(date(2024, 10, 27), "01:48:02"),
            "Tom Whitfield",
            "Best hour of the year, the one you get twice",
        ),
        Record(
            at(date(2024, 11, 9), "22:04:31"),
            "Becky Shaw",
            "Kit list for the training day:\nboots\nwaterproofs\nlunch\npen that works",
        ),
        Record(
            at(date(2024, 11, 27), "23:59:58"),
            SERGEANT,
            "Last nights block before the Christmas rota. Thanks all for a good autumn, "
            "genuinely a great team",
        ),
    ]
    for d, hms, who in [
        (date(2024, 9, 18), "03:12:09", "Rob Tennant"),
        (date(2024, 10, 9), "04:40:00", "Dan Hollis"),
        (date(2024, 10, 27), "00:15:42", "Kev Marsh"),
        (date(2024, 11, 3), "03:36:12", "Gareth Price"),
        (date(2024, 11, 17), "02:02:02", "Jess Okafor"),
        (date(2024, 11, 24), "05:25:30", "Aimee Lowther"),
    ]:
        r.append(Record(at(d, hms), who, f"{LRM}This message was deleted.", lrm=True))
    r.append(
        Record(at(date(2024, 10, 30), "07:02:55"), "Jess Okafor", f"{LRM}audio omitted", lrm=True)
    )
    r.append(
        Record(at(date(2024, 10, 30), "07:03:40"), "Jess Okafor", "Sorry, voice note, driving")
    )
    video = Record(at(date(2024, 10, 13), "11:32:18"), "Owen Castell", "", lrm=True)
    video.files.append(("VIDEO", (HERE / "clip.mp4").read_bytes()))
    r.append(video)
    r.append(
        Record(
            at(date(2024, 10, 13), "11:33:01"), "Owen Castell", "Our winning goal, in full HD 😂"
        )
    )
    return r


def _with_media(records: list[Record], rng: random.Random) -> list[Record]:
    """Attach the rest of the demo photos to ordinary messages spread over the three months."""
    candidates = [
        i
        for i, r in enumerate(records)
        if r.sender
        and not r.files
        and not r.lrm
        and not r.text.startswith("[DEMO")
        and "\n" not in r.text
    ]
    picks = sorted(rng.sample(candidates, len(PHOTO_TITLES) - 1))
    for number, index in enumerate(picks, start=1):
        record = records[index]
        record.files.append(("PHOTO", _photo(number, record.at)))
        if rng.random() < 0.6:
            record.text = ""  # most photos are sent without a caption
    return records


def _photo(number: int, at: datetime) -> bytes:
    title, colour = PHOTO_TITLES[number]
    width, height = (640, 480) if number % 3 else (480, 640)
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    dark = sum(colour) < 380
    ink = (245, 245, 245) if dark else (30, 30, 30)
    rnd = random.Random(number)
    for _ in range(6):  # a few simple shapes so that thumbnails differ
        x, y = rnd.randrange(width), rnd.randrange(height)
        w, h = rnd.randrange(40, 200), rnd.randrange(40, 200)
        shade = tuple(max(0, min(255, c + rnd.randint(-60, 60))) for c in colour)
        if rnd.random() < 0.5:
            draw.rectangle((x, y, x + w, y + h), fill=shade)
        else:
            draw.ellipse((x, y, x + w, y + h), fill=shade)
    if "Rota" in title or "results" in title or "poll" in title:
        for i in range(6):  # a bar chart
            bar = rnd.randrange(40, height // 2)
            draw.rectangle((60 + i * 70, height - 60 - bar, 100 + i * 70, height - 60), fill=ink)
    big = _font(44)
    small = _font(24)
    draw.rectangle((0, 0, width, 110), fill=(0, 0, 0) if dark else (255, 255, 255))
    draw.text(
        (20, 14), f"DEMO IMAGE {number:02d}", fill=(255, 210, 0) if dark else (160, 0, 0), font=big
    )
    draw.text((20, 70), title, fill=(255, 255, 255) if dark else (0, 0, 0), font=small)
    draw.text((20, height - 40), "fictional - reviewer demo", fill=ink, font=small)
    exif = Image.Exif()
    if number % 2 == 0:  # half the photos carry camera metadata, some with GPS
        exif[0x010F] = "DemoCam"
        exif[0x0110] = "DC-1"
        exif.get_ifd(0x8769)[0x9003] = at.strftime("%Y:%m:%d %H:%M:%S")
        if number % 4 == 0:
            lat, lon = GPS[(number // 4) % len(GPS)]
            exif.get_ifd(0x8825).update(
                {
                    1: "N",
                    2: _dms(lat),
                    3: "W" if lon < 0 else "E",
                    4: _dms(abs(lon)),
                }
            )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, exif=exif.tobytes())
    return out.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 2)
    return (float(degrees), float(minutes), seconds)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def _write_zip(out: Path, records: list[Record]) -> None:
    lines: list[str] = []
    media: list[tuple[str, bytes]] = []
    counter = 0
    for r in records:
        stamp = r.at.strftime("[%d/%m/%Y, %H:%M:%S]")
        name = r.sender or GROUP_RENAMED  # iOS: system lines carry the group's current name
        if r.sender is None:
            lines.append(f"{stamp} {name}: {LRM}{r.text}")
            continue
        if r.files:
            parts = []
            for kind, data in r.files:
                counter += 1
                ext = "jpg" if kind == "PHOTO" else "mp4"
                filename = f"{counter:08d}-{kind}-{r.at.strftime('%Y-%m-%d-%H-%M-%S')}.{ext}"
                media.append((filename, data))
                parts.append(f"{LRM}<attached: {filename}>")
            body = "\n".join(parts) + (f"\n{r.text}" if r.text else "")
            lines.append(f"{LRM}{stamp} {name}: {body}")
            continue
        body = r.text + (f" {LRM}<This message was edited>" if r.edited else "")
        lines.append(f"{LRM if r.lrm else ''}{stamp} {name}: {body}")
    text = "\r\n".join(lines) + "\r\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "_chat.txt", text.encode("utf-8"))
        for filename, data in media:
            _add(archive, filename, data, compress=False)


def _add(archive: zipfile.ZipFile, name: str, data: bytes, compress: bool = True) -> None:
    info = zipfile.ZipInfo(name, date_time=(2024, 12, 1, 8, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

# clip.mp4 (29 KB, 3 s, 320x180, test pattern and a tone) was made with:
#   ffmpeg -f lavfi -i "testsrc2=size=320x180:rate=10:duration=3" \
#     -f lavfi -i "sine=frequency=440:duration=3:sample_rate=16000" -c:v libx264 -preset veryslow \
#     -crf 35 -pix_fmt yuv420p -c:a aac -b:a 24k -shortest -map_metadata -1 -fflags +bitexact \
#     -flags:v +bitexact -flags:a +bitexact -movflags +faststart clip.mp4
