//! What a rater gives (好差评, DESIGN.md §3): a level, the sub-scores the national standard asks
//! for where the service was had, a comment, and the reason for a bad level. The level is the
//! overall score; the sub-scores are the other questions of the standard's form.

use super::{is_bad, level_name};
use crate::error::FieldError;
use crate::i18n::Text;
use crate::validate::text;
use crate::vocabulary::vocabulary;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Where the service was had, which decides the standard's sub-scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    /// 现场: at a window, rated on its pad or at a kiosk (一次一评).
    OnSite,
    /// 网上: rated on the web page of the case or through a link sent by SMS or e-mail (一事一评).
    Online,
}

impl Setting {
    /// The sub-scores asked in this setting, beside the overall level: (code, 中文, English).
    pub fn scores(self) -> &'static [(&'static str, &'static str, &'static str)] {
        match self {
            Setting::OnSite => &ON_SITE_SCORES,
            Setting::Online => &ONLINE_SCORES,
        }
    }
}

pub const ON_SITE_SCORES: [(&str, &str, &str); 3] = [
    ("efficiency", "办事效率", "efficiency"),
    ("competence", "业务能力", "competence"),
    ("attitude", "服务态度", "attitude"),
];

pub const ONLINE_SCORES: [(&str, &str, &str); 4] = [
    ("efficiency", "办理效率", "efficiency"),
    ("guide_accuracy", "办事指南准确性", "guide accuracy"),
    ("convenience", "办事便捷度", "convenience"),
    ("ease_of_use", "平台易用性", "ease of use"),
];

vocabulary!(
    /// How a rating came in.
    #[schema(as = RatingChannel)]
    Channel {
        /// The pad at the window (评价器).
        WindowPad = ("window_pad", "窗口评价器", "window pad"),
        /// A self-service kiosk in the hall.
        Kiosk = ("kiosk", "自助终端", "kiosk"),
        /// The case's page, signed in.
        Web = ("web", "网上办事大厅", "web"),
        /// A link sent by SMS, carrying a one-time token.
        Sms = ("sms", "短信链接", "SMS link"),
        /// A link sent by e-mail, carrying a one-time token.
        Email = ("email", "邮件链接", "e-mail link"),
    }
);

impl Channel {
    pub fn setting(self) -> Setting {
        match self {
            Channel::WindowPad | Channel::Kiosk => Setting::OnSite,
            Channel::Web | Channel::Sms | Channel::Email => Setting::Online,
        }
    }
}

vocabulary!(
    /// What kind of rating it is.
    Kind {
        /// The rating of one service or one case by the person served (一次一评 / 一事一评).
        Service = ("service", "服务评价", "service rating"),
        /// An open review of a hall or a department (综合点评), not tied to one service.
        OpenReview = ("open_review", "综合点评", "open review"),
        /// A supervisor's check of a window or a case (监督查评).
        SupervisorCheck = ("supervisor_check", "监督查评", "supervisor's check"),
    }
);

/// A rating's sub-scores by code, each 1 to 5.
pub type Scores = BTreeMap<String, i64>;

/// What a rater gives, in any channel.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Given {
    /// The overall level: 1 (非常不满意) to 5 (非常满意).
    pub level: i64,
    /// The standard's sub-scores (on site: efficiency, competence, attitude; online: efficiency,
    /// guide_accuracy, convenience, ease_of_use), each 1 to 5. All or none.
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeMap<String, i64>)]
    pub scores: Scores,
    /// What the rater wants to say (at most 500 characters).
    #[serde(default)]
    pub comment: Option<String>,
    /// Why; required for a bad level (1 or 2).
    #[serde(default)]
    pub reason: Option<String>,
}

