"""The shared scorer's figures (../shared/tools/score.py), reimplemented for the held-out sets.

In: parse records by file stem and gold annotations by file stem. Out: the scorer's figures
(meta, speaker precision/recall, role, kind, direct count, entity recall/precision, tweets),
so the held-out tests still measure something where ../shared is absent.
"""
from __future__ import annotations

import datetime
import json
import pathlib
import subprocess
import sys


def same_name(g: str, p: str, aliases=()) -> bool:
    if g == p or g in aliases:
        return True
    return min(len(g), len(p)) >= 2 and (g in p or p in g) and abs(len(g) - len(p)) <= 2


def role_ok(g, p) -> bool:
    if not g:
        return True
    if not p:
        return False
    if g in p or p in g:
        return True
    return sum(1 for ch in set(g) if ch in p) / len(set(g)) >= 0.7


def minimal_figures(records: dict[str, dict], golds: dict[str, dict]) -> dict[str, float]:
    """The shared scorer's figures, reimplemented for when ../shared/tools/score.py is absent."""
    f = {k: [0, 0] for k in ["meta", "sp_pred", "sp_gold", "role", "kind", "direct",
                             "ent_rec", "ent_prec", "tw_rec", "tw_exact"]}
    for stem, g in golds.items():
        r = records.get(stem) or {}
        if "error" in r:
            r = {}
        iso = datetime.datetime.fromtimestamp(g["published_ms"] / 1000, datetime.timezone.utc
                                              ).strftime("%Y-%m-%dT%H:%M:%S")
        for ok in [r.get("url") == g["url"], (r.get("title") or "").strip() == g["title"].strip(),
                   str(r.get("published") or "").startswith(iso), r.get("script") == g["script"]]:
            f["meta"][0] += ok
            f["meta"][1] += 1
        ps = [s for s in r.get("speakers", []) if s.get("quotes")]
        used = set()
        for gs in g["speakers"]:
            m = next((i for i, s in enumerate(ps) if i not in used
                      and same_name(gs["name"], s["name"], s.get("aliases", []))), None)
            if m is None:
                continue
            used.add(m)
            s = ps[m]
            f["role"][0] += role_ok(gs.get("role"), s.get("role"))
            f["kind"][0] += gs["kind"] == s.get("kind")
            f["direct"][0] += sum(bool(q.get("direct")) for q in s["quotes"]) == gs["direct_quotes"]
            for k in ("role", "kind", "direct"):
                f[k][1] += 1
        f["sp_pred"] = [f["sp_pred"][0] + len(used), f["sp_pred"][1] + len(ps)]
        f["sp_gold"] = [f["sp_gold"][0] + len(used), f["sp_gold"][1] + len(g["speakers"])]
        ents = r.get("entities", [])
        allgold = {n for t in ("person", "place", "org") for n in g["entities"].get(t, [])}
        for t in ("person", "place", "org"):
            gl = g["entities"].get(t, [])
            pl = [e for e in ents if e.get("type") == t]
            for n in gl:
                f["ent_rec"][0] += any(same_name(n, e["name"], e.get("aliases", []))
                                       for e in pl[: 2 * len(gl)])
                f["ent_rec"][1] += 1
            for e in pl[: len(gl)]:
                f["ent_prec"][0] += any(same_name(n, e["name"], e.get("aliases", []))
                                        for n in allgold)
                f["ent_prec"][1] += 1
        soc = {str(s.get("post_id") or s.get("status_id")): s for s in r.get("social", [])}
        for t in g["tweets"]:
            s = soc.get(t["status_id"])
            f["tw_rec"][0] += s is not None
            f["tw_exact"][0] += bool(s) and (s.get("handle") or "").lstrip("@") == t["handle"] \
                and list(s.get("hashtags") or []) == t["hashtags"]
            f["tw_rec"][1] += 1
            f["tw_exact"][1] += 1

    def ratio(k):
        n, d = f[k]
        return n / d if d else 1.0

    return {"meta": ratio("meta"), "speaker_precision": ratio("sp_pred"),
            "speaker_recall": ratio("sp_gold"), "role": ratio("role"), "kind": ratio("kind"),
            "direct_count": ratio("direct"), "entity_recall": ratio("ent_rec"),
            "entity_precision": ratio("ent_prec"), "tweet_recall": ratio("tw_rec"),
            "tweet_exact": ratio("tw_exact")}


def parse_records(files: list[pathlib.Path], out: pathlib.Path, root: pathlib.Path
                  ) -> tuple[pathlib.Path, dict[str, dict]]:
    """Run the parse CLI once over ``files``; the JSONL written to ``out`` and the records by
    file stem."""
    proc = subprocess.run([sys.executable, "-m", "components.cli", "parse", *map(str, files)],
                          cwd=root, capture_output=True, text=True, encoding="utf-8", timeout=300)
    out.write_text(proc.stdout, encoding="utf-8")
    records = {}
    for line in proc.stdout.splitlines():
        if line.strip():
            r = json.loads(line)
            records[pathlib.Path(r["source"]).stem] = r
    return out, records


def assert_floors(scorer: pathlib.Path, jsonl: pathlib.Path, gold_dir: pathlib.Path,
                  records: dict[str, dict], golds: dict[str, dict], floors: dict[str, float]):
    """Every figure at or above its floor: by the shared scorer when it is there, else by
    the reimplementation above."""
    if scorer.is_file():
        proc = subprocess.run([sys.executable, str(scorer), str(jsonl), str(gold_dir), "--min",
                               *[f"{k}={v}" for k, v in floors.items()]],
                              capture_output=True, text=True, encoding="utf-8", timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    else:
        figures = minimal_figures(records, golds)
        short = {k: round(v, 3) for k, v in figures.items() if v < floors[k]}
        assert short == {}, figures


def assert_agrees_with_scorer(scorer: pathlib.Path, jsonl: pathlib.Path, gold_dir: pathlib.Path,
                              records: dict[str, dict], golds: dict[str, dict]):
    """The reimplementation computes what the shared scorer computes (skipped when the shared
    scorer is not beside the project)."""
    if not scorer.is_file():
        import pytest

        pytest.skip("the shared scorer is not beside the project")
    proc = subprocess.run([sys.executable, str(scorer), str(jsonl), str(gold_dir)],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    summary = proc.stdout.strip().splitlines()[-1].split(": ", 1)[1]
    theirs = {k: float(v) for k, v in (kv.split("=") for kv in summary.split())}
    ours = {k: round(v, 2) for k, v in minimal_figures(records, golds).items()}
    assert ours == theirs
