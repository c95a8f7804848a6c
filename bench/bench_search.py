"""Benchmark of the look-up kiosk's procedure search on a 2,000-procedure catalog.

A catalog of `--procedures` made-up procedures (names and documents from the words of real
commune procedures, in every field) is written as CSV and imported with the real importer
into a database file (WAL, as on the box). Then each kind of query a citizen types is run
`--queries` times through `ProcedureSearch`, the code behind ``GET /api/v1/procedures``:

* **accents**: three words of a name, with their marks;
* **no accents**: the same without marks;
* **typing**: two words and the first letters of a third (the prefix path);
* **any order**: the three words reversed;
* **typo**: one letter of a word changed (the correction path, rapidfuzz);
* **merged**: two words typed without the space (the name-likeness path);
* **code**, **document word**, **empty** (the field listing), **10k chars**, **syntax**
  (``"*NEAR(-:``), **nothing** (letters that match nothing).

Times are in-process (no HTTP), ``time.perf_counter``; the table gives p50, p95 and the
longest in milliseconds, and the share of queries whose intended procedure came first.

Run on demand: ``python -m bench.bench_search`` (``--procedures 2000 --queries 200``).
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from queue_core.config import load_settings  # noqa: E402
from queue_core.domain.catalog import COLUMNS, plain  # noqa: E402
from queue_core.service.catalog import Catalog  # noqa: E402
from queue_core.service.search import ProcedureSearch  # noqa: E402
from queue_core.storage import Store  # noqa: E402

ACTIONS = ["Đăng ký", "Cấp", "Cấp lại", "Cấp đổi", "Xác nhận", "Thay đổi", "Điều chỉnh",
           "Gia hạn", "Chứng thực", "Hỗ trợ", "Trợ cấp", "Thu hồi", "Công nhận", "Giải quyết"]
OBJECTS = ["khai sinh", "kết hôn", "khai tử", "giám hộ", "nhận cha mẹ con", "hộ kinh doanh",
           "giấy phép xây dựng", "quyền sử dụng đất", "tình trạng hôn nhân", "thông tin cư trú",
           "trích lục hộ tịch", "chữ ký", "bản sao từ bản chính", "hợp đồng giao dịch",
           "người có công", "trợ giúp xã hội", "mai táng phí", "hộ nghèo", "thẻ bảo hiểm y tế",
           "học bổng chính sách", "giấy phép kinh doanh rượu", "biển hiệu quảng cáo",
           "nhà ở riêng lẻ", "đăng ký tạm trú", "lễ hội truyền thống", "câu lạc bộ thể thao",
           "gia đình văn hóa", "tổ hợp tác", "chăn nuôi gia súc", "khai thác thủy sản"]
QUALIFIERS = ["", "cho người nước ngoài", "có yếu tố nước ngoài", "lưu động", "lần đầu",
              "trong trường hợp bị mất", "cho trẻ em dưới 6 tuổi", "cho người cao tuổi",
              "tại nơi cư trú", "theo yêu cầu", "đối với hộ gia đình", "đối với cá nhân"]
DOCUMENTS = ["Tờ khai theo mẫu", "Giấy tờ tùy thân", "Bản sao giấy khai sinh",
             "Giấy chứng nhận quyền sử dụng đất", "Biên bản xác minh", "Đơn đề nghị",
             "Giấy ủy quyền", "Bản vẽ thiết kế", "Hợp đồng thuê nhà", "Giấy báo tử",
             "Giấy chứng sinh", "Quyết định ly hôn", "Sổ hộ nghèo", "Giấy xác nhận khuyết tật",
             "Hóa đơn nộp lệ phí", "Ảnh chân dung 4x6", "Văn bản thỏa thuận của các bên"]
FIELDS = "ABCDEF"


def make_catalog(path: Path, count: int, rng: random.Random) -> list[dict[str, str]]:
    """Write `count` made-up procedures as a catalog CSV; return the rows."""
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    while len(rows) < count:
        name = " ".join(filter(None, [rng.choice(ACTIONS), rng.choice(OBJECTS),
                                      rng.choice(QUALIFIERS)]))
        if name in seen:
            name = f"{name} (mẫu {len(rows)})"
        seen.add(name)
        rows.append({"code": f"{rng.randint(1, 2)}.{len(rows):06d}", "name": name,
                     "service": rng.choice(FIELDS), "level": "Cấp xã",
                     "deadline": f"{rng.randint(1, 20)} ngày làm việc", "fee": "Miễn phí",
                     "documents": "\n".join(rng.sample(DOCUMENTS, 4)),
                     "legal_basis": "Nghị định số 123/2015/NĐ-CP", "forms": ""})
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return rows


def typo(word: str, rng: random.Random) -> str:
    """Change one letter of a word (never its first, as people rarely miss that one)."""
    if len(word) < 4:
        return word
    at = rng.randrange(1, len(word))
    return word[:at] + rng.choice("aeioutnhcg") + word[at + 1:]


def queries(rows: list[dict[str, str]], rng: random.Random,
            n: int) -> dict[str, list[tuple[str, str | None]]]:
    """Return, per kind, n (query, the code expected first or None)."""
    kinds: dict[str, list[tuple[str, str | None]]] = {k: [] for k in (
        "accents", "no accents", "typing", "any order", "typo", "merged", "code",
        "document word", "empty", "10k chars", "syntax", "nothing")}
    for _ in range(n):
        row = rng.choice(rows)
        words = row["name"].split()
        start = rng.randrange(0, max(1, len(words) - 2))
        three = words[start:start + 3]
        kinds["accents"].append((" ".join(three), None))
        kinds["no accents"].append((plain(" ".join(three)), None))
        kinds["typing"].append((" ".join(three[:2] + [three[-1][:2]]), None))
        kinds["any order"].append((" ".join(reversed(three)), None))
        long_words = [w for w in words if len(w) >= 5] or words
        chosen = rng.choice(long_words)
        kinds["typo"].append((plain(row["name"]).replace(plain(chosen), typo(plain(chosen), rng), 1),
                              row["code"]))
        kinds["merged"].append((plain(" ".join(words[:2])).replace(" ", "") + " "
                                + plain(" ".join(words[2:])), row["code"]))
        kinds["code"].append((row["code"], row["code"]))
        kinds["document word"].append((rng.choice(row["documents"].split("\n")).split()[-1], None))
        kinds["empty"].append(("", None))
        kinds["10k chars"].append((rng.choice("abc ") * 10_000, None))
        kinds["syntax"].append(('"*NEAR(' + rng.choice(words) + ' -:', None))
        kinds["nothing"].append(("".join(rng.choice("qwzxj") for _ in range(8)), None))
    return kinds


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    answer = run()
    return time.perf_counter() - started, answer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--procedures", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=200, help="per kind of query")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results-search.json"))
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-search-") as temp:
        folder = Path(temp)
        rows = make_catalog(folder / "catalog.csv", args.procedures, rng)
        settings = load_settings(env={"XEPHANG_DATA_DIR": str(folder / "var"),
                                      "XEPHANG_LOOKUP_SAMPLE_CATALOG": "false"})
        store = Store.in_data_dir(settings.data_path)
        catalog = Catalog(store, settings, forms_dir=settings.data_path / "forms",
                          now=lambda: __import__("datetime").datetime.now())
        seconds, _ = timed(lambda: catalog.import_file(folder / "catalog.csv", actor="bench"))
        search = ProcedureSearch(catalog)
        search.search("khai sinh")  # the first search reads the words and names once
        results: dict[str, Any] = {"machine": platform.platform(), "procedures": len(rows),
                                   "import_ms": seconds * 1000, "kinds": {}}
        print(f"catalog: {len(rows)} procedures imported in {seconds * 1000:.0f} ms\n")
        print(f"{'query kind':<15} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
              f"{'found':>6} {'first':>6}")
        for kind, items in queries(rows, rng, args.queries).items():
            times, found, first = [], 0, 0
            for query, expected in items:
                took, answer = timed(lambda q=query: search.search(q, limit=20))
                times.append(took)
                found += bool(answer)
                if expected is not None and answer and answer[0]["code"] == expected:
                    first += 1
            expected_count = sum(1 for _, e in items if e is not None)
            share = f"{first / expected_count:.0%}" if expected_count else "–"
            results["kinds"][kind] = {
                "n": len(times), "p50_ms": percentile(times, .5) * 1000,
                "p95_ms": percentile(times, .95) * 1000, "max_ms": max(times) * 1000,
                "found_share": found / len(times),
                "first_share": first / expected_count if expected_count else None}
            row = results["kinds"][kind]
            print(f"{kind:<15} {len(times):>5} {row['p50_ms']:>8.2f} {row['p95_ms']:>8.2f} "
                  f"{row['max_ms']:>8.2f} {found / len(times):>6.0%} {share:>6}")
        store.close()
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
