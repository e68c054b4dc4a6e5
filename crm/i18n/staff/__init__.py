"""The staff texts (agents and managers), each key with its English and Simplified Chinese.

One module per area of the desk, each a ``PAIRS`` dict of key -> (English, Chinese), kept side
by side so a change to one language is seen next to the other. They merge here into
``STAFF_TEXTS``, which crm/i18n/__init__.py joins to its catalog; the merge refuses a key two
areas both define, so moving texts between areas can never silently shadow one.
Terms, used the same way throughout: 工单 ticket, 客服 agent, 经理 manager, 队列 queue,
接单 take, 转接 transfer, 备注 note, 满意度 CSAT, 净推荐值 NPS, 响应时间 response time,
商机 deal, 跟进任务 follow-up, 营销活动 campaign, 受众 audience, 对照组 control group.
Texts sent with HTML parse mode hold their tags here; their values are escaped by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from crm.i18n.staff import (
    campaigns,
    commands,
    desk,
    errors,
    insight,
    records,
    sales,
    team,
    values,
)

AREAS: tuple[ModuleType, ...] = (
    errors,
    values,
    commands,
    desk,
    team,
    sales,
    insight,
    records,
    campaigns,
)


def merge_areas(areas: Iterable[ModuleType]) -> dict[str, tuple[str, str]]:
    """Return the areas' pairs in one dict; raise ValueError on a key defined in two areas."""
    pairs: dict[str, tuple[str, str]] = {}
    home: dict[str, str] = {}
    for area in areas:
        for key, pair in area.PAIRS.items():
            if key in pairs:
                raise ValueError(
                    f"staff text {key!r} is defined in both {home[key]} and {area.__name__}"
                )
            pairs[key], home[key] = pair, area.__name__
    return pairs


STAFF_TEXTS: dict[str, dict[str, str]] = {
    key: {"en": english, "zh": chinese} for key, (english, chinese) in merge_areas(AREAS).items()
}
