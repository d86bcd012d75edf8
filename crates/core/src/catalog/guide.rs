//! A matter's guide: everything a person must know before the first visit.

use crate::error::FieldError;
use crate::i18n::Text;
use crate::validate::text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// 事项类型.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatterKind {
    /// 行政许可
    Licensing,
    /// 行政给付
    Payment,
    /// 行政确认
    Confirmation,
    /// 行政裁决
    Adjudication,
    /// 行政征收
    Levy,
    /// 行政奖励
    Reward,
    /// 其他行政权力
    OtherPower,
    /// 公共服务
    PublicService,
}

impl MatterKind {
    pub const ALL: [MatterKind; 8] = [
        MatterKind::Licensing,
        MatterKind::Payment,
        MatterKind::Confirmation,
        MatterKind::Adjudication,
        MatterKind::Levy,
        MatterKind::Reward,
        MatterKind::OtherPower,
        MatterKind::PublicService,
    ];

    pub fn name(self) -> Text {
        match self {
            MatterKind::Licensing => Text::fixed("行政许可", "administrative licensing"),
            MatterKind::Payment => Text::fixed("行政给付", "administrative payment"),
            MatterKind::Confirmation => Text::fixed("行政确认", "administrative confirmation"),
            MatterKind::Adjudication => Text::fixed("行政裁决", "administrative adjudication"),
            MatterKind::Levy => Text::fixed("行政征收", "administrative levy"),
            MatterKind::Reward => Text::fixed("行政奖励", "administrative reward"),
            MatterKind::OtherPower => Text::fixed("其他行政权力", "other administrative power"),
            MatterKind::PublicService => Text::fixed("公共服务", "public service"),
        }
    }

    /// From the Chinese name (spreadsheets) or the code (API).
    pub fn parse(s: &str) -> Option<MatterKind> {
        let s = s.trim();
        MatterKind::ALL
            .into_iter()
            .find(|k| k.name().zh == s || k.code() == s)
    }

    pub fn code(self) -> &'static str {
        match self {
            MatterKind::Licensing => "licensing",
            MatterKind::Payment => "payment",
            MatterKind::Confirmation => "confirmation",
            MatterKind::Adjudication => "adjudication",
            MatterKind::Levy => "levy",
            MatterKind::Reward => "reward",
            MatterKind::OtherPower => "other_power",
            MatterKind::PublicService => "public_service",
        }
    }
}

/// Who may apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Applicant {
    /// 自然人
    Person,
    /// 法人
    Legal,
    /// 自然人和法人
    Both,
}

impl Applicant {
    pub fn name(self) -> Text {
        match self {
            Applicant::Person => Text::fixed("自然人", "persons"),
            Applicant::Legal => Text::fixed("法人", "legal persons"),
            Applicant::Both => Text::fixed("自然人、法人", "persons and legal persons"),
        }
    }

    pub fn parse(s: &str) -> Option<Applicant> {
        match s.trim() {
            "自然人" | "个人" | "person" => Some(Applicant::Person),
            "法人" | "legal" => Some(Applicant::Legal),
            "自然人、法人" | "自然人,法人" | "个人、法人" | "both" => {
                Some(Applicant::Both)
            }
            _ => None,
        }
    }
}

/// 办理方式.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ServiceMode {
    /// 窗口办
    Window,
    /// 网上办
    Online,
    /// 不见面审批
    NoVisit,
    /// 最多跑一次
    AtMostOnce,
    /// 即办 / 马上办
    Immediate,
    /// 上门办
    HomeVisit,
    /// 帮办代办
    Agency,
}

impl ServiceMode {
    pub const ALL: [ServiceMode; 7] = [
        ServiceMode::Window,
        ServiceMode::Online,
        ServiceMode::NoVisit,
        ServiceMode::AtMostOnce,
        ServiceMode::Immediate,
        ServiceMode::HomeVisit,
        ServiceMode::Agency,
    ];

