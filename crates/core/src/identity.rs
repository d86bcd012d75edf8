//! Who people are on the platform: roles, the scope a staff account works in, the rules for
//! usernames and passwords.

use crate::error::FieldError;
use crate::i18n::Text;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Clerk,
    Approver,
    Supervisor,
    #[serde(rename = "grid")]
    GridWorker,
    Dispatcher,
    Steward,
    #[serde(rename = "agent")]
    PetitionAgent,
    Leader,
    Citizen,
    Enterprise,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::Admin,
        Role::Clerk,
        Role::Approver,
        Role::Supervisor,
        Role::GridWorker,
        Role::Dispatcher,
        Role::Steward,
        Role::PetitionAgent,
        Role::Leader,
        Role::Citizen,
        Role::Enterprise,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Clerk => "clerk",
            Role::Approver => "approver",
            Role::Supervisor => "supervisor",
            Role::GridWorker => "grid",
            Role::Dispatcher => "dispatcher",
            Role::Steward => "steward",
            Role::PetitionAgent => "agent",
            Role::Leader => "leader",
            Role::Citizen => "citizen",
            Role::Enterprise => "enterprise",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn name(self) -> Text {
        match self {
            Role::Admin => Text::fixed("系统管理员", "administrator"),
            Role::Clerk => Text::fixed("窗口人员", "window clerk"),
            Role::Approver => Text::fixed("审批人员", "approver"),
            Role::Supervisor => Text::fixed("电子监察人员", "supervisor"),
            Role::GridWorker => Text::fixed("网格员", "grid worker"),
            Role::Dispatcher => Text::fixed("指挥中心调度员", "dispatcher"),
            Role::Steward => Text::fixed("项目管家", "project steward"),
            Role::PetitionAgent => Text::fixed("信访代理员", "petition agent"),
            Role::Leader => Text::fixed("领导", "leader"),
            Role::Citizen => Text::fixed("群众", "citizen"),
            Role::Enterprise => Text::fixed("企业用户", "enterprise user"),
        }
    }

    /// Staff work for the government in a scope; citizens and enterprises act for themselves.
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Citizen | Role::Enterprise)
    }
}

/// Parses a list of role codes, refusing unknown ones, duplicates, an empty list, and a mix of
/// staff and public roles (one account is either government staff or a member of the public).
pub fn parse_roles(codes: &[String]) -> Result<Vec<Role>, FieldError> {
    let mut roles = Vec::new();
    for code in codes {
        let role = Role::parse(code.trim()).ok_or_else(|| {
            FieldError::new(
                "roles",
                Text::new(
                    format!("未知角色“{code}”"),
                    format!("unknown role '{code}'"),
                ),
            )
        })?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    if roles.is_empty() {
        return Err(FieldError::new(
            "roles",
            Text::fixed("至少需要一个角色", "at least one role is needed"),
        ));
    }
    let staff = roles.iter().filter(|r| r.is_staff()).count();
    if staff != 0 && staff != roles.len() {
        return Err(FieldError::new(
            "roles",
            Text::fixed(
                "工作人员角色不能与群众、企业角色混用",
                "staff roles cannot be mixed with citizen or enterprise roles",
            ),
        ));
    }
    roles.sort();
    Ok(roles)
}

/// Usernames: 3–32 lower-case letters, digits, '.', '_' or '-', starting with a letter.
pub fn check_username(name: &str) -> Result<String, FieldError> {
    let n = name.trim().to_ascii_lowercase();
    let ok_chars = n
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    let starts = n.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    if !(3..=32).contains(&n.len()) || !ok_chars || !starts {
        return Err(FieldError::new(
            "username",
            Text::fixed(
                "用户名为3–32位小写字母、数字或 . _ -，以字母开头",
                "a username has 3–32 lower-case letters, digits, '.', '_' or '-' and starts with a letter",
            ),
        ));
    }
    Ok(n)
}

/// Passwords: at least 8 characters, with letters and digits, and not the username.
pub fn check_password(username: &str, password: &str, field: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n < 8 {
        return Err(FieldError::new(
            field,
            Text::new(
                format!("密码至少8位，当前为{n}位"),
                format!("a password has at least 8 characters, this one has {n}"),
            ),
        ));
    }
    if n > 128 {
        return Err(FieldError::new(
            field,
            Text::fixed("密码不能超过128位", "a password has at most 128 characters"),
        ));
    }
    let letters = password.chars().any(|c| c.is_alphabetic());
    let digits = password.chars().any(|c| c.is_ascii_digit());
    if !(letters && digits) {
        return Err(FieldError::new(
            field,
            Text::fixed(
                "密码须同时包含字母和数字",
                "a password needs both letters and digits",
            ),
        ));
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(FieldError::new(
            field,
            Text::fixed(
                "密码不能与用户名相同",
                "the password cannot be the username",
            ),
        ));
    }
    Ok(())
}

/// An account. The password hash never leaves the storage layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[schema(value_type = Vec<String>, example = json!(["clerk"]))]
    pub roles: Vec<Role>,
    pub department_id: Option<i64>,
    pub region_id: Option<i64>,
    pub phone: Option<String>,
    pub active: bool,
    /// 适老化: large text and high contrast on every page.
    pub large_text: bool,
    #[schema(value_type = String, example = "zh")]
    pub lang: crate::Lang,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl User {
    pub fn is_staff(&self) -> bool {
        self.roles.iter().any(|r| r.is_staff())
    }
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub roles: Vec<String>,
    pub department_id: Option<i64>,
    pub region_id: Option<i64>,
    pub phone: Option<String>,
}

/// A new account after its checks: normalised username, parsed roles, checked phone.
#[derive(Clone, Debug)]
pub struct CleanNewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub roles: Vec<Role>,
    pub department_id: Option<i64>,
    pub region_id: Option<i64>,
    pub phone: Option<String>,
}

