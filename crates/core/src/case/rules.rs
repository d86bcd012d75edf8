//! The legal numbers a case runs on, each a setting with the law's default (DESIGN.md §3).

use crate::error::FieldError;
use crate::i18n::Text;
use crate::supervision::lights::LightRule;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Rules {
    /// 行政许可法 art. 32: completeness decided within 5 working days, or deemed accepted.
    pub completeness_days: i64,
    /// art. 42: one extension of 10 working days …
    pub extension_days: i64,
    /// … or 15 for joint or concentrated handling.
    pub joint_extension_days: i64,
    /// art. 44: certificates delivered within 10 working days of the decision.
    pub delivery_days: i64,
    /// Yellow light this many working days before the promised deadline…
    pub yellow_days: i64,
    /// …or with this share of the limit left (percent, rounded up), whichever is more.
    #[serde(default = "default_yellow_percent")]
    pub yellow_percent: i64,
    /// Matters whose clocks turn yellow by a rule of their own (a long approval may want its
    /// warning a week ahead, a same-day licence none).
    #[serde(default)]
    pub matter_lights: Vec<MatterLight>,
    /// How urges climb when nobody answers (督办升级).
    #[serde(default)]
    pub urge: crate::supervision::urge::UrgeRule,
    /// Bad-rating rectification, rating links and appeals (好差评).
    #[serde(default)]
    pub evaluation: crate::evaluation::rectification::EvaluationRule,
    /// Largest upload, in MiB.
    pub max_upload_mib: i64,
    /// Upload types allowed, by extension.
    pub upload_types: Vec<String>,
    /// Closing time for applications that come in online ("HH:MM"); after it they count from the
    /// next working day, like those at a hall after its closing time.
    pub online_closes: String,
}

/// A matter's own yellow rule, in place of the rules' `yellow_days` and `yellow_percent`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MatterLight {
    /// The matter's code (事项编码).
    pub matter_code: String,
    pub yellow_days: i64,
    pub yellow_percent: i64,
}

impl MatterLight {
    fn rule(&self) -> LightRule {
        LightRule {
            yellow_days: self.yellow_days,
            yellow_percent: self.yellow_percent,
        }
    }
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            completeness_days: 5,
            extension_days: 10,
            joint_extension_days: 15,
            delivery_days: 10,
            yellow_days: 1,
            yellow_percent: default_yellow_percent(),
            matter_lights: Vec::new(),
            urge: Default::default(),
            evaluation: Default::default(),
            max_upload_mib: 20,
            upload_types: ["pdf", "jpg", "jpeg", "png", "ofd"]
                .map(str::to_string)
                .to_vec(),
            online_closes: "17:00".into(),
        }
    }
}

fn default_yellow_percent() -> i64 {
    20
}

/// The settings key under which the rules are kept (JSON).
pub const SETTING_KEY: &str = "case.rules";

fn range(field: &str, v: i64, lo: i64, hi: i64) -> Result<(), FieldError> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            Text::new(
                format!("应在{lo}到{hi}之间，实际为{v}"),
                format!("must be between {lo} and {hi}, got {v}"),
            ),
        ))
    }
}

impl Rules {
    /// When a clock turns yellow, by default.
    pub fn light_rule(&self) -> LightRule {
        LightRule {
            yellow_days: self.yellow_days,
            yellow_percent: self.yellow_percent,
        }
    }

    /// When a clock of the matter `matter_code` turns yellow: its own rule if it has one.
    pub fn light_rule_for(&self, matter_code: &str) -> LightRule {
        self.matter_lights
            .iter()
            .find(|m| m.matter_code == matter_code)
            .map_or_else(|| self.light_rule(), MatterLight::rule)
    }

    pub fn clean(mut self) -> Result<Rules, FieldError> {
        range("completeness_days", self.completeness_days, 1, 30)?;
        range("extension_days", self.extension_days, 0, 60)?;
        range("joint_extension_days", self.joint_extension_days, 0, 60)?;
        range("delivery_days", self.delivery_days, 0, 60)?;
        range("yellow_days", self.yellow_days, 0, 10)?;
        range("yellow_percent", self.yellow_percent, 0, 50)?;
        let mut seen = Vec::new();
        for (i, m) in self.matter_lights.iter_mut().enumerate() {
            let field = format!("matter_lights[{}]", i + 1);
            m.matter_code = m.matter_code.trim().to_ascii_uppercase();
            if m.matter_code.is_empty() {
                return Err(FieldError::new(
                    field,
                    Text::fixed("缺少事项编码", "the matter code is missing"),
                ));
            }
            if seen.contains(&m.matter_code) {
                return Err(FieldError::new(
                    field,
                    Text::new(
                        format!("事项{}重复设置", m.matter_code),
                        format!("matter {} is given twice", m.matter_code),
                    ),
                ));
            }
            seen.push(m.matter_code.clone());
            m.rule()
                .check()
                .map_err(|e| FieldError::new(format!("{field}.{}", e.field), e.reason))?;
        }
        self.urge = self.urge.check()?;
        self.evaluation = self.evaluation.check()?;
        range("max_upload_mib", self.max_upload_mib, 1, 200)?;
        let mut types = Vec::new();
        for t in &self.upload_types {
            let t = t.trim().trim_start_matches('.').to_ascii_lowercase();
            if t.is_empty() || !t.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(FieldError::new(
                    "upload_types",
                    Text::new(
                        format!("“{t}”不是文件扩展名"),
                        format!("'{t}' is not a file extension"),
                    ),
                ));
            }
            if !types.contains(&t) {
                types.push(t);
            }
        }
        if types.is_empty() {
            return Err(FieldError::new(
                "upload_types",
                Text::fixed("至少允许一种文件类型", "allow at least one file type"),
            ));
        }
        self.upload_types = types;
        if crate::calendar::parse_time(&self.online_closes).is_none() {
            return Err(FieldError::new(
                "online_closes",
                Text::fixed("应为 HH:MM 格式的时间", "must be a time as HH:MM"),
            ));
        }
        Ok(self)
    }

    /// The extension a case may get.
    pub fn extension_for(&self, joint: bool) -> i64 {
        if joint {
            self.joint_extension_days
        } else {
            self.extension_days
        }
    }

    pub fn max_upload_bytes(&self) -> usize {
        usize::try_from(self.max_upload_mib).unwrap_or(20) * 1024 * 1024
    }
}
