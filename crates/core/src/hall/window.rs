//! What a clerk does at a window (窗口操作): call the next ticket or a chosen one, call again,
//! mark a no-show, transfer, finish, pause and resume; and which of these the window's state
//! allows. The store carries them out in one transaction each.

use crate::error::DomainError;
use crate::vocabulary::vocabulary;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How long after a ticket is finished the window's pad still takes its rating.
pub const RATING_MINUTES: i64 = 10;

vocabulary!(
    /// The kind of a window action, as the trail and the displays name it.
    WindowActionKind {
        CallNext = ("call_next", "叫号", "call next"),
        Call = ("call", "指定叫号", "call a ticket"),
        Recall = ("recall", "重呼", "call again"),
        NoShow = ("no_show", "过号", "no-show"),
        Transfer = ("transfer", "转移", "transfer"),
        Finish = ("finish", "办结", "finish"),
        Pause = ("pause", "暂停服务", "pause"),
        Resume = ("resume", "恢复服务", "resume"),
    }
);

/// A window action with what it needs.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum WindowAction {
    /// Finish whoever is at the window and call the next by the calling rule.
    CallNext,
    /// Finish whoever is at the window and call this waiting ticket of the hall.
    Call {
        ticket_id: i64,
    },
    Recall,
    NoShow,
    /// Send the person at the window back to the queue, keeping the arrival: to another
    /// category, or to one window in particular, or both.
    Transfer {
        #[serde(default)]
        category_id: Option<i64>,
        #[serde(default)]
        window_id: Option<i64>,
    },
    /// The person at the window is served; with the numbers of the cases taken in.
    Finish {
        #[serde(default)]
        case_numbers: Vec<String>,
    },
    Pause,
    Resume,
}

impl WindowAction {
    pub fn kind(&self) -> WindowActionKind {
        match self {
            WindowAction::CallNext => WindowActionKind::CallNext,
            WindowAction::Call { .. } => WindowActionKind::Call,
            WindowAction::Recall => WindowActionKind::Recall,
            WindowAction::NoShow => WindowActionKind::NoShow,
            WindowAction::Transfer { .. } => WindowActionKind::Transfer,
            WindowAction::Finish { .. } => WindowActionKind::Finish,
            WindowAction::Pause => WindowActionKind::Pause,
            WindowAction::Resume => WindowActionKind::Resume,
        }
    }
}

/// Whether the window's state allows the action: `paused`, and whether someone has been called
/// to it and not yet finished.
pub fn check(action: &WindowAction, paused: bool, serving: bool) -> Result<(), DomainError> {
    use WindowAction::*;
    let refuse = |zh: &str, en: &str| Err(DomainError::conflict("action", zh, en));
    match action {
        CallNext | Call { .. } if paused => refuse(
            "窗口已暂停服务，请先恢复服务再叫号",
            "the window is paused; resume it before calling",
        ),
        Recall | NoShow | Transfer { .. } | Finish { .. } if !serving => refuse(
            "窗口当前没有正在办理的号",
            "no ticket is being served at this window",
        ),
        Transfer {
            category_id: None,
            window_id: None,
        } => Err(DomainError::invalid(
            "category_id",
            "请选择转移到的业务类别或窗口",
            "choose the category or the window to transfer to",
        )),
        Pause if paused => refuse("窗口已处于暂停状态", "the window is already paused"),
        Pause if serving => refuse(
            "请先办结或转移当前号再暂停服务",
            "finish or transfer the current ticket before pausing",
        ),
        Resume if !paused => refuse("窗口未暂停", "the window is not paused"),
        _ => Ok(()),
    }
}

/// The case numbers a finish names, trimmed, without repeats; at most 20.
pub fn clean_case_numbers(numbers: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out: Vec<String> = Vec::new();
    for n in numbers {
        let n = n.trim();
        if n.is_empty() {
            continue;
        }
        if n.len() > 40 {
            return Err(DomainError::invalid(
                "case_numbers",
                format!("办件编号“{n}”过长"),
                format!("case number '{n}' is too long"),
            ));
        }
        if !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    }
    if out.len() > 20 {
        return Err(DomainError::invalid(
            "case_numbers",
            "一次办结最多关联20个办件",
            "at most 20 cases per finish",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(r: Result<(), DomainError>) -> Option<String> {
        match r {
            Ok(()) => None,
            Err(DomainError::Conflict(f)) => Some(format!("conflict:{}", f.field)),
            Err(DomainError::Invalid(f)) => Some(format!("invalid:{}", f.field)),
            Err(e) => Some(format!("{e:?}")),
        }
    }

    #[test]
    fn what_a_window_may_do_in_each_state() {
        use WindowAction::*;
        let transfer = Transfer {
            category_id: Some(1),
            window_id: None,
        };
        let finish = Finish {
            case_numbers: vec![],
        };
        // Idle and open: call, pause; nothing to recall, finish or transfer.
        for a in [CallNext, Call { ticket_id: 1 }, Pause] {
            assert_eq!(field(check(&a, false, false)), None, "{a:?}");
        }
        for a in [Recall, NoShow, transfer.clone(), finish.clone(), Resume] {
            assert_eq!(
                field(check(&a, false, false)),
                Some("conflict:action".into()),
                "{a:?}"
            );
        }
        // Serving: everything but resume and pause.
        for a in [Recall, NoShow, transfer.clone(), finish.clone(), CallNext] {
            assert_eq!(field(check(&a, false, true)), None, "{a:?}");
        }
        assert!(check(&Pause, false, true).is_err());
        // Paused: no calling; resume.
        assert!(check(&CallNext, true, false).is_err());
        assert!(check(&Call { ticket_id: 1 }, true, false).is_err());
        assert!(check(&Pause, true, false).is_err());
        assert_eq!(field(check(&Resume, true, false)), None);
        // A transfer must say where to.
        let nowhere = Transfer {
            category_id: None,
            window_id: None,
        };
        assert_eq!(
            field(check(&nowhere, false, true)),
            Some("invalid:category_id".into())
        );
    }

    #[test]
    fn actions_read_from_json_and_case_numbers_are_cleaned() {
        let a: WindowAction =
            serde_json::from_str(r#"{"action":"finish","case_numbers":[" B1 ","B1",""]}"#).unwrap();
        let WindowAction::Finish { case_numbers } = &a else {
            panic!("{a:?}")
        };
        assert_eq!(clean_case_numbers(case_numbers).unwrap(), vec!["B1"]);
        assert_eq!(a.kind(), WindowActionKind::Finish);
        assert!(serde_json::from_str::<WindowAction>(r#"{"action":"fly"}"#).is_err());
        let many: Vec<String> = (0..21).map(|i| format!("N{i}")).collect();
        assert!(clean_case_numbers(&many).is_err());
    }
}
