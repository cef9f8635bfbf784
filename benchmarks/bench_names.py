"""Names benchmark: native script against Latin spellings, and normalisation speed.

Run from the repository root: ``python benchmarks/bench_names.py`` (``--tune`` adds the
tuning slices). Reads the public transliteration pairs from ``../shared/data/transliteration``
(or ``$RFL_SHARED_DATA/transliteration``); skips with a message when they are absent.

Held out, never tuned on: ``google-ar2en-eval.txt``, and the rows of ``wd_arabic_80.tsv`` and
``wd_russian_80.tsv`` whose English token has ``crc32(token) % 5 == 0``. The other rows (and
``google-ar2en-train.txt``) are the tuning slices.

For each distinct (native, English) pair: the share whose two normalised forms share a
variant class, a skeleton key, a phonetic key, or any of them; the same on 10,000 seeded
random pairs whose English tokens differ; and the mean Jaro-Winkler similarity of the two
romanised forms. unidecode and anyascii, each followed by the same skeleton key, are the
baselines.
"""

from __future__ import annotations

import itertools
import os
import random
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from anyascii import anyascii
from rapidfuzz.distance import JaroWinkler
from unidecode import unidecode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable from a checkout without installing the package

from rfl_match.names import NameForm, normalize_names, skeleton_key  # noqa: E402

SEED = 20240611
RANDOM_PAIRS = 10_000
Pair = tuple[str, str]


def data_dir() -> Path:
    base = os.environ.get("RFL_SHARED_DATA")
    root = Path(base) if base else ROOT.parent / "shared" / "data"
    return root / "transliteration"


def held_out(english: str) -> bool:
    """The fixed rule that sets rows aside before any tuning."""
    return zlib.crc32(english.encode("utf-8")) % 5 == 0


def read_google(path: Path) -> list[Pair]:
    pairs = []
    for line in path.read_text("utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) >= 2 and cells[0] and cells[1]:
            pairs.append((cells[0], cells[1]))
    return sorted(set(pairs))


def read_wikidata(path: Path, *, keep_held_out: bool) -> list[Pair]:
    pairs = []
    for line in path.read_text("utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) < 2:
            continue
        english, native = cells[0], cells[1].replace(" ", "")
        if english and native and held_out(english) == keep_held_out:
            pairs.append((native, english))
    return sorted(set(pairs))


def shares(a: NameForm, b: NameForm) -> tuple[bool, bool, bool]:
    """(variant class, skeleton key, phonetic key) shared by any token of a and of b."""
    return (
        bool(set(a.variant_ids) & set(b.variant_ids)),
        bool(set(a.skeleton_keys) & set(b.skeleton_keys)),
        bool(set(a.phonetic_keys) & set(b.phonetic_keys)),
    )


def baseline_key(romanizer: Callable[[str], str], text: str) -> str:
    """The rfl_match skeleton key over another romaniser's output."""
    return skeleton_key("".join(c for c in romanizer(text).lower() if c.isalpha()))


def naive_key(romanizer: Callable[[str], str], text: str) -> str:
    """A plain consonant skeleton: letters without vowels (and y, w, h), repeats collapsed."""
    letters = [c for c in romanizer(text).lower() if c.isalpha() and c not in "aeiouywh"]
    return "".join(c for i, c in enumerate(letters) if i == 0 or letters[i - 1] != c)


def evaluate(name: str, pairs: list[Pair]) -> dict[str, float | str | int]:
    rng = random.Random(SEED)
    natives = normalize_names([p[0] for p in pairs])
    latins = normalize_names([p[1] for p in pairs])
    n = len(pairs)
    true = [shares(a, b) for a, b in zip(natives, latins, strict=True)]
    rand_idx = []
    while len(rand_idx) < RANDOM_PAIRS:
        i, j = rng.randrange(n), rng.randrange(n)
        if pairs[i][1] != pairs[j][1]:
            rand_idx.append((i, j))
    rand = [shares(natives[i], latins[j]) for i, j in rand_idx]
    jw = sum(JaroWinkler.similarity(a.text, b.text) for a, b in zip(natives, latins, strict=True))
    row: dict[str, float | str | int] = {"set": name, "pairs": n}
    for k, label in enumerate(("variant", "skeleton", "phonetic")):
        row[f"true_{label}"] = sum(t[k] for t in true) / n
        row[f"random_{label}"] = sum(r[k] for r in rand) / len(rand)
    row["true_any"] = sum(any(t) for t in true) / n
    row["random_any"] = sum(any(r) for r in rand) / len(rand)
    row["jw"] = jw / n
    for label, fn in (("unidecode", unidecode), ("anyascii", anyascii)):
        for kind, key in (("naive", naive_key), ("skel", baseline_key)):
            keys_n = [key(fn, p[0]) for p in pairs]
            keys_l = [key(fn, p[1]) for p in pairs]
            same = zip(keys_n, keys_l, strict=True)
            row[f"{label}_{kind}_true"] = sum(a == b != "" for a, b in same) / n
            row[f"{label}_{kind}_random"] = sum(
                keys_n[i] == keys_l[j] != "" for i, j in rand_idx
            ) / len(rand_idx)
        row[f"{label}_jw"] = (
            sum(JaroWinkler.similarity(fn(a).lower(), b.lower()) for a, b in pairs) / n
        )
    return row


def speed(
    pool: list[str], distinct: int = 200_000, total: int = 1_000_000
) -> tuple[float, float, int]:
    """Wall and CPU seconds to normalise `total` values holding `distinct` distinct names
    (cold caches). CPU time is the figure to read on a shared machine.

    Names are 2 to 4 tokens drawn from `pool` with Zipf-like frequencies (weight 1 / rank),
    as in a real name column where a few given names are very common and most are rare.
    """
    rng = random.Random(SEED)
    tokens = pool[:]
    rng.shuffle(tokens)
    cum_weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(tokens))))
    names: set[str] = set()
    while len(names) < distinct:
        size = rng.choice((2, 3, 3, 4))
        names.add(" ".join(rng.choices(tokens, cum_weights=cum_weights, k=size)))
    distinct_names = sorted(names)[:distinct]
    values = [distinct_names[int(rng.paretovariate(1.2)) % distinct] for _ in range(total)]
    values[:distinct] = distinct_names  # every distinct name occurs
    rng.shuffle(values)
    wall, cpu = time.perf_counter(), time.process_time()
    normalize_names(values)
    return time.perf_counter() - wall, time.process_time() - cpu, len(set(values))