    pub fn name(self) -> Text {
        match self {
            ServiceMode::Window => Text::fixed("窗口办", "at a window"),
            ServiceMode::Online => Text::fixed("网上办", "online"),
            ServiceMode::NoVisit => Text::fixed("不见面审批", "no visit"),
            ServiceMode::AtMostOnce => Text::fixed("最多跑一次", "at most one visit"),
            ServiceMode::Immediate => Text::fixed("即办", "on the spot"),
            ServiceMode::HomeVisit => Text::fixed("上门办", "at home"),
            ServiceMode::Agency => Text::fixed("帮办代办", "assisted or by an agent"),
        }
    }

    pub fn parse(s: &str) -> Option<ServiceMode> {
        let s = s.trim();
        if s == "马上办" {
            return Some(ServiceMode::Immediate);
        }
        ServiceMode::ALL.into_iter().find(|m| m.name().zh == s)
    }
}

/// 材料形式.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MaterialForm {
    Original,
    Copy,
    OriginalAndCopy,
    Electronic,
}

impl MaterialForm {
    pub fn name(self) -> Text {
        match self {
            MaterialForm::Original => Text::fixed("原件", "original"),
            MaterialForm::Copy => Text::fixed("复印件", "copy"),
            MaterialForm::OriginalAndCopy => Text::fixed("原件和复印件", "original and copy"),
            MaterialForm::Electronic => Text::fixed("电子件", "electronic"),
        }
    }

    pub fn parse(s: &str) -> Option<MaterialForm> {
        [
            MaterialForm::Original,
            MaterialForm::Copy,
            MaterialForm::OriginalAndCopy,
            MaterialForm::Electronic,
        ]
        .into_iter()
        .find(|f| f.name().zh == s.trim())
    }
}

/// 申请材料.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Material {
    pub name: String,
    pub form: MaterialForm,
    pub copies: i64,
    /// `None`: always required. `Some(condition)`: needed only when the condition holds.
    #[serde(default)]
    pub condition: Option<String>,
    /// The platform fetches it by data sharing; the applicant need not bring it.
    #[serde(default)]
    pub shared: bool,
    /// Where the blank form can be had (a file name or address), if there is one.
    #[serde(default)]
    pub blank_form: Option<String>,
    /// A filled-in sample, if there is one.
    #[serde(default)]
    pub sample: Option<String>,
    /// The licence type (its code) whose licence stands for it: an applicant who holds one
    /// picks it from the library instead (电子证照·免提交).
    #[serde(default)]
    pub licence: Option<String>,
}

/// 收费项目, in fen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    pub name: String,
    pub amount_fen: i64,
    pub basis: String,
}

/// 特别程序: time that does not count toward the limits (行政许可法 art. 45).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpecialProcedure {
    pub name: String,
    /// Its own duration in working days, told to the applicant in writing.
    pub days: i64,
    #[serde(default)]
    pub note: Option<String>,
}

/// 办理环节.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub name: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// Everything a guide shows. Versioned as a whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Guide {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub kind: MatterKind,
    /// 行使层级, e.g. 区级.
    pub level: String,
    pub legal_basis: String,
    pub applicant: Applicant,
    /// 受理条件.
    #[serde(default)]
    pub conditions: String,
    #[serde(default)]
    pub materials: Vec<Material>,
    /// Empty: free of charge.
    #[serde(default)]
    pub fees: Vec<Fee>,
    /// 法定办结时限 (working days).
    pub statutory_days: i64,
    /// 承诺办结时限 (working days); 0 means on the spot.
    pub promised_days: i64,
    #[serde(default)]
    pub special_procedures: Vec<SpecialProcedure>,
    #[serde(default)]
    pub steps: Vec<Step>,
    #[serde(default)]
    pub modes: Vec<ServiceMode>,
    /// 到现场次数.
    pub visits: i64,
    /// Where: the hall and zone (ids), the windows (numbers), and the address in words.
    #[serde(default)]
    pub hall_id: Option<i64>,
    #[serde(default)]
    pub zone_id: Option<i64>,
    #[serde(default)]
    pub windows: Vec<i64>,
    #[serde(default)]
    pub address: String,
    /// 办理时间.
    #[serde(default)]
    pub hours: String,
    #[serde(default)]
    pub consult_phone: String,
    #[serde(default)]
    pub complaint_phone: String,
    /// 进驻政务服务大厅.
    pub stationed: bool,
}