impl Given {
    /// Checks a rating given in `setting`: the level, the sub-scores that setting asks (all of
    /// them or none, nothing else), the comment, and the reason a bad level needs.
    pub fn clean(self, setting: Setting) -> Result<Given, FieldError> {
        check_level("level", self.level)?;
        let asked = setting.scores();
        for (code, value) in &self.scores {
            if !asked.iter().any(|a| a.0 == code) {
                let names: Vec<&str> = asked.iter().map(|a| a.0).collect();
                return Err(FieldError::new(
                    format!("scores.{code}"),
                    Text::new(
                        format!("此处评价没有该项，可评：{}", names.join("、")),
                        format!("not asked here; the items are {}", names.join(", ")),
                    ),
                ));
            }
            check_level(&format!("scores.{code}"), *value)?;
        }
        if !self.scores.is_empty()
            && let Some(missing) = asked.iter().find(|a| !self.scores.contains_key(a.0))
        {
            return Err(FieldError::new(
                format!("scores.{}", missing.0),
                Text::new(
                    format!("请为“{}”评分", missing.1),
                    format!("please score {}", missing.2),
                ),
            ));
        }
        let comment = text::optional("comment", self.comment.as_deref().unwrap_or(""), 500)?;
        let reason = text::optional("reason", self.reason.as_deref().unwrap_or(""), 200)?;
        if is_bad(self.level) && reason.is_none() {
            return Err(FieldError::new(
                "reason",
                Text::fixed(
                    "请选择或填写不满意的原因",
                    "please give the reason for a low rating",
                ),
            ));
        }
        Ok(Given {
            comment,
            reason,
            ..self
        })
    }
}

/// Checks a level of 1 to 5 under `field`.
pub fn check_level(field: &str, level: i64) -> Result<i64, FieldError> {
    if level_name(level).is_none() {
        return Err(FieldError::new(
            field,
            Text::new(
                format!("评价等级{level}无效，应为1至5"),
                format!("rating level {level} must be 1 to 5"),
            ),
        ));
    }
    Ok(level)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(level: i64, scores: &[(&str, i64)], reason: Option<&str>) -> Given {
        Given {
            level,
            scores: scores.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            comment: None,
            reason: reason.map(str::to_string),
        }
    }

    #[test]
    fn the_sub_scores_of_each_setting_all_or_none() {
        let on_site = [("efficiency", 5), ("competence", 4), ("attitude", 5)];
        assert!(given(5, &on_site, None).clean(Setting::OnSite).is_ok());
        assert!(given(5, &[], None).clean(Setting::OnSite).is_ok());
        // An online item asked on site, and an on-site one asked online.
        let e = given(5, &[("ease_of_use", 5)], None)
            .clean(Setting::OnSite)
            .unwrap_err();
        assert_eq!(e.field, "scores.ease_of_use");
        let e = given(5, &on_site, None).clean(Setting::Online).unwrap_err();
        assert_eq!(e.field, "scores.attitude");
        // Some but not all.
        let e = given(5, &[("efficiency", 5)], None)
            .clean(Setting::OnSite)
            .unwrap_err();
        assert_eq!(e.field, "scores.competence");
        let e = given(
            4,
            &[("efficiency", 6), ("competence", 4), ("attitude", 5)],
            None,
        )
        .clean(Setting::OnSite)
        .unwrap_err();
        assert_eq!(e.field, "scores.efficiency");
        let online = [
            ("efficiency", 3),
            ("guide_accuracy", 2),
            ("convenience", 3),
            ("ease_of_use", 1),
        ];
        assert!(given(3, &online, None).clean(Setting::Online).is_ok());
    }

    #[test]
    fn a_bad_level_needs_a_reason_and_text_is_checked() {
        assert_eq!(
            given(0, &[], None)
                .clean(Setting::Online)
                .unwrap_err()
                .field,
            "level"
        );
        assert_eq!(
            given(2, &[], None)
                .clean(Setting::Online)
                .unwrap_err()
                .field,
            "reason"
        );
        assert_eq!(
            given(1, &[], Some(" 多次跑动 "))
                .clean(Setting::Online)
                .unwrap()
                .reason
                .as_deref(),
            Some("多次跑动")
        );
        let long = Given {
            comment: Some("好".repeat(501)),
            ..given(5, &[], None)
        };
        assert_eq!(long.clean(Setting::Online).unwrap_err().field, "comment");
    }

    #[test]
    fn channels_and_kinds_round_trip_their_codes() {
        for &c in Channel::ALL {
            assert_eq!(Channel::parse(c.code()), Some(c));
        }
        for &k in Kind::ALL {
            assert_eq!(Kind::parse(k.code()), Some(k));
        }
        assert_eq!(Channel::WindowPad.setting(), Setting::OnSite);
        assert_eq!(Channel::Sms.setting(), Setting::Online);
        assert_eq!(Channel::parse("fax"), None);
    }
}
