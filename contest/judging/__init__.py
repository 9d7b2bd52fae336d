"""The jury: members, assignments, conflicts, score sheets, paper ballots, progress."""

# Loading the rules registers the judging check on the contest setup lock ("criteria cannot
# change once scoring has started"), wherever the judging models are loaded from.
from contest.judging import services as _services  # noqa: F401