impl Guide {
    /// Trims and checks every field; the first problem is reported with its field path.
    pub fn clean(mut self) -> Result<Guide, FieldError> {
        self.name = text::required("name", &self.name, 200)?;
        let mut aliases = Vec::new();
        for (i, a) in self.aliases.iter().enumerate() {
            if let Some(a) = text::optional(&format!("aliases[{i}]"), a, 100)?
                && !aliases.contains(&a)
                && a != self.name
            {
                aliases.push(a);
            }
        }
        self.aliases = aliases;
        self.level = text::required("level", &self.level, 20)?;
        self.legal_basis = text::required("legal_basis", &self.legal_basis, 4000)?;
        self.conditions = text::optional("conditions", &self.conditions, 4000)?.unwrap_or_default();
        if self.statutory_days < 0 {
            return Err(FieldError::text(
                "statutory_days",
                "法定时限不能为负数",
                "the statutory limit cannot be negative",
            ));
        }
        if self.promised_days < 0 {
            return Err(FieldError::text(
                "promised_days",
                "承诺时限不能为负数",
                "the promised limit cannot be negative",
            ));
        }
        if self.promised_days > self.statutory_days {
            return Err(FieldError::text(
                "promised_days",
                format!(
                    "承诺时限（{}个工作日）不能超过法定时限（{}个工作日）",
                    self.promised_days, self.statutory_days
                ),
                format!(
                    "the promised limit ({} working days) exceeds the statutory one ({})",
                    self.promised_days, self.statutory_days
                ),
            ));
        }
        if !(0..=10).contains(&self.visits) {
            return Err(FieldError::text(
                "visits",
                "到现场次数应在0到10之间",
                "visits must be between 0 and 10",
            ));
        }
        let mut names: Vec<String> = Vec::new();
        for (i, m) in self.materials.iter_mut().enumerate() {
            let f = format!("materials[{i}]");
            m.name = text::required(&format!("{f}.name"), &m.name, 200)?;
            if names.contains(&m.name) {
                return Err(FieldError::text(
                    format!("{f}.name"),
                    format!("材料“{}”重复", m.name),
                    format!("material '{}' is listed twice", m.name),
                ));
            }
            names.push(m.name.clone());
            if !(0..=100).contains(&m.copies) {
                return Err(FieldError::text(
                    format!("{f}.copies"),
                    "份数应在0到100之间",
                    "copies must be between 0 and 100",
                ));
            }
            m.condition = m
                .condition
                .as_deref()
                .map(|c| text::optional(&format!("{f}.condition"), c, 500))
                .transpose()?
                .flatten();
            m.blank_form = m
                .blank_form
                .as_deref()
                .map(|c| text::optional(&format!("{f}.blank_form"), c, 500))
                .transpose()?
                .flatten();
            m.sample = m
                .sample
                .as_deref()
                .map(|c| text::optional(&format!("{f}.sample"), c, 500))
                .transpose()?
                .flatten();
        }
        for (i, fee) in self.fees.iter_mut().enumerate() {
            let f = format!("fees[{i}]");
            fee.name = text::required(&format!("{f}.name"), &fee.name, 200)?;
            fee.basis = text::required(&format!("{f}.basis"), &fee.basis, 1000)?;
            if fee.amount_fen < 0 {
                return Err(FieldError::text(
                    format!("{f}.amount_fen"),
                    "收费金额不能为负数",
                    "a fee cannot be negative",
                ));
            }
        }
        for (i, p) in self.special_procedures.iter_mut().enumerate() {
            let f = format!("special_procedures[{i}]");
            p.name = text::required(&format!("{f}.name"), &p.name, 100)?;
            if !(1..=365).contains(&p.days) {
                return Err(FieldError::text(
                    format!("{f}.days"),
                    "特别程序时限应在1到365个工作日之间",
                    "a special procedure takes 1 to 365 working days",
                ));
            }
            p.note = p
                .note
                .as_deref()
                .map(|c| text::optional(&format!("{f}.note"), c, 500))
                .transpose()?
                .flatten();
        }
        for (i, s) in self.steps.iter_mut().enumerate() {
            s.name = text::required(&format!("steps[{i}].name"), &s.name, 100)?;
            s.note = s
                .note
                .as_deref()
                .map(|c| text::optional(&format!("steps[{i}].note"), c, 1000))
                .transpose()?
                .flatten();
        }
        self.modes.sort();
        self.modes.dedup();
        if self.modes.is_empty() {
            return Err(FieldError::text(
                "modes",
                "至少需要一种办理方式",
                "at least one way of handling is needed",
            ));
        }
        if self.modes.contains(&ServiceMode::NoVisit) && self.visits != 0 {
            return Err(FieldError::text(
                "visits",
                "不见面审批的事项到现场次数应为0",
                "a no-visit matter needs 0 visits",
            ));
        }
        if self.modes.contains(&ServiceMode::AtMostOnce) && self.visits > 1 {
            return Err(FieldError::text(
                "visits",
                "最多跑一次的事项到现场次数不能超过1",
                "an at-most-one-visit matter needs at most 1 visit",
            ));
        }
        self.windows.sort_unstable();
        self.windows.dedup();
        self.address = text::optional("address", &self.address, 200)?.unwrap_or_default();
        self.hours = text::optional("hours", &self.hours, 200)?.unwrap_or_default();
        self.consult_phone =
            text::optional("consult_phone", &self.consult_phone, 40)?.unwrap_or_default();
        self.complaint_phone =
            text::optional("complaint_phone", &self.complaint_phone, 40)?.unwrap_or_default();
        Ok(self)
    }

