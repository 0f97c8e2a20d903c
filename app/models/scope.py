"""The organisational scope a user works in."""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.areas import Regency, Village
from app.models.organisations import BranchOffice, Opd


class UserScope(Model):
    """Binds a user to a branch office, a regency, an OPD or a village."""

    __tablename__ = "user_scope"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), unique=True)
    user = relationship("User")
    branch_office_id: Mapped[int | None] = mapped_column(ForeignKey("branch_office.id"))
    branch_office: Mapped[BranchOffice | None] = relationship()
    regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"))
    regency: Mapped[Regency | None] = relationship()
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("opd.id"))
    opd: Mapped[Opd | None] = relationship()
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"))
    village: Mapped[Village | None] = relationship()

    def __str__(self) -> str:
        place = self.branch_office or self.opd or self.village or self.regency
        return f"{self.user}: {place}"
