//! Rows as the databases return them, and their conversion to domain types.

use chrono::{DateTime, Utc};
use onewindow_core::Lang;
use onewindow_core::audit::Entry;
use onewindow_core::identity::{Role, User};
use onewindow_core::org::*;
use onewindow_core::validate::RegionLevel;

#[derive(sqlx::FromRow)]
pub struct RegionRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_id: Option<i64>,
    pub path: String,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub const REGION_COLS: &str =
    "id, code, name, level, parent_id, path, active, version, created_at, updated_at";

impl From<RegionRow> for Region {
    fn from(r: RegionRow) -> Region {
        Region {
            id: r.id,
            level: RegionLevel::parse(&r.level)
                .or_else(|| RegionLevel::of_code(&r.code))
                .unwrap_or(RegionLevel::Community),
            code: r.code,
            name: r.name,
            parent_id: r.parent_id,
            path: r.path,
            active: r.active,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct DepartmentRow {
    pub id: i64,
    pub name: String,
    pub uscc: String,
    pub region_id: i64,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub const DEPARTMENT_COLS: &str =
    "id, name, uscc, region_id, phone, address, active, version, created_at, updated_at";

impl From<DepartmentRow> for Department {
    fn from(r: DepartmentRow) -> Department {
        Department {
            id: r.id,
            name: r.name,
            uscc: r.uscc,
            region_id: r.region_id,
            phone: r.phone,
            address: r.address,
            active: r.active,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct HallRow {
    pub id: i64,
    pub name: String,
    pub region_id: i64,
    pub address: Option<String>,
    pub floors: i64,
    pub phone: Option<String>,
    pub opens: String,
    pub closes: String,
    pub lunch_break: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub const HALL_COLS: &str = "id, name, region_id, address, floors, phone, opens, closes, lunch_break, active, version, created_at, updated_at";

impl From<HallRow> for Hall {
    fn from(r: HallRow) -> Hall {
        Hall {
            id: r.id,
            name: r.name,
            region_id: r.region_id,
            address: r.address,
            floors: r.floors,
            phone: r.phone,
            opens: r.opens,
            closes: r.closes,
            lunch_break: r.lunch_break,
            active: r.active,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct ZoneRow {
    pub id: i64,
    pub hall_id: i64,
    pub name: String,
    pub floor: i64,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub const ZONE_COLS: &str = "id, hall_id, name, floor, active, version, created_at, updated_at";

impl From<ZoneRow> for Zone {
    fn from(r: ZoneRow) -> Zone {
        Zone {
            id: r.id,
            hall_id: r.hall_id,
            name: r.name,
            floor: r.floor,
            active: r.active,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct WindowRow {
    pub id: i64,
    pub hall_id: i64,
    pub zone_id: i64,
    pub number: i64,
    pub label: Option<String>,
    pub confidential: bool,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub const WINDOW_COLS: &str =
    "id, hall_id, zone_id, number, label, confidential, active, version, created_at, updated_at";

impl WindowRow {
    pub fn with_departments(self, department_ids: Vec<i64>) -> Window {
        Window {
            id: self.id,
            hall_id: self.hall_id,
            zone_id: self.zone_id,
            number: self.number,
            label: self.label,
            confidential: self.confidential,
            department_ids,
            active: self.active,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub department_id: Option<i64>,
    pub region_id: Option<i64>,
    pub phone: Option<String>,
    pub active: bool,
    pub large_text: bool,
    pub lang: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

pub const USER_COLS: &str = "id, username, display_name, department_id, region_id, phone, active, large_text, lang, version, created_at, updated_at, last_login_at";

/// A user with the codes of their roles, comma-separated (`string_agg`, which SQLite has since
/// 3.44 and PostgreSQL always): the signed-in person in one statement, on every request.
#[derive(sqlx::FromRow)]
pub struct UserRolesRow {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub roles: Option<String>,
}

/// The user columns of the table aliased `alias`, and the user's roles as `roles`.
pub fn user_roles_cols(alias: &str) -> String {
    let cols: Vec<String> = USER_COLS
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect();
    format!(
        "{}, (SELECT string_agg(role, ',') FROM user_roles WHERE user_id = {alias}.id) AS roles",
        cols.join(", ")
    )
}

impl UserRolesRow {
    pub fn into_user(self) -> User {
        let roles: Vec<String> = self
            .roles
            .unwrap_or_default()
            .split(',')
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect();
        self.user.with_roles(&roles)
    }
}

impl UserRow {
    pub fn with_roles(self, roles: &[String]) -> User {
        let mut roles: Vec<Role> = roles.iter().filter_map(|r| Role::parse(r)).collect();
        roles.sort();
        User {
            id: self.id,
            username: self.username,
            display_name: self.display_name,
            roles,
            department_id: self.department_id,
            region_id: self.region_id,
            phone: self.phone,
            active: self.active,
            large_text: self.large_text,
            lang: Lang::parse(&self.lang).unwrap_or_default(),
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            last_login_at: self.last_login_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct EntryRow {
    pub seq: i64,
    pub chain: i64,
    pub link: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub actor_role: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub department_id: Option<i64>,
    pub region_id: Option<i64>,
    pub summary: String,
    pub client_addr: Option<String>,
    pub request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

pub const ENTRY_COLS: &str = "seq, chain, link, at, actor_id, actor_name, actor_role, action, target_type, target_id, department_id, region_id, summary, client_addr, request_id, prev_hash, hash";

impl From<EntryRow> for Entry {
    fn from(r: EntryRow) -> Entry {
        Entry {
            seq: r.seq,
            chain: r.chain as i32,
            link: r.link,
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            actor_role: r.actor_role,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            department_id: r.department_id,
            region_id: r.region_id,
            summary: r.summary,
            client_addr: r.client_addr,
            request_id: r.request_id,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}
