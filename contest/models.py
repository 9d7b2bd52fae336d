"""Imports every domain's models so that the metadata (create_all, Alembic) is complete."""

from contest.audit.models import AuditEvent
from contest.auth.models import User, UserSession
from contest.certificates.models import Certificate, CertificateJob, CertificateSettings, CertificateSignatory
from contest.contests.models import AwardTier, Category, Contest, ContestStatusChange, Criterion, Round
from contest.files.database import StoredFile, StoredFileChunk
from contest.judging.models import (
    Advancement,
    Assignment,
    AssignmentPlan,
    Conflict,
    JuryMember,
    PerformanceSlot,
    Score,
    ScoreSheet,
)
from contest.mail.models import OutgoingMail
from contest.news.models import NewsPost
from contest.ratelimit import RateCounter
from contest.registration.models import Entry, EntryWork, Participant, Registration, RegistrationCounter
from contest.results.models import Adjustment, ExAequoDecision, ResultSnapshot
from contest.sharing.models import ResultNotice
from contest.stage.models import StageState

__all__ = ["Adjustment", "Advancement", "Assignment", "AssignmentPlan", "AuditEvent", "AwardTier", "Category",
           "Certificate", "CertificateJob", "CertificateSettings", "CertificateSignatory", "Conflict", "Contest",
           "ContestStatusChange", "Criterion", "Entry", "EntryWork", "ExAequoDecision", "JuryMember", "NewsPost",
           "OutgoingMail", "Participant", "PerformanceSlot", "RateCounter", "Registration", "RegistrationCounter",
           "ResultNotice", "ResultSnapshot", "Round", "Score", "ScoreSheet", "StageState", "StoredFile",
           "StoredFileChunk", "User", "UserSession"]
