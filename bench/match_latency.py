"""Match latency at a small and a large number of stored customers, and the ratio between them.

Issue requirement: match latency at 10,000 and at 1,000,000 stored customers, the ratio printed;
target <= 2x (index-backed lookups, no scans).

What is timed is the read path of ``services.profile.filing.file_inquiry``, with the real code:

    keys = match_keys(inquiry)
    holders = Customers(db).holders_of(keys)        # one find({"_id": {"$in": [...]}}) on customer_keys
    similar = None if holders else most_similar_name(customers, matching, inquiry)
                                                    # Customers.in_name_blocks: one aggregate (from an
                                                    # empty collection, document_store.union_of) with a
                                                    # $unionWith of customer_terms, $match({"term":
                                                    # block}), per block of matching.typo_blocks (the
                                                    # name's own, and up to six more a slip among its
                                                    # first letters would have moved it out of),
                                                    # whose documents carry the company name and its
                                                    # folded words (the archives are not read, nor their
                                                    # names folded again)
    # one holder and a company name: the block is read too (filing.misspelt_archive_pair); the hits
    # below state no company, so they do not

against the embedded document store (``deploy.docstore.Docstore``, nx-27017: MongoDB wire protocol
over SQLite), through one pymongo client, for three kinds of inquiry:

- hit:   a later inquiry from a stored customer (same email or phone): found by its keys;
- miss:  a company nobody stored: no key holder, so its name blocks are read as well;
- typo:  a stored company under a misspelt name from a new address: found only by name similarity.

Each size gets its own database (``bench_<n>``), loaded with customers 0..n-1 (the small one is a
prefix of the large one): per customer the archive ``open_archive`` writes (with an owner and a
created_at spread over three years), the key documents ``claim_keys`` writes for the keys
``match_keys`` finds (code, email, phone, email_domain, website, company; ~4-5 per customer) and
the term documents ``Customers.index_terms`` writes (the name block, with the name and its words).
Company names are built from syllables (and, for China, city + characters) so that name blocks
(country + first four letters) spread over tens of thousands of prefixes, as real names do.

Indexes (``Customers.ensure_indexes``) are created after loading: measured at 100,000 customers,
bulk inserts into unindexed collections and one CREATE INDEX per index afterwards were faster than
inserting into indexed collections (see NOTES below for the figures).

After the timed runs, each size also probes ``in_name_block`` with the terms' index dropped
(``--no-scan-probe`` skips this): it shows what the lookup costs when nx-27017 cannot use an
index for it, and whether it then returns the archives it should.

    .venv/bin/python bench/match_latency.py                       # 10,000 and 1,000,000
    .venv/bin/python bench/match_latency.py --large 100000        # quick run
    .venv/bin/python bench/match_latency.py --small 10000 --large 1000000 --lookups 500 --seed 7

NOTES (measured in this sandbox, 2 CPUs; see the report printed by the script for the run's own figures)

- nx-27017 0.8.1 / neosqlite 1.17.2 has no multikey indexes: ``{"name_blocks": block}`` on an
  indexed array field is translated to ``json_extract(data, '$.name_blocks') = ?``, which compares
  the whole array with the string and never matches; without the index it is an EXISTS over
  json_each() of every document, a full scan. So the profile store keeps one scalar term document
  per (name block, archive) in ``customer_terms`` and looks blocks up through its ``term`` index,
  which both nx-27017 and MongoDB serve from an index.
- ``holders_of`` (``_id`` $in on customer_keys) uses the unique index on the ``_id`` column.
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pymongo import MongoClient  # noqa: E402
from pymongo.errors import BulkWriteError  # noqa: E402
from stdnum.cn import uscc  # noqa: E402

from bench.loading import Progress, generated  # noqa: E402
from deploy.docstore import Docstore, free_port  # noqa: E402
from services.profile.domain.archive import open_archive  # noqa: E402
from services.profile.domain.matching import match_keys, name_block  # noqa: E402
from services.profile.filing import most_similar_name  # noqa: E402
from services.profile.settings import MatchingSettingsSchema  # noqa: E402
from services.profile.store import DUPLICATE_KEY, Customers, term_documents  # noqa: E402

TARGET_RATIO = 2.0
NOW = datetime(2025, 6, 1, tzinfo=UTC)
OWNERS = [f"sales_{i:02d}" for i in range(40)]

# Latin company names: two or three syllables, then a trade; ~1,500 syllables give the first word
# (and so the 4-letter block) thousands of different beginnings per country.
ONSETS = [
    "b",
    "br",
    "c",
    "ch",
    "d",
    "dr",
    "f",
    "fl",
    "g",
    "gr",
    "h",
    "j",
    "k",
    "kr",
    "l",
    "m",
    "n",
    "p",
    "pr",
    "r",
    "s",
    "sh",
    "st",
    "t",
    "tr",
    "v",
    "w",
    "z",
]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ei", "ou", "y"]
CODAS = ["", "", "n", "r", "l", "s", "x", "m", "nd", "rt"]
TRADES = [
    "Trading",
    "Imports",
    "Supplies",
    "Lighting",
    "Tools",
    "Textiles",
    "Electronics",
    "Furniture",
    "Packaging",
    "Machinery",
    "Plastics",
    "Foods",
    "Logistics",
    "Hardware",
    "Ceramics",
    "Industries",
    "Systems",
    "Components",
    "Solutions",
    "Group",
]
SUFFIXES = {
    "DE": ["GmbH", "GmbH & Co. KG", "AG"],
    "US": ["Inc.", "LLC", "Corp."],
    "GB": ["Ltd", "Limited", "PLC"],
    "FR": ["SARL", "SA", "SAS"],
    "PL": ["Sp. z o.o.", "S.A."],
}
COUNTRIES = ["DE", "US", "GB", "FR", "PL", "CN", "CN"]
TLD = {"DE": "de", "US": "com", "GB": "co.uk", "FR": "fr", "PL": "pl", "CN": "com.cn"}
DIAL = {
    "DE": ("49", "30", 7),
    "US": ("1", "212", 7),
    "GB": ("44", "20", 8),
    "FR": ("33", "1", 8),
    "PL": ("48", "22", 7),
    "CN": ("86", "138", 8),
}
CN_CITIES = [
    "广州",
    "深圳",
    "上海",
    "宁波",
    "义乌",
    "东莞",
    "佛山",
    "厦门",
    "苏州",
    "杭州",
    "青岛",
    "天津",
    "温州",
    "台州",
    "中山",
    "珠海",
    "无锡",
    "常州",
    "南通",
    "泉州",
    "福州",
    "长沙",
    "武汉",
    "成都",
    "重庆",
    "西安",
    "郑州",
    "济南",
    "合肥",
    "南京",
]
CN_CHARS = list("华贸电达兴盛恒丰国机纺织隆鑫源通泰安宏伟建新科创金银龙凤顺昌荣鼎辉明光海天宇星瑞祥富嘉诚信德利航")
CN_TRADES = ["贸易", "电子", "照明", "机械", "纺织", "科技", "五金", "塑料", "包装", "家具", "陶瓷", "实业"]
CN_SUFFIXES = ["有限公司", "股份有限公司", "有限责任公司", "公司"]
FREE_MAIL = ["gmail.com", "qq.com", "163.com", "outlook.com", "yahoo.com", "126.com", "hotmail.com"]
FIRST_NAMES = [
    "anna",
    "ben",
    "carla",
    "dmitri",
    "eva",
    "felix",
    "grace",
    "hans",
    "ines",
    "jan",
    "kai",
    "lena",
    "li",
    "wang",
    "zhang",
    "chen",
    "liu",
    "mike",
    "nina",
    "omar",
    "paul",
    "rosa",
    "sam",
    "tom",
    "yuki",
]
CHANNELS = ["website_form", "google_ads", "alibaba", "made_in_china", "trade_show", "email", "whatsapp", "linkedin"]
MESSAGES = [
    "Need 500 pcs, please quote",
    "Please send price for 2,000 units, delivery to Hamburg",
    "Looking for a supplier of LED panels, 1,200 pcs per month",
    "",
    "We need samples first. Special requirement: CE certificate",
]
GRADE = {"grade": "B", "reasons": ["states a quantity"], "rule": "quantity"}


# ---------------------------------------------------------------- generated customers


def company(n, seed):
    """Customer ``n``'s company: the same for one (n, seed) in every run and every process."""
    rng = random.Random(seed * 1_000_000_007 + n)
    country = rng.choice(COUNTRIES)
    if country == "CN":
        chars = "".join(rng.sample(CN_CHARS, rng.choice((2, 2, 3))))
        name = rng.choice(CN_CITIES) + chars + rng.choice(CN_TRADES)
        slug = f"{rng.choice(['hua', 'xin', 'long', 'sheng', 'da', 'feng', 'tai', 'hong'])}tech"
    else:
        word = "".join(
            rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(rng.choice((2, 2, 3)))
        )
        name = f"{word.title()} {rng.choice(TRADES)}"
        slug = word[:12]
    digits = DIAL[country][2]
    first = rng.randrange(2, 10) if country == "US" else rng.randrange(1, 10)
    phone = str(first) + "".join(str(rng.randrange(10)) for _ in range(digits - 1))
    return {
        "n": n,
        "country": country,
        "name": name,
        "domain": f"{slug}{n}.{TLD[country]}",
        "phone": phone,
        "code": _uscc(rng) if country == "CN" and rng.random() < 0.5 else None,
        "person": rng.choice(FIRST_NAMES),
        "free_mail": rng.random() < 0.3,
        "rng": rng,
    }


