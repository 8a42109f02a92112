"""Where each rule and word-list entry fires: the five samples, the training corpus, the shared cables.

    python benchmarks/rule_hits.py [--samples data/raw] [--train data/train/docs]
                                   [--cables ../shared/cables] [--cables-limit 0] [--out benchmarks/results/rule_hits]

A rule that fires on the samples and nowhere else was written for them. Counted per corpus:
- every gazetteer name and acronym (configs/gazetteers/*.jsonl), matched as the gazetteer stage matches
  it (phrase match on tokens, case-insensitive, capitalised pattern words capitalised in the text;
  acronyms exactly);
- every word-list entry of labels.json, rules.json, dates.json and relations.json, as a whole word or
  phrase, case-insensitive (a word-list entry can only act where its word occurs, so this is an upper
  bound of where it acts);
- every regular expression of rules.json, cable.json, boilerplate.json and dates.json.
Writes hits.tsv (source, entry, samples, train, cables) and sample_only.md (entries with hits on the
samples and none elsewhere), and prints the summary per source.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONFIGS = ROOT / "configs"


def texts_of(folder: Path, limit: int = 0) -> list[str]:
    from pipeline.ingest import InputError, read_document

    out = []
    for path in sorted(p for p in folder.iterdir() if p.is_file())[:limit or None]:
        try:
            out.append(read_document(path, path.name).text)
        except InputError:
            continue
    return out


def word_entries() -> list[tuple[str, str]]:
    """(source, entry) for every word-list entry of the JSON rule files."""
    out = []
    for name in ("labels", "rules", "dates"):
        for key, value in json.loads((CONFIGS / f"{name}.json").read_text(encoding="utf-8")).items():
            if isinstance(value, list) and all(isinstance(v, str) for v in value) and not key.startswith("_") \
                    and key not in ("drop_patterns", "add", "lines", "tail_markers"):
                out += [(f"{name}.json:{key}", v) for v in value]
    triggers = json.loads((CONFIGS / "relations.json").read_text(encoding="utf-8"))["triggers"]
    out += [(f"relations.json:triggers.{cls}", w) for cls, words in triggers.items() for w in words]
    return out


def regex_entries() -> list[tuple[str, re.Pattern]]:
    out = []
    for name in ("rules", "cable", "boilerplate", "dates"):
        for key, value in json.loads((CONFIGS / f"{name}.json").read_text(encoding="utf-8")).items():
            patterns = [value] if isinstance(value, str) else value if isinstance(value, list) else []
            if key.startswith("_") or key in ("addressee_label", "post_label"):
                continue
            for i, p in enumerate(patterns):
                if isinstance(p, str) and any(c in p for c in "\\[(?*+|^$"):
                    try:
                        out.append((f"{name}.json:{key}" + (f"[{i}]" if len(patterns) > 1 else ""),
                                    re.compile(p.replace("{events}", "x"), re.M)))
                    except re.error:
                        continue
    return out


def gazetteer_hits(corpora: dict[str, list[str]]) -> dict[tuple[str, str], Counter]:
    """Hits of every gazetteer name and acronym per corpus, matched as kzx_gazetteer matches them."""
    import spacy
    from spacy.matcher import PhraseMatcher

    from pipeline.components.gazetteer import _case_fits, load_records, patterns_of
    from pipeline.config import load_settings

    nlp = spacy.blank("en")
    records = load_records(load_settings().gazetteer_files)
    lower, exact = PhraseMatcher(nlp.vocab, attr="LOWER"), PhraseMatcher(nlp.vocab, attr="ORTH")
    entries = {}
    for text, label, ent_id, is_exact in patterns_of(records):
        key = f"{label}|{ent_id}|{text}"
        words = [t.text for t in nlp.make_doc(text)]
        entries[key] = (f"gazetteer:{label}:{ent_id}", text, words, is_exact)
        (exact if is_exact else lower).add(key, [nlp.make_doc(text)])
    hits: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for corpus, texts in corpora.items():
        for doc in nlp.tokenizer.pipe(texts, batch_size=50):
            for matcher in (lower, exact):
                for key_id, start, end in matcher(doc):
                    source, text, words, is_exact = entries[nlp.vocab.strings[key_id]]
                    if is_exact or _case_fits(words, doc[start:end]):
                        hits[(source, text)][corpus] += 1
    for source, text, _, _ in entries.values():
        hits.setdefault((source, text), Counter())
    return hits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=Path, default=ROOT / "data" / "raw")
    ap.add_argument("--train", type=Path, default=ROOT / "data" / "train" / "docs")
    ap.add_argument("--cables", type=Path, default=ROOT.parent / "shared" / "cables")
    ap.add_argument("--cables-limit", type=int, default=0, help="read only the first N cables (0: all)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "rule_hits")
    args = ap.parse_args()
    corpora = {"samples": texts_of(args.samples), "train": texts_of(args.train),
               "cables": texts_of(args.cables, args.cables_limit) if args.cables.is_dir() else []}
    print({k: len(v) for k, v in corpora.items()}, "documents", flush=True)
    hits = gazetteer_hits(corpora)
    joined = {k: "\n".join(v).lower() for k, v in corpora.items()}
    raw = {k: "\n".join(v) for k, v in corpora.items()}
    for source, word in word_entries():
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, word.lower().split())) + r"(?!\w)")
        hits[(source, word)] = Counter({k: len(pattern.findall(t)) for k, t in joined.items()})
    for source, pattern in regex_entries():
        hits[(source, pattern.pattern[:80])] = Counter({k: sum(1 for _ in pattern.finditer(t)) for k, t in raw.items()})
    args.out.mkdir(parents=True, exist_ok=True)
    rows = sorted(hits.items())
    with open(args.out / "hits.tsv", "w", encoding="utf-8") as f:
        f.write("source\tentry\tsamples\ttrain\tcables\n")
        for (source, entry), c in rows:
            f.write(f"{source}\t{entry}\t{c['samples']}\t{c['train']}\t{c['cables']}\n")
    only = [(s, e, c) for (s, e), c in rows if c["samples"] and not c["train"] and not c["cables"]]
    with open(args.out / "sample_only.md", "w", encoding="utf-8") as f:
        f.write("| source | entry | hits on the samples |\n|---|---|---|\n")
        for s, e, c in only:
            f.write(f"| {s} | {e} | {c['samples']} |\n")
    summary: dict[str, Counter] = defaultdict(Counter)
    for (source, _), c in rows:
        group = source.split(":")[0] + (":" + source.split(":")[1] if source.startswith("gazetteer") else "")
        summary[group]["entries"] += 1
        summary[group]["fire on samples"] += bool(c["samples"])
        summary[group]["samples only"] += bool(c["samples"] and not c["train"] and not c["cables"])
        summary[group]["never fire"] += not (c["samples"] or c["train"] or c["cables"])
    print("| source | entries | fire on samples | on samples only | fire nowhere |\n|---|---|---|---|---|")
    for group, c in sorted(summary.items()):
        print(f"| {group} | {c['entries']} | {c['fire on samples']} | {c['samples only']} | {c['never fire']} |")
    print(f"wrote {args.out / 'hits.tsv'} and {args.out / 'sample_only.md'} ({len(only)} entries fire on the samples only)")


if __name__ == "__main__":
    main()
