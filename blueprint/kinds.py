"""What a component's `kind` means: the `diagrams` node class that draws it.

A kind names a role (`cache`, `load_balancer`) or a technology (`redis`, `s3`). Scripts
use the technology the design names and the role otherwise. Add a kind here, once,
and every script can use it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    node: str  # dotted path of a `diagrams` node class
    concept: str | None = None  # the concept this kind stands for, e.g. "Cache"


KINDS: dict[str, Kind] = {
    # People and devices
    "client": Kind("diagrams.onprem.client.Client"),
    "users": Kind("diagrams.onprem.client.Users"),
    "mobile": Kind("diagrams.generic.device.Mobile"),
    "video_player": Kind("diagrams.onprem.client.Client", "Adaptive bitrate streaming"),  # picks each chunk's rendition
    "folder": Kind("diagrams.digitalocean.storage.Folder"),  # a folder on the user's own disk, e.g. a synced folder
    # Edge
    "dns": Kind("diagrams.aws.network.Route53", "DNS"),
    "cdn": Kind("diagrams.aws.network.CloudFront", "CDN"),
    "load_balancer": Kind("diagrams.aws.network.ElasticLoadBalancing", "Load balancer"),
    "api_gateway": Kind("diagrams.aws.network.APIGateway", "API gateway"),
    "reverse_proxy": Kind("diagrams.onprem.network.Nginx", "Reverse proxy"),
    "haproxy": Kind("diagrams.onprem.network.Haproxy", "Load balancer"),
    "rate_limiter": Kind("diagrams.programming.flowchart.Decision", "Rate limiting"),
    # Services
    "server": Kind("diagrams.onprem.compute.Server"),
    "service": Kind("diagrams.onprem.compute.Server"),
    "key_generation_service": Kind("diagrams.programming.flowchart.PredefinedProcess", "Key generation"),
    "worker": Kind("diagrams.onprem.compute.Server"),
    "thread": Kind("diagrams.programming.language.Java"),  # a thread inside one JVM process
    "writer_thread": Kind("diagrams.ibm.devops.CodeEditor"),  # the thread that changes shared data (a pencil)
    "reader_thread": Kind("diagrams.azure.aimachinelearning.ImmersiveReaders"),  # threads that only read it (an open book)
    "trie": Kind("diagrams.onprem.compute.Server", "Trie"),
    "distinct_counter": Kind("diagrams.onprem.compute.Server", "HyperLogLog"),  # counts distinct items, e.g. cars on a road
    "bloom_filter": Kind("diagrams.programming.flowchart.InternalStorage", "Bloom filter"),
    "web_server": Kind("diagrams.onprem.compute.Server"),
    "email": Kind("diagrams.aws.engagement.SimpleEmailServiceSes"),  # sends mail, e.g. a shared link
    "transcoder": Kind("diagrams.aws.media.ElementalMediaconvert"),  # converts a video into other codecs and sizes
    "chunker": Kind("diagrams.programming.flowchart.MultipleDocuments", "Content-defined chunking"),  # cuts files into blocks
    "coordination": Kind("diagrams.onprem.network.Zookeeper", "Coordination service"),
    "zookeeper": Kind("diagrams.onprem.network.Zookeeper", "Coordination service"),
    "internet": Kind("diagrams.onprem.network.Internet"),  # servers outside the system, e.g. crawled websites
    "scheduler": Kind("diagrams.k8s.compute.Cronjob", "Job scheduler"),  # runs jobs at their due time
    "route_planner": Kind("diagrams.onprem.compute.Server", "Shortest path"),  # searches a road graph for routes
    "duplicate_detector": Kind("diagrams.onprem.compute.Server", "Near-duplicate detection"),  # fingerprints pages, e.g. simhash
    "payment_provider": Kind("diagrams.saas.payment.Stripe"),  # an outside payment processor
    # Messaging
    "kafka": Kind("diagrams.onprem.queue.Kafka", "Message queue"),
    "message_queue": Kind("diagrams.onprem.queue.Rabbitmq", "Message queue"),
    "pubsub": Kind("diagrams.onprem.queue.Kafka", "Publish-subscribe"),
    "redis_pubsub": Kind("diagrams.onprem.inmemory.Redis", "Publish-subscribe"),  # channels, no storage
    # Processing
    "flink": Kind("diagrams.onprem.analytics.Flink", "Stream processing"),
    "spark": Kind("diagrams.onprem.analytics.Spark", "Batch processing"),
    "mapreduce": Kind("diagrams.onprem.analytics.Hadoop", "Batch processing"),
    # Caches
    "cache": Kind("diagrams.onprem.inmemory.Redis", "Cache"),
    "redis": Kind("diagrams.onprem.inmemory.Redis", "Cache"),
    "memcached": Kind("diagrams.onprem.inmemory.Memcached", "Cache"),
    "redis_geo": Kind("diagrams.onprem.inmemory.Redis", "Spatial index"),  # live positions, not a cache
    "lock": Kind("diagrams.onprem.inmemory.Redis", "Distributed lock"),  # a lease with a TTL, e.g. Redis SET NX PX
    # Databases and storage
    "sql_database": Kind("diagrams.generic.database.SQL", "SQL database"),
    "postgresql": Kind("diagrams.onprem.database.PostgreSQL", "SQL database"),
    "mysql": Kind("diagrams.onprem.database.MySQL", "SQL database"),
    "cassandra": Kind("diagrams.onprem.database.Cassandra", "Wide-column store"),
    "mongodb": Kind("diagrams.onprem.database.MongoDB", "Document store"),
    "hbase": Kind("diagrams.onprem.database.HBase", "Wide-column store"),
    "key_value_store": Kind("diagrams.generic.storage.Storage", "Key-value store"),
    "hdfs": Kind("diagrams.alibabacloud.storage.FileStorageHdfs", "Distributed file system"),  # not the elephant: that is MapReduce
    "postgis": Kind("diagrams.gis.database.Postgis", "Spatial index"),
    "solr": Kind("diagrams.onprem.search.Solr", "Search index"),
    "object_storage": Kind("diagrams.aws.storage.SimpleStorageServiceS3", "Object storage"),
    "s3": Kind("diagrams.aws.storage.SimpleStorageServiceS3", "Object storage"),
    "search_index": Kind("diagrams.elastic.elasticsearch.Elasticsearch", "Search index"),
    "index_segment": Kind("diagrams.programming.flowchart.MultipleDocuments", "Search index"),  # part of one in-memory index
    "open_index_segment": Kind("diagrams.programming.flowchart.Document", "Search index"),  # the one segment still being written
    "shared_variable": Kind("diagrams.programming.flowchart.StoredData"),  # one memory word threads share, e.g. a volatile counter
    "splunk": Kind("diagrams.onprem.monitoring.Splunk", "Observability"),  # log indexing and search
}


# Concept pages, by concept name; a component whose kind names one of these links to it
# from every picture, and system pages list it under "Concepts used here".
CONCEPT_PAGES: dict[str, str] = {
    "Bloom filter": "concepts/bloom_filter.md",
    "Cache": "concepts/caches.md",
    "Consistent hashing": "concepts/consistent_hashing.md",
    "Key generation": "concepts/base62.md",
    "Rate limiting": "concepts/rate_limiters.md",
    "Spatial index": "concepts/geohash.md",
    "Trie": "concepts/trie.md",
    "HyperLogLog": "concepts/hyperloglog.md",
    "Job scheduler": "concepts/job_scheduler.md",
    "Adaptive bitrate streaming": "concepts/abr.md",
    "Content-defined chunking": "concepts/chunking.md",
    "Shortest path": "concepts/shortest_path.md",
    "Near-duplicate detection": "concepts/simhash.md",
    # Building blocks
    "DNS": "concepts/dns.md",
    "CDN": "concepts/cdn.md",
    "Load balancer": "concepts/load_balancer.md",
    "Reverse proxy": "concepts/reverse_proxy.md",
    "API gateway": "concepts/reverse_proxy.md",  # the page compares proxy, balancer and gateway
    "Message queue": "concepts/message_queue.md",
    "Publish-subscribe": "concepts/message_queue.md",
    "Stream processing": "concepts/processing.md",
    "Batch processing": "concepts/processing.md",
    "SQL database": "concepts/sql_at_scale.md",
    "Key-value store": "concepts/nosql.md",
    "Document store": "concepts/nosql.md",
    "Wide-column store": "concepts/nosql.md",
    "Object storage": "concepts/storage.md",
    "Distributed file system": "concepts/storage.md",
    "Search index": "concepts/search_index.md",
    "Coordination service": "concepts/coordination.md",
    "Distributed lock": "concepts/coordination.md",  # leases and fencing tokens; a locking page may take it over
    "Observability": "concepts/observability.md",
}


# Pages about one technology that several kinds are drawn as: a system using any of these
# kinds lists the page under "Concepts used here", and the page lists the system.
TECHNOLOGY_PAGES: dict[str, tuple[str, frozenset[str]]] = {
    "Redis": ("concepts/redis.md", frozenset({"redis", "redis_geo", "redis_pubsub", "lock", "cache"})),
}


def concept_page(kind: str) -> str | None:
    concept = KINDS[kind].concept
    return CONCEPT_PAGES.get(concept) if concept else None


def node_class(kind: str) -> type:
    module, _, name = KINDS[kind].node.rpartition(".")
    return getattr(importlib.import_module(module), name)


# --- State: which kinds hold data that a failure can lose (read by blueprint/failure.py) ---

# Databases: a transaction runs inside one of these, never across two.
DATABASE_KINDS = {"sql_database", "postgresql", "mysql", "cassandra", "mongodb", "hbase", "key_value_store", "postgis"}

# Queues, logs and pub-sub, with how often each delivers a message by default; a component
# says otherwise with `delivery=`. A redelivered message must not change state twice.
DELIVERY = {
    "kafka": "at least once",  # a consumer that crashes before committing its offset reads the record again
    "message_queue": "at least once",  # an unacknowledged message is redelivered
    "pubsub": "at least once",
    "redis_pubsub": "at most once",  # Redis pub/sub keeps nothing: a subscriber that is away misses the message
}
DELIVERIES = ("at least once", "at most once", "exactly once")

# Everything whose contents a failure can lose: databases, queues, caches, locks, indexes, files.
STATEFUL_KINDS = DATABASE_KINDS | set(DELIVERY) | {
    "cache", "redis", "memcached", "redis_geo", "lock",
    "hdfs", "object_storage", "s3", "solr", "search_index", "index_segment", "open_index_segment",
}