def _uscc(rng):
    body = (
        "91"
        + "".join(rng.choice("0123456789") for _ in range(6))
        + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    )
    return body + uscc.calc_check_digit(body)


def legal_name(firm, rng):
    if firm["country"] == "CN":
        return firm["name"] + rng.choice(CN_SUFFIXES)
    return f"{firm['name']} {rng.choice(SUFFIXES[firm['country']])}"


def email_of(firm):
    person, n = firm["person"], firm["n"]
    if firm["free_mail"]:
        return f"{person}.{n}@{FREE_MAIL[n % len(FREE_MAIL)]}"
    return f"{person}@{firm['domain']}"


def phone_of(firm, international):
    code, area, _ = DIAL[firm["country"]]
    if international:
        return f"+{code} {area} {firm['phone']}"
    return f"{'0' if firm['country'] not in ('US', 'CN') else ''}{area} {firm['phone']}"


def first_inquiry(firm):
    """The inquiry that opened the customer's archive (its country an ISO code: its own country_code,
    as profile recognises it before filing)."""
    rng = firm["rng"]
    contact = {"name": firm["person"].title(), "email": email_of(firm)}
    if rng.random() < 0.8:
        contact["phone"] = phone_of(firm, rng.random() < 0.5)
    inquiry = {
        "schema_version": 1,
        "channel": rng.choice(CHANNELS),
        "contact": contact,
        "country": firm["country"],
        "country_code": firm["country"],
        "company": legal_name(firm, rng),
        "message": rng.choice(MESSAGES),
        "city": None,
    }
    if rng.random() < 0.6:
        inquiry["website"] = f"https://www.{firm['domain']}/"
    if firm["code"]:
        inquiry["registration_code"] = firm["code"]
    return inquiry


