"""The message catalog, English and Simplified Chinese: customers' texts here, staff's merged in.

Staff texts (keys ``staff.…``) live in crm/i18n/staff/, each key with its languages side by
side; they join the catalog below, so one ``t()`` renders both and one test checks both.
"""

from __future__ import annotations

from string import Formatter

from crm.i18n.staff import STAFF_TEXTS

DEFAULT_LANGUAGE = "en"

CATALOG: dict[str, dict[str, str]] = {
    "en": {
        "greeting": (
            "Hello, {name}! This is the {bot_name} help desk.\n"
            "Just write your question here (text, photos, documents and voice messages are fine) "
            "and a person from our team will answer in this chat.\n\n"
            "{commands}"
        ),
        "commands": (
            "What you can do:\n"
            "/feedback <text> – tell us what you think\n"
            "/complain <text> – report a problem (handled with priority)\n"
            "/rate <1-5> [comment] – rate our service\n"
            "/tickets – your tickets and their status\n"
            "/close [number] – close your open ticket\n"
            "/phone – share your phone number to link your customer record\n"
            "/stop – no more news and offers (/subscribe to get them again)\n"
            "/forget_me – erase your personal data\n"
            "/help – this list"
        ),
        "ack_new": "Thanks! We've opened ticket #{ticket_id} for you. We'll reply here.",
        "ack_append": "Got it, added to your ticket #{ticket_id}.",
        "ack_reopened": (
            "Got it: we've reopened ticket #{ticket_id} and passed your message on. "
            "We'll reply here."
        ),
        "feedback_ok": "Thank you for your feedback! It is logged as ticket #{ticket_id}.",
        "feedback_usage": (
            "Please write your feedback after the command, for example:\n"
            "/feedback The new delivery tracking is great"
        ),
        "complain_ok": (
            "We're sorry about this. Your complaint is logged as ticket #{ticket_id} "
            "with high priority, and a person will get back to you soon."
        ),
        "complain_usage": (
            "Please describe the problem after the command, for example:\n"
            "/complain My order 1042 arrived damaged"
        ),
        "rate_usage": (
            "Please rate us with a number from 1 to 5, for example:\n"
            "/rate 5\n/rate 4 quick and friendly"
        ),
        "rate_ok_good": "Thank you for rating us {score}/5! (ticket #{ticket_id})",
        "rate_ok_bad": (
            "Thank you for telling us, and we're sorry it wasn't better. "
            "Ticket #{ticket_id} is open and a person will contact you."
        ),
        "tickets_none": "You have no tickets yet. Just write to us to open one.",
        "tickets_header": "Your tickets (newest first):",
        "tickets_line": "#{ticket_id} · {kind} · {status} · last activity {when}",
        "close_ok": "Ticket #{ticket_id} is closed. Write any time to open a new one.",
        "close_none": "You have no open tickets.",
        "close_not_found": "I can't find a ticket #{ticket_id} of yours.",
        "close_already": "Ticket #{ticket_id} is already closed.",
        "close_usage": "Please give the ticket number, for example: /close 12",
        "group_decline": (
            "I handle support requests in a private chat only. "
            "Please message me directly: @{bot_username}"
        ),
        "unknown_command": "I don't know that command. /help lists what I can do.",
        "flood_notice": (
            "You're sending a lot at once, so I'll stop answering each message for now. "
            "We have everything: it is saved on your ticket and an agent will read it."
        ),
        "flood_button": "Too many taps at once. Please try again in a minute.",
        "error_apology": (
            "Sorry, something went wrong on our side. Your message is saved, and we will "
            "handle it as soon as we can."
        ),
        "error_apology_unsaved": (
            "Sorry, something went wrong on our side and your message may not have been "
            "saved. Please send it again in a few minutes."
        ),
        "ticket_resolved": "Your ticket #{ticket_id} has been resolved. How did we do?",
        "survey_recorded": "Thank you!",
        "survey_thanks": "Thank you for rating us {score}/5!",
        "survey_thanks_low": (
            "Thank you for rating us {score}/5, and we're sorry it wasn't better. "
            "A manager will look into ticket #{ticket_id} personally."
        ),
        "survey_already": "You have already rated this ticket. Thank you!",
        "survey_stale": "This survey is no longer open.",
        "comment_button": "✍️ Add a comment",
        "comment_prompt": (
            "What would you like to add to your rating? Reply to this message with your "
            "comment. (Anything you write without replying here goes to our team as usual.)"
        ),
        "comment_placeholder": "Your comment on the rating",
        "comment_thanks": "Thanks, we've added your comment to your rating.",
        "nps_question": (
            "One more question: how likely are you to recommend us to a friend or colleague? "
            "0 = not at all, 10 = extremely likely."
        ),
        "nps_thanks": "Thank you! You answered {score}/10.",
        "unsupported": (
            "Sorry, I can't take this kind of message. Please write text or send a photo, "
            "document, voice message, video, location or contact."
        ),
        "forget_confirm": (
            "This erases your name, contact details and the text of all your messages with us. "
            "Tickets remain only as anonymous counts. This cannot be undone. Are you sure?"
        ),
        "forget_yes": "Yes, erase my data",
        "forget_no": "Cancel",
        "forget_done": "Done: your personal data and messages have been erased.",
        "forget_cancelled": "Cancelled: nothing was erased.",
        "phone_prompt": (
            "Share your phone number with the button below so we can find your orders and "
            "customer record."
        ),
        "phone_button": "📱 Share my phone number",
        "phone_linked": "Thanks! Your phone number is now linked to your customer record.",
        "phone_saved": "Thanks! We've saved your phone number.",
        "campaign_opt_out": "To stop these messages, send /stop.",
        "unsubscribed": (
            "Done: you won't receive our news and offers any more. Support still works as "
            "before; send /subscribe to get them again."
        ),
        "subscribed": "Welcome back: you'll receive our news and offers again. /stop ends them.",
        "interest_thanks": "Thanks for your interest! Someone from our team will be in touch.",
        "interest_gone": "This offer is no longer available.",
        "kind.inquiry": "inquiry",
        "kind.feedback": "feedback",
        "kind.complaint": "complaint",
        "kind.rating": "rating",
        "kind.follow_up": "follow-up",
        "status.open": "open",
        "status.pending": "waiting for you",
        "status.resolved": "closed",
    },
    "zh": {
        "greeting": (
            "{name}，您好！这里是 {bot_name} 客服。\n"
            "请直接在这里留言（可以发送文字、图片、文件和语音），我们的工作人员会在此对话中回复您。\n\n"
            "{commands}"
        ),
        "commands": (
            "可用命令：\n"
            "/feedback <内容> – 提交意见反馈\n"
            "/complain <内容> – 投诉问题（优先处理）\n"
            "/rate <1-5> [评论] – 为我们的服务打分\n"
            "/tickets – 查看您的工单及状态\n"
            "/close [编号] – 关闭您未结的工单\n"
            "/phone – 分享手机号以关联您的客户资料\n"
            "/stop – 退订资讯和优惠（/subscribe 重新订阅）\n"
            "/forget_me – 删除您的个人数据\n"
            "/help – 显示本列表"
        ),
        "ack_new": "谢谢！我们已为您创建工单 #{ticket_id}，稍后会在这里回复您。",
        "ack_append": "收到，已添加到您的工单 #{ticket_id}。",
        "ack_reopened": (
            "收到：我们已重新打开工单 #{ticket_id} 并转交您的消息，稍后会在这里回复您。"
        ),
        "feedback_ok": "感谢您的反馈！已记录为工单 #{ticket_id}。",
        "feedback_usage": "请在命令后写下您的反馈，例如：\n/feedback 新的物流跟踪功能很好用",
        "complain_ok": (
            "非常抱歉给您带来不便。您的投诉已记录为工单 #{ticket_id}（高优先级），"
            "工作人员会尽快联系您。"
        ),
        "complain_usage": "请在命令后描述问题，例如：\n/complain 我的订单 1042 到货时已损坏",
        "rate_usage": "请用 1 到 5 的数字为我们打分，例如：\n/rate 5\n/rate 4 回复很快",
        "rate_ok_good": "感谢您给我们打 {score}/5 分！（工单 #{ticket_id}）",
        "rate_ok_bad": (
            "感谢您的评价，很抱歉没有让您满意。工单 #{ticket_id} 已创建，工作人员会联系您。"
        ),
        "tickets_none": "您还没有工单。直接给我们留言即可创建。",
        "tickets_header": "您的工单（最新在前）：",
        "tickets_line": "#{ticket_id} · {kind} · {status} · 最近活动 {when}",
        "close_ok": "工单 #{ticket_id} 已关闭。如有需要，随时留言即可创建新工单。",
        "campaign_opt_out": "如不想再收到此类消息，请发送 /stop。",
        "unsubscribed": (
            "已退订：您将不再收到我们的资讯和优惠。客服功能照常可用；发送 /subscribe 可重新订阅。"
        ),
        "subscribed": "欢迎回来：您将重新收到我们的资讯和优惠。发送 /stop 可退订。",
        "interest_thanks": "感谢您的关注！我们的工作人员会尽快与您联系。",
        "interest_gone": "此活动已结束。",
        "close_none": "您没有未结的工单。",
        "close_not_found": "找不到您的工单 #{ticket_id}。",
        "close_already": "工单 #{ticket_id} 已经关闭。",
        "close_usage": "请提供工单编号，例如：/close 12",
        "group_decline": "我只在私聊中处理客服请求，请直接给我发消息：@{bot_username}",
        "unknown_command": "我不认识这个命令。发送 /help 查看可用命令。",
        "flood_notice": (
            "您发送的消息较多，我暂时不再逐条回复。"
            "您发送的内容都已保存到您的工单中，工作人员会阅读。"
        ),
        "flood_button": "点击过于频繁，请一分钟后再试。",
        "error_apology": "抱歉，我们这边出了点问题。您的消息已保存，我们会尽快处理。",
        "error_apology_unsaved": (
            "抱歉，我们这边出了点问题，您的消息可能没有保存。请几分钟后重新发送。"
        ),
        "ticket_resolved": "您的工单 #{ticket_id} 已处理完毕。请为我们的服务打分：",
        "survey_recorded": "谢谢！",
        "survey_thanks": "感谢您给我们打 {score}/5 分！",
        "survey_thanks_low": (
            "感谢您给我们打 {score}/5 分，很抱歉没有让您满意。经理会亲自跟进工单 #{ticket_id}。"
        ),
        "survey_already": "您已经为此工单打过分了，谢谢！",
        "survey_stale": "此评价已失效。",
        "comment_button": "✍️ 添加评论",
        "comment_prompt": (
            "您想对评价补充些什么？请回复这条消息写下您的评论。"
            "（不回复此消息而直接发送的内容会照常转给我们的团队。）"
        ),
        "comment_placeholder": "您对本次评价的评论",
        "comment_thanks": "谢谢，您的补充意见已添加到评价中。",
        "nps_question": (
            "还有一个问题：您有多大可能向朋友或同事推荐我们？0 = 完全不会，10 = 非常愿意。"
        ),
        "nps_thanks": "谢谢！您的评分是 {score}/10。",
        "unsupported": (
            "抱歉，我无法处理这类消息。请发送文字、图片、文件、语音、视频、位置或联系人。"
        ),
        "forget_confirm": (
            "这将删除您的姓名、联系方式以及您与我们的所有消息内容。"
            "工单仅以匿名统计的形式保留，且无法恢复。确定要删除吗？"
        ),
        "forget_yes": "是的，删除我的数据",
        "forget_no": "取消",
        "forget_done": "已完成：您的个人数据和消息已被删除。",
        "forget_cancelled": "已取消：没有删除任何内容。",
        "phone_prompt": "请点击下方按钮分享您的手机号，以便我们找到您的订单和客户资料。",
        "phone_button": "📱 分享我的手机号",
        "phone_linked": "谢谢！您的手机号已关联到您的客户资料。",
        "phone_saved": "谢谢！我们已保存您的手机号。",
        "kind.inquiry": "咨询",
        "kind.feedback": "反馈",
        "kind.complaint": "投诉",
        "kind.rating": "评分",
        "kind.follow_up": "回访",
        "status.open": "处理中",
        "status.pending": "等待您的回复",
        "status.resolved": "已关闭",
    },
}


