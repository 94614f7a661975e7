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
        # customisation (a published style's link)
        "customise": "Make it yours", "colour": "Colour", "own_colour": "own colour", "as_designed": "as designed",
        "customise_note": "The designer allows these changes. Each change is sent to them as your proposal.",
        "allowed": "{min} to {max} {unit} allowed", "own_measurements": "Your own measurements (cm)",
        "use_measurements": "Use my measurements", "height": "Height", "bust": "Bust", "waist": "Waist",
        "hip": "Hip", "waist_height": "Waist height from the floor", "cervical_height": "Back neck height from the floor",
        "inside_leg": "Inside leg (floor to crotch)",
        "queued": "Waiting for a free worker…", "recolouring": "New colour: rendering…",
        "stage_pattern": "Drafting the pattern…", "stage_body": "Fitting the body…", "stage_mesh": "Cutting the cloth…",
        "stage_drape": "Draping: {pct}%", "stage_render": "Rendering the views…",
        "ready": "Your proposal is shown. Approve it below when you are happy.", "failed": "This change failed: {error}",
        "designer_said": "Designer", "refused": "Not allowed: {detail}",
    },
    "zh": {
        "title": "虚拟样衣", "size": "尺码", "fabric": "面料", "turntable": "旋转", "model": "3D",
        "hint": "拖动、滑动或使用方向键旋转样衣", "rotate": "旋转样衣", "loading": "正在加载视图",
        "colorways": "配色", "stills": "视图", "feedback": "您的意见", "name": "您的姓名", "comment": "留言",
        "approve": "确认通过", "changes": "需要修改", "send": "发送留言", "sent": "谢谢，设计师已收到您的留言。",
        "approved": "已确认，设计师已收到通知。", "error": "发送失败，请重试。",
        "no_webgl": "此浏览器无法显示3D，旋转视图可查看各个角度。", "language": "English",
        "angle": "{deg}度", "gone": "此链接已失效", "frame_alt": "从{deg}度看样衣",
        "customise": "定制", "colour": "颜色", "own_colour": "原色", "as_designed": "原设计",
        "customise_note": "设计师允许以下修改，每次修改都会作为您的方案发送给设计师。",
        "allowed": "可选 {min}–{max} {unit}", "own_measurements": "您的尺寸（厘米）", "use_measurements": "使用我的尺寸",
        "height": "身高", "bust": "胸围", "waist": "腰围", "hip": "臀围", "waist_height": "腰围高", "cervical_height": "颈椎点高",
        "inside_leg": "会阴高（裆底至地面）",
        "queued": "排队等候中…", "recolouring": "新颜色：正在渲染…", "stage_pattern": "正在制版…",
        "stage_body": "正在生成人台…", "stage_mesh": "正在裁剪面料…", "stage_drape": "正在模拟垂坠：{pct}%",
        "stage_render": "正在渲染视图…", "ready": "已显示您的方案，满意后请在下方确认。", "failed": "修改失败：{error}",
        "designer_said": "设计师", "refused": "不允许：{detail}",
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
