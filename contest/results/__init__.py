"""Results: the pure ranking engine (ranking.py), awards and advancement (awards.py),
agreement statistics (statistics.py) and server-rendered charts (svg.py).

Nothing here touches the database or the request: the results workflow loads score
sheets into plain values and keeps what these functions return."""
