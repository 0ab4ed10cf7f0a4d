"""Hot spots: each component's peak requests and bytes per second, from the capacity
assumptions and the paths that pass through it, and the nodes it needs.

A computation on the model, like `capacity` (whose results it reads) and `failure`.

- A path runs `per="write"` (at the peak writes per second, moving one write's size),
  `per="read"` (peak reads, one read response's size) or at its declared
  `rate=(runs per second at peak, "size of one", "why")`.
- A step loads each of its targets once per run of its path, times its `share`
  (0.2: one run in five takes it); a delivery also loads the queue it comes out of.
- Nodes needed = peak requests per second / the per-node figure for the component's
  kind in THROUGHPUT, rounded up. Each figure names what was measured and where.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from blueprint.model import System

CLIENT_KINDS = {"client", "users", "mobile", "video_player", "folder", "internet"}  # never "the hottest component"


@dataclass(frozen=True)
class Throughput:
    """What one node of a kind sustains, as measured by someone who says how."""

    per_node: float  # requests per second
    node: str  # what one unit is: "node", "partitioned prefix"
    measured: str
    source: str  # URL
    nodes: str = ""  # the plural of `node`, where adding an s is wrong

    @property
    def plural(self) -> str:
        return self.nodes or f"{self.node}s"


_REDIS = Throughput(
    74_000, "node",
    "redis-benchmark -t set,lpush -n 100000 -q: 74,239 SET requests per second on one Redis server, no pipelining",
    "https://redis.io/docs/latest/operate/oss_and_stack/management/optimization/benchmarks/",
)
_KAFKA = Throughput(
    674_000, "broker",
    "2,024,032 records/s of 100 bytes from three producers, 3x asynchronous replication, on three brokers "
    "(one third per broker)",
    "https://engineering.linkedin.com/kafka/benchmarking-apache-kafka-2-million-writes-second-three-cheap-machines",
)
_CASSANDRA = Throughput(
    3_800, "node",
    "1.1 million client writes/s (3.3 million with replication factor 3) on 288 m1.xlarge nodes with cassandra-stress "
    "(1.1 million / 288)",
    "https://medium.com/netflix-techblog/benchmarking-cassandra-scalability-on-aws-over-a-million-writes-per-second-39f45f066c9e",
)
_S3 = Throughput(
    3_500, "partitioned prefix",
    "at least 3,500 PUT/COPY/POST/DELETE or 5,500 GET/HEAD requests per second per partitioned prefix "
    "(the write figure, the lower)",
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html",
    nodes="partitioned prefixes",
)

_POSTGRESQL = Throughput(
    70_000, "node",
    "pgbench in select-only mode on one 8-core server, PostgreSQL 9.2 and later: more than 70,000 transactions "
    "per second, held as clients grow (reads by primary key; writes that fsync sustain far fewer)",
    "http://blog.pgaddict.com/posts/performance-since-postgresql-7-4-to-9-4-pgbench",
)

# Kinds drawn as a technology take its figure (a "cache" or "lock" is drawn as Redis).
# MySQL and the search indexes have no figure yet: no published benchmark we checked gives
# a per-node number that fits a general design; the table shows "no figure".
THROUGHPUT: dict[str, Throughput] = {
    "redis": _REDIS, "cache": _REDIS, "lock": _REDIS,
    "kafka": _KAFKA, "pubsub": _KAFKA,
    "cassandra": _CASSANDRA,
    "s3": _S3, "object_storage": _S3,
    "postgresql": _POSTGRESQL, "postgis": _POSTGRESQL, "sql_database": _POSTGRESQL,
}


@dataclass(frozen=True)
class Load:
    """One component's share of the peak traffic."""

    component: str
    label: str
    kind: str
    requests: float  # per second, at peak
    bytes: float  # per second, at peak
    steps: tuple[tuple[str, int], ...]  # (path id, step number) of the steps that load it

    @property
    def throughput(self) -> Throughput | None:
        return THROUGHPUT.get(self.kind)

    @property
    def nodes(self) -> int | None:
        figure = self.throughput
        if figure is None or self.requests == 0:
            return None
        return max(1, math.ceil(self.requests / figure.per_node))


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(bytes?|B|kB|KB|MB|GB|TB|KiB|MiB|GiB)\s*$")
_UNITS = {"byte": 1, "bytes": 1, "B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
          "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}


def size_in_bytes(text) -> float | None:
    """'2 kB' -> 2000.0 (KB = 1,000 bytes, as in the capacity table); None if it is no size."""
    match = _SIZE.match(text) if isinstance(text, str) else None
    return float(match.group(1)) * _UNITS[match.group(2)] if match else None


def path_rate(system: System, path_id: str, capacity: dict | None) -> tuple[float, float] | None:
    """(runs per second at peak, bytes moved per run) of one path, or None if it declares neither."""
    path = system.paths[path_id]
    if path.rate is not None:
        return float(path.rate[0]), size_in_bytes(path.rate[1])
    if path.per in (None, "summary") or not capacity:
        return None  # a summary retells steps whose load is counted in their own paths
    results = {r["name"]: r["magnitude"] for r in capacity["results"]}
    sizes = capacity["sizes"]
    runs, size = ((results["write_qps_peak"], sizes["write_size"]) if path.per == "write"
                  else (results["read_qps_peak"], sizes["read_size"]))
    return runs * path.times, size if path.size is None else size_in_bytes(path.size)


def compute(system: System, capacity: dict | None) -> list[Load]:
    """The load on every component some rated path reaches, in declared order; [] if no
    path declares what drives it."""
    from blueprint.failure import delivery  # a delivery loads its queue too

    requests: dict[str, float] = {}
    moved: dict[str, float] = {}
    steps: dict[str, list[tuple[str, int]]] = {}
    for path in system.paths.values():
        rate = path_rate(system, path.id, capacity)
        if rate is None:
            continue
        runs, size = rate
        for step in path.steps:
            share = 1.0 if step.share is None else step.share
            loaded = list(step.targets)
            if step.effect == "deliver" and delivery(system, step.source):
                loaded.append(step.source)
            step_size = size if step.size is None else size_in_bytes(step.size)
            for component in dict.fromkeys(loaded):
                requests[component] = requests.get(component, 0.0) + runs * share
                moved[component] = moved.get(component, 0.0) + runs * share * step_size
                steps.setdefault(component, []).append((path.id, step.number))
    return [
        Load(c.id, c.label, c.kind, requests[c.id], moved[c.id], tuple(steps[c.id]))
        for c in system.components.values()
        if c.id in requests
    ]


def hottest(loads: list[Load]) -> Load | None:
    """The component with the most requests at peak (clients excluded); the first declared on a tie."""
    candidates = [load for load in loads if load.kind not in CLIENT_KINDS]
    return max(candidates, key=lambda load: load.requests, default=None)
