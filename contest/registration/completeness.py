"""Whether an entry is what the contest's rules ask for: how many works, what each work
carries besides its title (text, a file, either, both), and a performance video link when
the contest asks for one. One rule, used by the entry page, moderation, the organisers'
table, approval and the jury assignment. Plain objects in, no queries: callers load the
entry with its works."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from contest.contests.models import Contest, WorkRequirement


@dataclass(frozen=True)
class Completeness:
    """How far an entry meets the rules: works complete out of those required, and what is missing."""

    required: int
    complete: int
    missing: list[str] = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        return not self.missing


def work_problems(work, requirement: WorkRequirement) -> list[str]:
    """What one work lacks (empty when it is complete); `work` may be None (not started)."""
    title = (getattr(work, "title", "") or "").strip()
    has_text = bool((getattr(work, "text", "") or "").strip())
    has_file = bool(getattr(work, "file_name", None))
    problems = []
    if not title:
        problems.append(_l("the title"))
    if requirement == WorkRequirement.TEXT and not has_text:
        problems.append(_l("the text"))
    elif requirement == WorkRequirement.FILE and not has_file:
        problems.append(_l("the file"))
    elif requirement == WorkRequirement.TEXT_OR_FILE and not (has_text or has_file):
        problems.append(_l("the text or a file"))
    elif requirement == WorkRequirement.TEXT_AND_FILE:
        if not has_text:
            problems.append(_l("the text"))
        if not has_file:
            problems.append(_l("the file"))
    return problems


def entry_completeness(contest: Contest, entry) -> Completeness:
    """The entry (or None: nothing sent yet) measured against the contest's rules."""
    requirement = contest.work_requirement
    works = {work.position: work for work in (entry.works if entry is not None else [])}
    missing: list[str] = []
    complete = 0
    for position in range(1, contest.works_required + 1):
        problems = work_problems(works.get(position), requirement)
        if problems:
            missing.append(str(_l("Work %(number)s: missing %(what)s.", number=position,
                                  what=", ".join(str(problem) for problem in problems))))
        else:
            complete += 1
    if contest.video_required and not (entry is not None and entry.video_url):
        missing.append(str(_l("The link to the performance video is missing.")))
    return Completeness(required=contest.works_required, complete=complete, missing=missing)


def may_be_judged(registration) -> bool:
    """A complete entry, or one an organiser has let through with a recorded reason."""
    return registration.has_entry_override or entry_completeness(registration.contest, registration.entry).is_complete
