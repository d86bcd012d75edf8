//! Who may do what to which record. Two questions, answered separately:
//! does the actor's role grant the permission, and does the record lie inside the actor's scope?
//! Both must be yes. The HTTP layer asks before every read and every change.

use crate::error::DomainError;
use crate::identity::Role;

/// A signed-in person, as the rules see them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub scope: Scope,
}

/// Where a staff member works. A department scope is the narrower one: its holder sees only that
/// department's records. A region scope covers the region and everything below it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    pub department_id: Option<i64>,
    pub region_id: Option<i64>,
    /// Materialised path of the region ("/1/4/9/"), so that "below" is a prefix test.
    pub region_path: Option<String>,
    /// The region's level (province … community): whose office a region scope is.
    pub region_level: Option<crate::validate::region_code::RegionLevel>,
}

/// Whose a record is: the department that owns it (if any) and the region it lies in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub department_id: Option<i64>,
    pub region_path: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See regions, departments, halls, zones and windows.
    OrgRead,
    /// Create, edit and deactivate regions, departments, halls, zones and windows. Which ones
    /// depends on scope: a region-scoped administrator manages everything under the region, a
    /// department-scoped one only the department's own record.
    OrgWrite,
    /// See staff accounts.
    UserRead,
    /// Create, edit and deactivate accounts, reset passwords.
    UserWrite,
    /// See the audit trail of records in scope.
    AuditRead,
    /// Write and edit guides of the departments in scope.
    CatalogWrite,
    /// Publish guides, import the catalog, edit life events, themes, bundles and synonyms
    /// (with a region scope).
    CatalogPublish,
    /// See cases in scope.
    CaseRead,
    /// Take applications in, accept or refuse them, ask for supplements, conclude and deliver
    /// (窗口受理).
    CaseIntake,
    /// Work review steps, start and end special procedures, ask for an extension.
    CaseReview,
    /// Decide (准予 / 不予).
    CaseDecide,
    /// Approve an extension (the head of the agency, art. 42).
    CaseApproveExtension,
    /// Edit the calendar and the case rules.
    CalendarWrite,
    /// Serve at a hall's windows (call, recall, no-show, transfer, finish, pause) and issue
    /// tickets at the reception desk with the staff-only priorities (绿色通道, 残疾人).
    HallServe,
    /// See the supervision room: lights, the window wall, urges and the figures, in scope
    /// (电子监察).
    Supervise,
    /// Ring the bell on a case or a step (督办).
    Urge,
    /// Work the rectification of the bad ratings in scope: verify, rectify or explain, call the
    /// rater back (which shows the rater's contact), record the new rating (差评整改).
    Rectify,
    /// Appeal a rating in scope as mistaken or malicious (申诉). A clerk appeals only the ratings
    /// of their own service.
    Appeal,
    /// Decide appeals (复核) and record supervisors' checks (监督查评).
    ReviewRatings,
    /// See grids, community problems (社情问题), patrols and their ledgers, in scope.
    GridRead,
    /// Report problems from a grid, verify them on site (核查), check in on patrol (网格员).
    GridReport,
    /// Register or decline, dispatch, decide extensions, close and call back; edit grids and
    /// categories (指挥中心派遣员).
    GridDispatch,
    /// Sign for, return, ask for more time and feed back, for one's department (处置部门).
    GridHandle,
    /// See enterprises, projects, visits, demand lists, consultations, policies and the service
    /// figures, in scope (a department scope sees the items assigned to it).
    EnterpriseRead,
    /// Serve enterprises (项目管家 / 首席服务官): register enterprises and projects, plan and
    /// report visits, collect and assign items, escalate, record consultations, publish
    /// policies and link a project's cases.
    EnterpriseServe,
    /// Answer the items assigned to one's department and report consultation follow-ups done
    /// (责任部门).
    EnterpriseHandle,
    /// See the petition ledgers (counts only), the stations and the reception rota (信访台账).
    PetitionRead,
    /// Work cases under agency and see their petitioners (信访代理员; the office, 信访局, is an
    /// agent whose scope is the district or above). Not the administrator's: petitioners' data
    /// is seen only by the petition office, the case's station and its guarantor.
    PetitionWork,
    /// Set up stations and their agents.
    PetitionManage,
    /// Read the security log: refused requests for records and failed sign-ins (the
    /// administrator's).
    SecurityRead,
}