def customer_documents(n, seed):
    """(archive, key documents, term documents) exactly as filing writes them for customer ``n``."""
    firm = company(n, seed)
    inquiry = first_inquiry(firm)
    rng = firm["rng"]
    created = NOW - timedelta(seconds=rng.randrange(3 * 365 * 86400))
    customer_id = f"cus_{n:08d}"
    archive = open_archive(customer_id, f"inq_{n:08d}", inquiry, GRADE, None, created)
    if rng.random() < 0.85:
        archive["owner_id"] = rng.choice(OWNERS)
    keys = match_keys(inquiry)
    return (
        archive,
        [{"_id": f"{kind}:{value}", "customer_id": customer_id} for kind, value in keys.items()],
        term_documents(archive),
    )


def typo(text, rng):
    """A dropped, swapped or doubled letter after the fourth, so the name stays in its block."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    i = rng.choice(letters[5:-1] or letters[-1:])
    kind = rng.random()
    if kind < 0.4:
        return text[:i] + text[i + 1 :]
    if kind < 0.7 and i + 1 < len(text) and text[i + 1].isalpha() and text[i + 1] != text[i]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i] + text[i:]


def lookup_inquiries(kind, count, stored, seed, rng):
    """(inquiry, expected customer id or None) for ``count`` lookups of one kind."""
    out = []
    for _ in range(count):
        if kind == "miss":
            firm = company(10**9 + rng.randrange(10**8), seed)  # never stored
            out.append(
                (
                    {
                        "schema_version": 1,
                        "channel": "website_form",
                        "country": firm["country"],
                        "country_code": firm["country"],
                        "company": legal_name(firm, rng),
                        "contact": {"name": "Buyer", "email": f"buyer{rng.randrange(10**9)}@new-{firm['domain']}"},
                    },
                    None,
                )
            )
            continue
        n = rng.randrange(stored)
        firm = company(n, seed)
        if kind == "hit":
            # A later inquiry from the customer: its address (in another case), or its phone.
            contact = {"name": "Buyer"}
            had_phone = "phone" in match_keys(first_inquiry(firm))  # stored as a key
            if not had_phone or rng.random() < 0.5:
                contact["email"] = email_of(firm).upper()
            else:
                contact["phone"] = phone_of(firm, rng.random() < 0.5)
                contact["email"] = f"someone{rng.randrange(10**9)}@gmail.com"
            inquiry = {
                "schema_version": 1,
                "channel": "email",
                "country": firm["country"],
                "country_code": firm["country"],
                "contact": contact,
            }
        else:  # typo: only the (misspelt) name connects it to the archive
            name = firm["name"] if firm["country"] == "CN" else typo(firm["name"], rng)
            if firm["country"] == "CN":
                name = name[:-1] + "X" + name[-1:] if rng.random() < 0.5 else name + "厂"
            inquiry = {
                "schema_version": 1,
                "channel": "website_form",
                "country": firm["country"],
                "country_code": firm["country"],
                "company": legal_name(dict(firm, name=name), rng),
                "contact": {"name": "Buyer", "email": f"buyer{rng.randrange(10**9)}@qq.com"},
            }
        out.append((inquiry, f"cus_{n:08d}"))
    return out


# ---------------------------------------------------------------- loading


def generate_batch(start, stop, seed):
    """Archives, key and term documents of customers start..stop-1 (run in a worker process)."""
    archives, keys, terms = [], [], []
    for n in range(start, stop):
        archive, key_docs, term_docs = customer_documents(n, seed)
        archives.append(archive)
        keys.extend(key_docs)
        terms.extend(term_docs)
    return archives, keys, terms


def load(db, count, seed, batch, workers, label):
    """Insert customers 0..count-1 (archives and keys); return (seconds, key docs stored).

    Generation (the real normalising is ~1 ms per customer) runs in worker processes while this
    one encodes and inserts (``bench.loading.generated``).
    """
    key_docs = duplicates = 0
    progress = Progress(count, label, "customers")
    for archives, keys, terms in generated(generate_batch, count, batch, workers, seed):
        db.customers.insert_many(archives, ordered=False)
        db.customer_terms.insert_many(terms, ordered=False)
        try:
            db.customer_keys.insert_many(keys, ordered=False)
        except BulkWriteError as error:
            # Two generated companies with one name (or phone) share a key: the first keeps
            # it, as claim_keys does.
            errors = error.details["writeErrors"]
            if any(e["code"] != DUPLICATE_KEY for e in errors):
                raise
            duplicates += len(errors)
        key_docs += len(keys)
        progress.add(len(archives), f", {key_docs - duplicates:,} key docs")
    return progress.seconds, key_docs - duplicates


# ---------------------------------------------------------------- timing


def match(customers, matching, inquiry):
    """The read path of file_inquiry: key holders, else the one similar name (with one holder and a
    company name, its block is read too: an archive under a misspelling of it may be linked; none of
    the hits here states a company)."""
    holders = customers.holders_of(match_keys(inquiry))
    similar = None if holders else most_similar_name(customers, matching, inquiry)
    if len(set(holders.values())) == 1 and inquiry.get("company"):
        most_similar_name(customers, matching, inquiry, exclude=next(iter(holders.values())))
    return holders, similar


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def time_lookups(customers, matching, lookups):
    """{kind: [ms per lookup]} and {kind: correct count}, lookups interleaved across kinds."""
    timings, correct = {}, {}
    for kind, inquiry, expected in lookups:
        started = time.perf_counter()
        holders, similar = match(customers, matching, inquiry)
        timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        found = similar if similar else (next(iter(dict.fromkeys(holders.values())), None) if holders else None)
        correct[kind] = correct.get(kind, 0) + (found == expected)
    return timings, correct


def scan_probe(db, customers, matching, lookups, probes):
    """in_name_block with the terms' index dropped, then restored: (ms per lookup, archives found per block)."""
    names = [index["name"] for index in db.customer_terms.list_indexes() if "term" in index["key"]]
    for name in names:
        db.customer_terms.drop_index(name)
    timings, found_sizes = [], []
    try:
        for _kind, inquiry, _ in lookups[:probes]:
            block = name_block(inquiry.get("company"), inquiry.get("country_code"))
            started = time.perf_counter()
            found = customers.in_name_block(block, matching["max_name_block"])
            timings.append((time.perf_counter() - started) * 1000)
            found_sizes.append(len(found))
    finally:
        customers.ensure_indexes()
    return timings, found_sizes


