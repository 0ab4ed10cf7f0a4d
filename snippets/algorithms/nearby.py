"""Which geohash cells a "within r metres" query reads: the point's cell, at the
finest precision whose 3 × 3 block covers the circle, and its eight neighbours.
The SQL in snippets/sql/proximity.sql turns each cell into one index range.
"""

from __future__ import annotations

from algorithms.geohash import _check_point, encode, neighbours, search_precision


# --8<-- [start:cells]
def search_cells(latitude: float, longitude: float, radius_m: float) -> list[str]:
    """The geohash prefixes to read for a radius search, sorted.

    A cell taller and wider than the circle's reach means the circle cannot
    get past the ring of neighbours, whatever corner of its cell the point is
    in; the neighbours are needed because the point can be a metre from an
    edge. No precision works when the circle contains a pole or is wider than
    a first-level cell: the empty prefix then matches every row.
    """
    _check_point(latitude, longitude)  # 91 or NaN must not read every row
    precision = search_precision(latitude, radius_m)
    if precision is None:
        return [""]
    centre = encode(latitude, longitude, precision)
    return sorted({centre, *neighbours(centre).values()})
# --8<-- [end:cells]