impl Permission {
    pub const ALL: [Permission; 30] = [
        Permission::OrgRead,
        Permission::OrgWrite,
        Permission::UserRead,
        Permission::UserWrite,
        Permission::AuditRead,
        Permission::CatalogWrite,
        Permission::CatalogPublish,
        Permission::CaseRead,
        Permission::CaseIntake,
        Permission::CaseReview,
        Permission::CaseDecide,
        Permission::CaseApproveExtension,
        Permission::CalendarWrite,
        Permission::HallServe,
        Permission::Supervise,
        Permission::Urge,
        Permission::Rectify,
        Permission::Appeal,
        Permission::ReviewRatings,
        Permission::GridRead,
        Permission::GridReport,
        Permission::GridDispatch,
        Permission::GridHandle,
        Permission::EnterpriseRead,
        Permission::EnterpriseServe,
        Permission::EnterpriseHandle,
        Permission::PetitionRead,
        Permission::PetitionWork,
        Permission::PetitionManage,
        Permission::SecurityRead,
    ];
}

/// The permission table. One place, so that the permission matrix test can read it.
pub fn role_grants(role: Role, p: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Admin => p != PetitionWork,
        Role::Supervisor => matches!(
            p,
            OrgRead
                | UserRead
                | AuditRead
                | CaseRead
                | Supervise
                | Urge
                | ReviewRatings
                | GridRead
                | EnterpriseRead
                | PetitionRead
        ),
        Role::Leader => matches!(
            p,
            OrgRead
                | UserRead
                | AuditRead
                | CaseRead
                | CaseReview
                | CaseDecide
                | CaseApproveExtension
                | Supervise
                | Rectify
                | Appeal
                | GridRead
                | GridHandle
                | EnterpriseRead
                | EnterpriseHandle
                | PetitionRead
        ),
        Role::Clerk => matches!(
            p,
            OrgRead | UserRead | AuditRead | CaseRead | CaseIntake | HallServe | Appeal
        ),
        Role::Approver => {
            matches!(
                p,
                OrgRead
                    | UserRead
                    | AuditRead
                    | CaseRead
                    | CaseReview
                    | CaseDecide
                    | GridRead
                    | GridHandle
                    | EnterpriseRead
                    | EnterpriseHandle
            )
        }
        Role::GridWorker => matches!(p, OrgRead | UserRead | AuditRead | GridRead | GridReport),
        Role::Dispatcher => matches!(p, OrgRead | UserRead | AuditRead | GridRead | GridDispatch),
        Role::Steward => matches!(
            p,
            OrgRead | UserRead | AuditRead | CaseRead | EnterpriseRead | EnterpriseServe
        ),
        Role::PetitionAgent => matches!(
            p,
            OrgRead | UserRead | AuditRead | PetitionRead | PetitionWork | PetitionManage
        ),
        Role::Citizen | Role::Enterprise => false,
    }
}

impl Actor {
    /// Staff over a whole district or more, outside any one department: the district's own
    /// office (for a petition agent, the petition office rather than a station's agent).
    pub fn over_district(&self) -> bool {
        self.scope.department_id.is_none()
            && self
                .scope
                .region_level
                .is_some_and(|l| l.is_district_or_above())
    }

    pub fn has(&self, p: Permission) -> bool {
        self.roles.iter().any(|&r| role_grants(r, p))
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_staff(&self) -> bool {
        self.roles.iter().any(|r| r.is_staff())
    }

    /// The role shown in the audit trail: the first (most privileged) one.
    pub fn primary_role(&self) -> Role {
        self.roles.first().copied().unwrap_or(Role::Citizen)
    }

    /// Whether a record lies inside this actor's scope.
    pub fn covers(&self, owner: &Owner) -> bool {
        if !self.is_staff() {
            return false;
        }
        if let Some(dept) = self.scope.department_id {
            return owner.department_id == Some(dept);
        }
        match &self.scope.region_path {
            Some(path) => owner.region_path.starts_with(path.as_str()),
            None => false,
        }
    }

    /// Whether a region (by its path) lies inside this actor's scope. Department-scoped staff
    /// cover no region as a whole, only their department's records.
    pub fn covers_region(&self, region_path: &str) -> bool {
        self.is_staff()
            && self.scope.department_id.is_none()
            && self
                .scope
                .region_path
                .as_deref()
                .is_some_and(|p| region_path.starts_with(p))
    }

    /// Permission and scope together; the one check handlers call.
    pub fn may(&self, p: Permission, owner: &Owner) -> Result<(), DomainError> {
        if self.has(p) && self.covers(owner) {
            Ok(())
        } else {
            Err(DomainError::forbidden())
        }
    }

    pub fn require(&self, p: Permission) -> Result<(), DomainError> {
        if self.has(p) {
            Ok(())
        } else {
            Err(DomainError::forbidden())
        }
    }

    /// One of several permissions, for an endpoint whose actions need different ones: asked
    /// before the record is read, so a caller with none of them learns nothing of it.
    pub fn require_any(&self, ps: &[Permission]) -> Result<(), DomainError> {
        if ps.iter().any(|p| self.has(*p)) {
            Ok(())
        } else {
            Err(DomainError::forbidden())
        }
    }

    /// Staff of any role: for what only staff can be named in (an urge's target, say), before
    /// the record is read.
    pub fn require_staff(&self) -> Result<(), DomainError> {
        if self.is_staff() {
            Ok(())
        } else {
            Err(DomainError::forbidden())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: Vec<Role>, dept: Option<i64>, path: Option<&str>) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            display_name: "U".into(),
            roles,
            scope: Scope {
                department_id: dept,
                region_id: None,
                region_path: path.map(str::to_string),
                region_level: None,
            },
        }
    }