    /// Free of charge.
    pub fn free(&self) -> bool {
        self.fees.iter().all(|f| f.amount_fen == 0)
    }

    pub fn has(&self, mode: ServiceMode) -> bool {
        self.modes.contains(&mode)
    }

    /// Doable online (网办): online or without any visit.
    pub fn online(&self) -> bool {
        self.has(ServiceMode::Online) || self.has(ServiceMode::NoVisit)
    }

    /// Done without a visit (不见面).
    pub fn no_visit(&self) -> bool {
        self.visits == 0
    }

    /// Done in at most one visit (一次办).
    pub fn at_most_one_visit(&self) -> bool {
        self.visits <= 1
    }

    /// Done on the spot (即办/马上办).
    pub fn immediate(&self) -> bool {
        self.has(ServiceMode::Immediate) || self.promised_days == 0
    }

    /// The materials the applicant must bring (not fetched by data sharing).
    pub fn materials_to_bring(&self) -> impl Iterator<Item = &Material> {
        self.materials.iter().filter(|m| !m.shared)
    }
}

/// 实施编码: digits, capital letters and hyphens, 6 to 40 characters.
pub fn check_code(code: &str) -> Result<String, FieldError> {
    let c = code.trim().to_ascii_uppercase();
    let ok = (6..=40).contains(&c.len())
        && c.chars()
            .all(|ch| ch.is_ascii_digit() || ch.is_ascii_uppercase() || ch == '-');
    if ok {
        Ok(c)
    } else {
        Err(FieldError::new(
            "code",
            Text::fixed(
                "实施编码应为6到40位数字、大写字母或连字符",
                "an implementation code has 6 to 40 digits, capital letters or hyphens",
            ),
        ))
    }
}

/// Yuan as written in a spreadsheet ("12.50") to fen.
pub fn parse_yuan(s: &str) -> Option<i64> {
    let s = s.trim().trim_end_matches('元');
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let yuan: i64 = int.parse().ok()?;
    let fen: i64 = format!("{frac:0<2}").parse().ok()?;
    yuan.checked_mul(100)?.checked_add(fen)
}

