//! The figures' words beside the shared table: the figures added by issue 26 and the definition
//! of every figure (docs/KPIS.md), shown as tooltips and notes.

pub const UI: &[(&str, &str, &str)] = &[
    ("kpi.due", "应办结", "Due"),
    ("kpi.due_concluded", "到期已办结", "Due and concluded"),
    ("kpi.carried", "结转办结", "Carried over, concluded"),
    ("kpi.counted_to", "统计截至", "Counted up to"),
    ("kpi.notes", "指标说明", "What each figure means"),
    (
        "kpi.notes_more",
        "口径详见《统计分析指标说明》。比率保留一位小数，分母为0时显示“—”。",
        "The full definitions are in the statistics guide. Rates have one decimal; a rate whose denominator is 0 shows “—”.",
    ),
    (
        "kpi.def.received",
        "统计期内提交的申请件数（按提交日）",
        "applications submitted in the period (by the day submitted)",
    ),
    (
        "kpi.def.accepted",
        "统计期内受理的办件数（含逾期视为受理、即办件，按受理日）",
        "cases accepted in the period, deemed acceptance and on-the-spot cases included (by the day accepted)",
    ),
    (
        "kpi.def.concluded",
        "统计期内办结的办件数（按办结日，准予与不予许可均计）",
        "cases concluded in the period, approved or denied (by the day concluded)",
    ),
    (
        "kpi.def.carried",
        "统计期内办结、但承诺期限在统计期开始之前的办件（以前各期结转）",
        "concluded in the period but due before it began (carried over from earlier periods)",
    ),
    (
        "kpi.def.due",
        "承诺办结期限落在统计期内（截至今日）的已受理办件，不含撤回",
        "accepted cases whose promised deadline falls in the period (up to today), withdrawn ones left out",
    ),
    (
        "kpi.def.due_concluded",
        "应办结办件中已经办结的件数（截至今日）",
        "of the cases due, those concluded (as of today)",
    ),
    (
        "kpi.def.conclusion_rate",
        "到期已办结 ÷ 应办结 × 100%，不会超过100%",
        "due and concluded ÷ due × 100; never above 100",
    ),
    (
        "kpi.def.on_time_rate",
        "办结件中在承诺期限内作出决定的比例",
        "of the cases concluded, the share decided by the promised deadline",
    ),
    (
        "kpi.def.overdue",
        "统计期内办结、但决定晚于承诺期限的件数",
        "concluded in the period, decided after the promised deadline",
    ),
    (
        "kpi.def.avg_used_days",
        "办结件实际使用的工作日（不含特别程序）÷ 办结数",
        "working days the concluded cases took, special procedures excluded, ÷ concluded",
    ),
    (
        "kpi.def.on_spot_rate",
        "办结件中承诺时限为0、当场办结的比例",
        "of the cases concluded, those concluded on the spot (a limit of 0 days)",
    ),
    (
        "kpi.def.online_rate",
        "网上申请件数 ÷ 收件数",
        "applications made online ÷ received",
    ),
    (
        "kpi.def.no_visit_rate",
        "全程无需到现场的申请 ÷ 收件数",
        "applications with no visit in person ÷ received",
    ),
    (
        "kpi.def.one_visit_rate",
        "到现场不超过一次的申请 ÷ 收件数",
        "applications with at most one visit ÷ received",
    ),
    (
        "kpi.def.avg_wait",
        "大厅取号到首次叫号的平均分钟数",
        "minutes from taking a ticket to its first call, on average",
    ),
    (
        "kpi.def.satisfaction_rate",
        "“基本满意”及以上的评价 ÷ 评价数",
        "ratings of 3 (基本满意) or more ÷ ratings",
    ),
    (
        "kpi.def.bad_rate",
        "“不满意”“非常不满意”的评价 ÷ 评价数",
        "ratings of 1 or 2 ÷ ratings",
    ),
    (
        "kpi.def.ratings",
        "统计期内的服务评价数（申诉成立的不计）",
        "service ratings given in the period (those voided on appeal left out)",
    ),
];
