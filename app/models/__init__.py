"""Data model, one module per aggregate; importing this registers every table."""

from app.models.areas import District, Province, Regency, RegencyWorkforce, Village
from app.models.audit import AuditEvent
from app.models.batches import BatchRow, BatchStatus, EnrollmentBatch
from app.models.contributions import Contribution, IncomeBracket, Program, WageRate
from app.models.organisations import (
    BranchOffice,
    Company,
    CompanySize,
    CompanyStatus,
    Opd,
    OpdKind,
    Sponsor,
    SponsorCommitment,
    SponsorKind,
    branch_regency,
)
from app.models.permits import (
    ComplianceRule,
    ConstructionProject,
    Decision,
    Funding,
    JobStatus,
    MinimumWage,
    PermitCheck,
    PermitType,
    ReportJob,
)
from app.models.scope import UserScope
from app.models.workers import (
    Enrollment,
    EnrollmentStatus,
    PayerType,
    Segment,
    Sex,
    WelfareSource,
    Worker,
)

__all__ = [
    "BatchRow",
    "BatchStatus",
    "EnrollmentBatch",
    "ComplianceRule",
    "ConstructionProject",
    "Decision",
    "Funding",
    "JobStatus",
    "MinimumWage",
    "ReportJob",
    "PermitCheck",
    "PermitType",
    "AuditEvent",
    "BranchOffice",
    "Company",
    "CompanySize",
    "CompanyStatus",
    "Contribution",
    "District",
    "Enrollment",
    "EnrollmentStatus",
    "IncomeBracket",
    "Opd",
    "OpdKind",
    "PayerType",
    "Program",
    "Province",
    "Regency",
    "RegencyWorkforce",
    "Segment",
    "Sex",
    "Sponsor",
    "SponsorCommitment",
    "SponsorKind",
    "UserScope",
    "Village",
    "WageRate",
    "WelfareSource",
    "Worker",
    "branch_regency",
]
