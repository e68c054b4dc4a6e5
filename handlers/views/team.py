"""The team as managers see it in Telegram: who is online, their load, skills and role."""

from __future__ import annotations

from collections.abc import Sequence

from crm.desk.staff import AgentLoad
from crm.i18n import t
from crm.models import ManagerSource, Role, StaffMember
from handlers.text import esc


def team(loads: Sequence[AgentLoad], *, lang: str) -> str:
    """Return one line per staff member, online ones first."""
    lines = [t("staff.team.heading", lang)]
    for load in sorted(loads, key=lambda x: (not x.staff.online, x.staff.id)):
        person = load.staff
        skills = ""
        if person.skills:
            skills = t("staff.team.skills", lang, skills=esc(", ".join(person.skills)))
        lines.append(
            t(
                "staff.team.line",
                lang,
                state=t("staff.team.online" if person.online else "staff.team.offline", lang),
                name=esc(person.label),
                telegram_id=person.telegram_id,
                role=_manager_note(person, lang) if person.role is Role.MANAGER else "",
                open=load.open_tickets,
                capacity=load.capacity,
                skills=skills,
            )
        )
    return "\n".join(lines)


def _manager_note(person: StaffMember, lang: str) -> str:
    if person.manager_source is ManagerSource.SETTING:
        return t("staff.team.manager_setting", lang)
    if person.promoted_by is not None:
        return t("staff.team.manager_promoted", lang, by=person.promoted_by)
    return t("staff.team.manager", lang)
