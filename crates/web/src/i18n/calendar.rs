//! The calendar's words for years computed from the law (暂定).

pub const UI: &[(&str, &str, &str)] = &[
    ("cal.provisional", "暂定", "provisional"),
    (
        "cal.provisional_hint",
        "该年节假日安排通知尚未录入，按法定节假日计算，调休上班日未计；录入后自动重算",
        "that year's holiday notice has not been entered: computed from the statutory holidays, without make-up working days; recomputed once it is entered",
    ),
    (
        "cal.provisional_note",
        "年的节假日安排通知尚未录入：期限按《全国年节及纪念日放假办法》规定的法定节假日暂定计算，调休上班日未计；通知录入后自动重新计算。",
        "'s holiday notice has not been entered: the deadlines are computed provisionally from the statutory holidays, without make-up working days, and are recomputed once it is entered.",
    ),
    (
        "cal.banner",
        "年节假日安排尚未录入。国务院办公厅通知发布后，请在“工作日与办件规则”中录入；在此之前，跨入该年的期限按法定节假日暂定计算。",
        "'s holiday arrangement has not been entered. Enter it under Calendar & rules once the State Council's notice is out; until then deadlines in that year are provisional, from the statutory holidays.",
    ),
    ("cal.banner_link", "去录入", "Enter it"),
];