impl NewUser {
    pub fn clean(self) -> Result<CleanNewUser, FieldError> {
        let username = check_username(&self.username)?;
        check_password(&username, &self.password, "password")?;
        let roles = parse_roles(&self.roles)?;
        check_scope(&roles, self.department_id, self.region_id)?;
        Ok(CleanNewUser {
            display_name: crate::validate::text::required("display_name", &self.display_name, 50)?,
            phone: crate::org::clean_mobile("phone", self.phone.as_deref())?,
            username,
            password: self.password,
            roles,
            department_id: self.department_id,
            region_id: self.region_id,
        })
    }
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    pub version: i64,
    pub display_name: Option<String>,
    pub roles: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::org::present")]
    pub department_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::org::present")]
    pub region_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::org::present")]
    pub phone: Option<Option<String>>,
}

/// An update after its checks, merged with the current account so the scope rule sees the
/// whole result.
#[derive(Clone, Debug)]
pub struct CleanUserUpdate {
    pub version: i64,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub department_id: Option<i64>,
    pub region_id: Option<i64>,
    pub phone: Option<String>,
}

impl UserUpdate {
    pub fn clean(self, current: &User) -> Result<CleanUserUpdate, FieldError> {
        let roles = match &self.roles {
            Some(r) => parse_roles(r)?,
            None => current.roles.clone(),
        };
        let department_id = self.department_id.unwrap_or(current.department_id);
        let region_id = self.region_id.unwrap_or(current.region_id);
        check_scope(&roles, department_id, region_id)?;
        Ok(CleanUserUpdate {
            version: self.version,
            display_name: match self.display_name {
                Some(n) => crate::validate::text::required("display_name", &n, 50)?,
                None => current.display_name.clone(),
            },
            phone: match self.phone {
                Some(p) => crate::org::clean_mobile("phone", p.as_deref())?,
                None => current.phone.clone(),
            },
            roles,
            department_id,
            region_id,
        })
    }
}

/// Staff need a scope (a department, or a region); citizens and enterprises have none.
pub fn check_scope(
    roles: &[Role],
    department_id: Option<i64>,
    region_id: Option<i64>,
) -> Result<(), FieldError> {
    let staff = roles.iter().any(|r| r.is_staff());
    if staff && department_id.is_none() && region_id.is_none() {
        return Err(FieldError::new(
            "department_id",
            Text::fixed(
                "工作人员须指定所属部门或负责区域",
                "staff need a department or a region",
            ),
        ));
    }
    if !staff && (department_id.is_some() || region_id.is_some()) {
        return Err(FieldError::new(
            "department_id",
            Text::fixed(
                "群众和企业账号不属于任何部门或区域",
                "citizen and enterprise accounts have no department or region",
            ),
        ));
    }
    Ok(())
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub old_password: String,
    pub new_password: String,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub version: i64,
    pub new_password: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.code()));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn roles_cannot_mix_staff_and_public() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_roles(&s(&["clerk", "approver", "clerk"])).unwrap(),
            vec![Role::Clerk, Role::Approver]
        );
        assert!(parse_roles(&s(&[])).is_err());
        assert!(
            parse_roles(&s(&["clerk", "citizen"]))
                .unwrap_err()
                .reason
                .zh
                .contains("混用")
        );
        assert!(
            parse_roles(&s(&["boss"]))
                .unwrap_err()
                .reason
                .zh
                .contains("boss")
        );
    }

    #[test]
    fn usernames_and_passwords() {
        assert_eq!(check_username(" Clerk.Li ").unwrap(), "clerk.li");
        assert!(check_username("ab").is_err());
        assert!(check_username("1abc").is_err());
        assert!(check_username("张三").is_err());
        assert!(check_password("li", "short1", "password").is_err());
        assert!(check_password("li", "onlyletters", "password").is_err());
        assert!(check_password("li", "12345678", "password").is_err());
        assert!(check_password("abc12345", "ABC12345", "password").is_err());
        assert!(check_password("li", "window-48-ok", "password").is_ok());
    }
}