def _merge_staff_texts() -> None:
    for key, texts in STAFF_TEXTS.items():
        for language, text in texts.items():
            CATALOG[language][key] = text


_merge_staff_texts()


class Phrase:
    """A catalog text rendered later, in each reader's language; its values may be phrases."""

    __slots__ = ("key", "values")

    def __init__(self, key: str, /, **values: object) -> None:
        self.key, self.values = key, values

    def render(self, language_code: str | None) -> str:
        """Return the text in a language."""
        return t(self.key, language_code, **self.values)

    def __repr__(self) -> str:
        return f"Phrase({self.key!r}, **{self.values!r})"


def term(key: str, text: str) -> Phrase | str:
    """Return a phrase for a catalog key, or the text as it is where the catalog lacks it."""
    return Phrase(key) if key in CATALOG[DEFAULT_LANGUAGE] else text


def language_for(language_code: str | None) -> str:
    """Pick the catalog language for a Telegram language code (fallback English)."""
    if not language_code:
        return DEFAULT_LANGUAGE
    base = language_code.lower().replace("_", "-").split("-", 1)[0]
    return base if base in CATALOG else DEFAULT_LANGUAGE


def t(key: str, language_code: str | None = None, /, **values: object) -> str:
    """Return the text for a key in a reader's language, filled with values (phrases rendered)."""
    lang = language_for(language_code)
    template = CATALOG[lang].get(key) or CATALOG[DEFAULT_LANGUAGE][key]
    filled = {k: v.render(lang) if isinstance(v, Phrase) else v for k, v in values.items()}
    return template.format(**filled)


def placeholders(template: str) -> set[str]:
    """Return the {names} a template expects."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}
