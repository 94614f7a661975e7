"""The viewer's words in English and Simplified Chinese, and the choice between them."""

from __future__ import annotations

__all__ = ["negotiate", "WORDS", "LANGUAGES"]

LANGUAGES = ("en", "zh")

WORDS = {
    "en": {
        "title": "Virtual sample", "size": "Size", "fabric": "Fabric", "turntable": "Turntable", "model": "3D",
        "hint": "Drag, swipe or use the arrow keys to turn the garment", "rotate": "Turn the garment",
        "loading": "Loading views", "colorways": "Colorways", "stills": "Views", "feedback": "Your decision",
        "name": "Your name", "comment": "Comment", "approve": "Approve", "changes": "Request changes",
        "send": "Send comment", "sent": "Thank you: the designer has your message.",
        "approved": "Approved: the designer has been told.", "error": "Sending failed; please try again.",
        "no_webgl": "This browser cannot show 3D; the turntable shows every side.", "language": "中文",
        "angle": "{deg} degrees", "gone": "This link is no longer valid", "frame_alt": "The garment seen from {deg} degrees",
    },
    "zh": {
        "title": "虚拟样衣", "size": "尺码", "fabric": "面料", "turntable": "旋转", "model": "3D",
        "hint": "拖动、滑动或使用方向键旋转样衣", "rotate": "旋转样衣", "loading": "正在加载视图",
        "colorways": "配色", "stills": "视图", "feedback": "您的意见", "name": "您的姓名", "comment": "留言",
        "approve": "确认通过", "changes": "需要修改", "send": "发送留言", "sent": "谢谢，设计师已收到您的留言。",
        "approved": "已确认，设计师已收到通知。", "error": "发送失败，请重试。",
        "no_webgl": "此浏览器无法显示3D，旋转视图可查看各个角度。", "language": "English",
        "angle": "{deg}度", "gone": "此链接已失效", "frame_alt": "从{deg}度看样衣",
    },
}


def negotiate(accept_language: str | None, default: str = "en") -> str:
    """'zh' or 'en' from an Accept-Language header (highest q wins; zh-*, zh first)."""
    best, best_q = default, -1.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in LANGUAGES and q > best_q:
            best, best_q = base, q
    return best
