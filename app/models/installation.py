"""Installation-level options: one row per named switch, shared by every workstation of the
database (e.g. which optional modules are in use, spec/60 §B1)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Versioned


class InstallationOption(Versioned, Base):
    __tablename__ = "installation_option"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), nullable=False)
