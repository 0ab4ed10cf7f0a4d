"""What driver location updates cost: writes a second, bandwidth, history and memory.

The figures on the ride-hailing page are computed here, and the tests check that the
page prints exactly these numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from algorithms._checks import number, whole

SECONDS_PER_DAY = 86_400


# --8<-- [start:load]
@dataclass(frozen=True)
class LocationUpdates:
    drivers_online: int = 1_000_000    # at the evening peak, worldwide
    peak_to_average: float = 2.5       # so 400,000 online on average over a day
    seconds_between_updates: float = 4
    # Payload, binary-encoded: driver ID 8, latitude 8, longitude 8,
    # timestamp 8, heading 4, speed 4, accuracy 4 bytes.
    payload_bytes: int = 44
    # Per message on the wire: WebSocket frame from a client (2-byte header,
    # 4-byte mask), TLS 1.3 record (5 header + 1 type + 16 tag), TCP/IPv4 with
    # timestamps (20 + 20 + 12), when each update travels in its own packet.
    overhead_bytes: int = 6 + 22 + 52
    # A member of a Redis sorted set (the GEO index), an estimate from the
    # allocations: skiplist node (24 bytes + 16 per level, 1.33 levels on
    # average, in jemalloc's 48/64 size classes) about 56, dict entry 32,
    # hash-table slot about 12, member string (an ID of a dozen characters
    # with its header) 24.
    index_bytes_per_driver: int = 56 + 32 + 12 + 24

    def __post_init__(self) -> None:
        _check(self)

    @property
    def writes_per_second(self) -> float:
        return self.drivers_online / self.seconds_between_updates

    @property
    def inbound_megabits_per_second(self) -> float:
        wire = self.payload_bytes + self.overhead_bytes
        return self.writes_per_second * wire * 8 / 1e6

    @property
    def average_drivers_online(self) -> float:
        return self.drivers_online / self.peak_to_average

    @property
    def history_gigabytes_per_day(self) -> float:
        """A day of history is written at the average, not the peak. Payload only:
        before compression, replication and storage overhead."""
        updates_per_day = self.average_drivers_online / self.seconds_between_updates * SECONDS_PER_DAY
        return updates_per_day * self.payload_bytes / 1e9

    @property
    def index_megabytes(self) -> float:
        return self.drivers_online * self.index_bytes_per_driver / 1e6
# --8<-- [end:load]


def _check(load: LocationUpdates) -> None:
    whole("drivers_online", load.drivers_online, 1)
    number("seconds_between_updates", load.seconds_between_updates, 0, low_open=True)
    whole("payload_bytes", load.payload_bytes, 1)
    whole("overhead_bytes", load.overhead_bytes, 0)
    whole("index_bytes_per_driver", load.index_bytes_per_driver, 1)