def main(argv: list[str]) -> int:
    folder = data_dir()
    needed = ["google-ar2en-eval.txt", "wd_arabic_80.tsv", "wd_russian_80.tsv"]
    if not all((folder / f).exists() for f in needed):
        print(f"skip: transliteration data not found in {folder} (set RFL_SHARED_DATA)")
        return 0
    sets = {
        "arabic google eval": read_google(folder / "google-ar2en-eval.txt"),
        "arabic wikidata held-out": read_wikidata(folder / "wd_arabic_80.tsv", keep_held_out=True),
        "russian wikidata held-out": read_wikidata(
            folder / "wd_russian_80.tsv", keep_held_out=True
        ),
    }
    if "--tune" in argv:
        sets = {
            "arabic google train (tuning)": [
                (a, b) for a, b in read_google(folder / "google-ar2en-train.txt")
            ],
            "arabic wikidata (tuning)": read_wikidata(
                folder / "wd_arabic_80.tsv", keep_held_out=False
            ),
            "russian wikidata (tuning)": read_wikidata(
                folder / "wd_russian_80.tsv", keep_held_out=False
            ),
        }
    pool = sorted({t for pairs in sets.values() for p in pairs for t in p})
    if "--no-speed" not in argv:
        start = time.process_time()
        sum(range(10_000_000))  # calibration: about 0.15 s CPU on a recent laptop core
        calibration = time.process_time() - start
        wall, cpu, n_distinct = speed(pool)
        print(
            f"speed: 1,000,000 values / {n_distinct:,} distinct: {cpu:.2f} s CPU, {wall:.2f} s "
            f"wall, one core (calibration loop: {calibration:.2f} s CPU)"
        )
    results = [evaluate(name, pairs) for name, pairs in sets.items()]
    print("\nrfl_match (share of pairs whose two forms share a class or key; JW of the texts)")
    print("| set | pairs | true: class / skeleton / phonetic / **any** | random: any | JW |")
    print("|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['set']} | {r['pairs']:,} "
            f"| {r['true_variant']:.1%} / {r['true_skeleton']:.1%} / {r['true_phonetic']:.1%}"
            f" / **{r['true_any']:.1%}** | {r['random_any']:.2%} | {r['jw']:.3f} |"
        )
    print("\nbaselines (true / random share of an equal key; JW of the romanised texts)")
    print("| set | romaniser | plain consonant skeleton | rfl_match skeleton over it | JW |")
    print("|---|---|---|---|---|")
    for r in results:
        for label in ("unidecode", "anyascii"):
            print(
                f"| {r['set']} | {label} "
                f"| {r[f'{label}_naive_true']:.1%} / {r[f'{label}_naive_random']:.2%} "
                f"| {r[f'{label}_skel_true']:.1%} / {r[f'{label}_skel_random']:.2%} "
                f"| {r[f'{label}_jw']:.3f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