/// Fen to yuan for display ("12.50").
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, (fen % 100).abs())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn sample() -> Guide {
        Guide {
            name: "义务教育阶段学生休学".into(),
            aliases: vec!["休学".into(), "中小学休学".into()],
            kind: MatterKind::PublicService,
            level: "区级".into(),
            legal_basis: "《中华人民共和国义务教育法》".into(),
            applicant: Applicant::Person,
            conditions: "因病或特殊情况需暂停学业".into(),
            materials: vec![
                Material {
                    name: "休学申请表".into(),
                    form: MaterialForm::Original,
                    copies: 1,
                    condition: None,
                    shared: false,
                    blank_form: Some("休学申请表.docx".into()),
                    sample: None,
                    licence: None,
                },
                Material {
                    name: "居民户口簿".into(),
                    form: MaterialForm::Original,
                    copies: 1,
                    condition: None,
                    shared: true,
                    blank_form: None,
                    sample: None,
                    licence: None,
                },
                Material {
                    name: "二级以上医院诊断证明".into(),
                    form: MaterialForm::Original,
                    copies: 1,
                    condition: Some("因病休学的".into()),
                    shared: false,
                    blank_form: None,
                    sample: None,
                    licence: None,
                },
            ],
            fees: vec![],
            statutory_days: 10,
            promised_days: 3,
            special_procedures: vec![],
            steps: vec![
                Step {
                    name: "申请".into(),
                    note: None,
                },
                Step {
                    name: "审核".into(),
                    note: None,
                },
            ],
            modes: vec![
                ServiceMode::Online,
                ServiceMode::Window,
                ServiceMode::AtMostOnce,
            ],
            visits: 1,
            hall_id: None,
            zone_id: None,
            windows: vec![],
            address: String::new(),
            hours: "工作日 8:30-17:00".into(),
            consult_phone: "0429-3101011".into(),
            complaint_phone: "12345".into(),
            stationed: true,
        }
    }

    #[test]
    fn a_good_guide_is_cleaned() {
        let mut g = sample();
        g.aliases.push("休学".into());
        g.aliases.push(" ".into());
        g.modes.push(ServiceMode::Online);
        let g = g.clean().unwrap();
        assert_eq!(g.aliases, vec!["休学", "中小学休学"]);
        assert_eq!(
            g.modes,
            vec![
                ServiceMode::Window,
                ServiceMode::Online,
                ServiceMode::AtMostOnce
            ]
        );
        assert!(g.free() && g.online() && g.at_most_one_visit() && !g.no_visit() && !g.immediate());
        assert_eq!(g.materials_to_bring().count(), 2);
    }

    #[test]
    fn rules_name_their_field() {
        let mut g = sample();
        g.promised_days = 11;
        let e = g.clean().unwrap_err();
        assert_eq!(e.field, "promised_days");
        assert!(e.reason.zh.contains("不能超过法定时限"));
        let mut g = sample();
        g.statutory_days = -1;
        g.promised_days = -2;
        assert_eq!(g.clean().unwrap_err().field, "statutory_days");
        let mut g = sample();
        g.materials[1].name = "休学申请表".into();
        assert_eq!(g.clean().unwrap_err().field, "materials[1].name");
        let mut g = sample();
        g.modes = vec![ServiceMode::NoVisit];
        assert_eq!(g.clean().unwrap_err().field, "visits");
        let mut g = sample();
        g.modes.clear();
        assert_eq!(g.clean().unwrap_err().field, "modes");
        let mut g = sample();
        g.fees.push(Fee {
            name: "工本费".into(),
            amount_fen: -1,
            basis: "x".into(),
        });
        assert_eq!(g.clean().unwrap_err().field, "fees[0].amount_fen");
    }

    #[test]
    fn codes_and_money() {
        assert_eq!(check_code(" 000101001000-ab ").unwrap(), "000101001000-AB");
        assert!(check_code("12345").is_err());
        assert!(check_code("编码123456").is_err());
        assert_eq!(parse_yuan("12.5"), Some(1250));
        assert_eq!(parse_yuan("12.50元"), Some(1250));
        assert_eq!(parse_yuan("0"), Some(0));
        assert_eq!(parse_yuan("-1"), None);
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(yuan(1250), "12.50");
        assert_eq!(yuan(5), "0.05");
    }

    #[test]
    fn names_parse_back() {
        for k in MatterKind::ALL {
            assert_eq!(MatterKind::parse(&k.name().zh), Some(k));
            assert_eq!(MatterKind::parse(k.code()), Some(k));
        }
        for m in ServiceMode::ALL {
            assert_eq!(ServiceMode::parse(&m.name().zh), Some(m));
        }
        assert_eq!(ServiceMode::parse("马上办"), Some(ServiceMode::Immediate));
        assert_eq!(Applicant::parse("个人"), Some(Applicant::Person));
    }
}
