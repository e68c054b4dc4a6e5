"""Staff texts naming values: roles, ticket kinds, priorities, statuses, media, moods.

Each key maps to its (English, Simplified Chinese) pair; crm/i18n/staff/__init__.py merges the
areas. Texts sent with HTML parse mode hold their tags here; the caller escapes their values.
"""

from __future__ import annotations

PAIRS: dict[str, tuple[str, str]] = {
    # --- names of values ---------------------------------------------------------------------
    "staff.role.agent": ("agent", "客服"),
    "staff.role.manager": ("manager", "经理"),
    "staff.kind.inquiry": ("inquiry", "咨询"),
    "staff.kind.feedback": ("feedback", "反馈"),
    "staff.kind.complaint": ("complaint", "投诉"),
    "staff.kind.rating": ("rating", "评分"),
    "staff.kind.follow_up": ("follow_up", "回访"),
    "staff.priority.low": ("low", "低"),
    "staff.priority.normal": ("normal", "普通"),
    "staff.priority.high": ("high", "高"),
    "staff.priority.urgent": ("urgent", "紧急"),
    "staff.status.open": ("open", "处理中"),
    "staff.status.pending": ("pending", "等待客户回复"),
    "staff.status.resolved": ("resolved", "已解决"),
    "staff.media.photo": ("photo", "图片"),
    "staff.media.document": ("document", "文件"),
    "staff.media.voice": ("voice", "语音"),
    "staff.media.audio": ("audio", "音频"),
    "staff.media.video": ("video", "视频"),
    "staff.media.video_note": ("video_note", "视频留言"),
    "staff.media.animation": ("animation", "动图"),
    "staff.media.sticker": ("sticker", "贴纸"),
    "staff.mood.line": (
        "{label} ({mean} over {scored} messages, {trend})",
        "{label}（{scored} 条消息平均 {mean}，{trend}）",
    ),
    "staff.mood.negative": ("negative", "负面"),
    "staff.mood.neutral": ("neutral", "中性"),
    "staff.mood.positive": ("positive", "正面"),
    "staff.mood.improving": ("improving", "好转"),
    "staff.mood.worsening": ("worsening", "恶化"),
    "staff.mood.steady": ("steady", "平稳"),
    "staff.none": ("none", "无"),
}