    fn owner(dept: Option<i64>, path: &str) -> Owner {
        Owner {
            department_id: dept,
            region_path: path.into(),
        }
    }

    #[test]
    fn the_districts_office_is_over_a_district_and_in_no_department() {
        use crate::validate::region_code::RegionLevel;
        let mut a = actor(vec![Role::PetitionAgent], None, Some("/1/2/3/"));
        for (level, over) in [
            (RegionLevel::Province, true),
            (RegionLevel::City, true),
            (RegionLevel::District, true),
            (RegionLevel::Street, false),
            (RegionLevel::Community, false),
        ] {
            a.scope.region_level = Some(level);
            assert_eq!(a.over_district(), over, "{level:?}");
        }
        a.scope.department_id = Some(4);
        assert!(!a.over_district(), "a department's staff is not the office");
        a.scope = Scope::default();
        assert!(!a.over_district());
    }

    #[test]
    fn department_scope_sees_only_its_department() {
        let a = actor(vec![Role::Clerk], Some(7), Some("/1/2/"));
        assert!(a.covers(&owner(Some(7), "/1/2/")));
        assert!(!a.covers(&owner(Some(8), "/1/2/")));
        assert!(!a.covers(&owner(None, "/1/2/")));
        assert!(!a.covers_region("/1/2/"));
    }

    #[test]
    fn region_scope_sees_below_not_beside() {
        let a = actor(vec![Role::Supervisor], None, Some("/1/2/"));
        assert!(a.covers(&owner(Some(8), "/1/2/5/")));
        assert!(a.covers(&owner(None, "/1/2/")));
        assert!(!a.covers(&owner(None, "/1/3/")));
        assert!(!a.covers(&owner(None, "/1/")));
        // "/1/2/" must not match "/1/20/"
        assert!(!a.covers(&owner(None, "/1/20/")));
    }

    #[test]
    fn public_accounts_cover_nothing_and_staff_without_scope_cover_nothing() {
        let c = actor(vec![Role::Citizen], None, Some("/1/"));
        assert!(!c.covers(&owner(None, "/1/")));
        let s = actor(vec![Role::Clerk], None, None);
        assert!(!s.covers(&owner(None, "/1/")));
    }

    #[test]
    fn only_admin_writes() {
        for role in Role::ALL {
            assert_eq!(role_grants(role, Permission::OrgWrite), role == Role::Admin);
            assert_eq!(
                role_grants(role, Permission::UserWrite),
                role == Role::Admin
            );
            assert_eq!(role_grants(role, Permission::OrgRead), role.is_staff());
        }
        let a = actor(vec![Role::Supervisor], None, Some("/1/"));
        assert!(a.may(Permission::OrgWrite, &owner(None, "/1/")).is_err());
        assert!(a.may(Permission::OrgRead, &owner(None, "/1/")).is_ok());
    }

    #[test]
    fn case_work_is_split_by_role() {
        use Permission::*;
        let who = |p| {
            Role::ALL
                .into_iter()
                .filter(|r| role_grants(*r, p))
                .collect::<Vec<_>>()
        };
        assert_eq!(who(CaseIntake), vec![Role::Admin, Role::Clerk]);
        assert_eq!(
            who(CaseReview),
            vec![Role::Admin, Role::Approver, Role::Leader]
        );
        assert_eq!(who(CaseApproveExtension), vec![Role::Admin, Role::Leader]);
        assert_eq!(who(CalendarWrite), vec![Role::Admin]);
        assert!(!role_grants(Role::Citizen, CaseRead));
        assert!(role_grants(Role::Supervisor, CaseRead));
    }

    #[test]
    fn petitioners_are_seen_by_the_petition_office_alone() {
        use Permission::*;
        let who = |p| {
            Role::ALL
                .into_iter()
                .filter(|r| role_grants(*r, p))
                .collect::<Vec<_>>()
        };
        // Not even the administrator: guarantors see their cases by assignment, not by role.
        assert_eq!(who(PetitionWork), vec![Role::PetitionAgent]);
        assert_eq!(who(PetitionManage), vec![Role::Admin, Role::PetitionAgent]);
        assert_eq!(
            who(PetitionRead),
            vec![
                Role::Admin,
                Role::Supervisor,
                Role::PetitionAgent,
                Role::Leader
            ]
        );
    }
}
