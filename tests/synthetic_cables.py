"""Generated embassy cables for the tests that need a corpus of more than a hundred documents: archive
extract headers (reference, origin, addressees, TAGS, SUBJECT) over paragraphs that name a fixed cast
of officials, bodies and places, so a real run builds a network with hubs, typed relations and
co-occurrence. Deterministic for a given seed."""

from __future__ import annotations

import random
from pathlib import Path

PEOPLE = [("Kassymzhomart Tokayev", "Foreign Minister"), ("Karim Massimov", "Prime Minister"),
          ("Marat Tazhin", "Foreign Minister"), ("Nurtai Abykayev", "Chairman"), ("Imangali Tasmagambetov", "Mayor"),
          ("Yerlan Idrissov", "Ambassador"), ("John Ordway", "Ambassador"), ("Richard Hoagland", "Ambassador"),
          ("Kairat Kelimbetov", "Minister"), ("Umirzak Shukeyev", "Deputy Prime Minister"),
          ("Bolat Zhamishev", "Finance Minister"), ("Rakhat Aliyev", "Deputy Foreign Minister"),
          ("Timur Kulibayev", "Chairman"), ("Zhanna Kazhenova", "spokeswoman"), ("Galymzhan Zhakiyanov", "opposition leader")]
BODIES = ["Ministry of Foreign Affairs", "Committee for National Security", "Ministry of Internal Affairs",
          "Ministry of Finance", "Mazhilis", "Senate", "Presidential Administration", "National Bank of Kazakhstan",
          "KazMunaiGas", "Nur Otan", "OSCE", "Ak Zhol", "Prosecutor General's Office", "Supreme Court"]
PLACES = ["Astana", "Almaty", "Karaganda", "Atyrau", "Shymkent", "Aktau", "Moscow", "Beijing", "Tashkent", "Bishkek"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
TOPICS = ["ENERGY COOPERATION", "ELECTION PREPARATIONS", "BORDER SECURITY", "BANKING SECTOR", "OSCE CHAIRMANSHIP",
          "COUNTERTERRORISM TALKS", "PARLIAMENT SESSION", "REGIONAL DIPLOMACY"]

SENTENCES = [
    "{title} {p1} met {title2} {p2} in {place} on {month} {day}, {year}.",
    "{p1} heads the {body}, which opened an office in {place} in {year}.",
    "{title} {p1} of the {body} told the Ambassador that the {body2} would cooperate with the OSCE.",
    "{p1} and {p2} discussed the budget of the {body} during a visit to {place}.",
    "The {body} detained two activists in {place} in {month} {year}, according to {p1}.",
    "{p2}, a member of the {body}, accompanied {p1} to {place}.",
    "The {body} and the {body2} signed an agreement in {place} on {month} {day}, {year}.",
    "{title2} {p2} criticized the {body} for its handling of the case in {place}.",
]


def cable(rng: random.Random, number: int) -> str:
    year = rng.choice([2005, 2006, 2007, 2008, 2009])
    post = rng.choice(["Astana", "Almaty"])
    lines = [f"Reference ID: {year % 100:02d}{post.upper()}{number:04d}",
             f"Created: {year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
             "Classification: CONFIDENTIAL", f"Origin: Embassy {post}", "",
             f"CONFIDENTIAL SECTION 01 OF 02 {post.upper()} {number:06d}", "", "SIPDIS", "",
             "STATE FOR EUR/CARC, DRL AND INR", "NSC FOR MERKEL", "E.O. 12958: DECL: 10/10/2018",
             "TAGS: PGOV PREL KZ", f"SUBJECT: KAZAKHSTAN: {rng.choice(TOPICS)}", "",
             "Classified By: Ambassador John Ordway for reasons 1.4 (b) and (d)", ""]
    for paragraph in range(1, rng.randint(3, 5) + 1):
        sentences = []
        for _ in range(rng.randint(2, 3)):
            (p1, title), (p2, title2) = rng.sample(PEOPLE, 2)
            body, body2 = rng.sample(BODIES, 2)
            sentences.append(rng.choice(SENTENCES).format(
                p1=p1, p2=p2, title=title, title2=title2, body=body, body2=body2, place=rng.choice(PLACES),
                month=rng.choice(MONTHS), day=rng.randint(1, 28), year=year))
        lines += [f"{paragraph}. (C) " + " ".join(sentences), ""]
    lines.append("ORDWAY")
    return "\n".join(lines) + "\n"


def write_cables(folder: Path, count: int = 120, seed: int = 19) -> Path:
    """`count` cables in `folder` (created), named like the archive's files."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(1, count + 1):
        (folder / f"cable_{number:04d}.txt").write_text(cable(rng, number), encoding="utf-8")
    return folder