def measure(client, size, args, matching, rng):
    db = client[f"bench_{size}"]
    customers = Customers(db)
    print(f"\n== {size:,} stored customers", flush=True)
    elapsed, key_docs = load(db, size, args.seed, args.batch, args.workers, f"{size:,}")
    started = time.perf_counter()
    # After the load: cheaper than keeping six indexes up to date through every bulk insert.
    customers.ensure_indexes()
    index_seconds = time.perf_counter() - started
    archives = db.customers.estimated_document_count()
    keys = db.customer_keys.estimated_document_count()
    print(
        f"  stored: {archives:,} archives, {keys:,} key docs; load {elapsed:,.1f} s "
        f"({size / elapsed:,.0f} customers/s, {(size + key_docs) / elapsed:,.0f} docs/s), "
        f"ensure_indexes {index_seconds:,.1f} s",
        flush=True,
    )
    kinds = ("hit", "miss", "typo")
    warm = [(kind, *pair) for kind in kinds for pair in lookup_inquiries(kind, args.warmup, size, args.seed, rng)]
    timed = [(kind, *pair) for kind in kinds for pair in lookup_inquiries(kind, args.lookups, size, args.seed, rng)]
    rng.shuffle(timed)
    time_lookups(customers, matching, warm)
    timings, correct = time_lookups(customers, matching, timed)
    result = {
        "size": size,
        "archives": archives,
        "keys": keys,
        "load_seconds": elapsed,
        "timings": timings,
        "correct": correct,
    }
    for kind in kinds:
        values = timings[kind]
        print(
            f"  {kind:<5} n={len(values):>5}  median {statistics.median(values):7.3f} ms  "
            f"p95 {percentile(values, 0.95):7.3f} ms  matched as expected {correct[kind]}/{len(values)}"
        )
    every = [v for kind in kinds for v in timings[kind]]
    print(
        f"  all   n={len(every):>5}  median {statistics.median(every):7.3f} ms  p95 {percentile(every, 0.95):7.3f} ms"
    )
    if args.scan_probes:
        # Typo lookups: each one's block holds at least the archive it misspells.
        typos = [item for item in timed if item[0] == "typo"]
        probe, sizes = scan_probe(db, customers, matching, typos, args.scan_probes)
        result["probe"] = probe
        print(
            f"  in_name_block WITHOUT the terms index: median {statistics.median(probe):8.1f} ms, "
            f"p95 {percentile(probe, 0.95):8.1f} ms; {sum(1 for n in sizes if n)}/{len(sizes)} blocks returned "
            f"archives (mean {statistics.mean(sizes):.1f}, max {max(sizes)} per block)"
        )
    if args.drop:
        client.drop_database(db.name)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=500, help="timed lookups per kind (hit, miss, typo) and size")
    parser.add_argument("--warmup", type=int, default=50, help="untimed lookups per kind before timing")
    parser.add_argument("--batch", type=int, default=5_000, help="customers per insert_many")
    parser.add_argument(
        "--workers",
        type=int,
        default=max(1, (os.cpu_count() or 2) - 1),
        help="processes generating customers while loading",
    )
    parser.add_argument(
        "--scan-probes", type=int, default=20, help="name-block lookups timed with the terms index dropped (0: skip)"
    )
    parser.add_argument("--no-scan-probe", dest="scan_probes", action="store_const", const=0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", dest="drop", action="store_false", help="keep each database after measuring it")
    args = parser.parse_args(argv)
    matching = MatchingSettingsSchema().load(
        {
            "min_name_similarity": 80,
            "max_name_block": 200,
            "merge_name_similarity": 90,
            "min_word_similarity": 75,
            "typo_phone_prefix_digits": 7,
        }
    )
    rng = random.Random(args.seed)
    data_dir = Path(tempfile.mkdtemp(prefix="baton-match-latency-"))
    results = []
    try:
        with Docstore(data_dir, port=free_port(), log_file=data_dir / "docstore.log") as store:
            client = MongoClient(store.uri())
            print(f"document store: nx-27017 at {store.uri()} in {data_dir}")
            for size in (args.small, args.large):
                results.append(measure(client, size, args, matching, rng))
            client.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    small, large = results
    print(f"\n== ratio {large['archives']:,} / {small['archives']:,} stored customers (target <= {TARGET_RATIO:g}x)")
    worst = 0.0
    for kind in ("hit", "miss", "typo"):
        a, b = small["timings"][kind], large["timings"][kind]
        median_ratio = statistics.median(b) / statistics.median(a)
        p95_ratio = percentile(b, 0.95) / percentile(a, 0.95)
        worst = max(worst, median_ratio)
        print(f"  {kind:<5} median {median_ratio:5.2f}x   p95 {p95_ratio:5.2f}x")
    every_small = [v for values in small["timings"].values() for v in values]
    every_large = [v for values in large["timings"].values() for v in values]
    overall = statistics.median(every_large) / statistics.median(every_small)
    print(f"  all   median {overall:5.2f}x   p95 {percentile(every_large, 0.95) / percentile(every_small, 0.95):5.2f}x")
    verdict = "PASS" if max(worst, overall) <= TARGET_RATIO else "FAIL"
    print(f"  latency {verdict}: worst median ratio {max(worst, overall):.2f}x")
    if "probe" in small and "probe" in large:
        ratio = statistics.median(large["probe"]) / statistics.median(small["probe"])
        print(
            f"  in_name_block without its index: median {ratio:.1f}x for "
            f"{large['archives'] / small['archives']:.0f}x the archives (a scan)"
        )
    typo_found = small["correct"]["typo"] + large["correct"]["typo"]
    typo_total = len(small["timings"]["typo"]) + len(large["timings"]["typo"])
    if typo_found < typo_total / 2:
        print(
            f"  WARNING: only {typo_found}/{typo_total} typo lookups found their archive: name-block lookups\n"
            "  are not finding what they should, so the miss and typo figures above mean little."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
