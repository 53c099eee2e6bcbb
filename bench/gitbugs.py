"""The public GitBugs dev split (../shared/eval/gitbugs-dev/): real bug reports with their trackers'
duplicate links, read into the shapes `knowledge.evaluate` scores.

Source: A. Patil, "GitBugs: Bug Reports for Duplicate Detection, Retrieval Augmented Generation,
Triage, and More", arXiv 2504.09651 (2025), CC BY 4.0. The data is read from the shared folder
and never copied into this repository.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from smartstep.knowledge.cases import Case
from smartstep.knowledge.evaluate import Query

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval" / "gitbugs-dev"
FALLBACK_DIR = Path("/work/shared/eval/gitbugs-dev")


@dataclass(frozen=True)
class GitBugs:
    pool: list[dict[str, str]]  # {"id", "title", "body"[, "aliases"]}
    queries: list[Query]  # text = title + "\n" + body, relevant = the other members of its cluster
    aliases: dict[str, tuple[str, ...]]  # pool id -> ids of identical reports folded into it

    def cases(self) -> list[Case]:
        """The pool as solved cases: the project as the team, no resolution (bug trackers have none)."""
        return [Case(r["id"], r["title"], r["body"], "", r["id"].split("-")[0], "", "", "") for r in self.pool]

    def judged(self, ranked: list[str], query: Query, depth: int = 100) -> list[str]:
        """A ranking as the "full" protocol scores it: the query itself left out, aliases mapped, cut at depth."""
        out: list[str] = []
        for case_id in ranked:
            if case_id == query.id:
                continue
            hit = next((a for a in (case_id, *self.aliases.get(case_id, ())) if a in query.relevant), case_id)
            out.append(hit)
            if len(out) == depth:
                break
        return out


def find_dir(explicit: Path | None = None) -> Path | None:
    for folder in (explicit, DEFAULT_DIR, FALLBACK_DIR):
        if folder is not None and (folder / "dev.jsonl").exists():
            return folder
    return None


def load(folder: Path) -> GitBugs:
    with gzip.open(folder / "pool.jsonl.gz", "rt", encoding="utf-8") as handle:
        pool = [json.loads(line) for line in handle if line.strip()]
    by_id = {r["id"]: r for r in pool}
    queries = []
    for line in (folder / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        report = by_id[item["query_id"]]
        text = f"{report['title']}\n{report['body']}"
        queries.append(Query(item["query_id"], text, "bug-report", "dev", frozenset(item["positives"])))
    aliases = {r["id"]: tuple(r.get("aliases") or ()) for r in pool if r.get("aliases")}
    return GitBugs(pool, queries, aliases)
