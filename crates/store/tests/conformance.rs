//! The storage conformance suite: every behaviour the platform relies on, run against SQLite
//! always and against PostgreSQL whenever ONEWINDOW_TEST_DATABASE_URL is set, each test in a
//! fresh database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use onewindow_core::DomainError;
use onewindow_core::audit::{Broken, Context};
use onewindow_core::identity::{NewUser, Role, UserUpdate};
use onewindow_core::org::*;
use onewindow_core::validate::uscc;
use onewindow_store::testing::TestDb;
use onewindow_store::{AuditFilter, NewSession, ScopeFilter, Store, StoreError};
use sqlx::Connection;

fn ctx() -> Context {
    Context {
        actor_id: None,
        actor_name: "tester".into(),
        actor_role: "admin".into(),
        client_addr: Some("127.0.0.1".into()),
        request_id: Some("req-1".into()),
    }
}

fn code(n: u32) -> String {
    uscc::build('1', '1', "211403", &format!("MB{n:06}")).unwrap()
}

/// Runs a check against every configured database.
macro_rules! each_db {
    ($name:ident, |$db:ident| $body:block) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for db in TestDb::all().await {
                eprintln!("{} on {}", stringify!($name), db.kind);
                {
                    let $db: &TestDb = &db;
                    $body
                }
                db.drop_db().await;
            }
        }
    };
}

fn conflict_field(e: StoreError) -> String {
    match e {
        StoreError::Domain(DomainError::Conflict(f)) => f.field,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn invalid_field(e: StoreError) -> String {
    match e {
        StoreError::Domain(DomainError::Invalid(f)) => f.field,
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

struct Org {
    city: Region,
    district: Region,
    street: Region,
    dept_a: Department,
    dept_b: Department,
}

async fn org(s: &dyn Store) -> Org {
    let c = ctx();
    let city = s
        .create_region(
            &c,
            NewRegion {
                code: "211400".into(),
                name: "葫芦岛市".into(),
                parent_id: None,
            },
        )
        .await
        .unwrap();
    let district = s
        .create_region(
            &c,
            NewRegion {
                code: "211403".into(),
                name: "龙港区".into(),
                parent_id: Some(city.id),
            },
        )
        .await
        .unwrap();
    let street = s
        .create_region(
            &c,
            NewRegion {
                code: "211403001".into(),
                name: "滨海街道".into(),
                parent_id: Some(district.id),
            },
        )
        .await
        .unwrap();
    let dept = |name: &str, n: u32, region: i64| NewDepartment {
        name: name.into(),
        uscc: code(n),
        region_id: region,
        phone: None,
        address: None,
    };
    let dept_a = s
        .create_department(&c, dept("区民政局", 1, district.id))
        .await
        .unwrap();
    let dept_b = s
        .create_department(&c, dept("区人社局", 2, district.id))
        .await
        .unwrap();
    Org {
        city,
        district,
        street,
        dept_a,
        dept_b,
    }
}

each_db!(migrations_are_idempotent_and_recorded, |db| {
    let s = db.store.clone();
    {
        assert!(
            s.migrate().await.unwrap().is_empty(),
            "second run applies nothing"
        );
        s.ping().await.unwrap();
    }
});

#[tokio::test]
async fn sqlite_is_opened_for_durability() {
    let db = TestDb::sqlite().await.unwrap();
    let b = onewindow_store::sqlite::SqliteBackend::connect(&db.url)
        .await
        .unwrap();
    let (mode, sync, fk, busy) = b.pragmas().await.unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(sync, 2, "synchronous=FULL");
    assert_eq!(fk, 1, "foreign keys on");
    assert!(busy >= 5000, "busy timeout {busy} ms");
    use onewindow_store::backend::Backend;
    b.close().await;
    db.drop_db().await;
}

each_db!(regions_form_a_checked_tree, |db| {
    let s = db.store.clone();
    {
        let o = org(s.as_ref()).await;
        assert_eq!(o.city.path, format!("/{}/", o.city.id));
        assert_eq!(
            o.street.path,
            format!("/{}/{}/{}/", o.city.id, o.district.id, o.street.id)
        );
        assert_eq!(o.street.level.code(), "street");
        let c = ctx();
        // a code outside the parent
        let e = s
            .create_region(
                &c,
                NewRegion {
                    code: "211503001".into(),
                    name: "x".into(),
                    parent_id: Some(o.district.id),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "code");
        // a duplicate code
        let e = s
            .create_region(
                &c,
                NewRegion {
                    code: "211403001".into(),
                    name: "重复".into(),
                    parent_id: Some(o.district.id),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "code");
        // a parent that does not exist
        let e = s
            .create_region(
                &c,
                NewRegion {
                    code: "211403002".into(),
                    name: "x".into(),
                    parent_id: Some(9999),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "parent_id");
        // cannot deactivate a region with active children
        let e = s
            .set_region_active(&c, o.district.id, o.district.version, false)
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "active");
        let street = s
            .set_region_active(&c, o.street.id, o.street.version, false)
            .await
            .unwrap();
        assert!(!street.active);
        assert_eq!(street.version, o.street.version + 1);
        // a deactivated parent takes no children
        let e = s
            .create_region(
                &c,
                NewRegion {
                    code: "211403001001".into(),
                    name: "x".into(),
                    parent_id: Some(street.id),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "parent_id");
        assert_eq!(
            s.region_by_code("211403").await.unwrap().unwrap().id,
            o.district.id
        );
        assert_eq!(s.regions().await.unwrap().len(), 3);
    }
});

each_db!(departments_check_codes_versions_and_scope, |db| {
    let s = db.store.clone();
    {
        let o = org(s.as_ref()).await;
        let c = ctx();
        let e = s
            .create_department(
                &c,
                NewDepartment {
                    name: "重复".into(),
                    uscc: o.dept_a.uscc.clone(),
                    region_id: o.district.id,
                    phone: None,
                    address: None,
                },
            )
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "uscc");
        let e = s
            .create_department(
                &c,
                NewDepartment {
                    name: "x".into(),
                    uscc: code(3),
                    region_id: 424242,
                    phone: None,
                    address: None,
                },
            )
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "region_id");

        let upd = DepartmentUpdate {
            version: o.dept_a.version,
            name: Some("龙港区民政局".into()),
            uscc: None,
            phone: Some(Some("0429-1".into())),
            address: None,
        };
        let d = s
            .update_department(&c, o.dept_a.id, upd.clone())
            .await
            .unwrap();
        assert_eq!(d.name, "龙港区民政局");
        assert_eq!(d.phone.as_deref(), Some("0429-1"));
        assert_eq!(d.uscc, o.dept_a.uscc);
        // the same stale version again
        let e = s.update_department(&c, o.dept_a.id, upd).await.unwrap_err();
        assert_eq!(conflict_field(e), "version");
        // clearing with an explicit null
        let d = s
            .update_department(
                &c,
                d.id,
                DepartmentUpdate {
                    version: d.version,
                    name: None,
                    uscc: None,
                    phone: Some(None),
                    address: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(d.phone, None);
        let e = s
            .update_department(
                &c,
                999,
                DepartmentUpdate {
                    version: 1,
                    name: None,
                    uscc: None,
                    phone: None,
                    address: None,
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Domain(DomainError::NotFound(_))));

        let only_a = ScopeFilter::department(o.dept_a.id);
        let v = s.departments(&only_a).await.unwrap();
        assert_eq!(
            v.iter().map(|d| d.id).collect::<Vec<_>>(),
            vec![o.dept_a.id]
        );
        let district = ScopeFilter::region(o.district.path.clone());
        assert_eq!(s.departments(&district).await.unwrap().len(), 2);
        let street = ScopeFilter::region(o.street.path.clone());
        assert!(s.departments(&street).await.unwrap().is_empty());
        assert_eq!(
            s.department_by_uscc(&o.dept_b.uscc)
                .await
                .unwrap()
                .unwrap()
                .id,
            o.dept_b.id
        );
        let _ = o.city;
    }
});

each_db!(halls_zones_and_windows_hang_together, |db| {
    let s = db.store.clone();
    {
        let o = org(s.as_ref()).await;
        let c = ctx();
        let hall = s
            .create_hall(
                &c,
                NewHall {
                    name: "龙港区政务服务中心".into(),
                    region_id: o.district.id,
                    address: None,
                    floors: 3,
                    phone: None,
                    opens: "08:30".into(),
                    closes: "17:30".into(),
                    lunch_break: None,
                },
            )
            .await
            .unwrap();
        let other = s
            .create_hall(
                &c,
                NewHall {
                    name: "别的大厅".into(),
                    region_id: o.district.id,
                    address: None,
                    floors: 1,
                    phone: None,
                    opens: "09:00".into(),
                    closes: "17:00".into(),
                    lunch_break: None,
                },
            )
            .await
            .unwrap();
        let z1 = s
            .create_zone(
                &c,
                hall.id,
                NewZone {
                    name: "企业开办区".into(),
                    floor: 1,
                },
            )
            .await
            .unwrap();
        let z_other = s
            .create_zone(
                &c,
                other.id,
                NewZone {
                    name: "综合区".into(),
                    floor: 1,
                },
            )
            .await
            .unwrap();
        let e = s
            .create_zone(
                &c,
                hall.id,
                NewZone {
                    name: "企业开办区".into(),
                    floor: 2,
                },
            )
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "name");

        let w = s
            .create_window(
                &c,
                hall.id,
                NewWindow {
                    zone_id: z1.id,
                    number: 1,
                    label: Some("综合受理".into()),
                    confidential: false,
                    department_ids: vec![o.dept_a.id, o.dept_b.id],
                },
            )
            .await
            .unwrap();
        assert_eq!(w.department_ids, vec![o.dept_a.id, o.dept_b.id]);
        let e = s
            .create_window(
                &c,
                hall.id,
                NewWindow {
                    zone_id: z1.id,
                    number: 1,
                    label: None,
                    confidential: false,
                    department_ids: vec![o.dept_a.id],
                },
            )
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "number");
        // a zone of another hall
        let e = s
            .create_window(
                &c,
                hall.id,
                NewWindow {
                    zone_id: z_other.id,
                    number: 2,
                    label: None,
                    confidential: false,
                    department_ids: vec![o.dept_a.id],
                },
            )
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "zone_id");
        // a department that does not exist: nothing is written, not even the audit entry
        let before = s
            .audit_entries(&AuditFilter {
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap()
            .len();
        let e = s
            .create_window(
                &c,
                hall.id,
                NewWindow {
                    zone_id: z1.id,
                    number: 3,
                    label: None,
                    confidential: false,
                    department_ids: vec![777],
                },
            )
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "department_ids");
        assert_eq!(s.windows(hall.id).await.unwrap().len(), 1);
        assert_eq!(
            s.audit_entries(&AuditFilter {
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap()
            .len(),
            before
        );

        let w2 = s
            .update_window(
                &c,
                w.id,
                WindowUpdate {
                    version: w.version,
                    zone_id: None,
                    number: Some(48),
                    label: None,
                    confidential: Some(true),
                    department_ids: Some(vec![o.dept_b.id]),
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (w2.number, w2.confidential, w2.department_ids.clone()),
            (48, true, vec![o.dept_b.id])
        );
        assert_eq!(s.window(w.id).await.unwrap().unwrap(), w2);

        let e = s
            .set_zone_active(&c, z1.id, z1.version, false)
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "active");
        let w3 = s
            .set_window_active(&c, w2.id, w2.version, false)
            .await
            .unwrap();
        assert!(!w3.active);
        let z = s
            .set_zone_active(&c, z1.id, z1.version, false)
            .await
            .unwrap();
        assert!(!z.active);
        // the hall of department B is visible to B through its window; A has none now
        let b_halls = s
            .halls(&ScopeFilter::department(o.dept_b.id))
            .await
            .unwrap();
        assert_eq!(
            b_halls.iter().map(|h| h.id).collect::<Vec<_>>(),
            vec![hall.id]
        );
        let a_halls = s
            .halls(&ScopeFilter::department(o.dept_a.id))
            .await
            .unwrap();
        assert!(a_halls.is_empty());
        // what still depends on a record keeps it active
        let e = s
            .set_hall_active(&c, other.id, other.version, false)
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "active", "a hall with an active zone");
        let b = s.department(o.dept_b.id).await.unwrap().unwrap();
        let b = s
            .set_department_active(&c, b.id, b.version, false)
            .await
            .unwrap();
        assert!(
            !b.active,
            "B's only window is inactive and it has no accounts, so it may go"
        );
        s.create_user(
            &c,
            new_user("a.clerk", &["clerk"], Some(o.dept_a.id), None),
            "h".into(),
        )
        .await
        .unwrap();
        let a = s.department(o.dept_a.id).await.unwrap().unwrap();
        let e = s
            .set_department_active(&c, a.id, a.version, false)
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "active", "A still has an active account");
        let lone = s
            .create_region(
                &c,
                NewRegion {
                    code: "211403009".into(),
                    name: "空街道".into(),
                    parent_id: Some(o.district.id),
                },
            )
            .await
            .unwrap();
        s.create_hall(
            &c,
            NewHall {
                name: "空街道大厅".into(),
                region_id: lone.id,
                address: None,
                floors: 1,
                phone: None,
                opens: "09:00".into(),
                closes: "16:00".into(),
                lunch_break: None,
            },
        )
        .await
        .unwrap();
        let e = s
            .set_region_active(&c, lone.id, lone.version, false)
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "active", "a region with an active hall");
        // floors cannot shrink below an active zone
        let e = s
            .update_hall(
                &c,
                other.id,
                HallUpdate {
                    version: other.version,
                    name: None,
                    address: None,
                    floors: Some(1),
                    phone: None,
                    opens: None,
                    closes: Some("18:00".into()),
                    lunch_break: None,
                },
            )
            .await;
        let updated = e.unwrap();
        assert_eq!(
            (updated.opens.as_str(), updated.closes.as_str()),
            ("09:00", "18:00")
        );
        // Opening hours must open before they close, checked against the stored pair.
        let e = s
            .update_hall(
                &c,
                other.id,
                HallUpdate {
                    version: updated.version,
                    name: None,
                    address: None,
                    floors: None,
                    phone: None,
                    opens: Some("19:00".into()),
                    closes: None,
                    lunch_break: None,
                },
            )
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "closes");
        assert_eq!(s.zones(hall.id).await.unwrap().len(), 1);
    }
});

fn new_user(
    name: &str,
    roles: &[&str],
    dept: Option<i64>,
    region: Option<i64>,
) -> onewindow_core::identity::CleanNewUser {
    NewUser {
        username: name.into(),
        display_name: name.to_uppercase(),
        password: "window-48-ok".into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        department_id: dept,
        region_id: region,
        phone: Some("13812345678".into()),
    }
    .clean()
    .unwrap()
}

each_db!(users_sessions_and_login_attempts, |db| {
    let s = db.store.clone();
    {
        let o = org(s.as_ref()).await;
        let c = ctx();
        let clerk = s
            .create_user(
                &c,
                new_user("clerk", &["clerk", "approver"], Some(o.dept_a.id), None),
                "hash-1".into(),
            )
            .await
            .unwrap();
        assert_eq!(clerk.roles, vec![Role::Clerk, Role::Approver]);
        assert_eq!(
            clerk.region_id,
            Some(o.district.id),
            "a department account works in its department's region"
        );
        assert_eq!(
            s.password_hash(clerk.id).await.unwrap().as_deref(),
            Some("hash-1")
        );
        let e = s
            .create_user(
                &c,
                new_user("clerk", &["clerk"], Some(o.dept_a.id), None),
                "h".into(),
            )
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "username");
        let e = s
            .create_user(
                &c,
                new_user("ghost", &["clerk"], Some(4040), None),
                "h".into(),
            )
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "department_id");
        let sup = s
            .create_user(
                &c,
                new_user("sup", &["supervisor"], None, Some(o.district.id)),
                "h".into(),
            )
            .await
            .unwrap();

        // scope filters
        let a = s
            .users(&ScopeFilter::department(o.dept_a.id))
            .await
            .unwrap();
        assert_eq!(
            a.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(),
            vec!["clerk"]
        );
        let b = s
            .users(&ScopeFilter::department(o.dept_b.id))
            .await
            .unwrap();
        assert!(b.is_empty());
        let d = s
            .users(&ScopeFilter::region(o.district.path.clone()))
            .await
            .unwrap();
        assert_eq!(d.len(), 2);

        // public accounts appear only when asked for
        s.create_user(
            &c,
            new_user("li.nvshi", &["citizen"], None, None),
            "h".into(),
        )
        .await
        .unwrap();
        let mut with = ScopeFilter::region(o.district.path.clone());
        assert_eq!(s.users(&with).await.unwrap().len(), 2);
        with.with_public_accounts = true;
        let names: Vec<String> = s
            .users(&with)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.username)
            .collect();
        assert_eq!(names, vec!["clerk", "sup", "li.nvshi"]);
        let mut dept = ScopeFilter::department(o.dept_b.id);
        dept.with_public_accounts = true;
        assert_eq!(
            s.users(&dept).await.unwrap().len(),
            1,
            "only the public account"
        );

        // sessions
        let now = chrono::Utc::now();
        let sess = s
            .create_session(
                &c,
                NewSession {
                    token_hash: "t1".into(),
                    user_id: clerk.id,
                    kind: "cookie".into(),
                    csrf_token: "x".into(),
                    idle_expires_at: now + chrono::Duration::minutes(30),
                    expires_at: now + chrono::Duration::hours(8),
                    client_addr: None,
                },
            )
            .await
            .unwrap();
        let (found, user) = s.session("t1", now).await.unwrap().unwrap();
        assert_eq!(found.id, sess.id);
        assert_eq!(user.id, clerk.id);
        assert!(
            s.user(clerk.id)
                .await
                .unwrap()
                .unwrap()
                .last_login_at
                .is_some()
        );
        assert!(
            s.session("t1", now + chrono::Duration::hours(1))
                .await
                .unwrap()
                .is_none(),
            "idle expiry"
        );
        s.touch_session(sess.id, now, now + chrono::Duration::hours(2))
            .await
            .unwrap();
        assert!(
            s.session("t1", now + chrono::Duration::hours(1))
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            s.session("t1", now + chrono::Duration::hours(9))
                .await
                .unwrap()
                .is_none(),
            "absolute expiry"
        );
        assert!(s.session("nope", now).await.unwrap().is_none());

        // a change of roles ends the sessions
        let cur = s.user(clerk.id).await.unwrap().unwrap();
        let upd = UserUpdate {
            version: cur.version,
            display_name: None,
            roles: Some(vec!["clerk".into()]),
            department_id: None,
            region_id: None,
            phone: None,
        }
        .clean(&cur)
        .unwrap();
        let after = s.update_user(&c, clerk.id, upd).await.unwrap();
        assert_eq!(after.roles, vec![Role::Clerk]);
        assert!(s.session("t1", now).await.unwrap().is_none());

        // deactivation ends sessions and hides the account from session lookups
        s.create_session(
            &c,
            NewSession {
                token_hash: "t2".into(),
                user_id: sup.id,
                kind: "bearer".into(),
                csrf_token: "y".into(),
                idle_expires_at: now + chrono::Duration::hours(1),
                expires_at: now + chrono::Duration::hours(1),
                client_addr: None,
            },
        )
        .await
        .unwrap();
        let sup2 = s
            .set_user_active(&c, sup.id, sup.version, false)
            .await
            .unwrap();
        assert!(!sup2.active);
        assert!(s.session("t2", now).await.unwrap().is_none());

        // password change keeps only the current session
        for t in ["k1", "k2"] {
            s.create_session(
                &c,
                NewSession {
                    token_hash: t.into(),
                    user_id: clerk.id,
                    kind: "cookie".into(),
                    csrf_token: "z".into(),
                    idle_expires_at: now + chrono::Duration::hours(1),
                    expires_at: now + chrono::Duration::hours(1),
                    client_addr: None,
                },
            )
            .await
            .unwrap();
        }
        let keep = s.session("k1", now).await.unwrap().unwrap().0.id;
        s.set_password(&c, clerk.id, "hash-2".into(), Some(keep))
            .await
            .unwrap();
        assert!(s.session("k1", now).await.unwrap().is_some());
        assert!(s.session("k2", now).await.unwrap().is_none());
        assert_eq!(
            s.password_hash(clerk.id).await.unwrap().as_deref(),
            Some("hash-2")
        );
        assert!(s.end_session(&c, "k1").await.unwrap());
        assert!(!s.end_session(&c, "k1").await.unwrap());

        // login attempts: failures count per account after its last success, and per address
        let since = chrono::Utc::now() - chrono::Duration::minutes(15);
        for _ in 0..3 {
            s.record_login_attempt("clerk", "10.0.0.1", false)
                .await
                .unwrap();
        }
        s.record_login_attempt("other", "10.0.0.1", false)
            .await
            .unwrap();
        assert_eq!(
            s.failed_logins("clerk", "10.0.0.1", since).await.unwrap(),
            (3, 4)
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        s.record_login_attempt("clerk", "10.0.0.2", true)
            .await
            .unwrap();
        assert_eq!(
            s.failed_logins("clerk", "10.0.0.2", since).await.unwrap(),
            (0, 0)
        );

        let prefs = s
            .set_preferences(&c, clerk.id, Some(true), Some(onewindow_core::Lang::En))
            .await
            .unwrap();
        assert!(prefs.large_text);
        assert_eq!(prefs.lang, onewindow_core::Lang::En);
    }
});

each_db!(every_change_is_in_the_chained_trail, |db| {
    let s = db.store.clone();
    {
        let o = org(s.as_ref()).await;
        let c = ctx();
        let d = s
            .update_department(
                &c,
                o.dept_a.id,
                DepartmentUpdate {
                    version: 1,
                    name: Some("新名称".into()),
                    uscc: None,
                    phone: None,
                    address: None,
                },
            )
            .await
            .unwrap();
        let trail = s
            .audit_entries(&AuditFilter {
                target_type: Some("department".into()),
                target_id: Some(d.id),
                limit: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            trail.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            vec!["department.update", "department.create"]
        );
        let upd = &trail[0];
        let summary: serde_json::Value = serde_json::from_str(&upd.summary).unwrap();
        assert_eq!(summary["before"]["name"], "区民政局");
        assert_eq!(summary["after"]["name"], "新名称");
        assert!(
            summary["after"].get("uscc").is_none(),
            "unchanged fields are left out"
        );
        assert_eq!(upd.actor_name, "tester");
        assert_eq!(upd.client_addr.as_deref(), Some("127.0.0.1"));
        assert_eq!(upd.request_id.as_deref(), Some("req-1"));
        assert_eq!(upd.department_id, Some(d.id));

        // scope: department B sees none of A's entries
        let b = s
            .audit_entries(&AuditFilter {
                scope: ScopeFilter::department(o.dept_b.id),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(b.iter().all(|e| e.department_id == Some(o.dept_b.id)));
        assert!(!b.is_empty());

        // 5 regions/departments + 1 update
        assert_eq!(s.verify_audit().await.unwrap(), Ok(6));
    }
});

each_db!(concurrent_writers_keep_the_chain_whole, |db| {
    let s = db.store.clone();
    {
        let o = org(s.as_ref()).await;
        let mut tasks = Vec::new();
        for i in 0..24u32 {
            let s = s.clone();
            let region = o.district.id;
            tasks.push(tokio::spawn(async move {
                s.create_department(
                    &ctx(),
                    NewDepartment {
                        name: format!("部门{i}"),
                        uscc: code(100 + i),
                        region_id: region,
                        phone: None,
                        address: None,
                    },
                )
                .await
                .unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(s.verify_audit().await.unwrap(), Ok(5 + 24));
        // and concurrent edits of one record: exactly one wins per version
        let d = o.dept_a;
        let mut tasks = Vec::new();
        for i in 0..8 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                s.update_department(
                    &ctx(),
                    d.id,
                    DepartmentUpdate {
                        version: d.version,
                        name: Some(format!("改名{i}")),
                        uscc: None,
                        phone: None,
                        address: None,
                    },
                )
                .await
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => ok += 1,
                Err(e) => assert_eq!(conflict_field(e), "version"),
            }
        }
        assert_eq!(ok, 1);
        assert_eq!(s.verify_audit().await.unwrap(), Ok(5 + 24 + 1));
    }
});

/// Simulates someone with direct access to the database editing an entry: the append-only
/// trigger must first be removed, and then the chain check names the entry.
async fn tamper(db: &TestDb, seq: i64) {
    if db.kind == "sqlite" {
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        let blocked = sqlx::query("UPDATE audit_log SET actor_name = 'x' WHERE seq = 1")
            .execute(&mut conn)
            .await;
        assert!(blocked.is_err(), "the trail refuses edits");
        sqlx::raw_sql("DROP TRIGGER audit_log_no_update")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query(
            "UPDATE audit_log SET summary = '{\"after\":{\"name\":\"forged\"}}' WHERE seq = $1",
        )
        .bind(seq)
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    } else {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        let blocked = sqlx::query("UPDATE audit_log SET actor_name = 'x' WHERE seq = 1")
            .execute(&mut conn)
            .await;
        assert!(blocked.is_err(), "the trail refuses edits");
        sqlx::raw_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query(
            "UPDATE audit_log SET summary = '{\"after\":{\"name\":\"forged\"}}' WHERE seq = $1",
        )
        .bind(seq)
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    }
}

each_db!(a_tampered_entry_is_named, |db| {
    let s = db.store.clone();
    {
        org(s.as_ref()).await;
        assert_eq!(s.verify_audit().await.unwrap(), Ok(5));
        tamper(db, 3).await;
        assert_eq!(
            s.verify_audit().await.unwrap(),
            Err(Broken::Altered { seq: 3 })
        );
    }
});

each_db!(settings_are_kept_and_audited, |db| {
    let s = db.store.clone();
    {
        assert_eq!(s.setting("demo.seeded").await.unwrap(), None);
        s.put_setting(&ctx(), "demo.seeded", "1").await.unwrap();
        s.put_setting(&ctx(), "demo.seeded", "2").await.unwrap();
        assert_eq!(
            s.setting("demo.seeded").await.unwrap().as_deref(),
            Some("2")
        );
        let t = s
            .audit_entries(&AuditFilter {
                target_type: Some("setting".into()),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(t.len(), 2);
    }
});

each_db!(two_instances_on_one_database_keep_one_chain, |db| {
    let s = db.store.clone();
    {
        let o = org(s.as_ref()).await;
        // A second instance: its own pools on the same database.
        let other = onewindow_store::open(&db.url).await.unwrap();
        let mut tasks = Vec::new();
        for (k, store) in [s.clone(), other.clone()].into_iter().enumerate() {
            let region = o.district.id;
            tasks.push(tokio::spawn(async move {
                for i in 0..10u32 {
                    let n = 200 + (k as u32) * 100 + i;
                    store
                        .create_department(
                            &ctx(),
                            NewDepartment {
                                name: format!("实例{k}部门{i}"),
                                uscc: code(n),
                                region_id: region,
                                phone: None,
                                address: None,
                            },
                        )
                        .await
                        .unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(other.verify_audit().await.unwrap(), Ok(5 + 20));
        assert_eq!(s.departments(&ScopeFilter::all()).await.unwrap().len(), 22);
        other.close().await;
    }
});

// A background job's lease: one holder at a time, renewed by its holder, taken over once it has
// run out; instances racing for a free lease leave one holder.
each_db!(a_job_lease_has_one_holder_among_instances, |db| {
    use std::time::Duration;
    let s = db.store.clone();
    let other = onewindow_store::open(&db.url).await.unwrap();
    let minute = Duration::from_secs(60);
    assert!(s.lease_job("outbox", "a", minute).await.unwrap());
    assert!(!other.lease_job("outbox", "b", minute).await.unwrap());
    assert!(s.lease_job("outbox", "a", minute).await.unwrap(), "renewed");
    assert!(
        other.lease_job("warnings", "b", minute).await.unwrap(),
        "another job"
    );
    // Run out: a holder that renews for no time at all has let it go.
    assert!(s.lease_job("outbox", "a", Duration::ZERO).await.unwrap());
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert!(
        other.lease_job("outbox", "b", minute).await.unwrap(),
        "taken over"
    );
    assert!(!s.lease_job("outbox", "a", minute).await.unwrap());
    let mut tasks = Vec::new();
    for i in 0..8 {
        let st = if i % 2 == 0 { s.clone() } else { other.clone() };
        tasks.push(tokio::spawn(async move {
            st.lease_job("deemed", &format!("i{i}"), Duration::from_secs(60))
                .await
                .unwrap()
        }));
    }
    let mut won = 0;
    for t in tasks {
        won += usize::from(t.await.unwrap());
    }
    assert_eq!(won, 1);
    other.close().await;
});

fn guide(name: &str) -> onewindow_core::catalog::Guide {
    use onewindow_core::catalog::*;
    Guide {
        name: name.into(),
        aliases: vec![],
        kind: MatterKind::PublicService,
        level: "区级".into(),
        legal_basis: "《中华人民共和国义务教育法》".into(),
        applicant: Applicant::Person,
        conditions: String::new(),
        materials: vec![Material {
            name: "申请表".into(),
            form: MaterialForm::Original,
            copies: 1,
            condition: None,
            shared: false,
            blank_form: None,
            sample: None,
            licence: None,
        }],
        fees: vec![],
        statutory_days: 10,
        promised_days: 3,
        special_procedures: vec![],
        steps: vec![],
        modes: vec![ServiceMode::Window],
        visits: 1,
        hall_id: None,
        zone_id: None,
        windows: vec![],
        address: String::new(),
        hours: String::new(),
        consult_phone: String::new(),
        complaint_phone: String::new(),
        stationed: true,
    }
}

each_db!(guides_go_from_draft_through_review_to_published, |db| {
    use onewindow_core::catalog::record::NewMatter;
    use onewindow_core::catalog::version::{VersionAction, VersionStatus};
    let s = db.store.clone();
    {
        let o = org(s.as_ref()).await;
        let c = ctx();
        let g0 = s.catalog_generation().await.unwrap();
        let (m, v1) = s
            .create_matter(
                &c,
                NewMatter {
                    code: "000101001000".into(),
                    department_id: o.dept_a.id,
                    guide: guide("义务教育阶段学生休学"),
                },
            )
            .await
            .unwrap();
        assert_eq!((v1.number, v1.status), (1, VersionStatus::Draft));
        assert!(
            s.published_guides().await.unwrap().is_empty(),
            "a draft is not public"
        );
        let e = s
            .create_matter(
                &c,
                NewMatter {
                    code: "000101001000".into(),
                    department_id: o.dept_a.id,
                    guide: guide("x"),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "code");
        // editing the draft keeps version 1
        let mut g = guide("义务教育阶段学生休学");
        g.promised_days = 2;
        let v = s.save_draft(&c, m.id, g.clone(), None).await.unwrap();
        assert_eq!((v.id, v.number, v.guide.promised_days), (v1.id, 1, 2));
        // approving a draft is not allowed; submitting locks it
        let e = s
            .act_on_version(&c, v.id, VersionAction::Approve, None)
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "action");
        let v = s
            .act_on_version(&c, v.id, VersionAction::Submit, None)
            .await
            .unwrap();
        assert_eq!(v.status, VersionStatus::Review);
        let e = s.save_draft(&c, m.id, guide("改"), None).await.unwrap_err();
        assert_eq!(conflict_field(e), "status");
        // sending back needs a reason
        let e = s
            .act_on_version(&c, v.id, VersionAction::Reject, None)
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "note");
        let v = s
            .act_on_version(&c, v.id, VersionAction::Reject, Some("依据写全称".into()))
            .await
            .unwrap();
        assert_eq!(
            (v.status, v.note.as_deref()),
            (VersionStatus::Rejected, Some("依据写全称"))
        );
        // a new draft after a rejection is version 2
        let v2 = s
            .save_draft(&c, m.id, g.clone(), Some("改了依据".into()))
            .await
            .unwrap();
        assert_eq!(v2.number, 2);
        s.act_on_version(&c, v2.id, VersionAction::Submit, None)
            .await
            .unwrap();
        let v2 = s
            .act_on_version(&c, v2.id, VersionAction::Approve, None)
            .await
            .unwrap();
        assert_eq!(v2.status, VersionStatus::Published);
        assert!(s.catalog_generation().await.unwrap() > g0);
        let m2 = s.matter_by_code("000101001000").await.unwrap().unwrap();
        assert_eq!(m2.published_version_id, Some(v2.id));
        let public = s.published_guides().await.unwrap();
        assert_eq!(public.len(), 1);
        assert_eq!(
            (public[0].version_number, public[0].guide.promised_days),
            (2, 2)
        );
        // version 3 supersedes version 2, which stays readable
        let mut g3 = g.clone();
        g3.name = "义务教育阶段学生休学申请".into();
        let v3 = s.save_draft(&c, m.id, g3, None).await.unwrap();
        s.act_on_version(&c, v3.id, VersionAction::Submit, None)
            .await
            .unwrap();
        s.act_on_version(&c, v3.id, VersionAction::Approve, None)
            .await
            .unwrap();
        let all = s.versions(m.id).await.unwrap();
        let statuses: Vec<(i64, VersionStatus)> =
            all.iter().map(|v| (v.number, v.status)).collect();
        assert_eq!(
            statuses,
            vec![
                (3, VersionStatus::Published),
                (2, VersionStatus::Superseded),
                (1, VersionStatus::Rejected)
            ]
        );
        assert_eq!(
            s.guide_version(v2.id).await.unwrap().unwrap().guide,
            g,
            "the old version is kept as it was"
        );
        assert_eq!(
            s.matter_by_code("000101001000")
                .await
                .unwrap()
                .unwrap()
                .name,
            "义务教育阶段学生休学申请"
        );
        // deactivating removes it from the public catalog
        let m3 = s.matter_by_code("000101001000").await.unwrap().unwrap();
        s.set_matter_active(&c, m3.id, m3.version, false)
            .await
            .unwrap();
        assert!(s.published_guides().await.unwrap().is_empty());
        // every step is in the trail
        let trail = s
            .audit_entries(&AuditFilter {
                target_type: Some("matter".into()),
                target_id: Some(m.id),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        let actions: Vec<&str> = trail.iter().rev().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            vec![
                "matter.create",
                "guide.draft",
                "guide.submit",
                "guide.reject",
                "guide.draft",
                "guide.submit",
                "guide.publish",
                "guide.draft",
                "guide.submit",
                "guide.publish",
                "matter.deactivate"
            ]
        );
        assert!(
            trail
                .iter()
                .any(|e| e.action == "guide.draft" && e.summary.contains("名称")),
            "a draft's changes against the published version are summarised"
        );
    }
});

each_db!(imports_create_update_and_skip_in_one_transaction, |db| {
    use onewindow_core::catalog::record::{ImportReport, ImportedMatter};
    let s = db.store.clone();
    {
        let o = org(s.as_ref()).await;
        let c = ctx();
        let rows = |name_b: &str| {
            vec![
                ImportedMatter {
                    code: "A00000000001".into(),
                    department_id: o.dept_a.id,
                    guide: guide("甲事项"),
                    licence_kind: None,
                },
                ImportedMatter {
                    code: "A00000000002".into(),
                    department_id: o.dept_b.id,
                    guide: guide(name_b),
                    licence_kind: None,
                },
            ]
        };
        assert_eq!(
            s.import_matters(&c, rows("乙事项")).await.unwrap(),
            ImportReport {
                created: 2,
                updated: 0,
                unchanged: 0
            }
        );
        assert_eq!(
            s.import_matters(&c, rows("乙事项")).await.unwrap(),
            ImportReport {
                created: 0,
                updated: 0,
                unchanged: 2
            }
        );
        assert_eq!(
            s.import_matters(&c, rows("乙事项（新）")).await.unwrap(),
            ImportReport {
                created: 0,
                updated: 1,
                unchanged: 1
            }
        );
        let b = s.matter_by_code("A00000000002").await.unwrap().unwrap();
        assert_eq!(s.versions(b.id).await.unwrap().len(), 2);
        // a bad row (unknown department) leaves nothing written
        let before = s.published_guides().await.unwrap();
        let mut bad = rows("乙事项（再改）");
        bad.push(ImportedMatter {
            code: "A00000000003".into(),
            department_id: 9999,
            guide: guide("丙"),
            licence_kind: None,
        });
        let e = s.import_matters(&c, bad).await.unwrap_err();
        assert_eq!(invalid_field(e), "department_id");
        assert_eq!(s.published_guides().await.unwrap(), before);
    }
});

each_db!(topics_list_matters_in_order, |db| {
    use onewindow_core::catalog::bundle::{Audience, TopicInput, TopicKind};
    use onewindow_core::catalog::record::ImportedMatter;
    let s = db.store.clone();
    {
        let o = org(s.as_ref()).await;
        let c = ctx();
        let rows: Vec<ImportedMatter> = ["B0000000001", "B0000000002", "B0000000003"]
            .iter()
            .map(|code| ImportedMatter {
                code: code.to_string(),
                department_id: o.dept_a.id,
                guide: guide(code),
                licence_kind: None,
            })
            .collect();
        s.import_matters(&c, rows).await.unwrap();
        let input = TopicInput {
            code: "kaiban".into(),
            name: "开办企业".into(),
            kind: TopicKind::Bundle,
            audience: Audience::Enterprise,
            description: String::new(),
            sort: 1,
            matters: vec!["B0000000003".into(), "B0000000001".into()],
            version: None,
        };
        let t = s.save_topic(&c, input.clone()).await.unwrap();
        assert_eq!(t.matters, vec!["B0000000003", "B0000000001"]);
        let e = s.save_topic(&c, input.clone()).await.unwrap_err();
        assert_eq!(
            conflict_field(e),
            "code",
            "the same code again without a version"
        );
        let mut upd = input.clone();
        upd.version = Some(t.version);
        upd.matters = vec![
            "B0000000001".into(),
            "B0000000002".into(),
            "B0000000003".into(),
        ];
        let t2 = s.save_topic(&c, upd).await.unwrap();
        assert_eq!((t2.version, t2.matters.len()), (t.version + 1, 3));
        let mut bad = input;
        bad.code = "other".into();
        bad.matters = vec!["NOPE000001".into()];
        assert_eq!(
            invalid_field(s.save_topic(&c, bad).await.unwrap_err()),
            "matters"
        );
        assert_eq!(s.topics().await.unwrap().len(), 1);
        assert_eq!(
            s.topic_by_code("kaiban")
                .await
                .unwrap()
                .unwrap()
                .matters
                .len(),
            3
        );
    }
});

each_db!(calendar_years_are_built_in_and_editable, |db| {
    use chrono::NaiveDate;
    use onewindow_core::calendar::{Calendar, Holiday, YearArrangement};
    let s = db.store.clone();
    let years = s.calendar_years().await.unwrap();
    assert_eq!(years.first().map(|y| y.year), Some(2004));
    assert_eq!(years.last().map(|y| y.year), Some(2026));
    assert_eq!(years.len(), 23);
    let cal = Calendar::new(&years);
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    // 2026-02-14 (Saturday) is a make-up working day before the Spring Festival.
    assert_eq!(cal.is_workday(d(2026, 2, 14)), Ok(true));
    assert_eq!(cal.is_workday(d(2026, 2, 17)), Ok(false));
    // 2027's notice is not entered: its days come from the law, provisionally.
    assert!(cal.is_provisional(2027), "2027 is computed from the law");
    assert_eq!(cal.is_workday(d(2027, 2, 5)), Ok(false), "除夕 by law");
    assert!(cal.is_workday(d(2029, 1, 4)).is_err(), "2029 is not known");

    let y2027 = YearArrangement {
        year: 2027,
        holidays: vec![Holiday {
            date: d(2027, 1, 1),
            name: "元旦".into(),
        }],
        workdays: vec![d(2027, 1, 9)],
    };
    s.save_calendar_year(&ctx(), y2027.clone()).await.unwrap();
    let cal = Calendar::new(&s.calendar_years().await.unwrap());
    assert_eq!(cal.is_workday(d(2027, 1, 1)), Ok(false));
    assert_eq!(cal.is_workday(d(2027, 1, 9)), Ok(true));
    assert_eq!(cal.is_workday(d(2027, 1, 4)), Ok(true));
    assert!(!cal.is_provisional(2027), "entered, it is the notice's");
    assert_eq!(cal.is_workday(d(2027, 2, 5)), Ok(true), "as entered");
    let trail = s
        .audit_entries(&AuditFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        trail
            .iter()
            .any(|e| e.action == "calendar.year" && e.target_id == Some(2027))
    );

    // A weekday cannot be a make-up working day; nothing is written.
    let mut bad = y2027.clone();
    bad.workdays = vec![d(2027, 1, 6)];
    assert_eq!(
        invalid_field(s.save_calendar_year(&ctx(), bad).await.unwrap_err()),
        "year"
    );
    let again = s.calendar_years().await.unwrap();
    assert_eq!(again.iter().find(|y| y.year == 2027), Some(&y2027));

    // Migrating again keeps an edited year as it is.
    s.migrate().await.unwrap();
    assert_eq!(s.calendar_years().await.unwrap().len(), 24);
});

mod cases {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};
    use onewindow_core::calendar::Calendar;
    use onewindow_core::case::apply::{ApplicationInput, Intake, Placement, new_case};
    use onewindow_core::case::machine::{Action, Env, Outcome, act};
    use onewindow_core::case::rules::Rules;
    use onewindow_core::case::workflow::{Stage, Workflow};
    use onewindow_core::case::*;
    use onewindow_core::catalog::record::ImportedMatter;
    use onewindow_core::identity::Role;
    use onewindow_store::{CaseFilter, CaseRecord, Grouping, NewFile};

    pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// 10:00 in Beijing on `d`.
    pub fn at(d: NaiveDate) -> chrono::DateTime<Utc> {
        Utc.from_utc_datetime(&d.and_hms_opt(2, 0, 0).unwrap())
    }

    pub struct Fixture {
        pub org: Org,
        pub matter_id: i64,
        pub placement: Placement,
        pub cal: Calendar,
        pub rules: Rules,
        pub flow: Workflow,
    }

    pub async fn fixture(s: &dyn Store) -> Fixture {
        let o = org(s).await;
        s.import_matters(
            &ctx(),
            vec![ImportedMatter {
                code: "C00000000001".into(),
                department_id: o.dept_a.id,
                guide: guide("最低生活保障审批"),
                licence_kind: None,
            }],
        )
        .await
        .unwrap();
        let m = s.matter_by_code("C00000000001").await.unwrap().unwrap();
        let placement = Placement {
            matter_id: m.id,
            matter_code: m.code.clone(),
            matter_name: m.name.clone(),
            guide_version_id: m.published_version_id.expect("an import publishes"),
            department_id: o.dept_a.id,
            region_id: o.district.id,
            statutory_days: 10,
            promised_days: 3,
        };
        let flow = Workflow {
            stages: vec![
                Stage {
                    name: "审核".into(),
                    days: 1,
                    role: Role::Approver,
                    departments: vec![],
                },
                Stage {
                    name: "联合审查".into(),
                    days: 2,
                    role: Role::Approver,
                    departments: vec![o.dept_a.id, o.dept_b.id],
                },
            ],
            joint: false,
        };
        Fixture {
            matter_id: m.id,
            placement,
            org: o,
            cal: Calendar::builtin(),
            rules: Rules::default(),
            flow,
        }
    }

    impl Fixture {
        pub fn application(&self, name: &str, on: NaiveDate) -> Dossier {
            let g = guide("最低生活保障审批");
            let input = ApplicationInput {
                matter_code: "C00000000001".into(),
                channel: Channel::Window,
                applicant: ApplicantInfo {
                    kind: ApplicantKind::Person,
                    name: name.into(),
                    id_number: "11010519491231002X".into(),
                    phone: "13812345678".into(),
                    email: None,
                    address: None,
                    needs_home_service: false,
                },
                agency: None,
                materials: vec![],
                note: None,
                delivery: DeliveryMethod::Window,
                licences: vec![],
                delivery_address: None,
            };
            new_case(
                input.clean(&g, on).unwrap(),
                &self.placement,
                &Intake {
                    now: at(on),
                    received_on: on,
                    completeness_due: self.cal.add_workdays(on, 5).ok(),
                    applicant_user_id: None,
                    bundle_id: None,
                    batch_id: None,
                    delivery_days: 10,
                    received_by: None,
                },
            )
        }

        pub fn act(&self, d: &Dossier, a: Action, on: NaiveDate) -> Outcome {
            act(
                d,
                a,
                &Env {
                    now: at(on),
                    today: on,
                    cal: &self.cal,
                    rules: &self.rules,
                    workflow: &self.flow,
                    actor_id: None,
                    actor_name: "tester",
                    window_id: None,
                },
            )
            .unwrap()
        }
    }

    /// The one-statement record says what the separate reads say.
    async fn record_matches(s: &dyn Store, id: i64) -> CaseRecord {
        let rec = s.case_record(id).await.unwrap().unwrap();
        assert_eq!(rec.dossier, s.dossier(id).await.unwrap().unwrap());
        assert_eq!(rec.events, s.case_events(id).await.unwrap());
        assert_eq!(rec.files, s.files(id).await.unwrap());
        rec
    }

    fn stale(e: StoreError) -> bool {
        matches!(e, StoreError::Domain(DomainError::Conflict(f)) if f.field == "version")
    }

    // Actions that arrive together share a commit; one that fails among them (a stale version)
    // leaves nothing behind and does not take the others down.
    each_db!(actions_committed_together_fail_alone, |db| {
        let s = db.store.clone();
        let f = fixture(s.as_ref()).await;
        let c = ctx();
        let on = day(2026, 3, 2);
        let mut cases = Vec::new();
        for i in 0..12 {
            let made = s
                .create_cases(
                    &c,
                    Grouping::Single,
                    vec![f.application(&format!("申请人{i}"), on)],
                    vec![],
                )
                .await
                .unwrap();
            cases.push(s.dossier(made.case_ids[0]).await.unwrap().unwrap());
        }
        let before = match s.verify_audit().await.unwrap() {
            Ok(n) => n,
            Err(b) => panic!("chain broken before the test: {b:?}"),
        };
        // Each case is accepted twice from the same version: one of each pair must lose.
        let mut tasks = Vec::new();
        for d in &cases {
            for _ in 0..2 {
                let (s, c, d) = (s.clone(), c.clone(), d.clone());
                let out = f.act(&d, Action::Accept { note: None }, on);
                tasks.push(tokio::spawn(async move {
                    (d.case.id, s.commit_action(&c, d, out).await)
                }));
            }
        }
        let mut won = std::collections::HashMap::new();
        for t in tasks {
            let (id, r) = t.await.unwrap();
            match r {
                Ok(after) => {
                    assert_eq!(after.case.version, 2);
                    *won.entry(id).or_insert(0) += 1;
                }
                Err(e) => assert!(stale(e), "only the version check may refuse"),
            }
        }
        for d in &cases {
            assert_eq!(won.get(&d.case.id), Some(&1), "exactly one accept per case");
            let read = s.dossier(d.case.id).await.unwrap().unwrap();
            assert_eq!(read.case.state, CaseState::Reviewing);
            assert_eq!(read.steps.len(), 3, "the losers wrote no steps");
            assert_eq!(s.case_events(d.case.id).await.unwrap().len(), 2);
        }
        assert_eq!(
            s.verify_audit().await.unwrap(),
            Ok(before + 12),
            "one audit entry per accepted case, the chain intact"
        );
    });

    each_db!(cases_are_numbered_written_and_read_back, |db| {
        let s = db.store.clone();
        let f = fixture(s.as_ref()).await;
        let c = ctx();
        let on = day(2026, 3, 2);
        let one = s
            .create_cases(
                &c,
                Grouping::Single,
                vec![f.application("李女士", on)],
                vec![],
            )
            .await
            .unwrap();
        let two = s
            .create_cases(
                &c,
                Grouping::Single,
                vec![f.application("王先生", on)],
                vec![],
            )
            .await
            .unwrap();
        let dept = f.org.dept_a.id;
        assert_eq!(one.numbers, vec![format!("D{dept:03}-20260302-00001")]);
        assert_eq!(two.numbers, vec![format!("D{dept:03}-20260302-00002")]);
        let d = s.dossier(one.case_ids[0]).await.unwrap().unwrap();
        let mut want = f.application("李女士", on).case;
        want.id = d.case.id;
        want.number = d.case.number.clone();
        assert_eq!(d.case, want, "every field round-trips");
        assert_eq!(
            s.case_id_by_number(&d.case.number).await.unwrap(),
            Some(d.case.id)
        );
        let events = s.case_events(d.case.id).await.unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].action, "submit");
        let outbox = s.outbox(Some(d.case.id), 10).await.unwrap();
        assert_eq!(outbox.len(), 1);
        assert!(
            outbox[0].body.contains(&d.case.number),
            "{}",
            outbox[0].body
        );

        // Accept: the parallel flow's steps are written with ids.
        let out = f.act(&d, Action::Accept { note: None }, on);
        let after = s.commit_action(&c, d.clone(), out).await.unwrap();
        assert_eq!(after.case.version, 2);
        assert_eq!(after.steps.len(), 3);
        assert!(after.steps.iter().all(|st| st.id > 0));
        let read = s.dossier(d.case.id).await.unwrap().unwrap();
        assert_eq!(read, after);
        // The days its light changes are kept with it (3 promised days from Monday 2 March:
        // due Thursday 5 March, yellow from Wednesday, red from Friday).
        assert_eq!(
            (read.case.yellow_on, read.case.red_on),
            (Some(day(2026, 3, 4)), Some(day(2026, 3, 6)))
        );
        // Recomputed (after a rule change), they are rewritten with one trail entry.
        let mut relit = read.case.clone();
        (relit.yellow_on, relit.red_on) = (Some(day(2026, 3, 3)), Some(day(2026, 3, 6)));
        let n = s
            .set_clocks(&c, &[(read.case.clone(), relit)])
            .await
            .unwrap();
        assert_eq!(n, 1);
        let again = s.dossier(d.case.id).await.unwrap().unwrap();
        assert_eq!(again.case.yellow_on, Some(day(2026, 3, 3)));
        assert_eq!(
            again.case.version, read.case.version,
            "derived days are not an edit"
        );
        let relit = s
            .audit_entries(&AuditFilter {
                target_type: Some("case".into()),
                limit: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(relit.iter().any(|e| e.action == "case.relight"));
        s.set_clocks(&c, &[(again.case.clone(), read.case.clone())])
            .await
            .unwrap();
        let trail = s
            .audit_entries(&AuditFilter {
                target_type: Some("case".into()),
                target_id: Some(d.case.id),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
        assert!(
            actions.contains(&"case.submit") && actions.contains(&"case.accept"),
            "{actions:?}"
        );

        // Two people acting on the same version: exactly one succeeds.
        let first = read.steps[0].id;
        let o1 = f.act(&read, Action::Claim { step_id: first }, on);
        let o2 = f.act(
            &read,
            Action::Pause {
                procedure: "专家评审".into(),
                reason: "r".into(),
                expected_days: 2,
            },
            on,
        );
        let (a, b) = tokio::join!(
            s.commit_action(&c, read.clone(), o1),
            s.commit_action(&c, read.clone(), o2)
        );
        assert!(a.is_ok() != b.is_ok(), "exactly one wins");
        let loser = if a.is_err() {
            a.unwrap_err()
        } else {
            b.unwrap_err()
        };
        assert!(stale(loser));
        assert_eq!(
            s.case_events(d.case.id).await.unwrap().len(),
            3,
            "the loser wrote nothing"
        );
        let rec = record_matches(s.as_ref(), d.case.id).await;
        assert_eq!(rec.events.len(), 3);
        assert!(rec.dossier.case.id > 0 && !rec.dossier.steps.is_empty());
        assert!(s.case_record(999_999).await.unwrap().is_none());
        let now = s.dossier(d.case.id).await.unwrap().unwrap();
        assert_eq!(now.case.version, 3);

        // Lists, filters and counts.
        let all = CaseFilter {
            scope: ScopeFilter::department(dept),
            ..Default::default()
        };
        assert_eq!(s.count_cases(&all).await.unwrap(), 2);
        let reviewing = CaseFilter {
            states: vec![CaseState::Reviewing],
            ..all.clone()
        };
        assert_eq!(s.cases(&reviewing).await.unwrap().len(), 1);
        let by_name = CaseFilter {
            q: Some("王".into()),
            ..all.clone()
        };
        assert_eq!(s.cases(&by_name).await.unwrap()[0].applicant.name, "王先生");
        let other = CaseFilter {
            scope: ScopeFilter::department(f.org.dept_b.id),
            ..Default::default()
        };
        assert_eq!(s.count_cases(&other).await.unwrap(), 0);
        let region = CaseFilter {
            scope: ScopeFilter::region(f.org.city.path.clone()),
            ..Default::default()
        };
        assert_eq!(s.count_cases(&region).await.unwrap(), 2);
        let beside = CaseFilter {
            scope: ScopeFilter::region(f.org.street.path.clone()),
            ..Default::default()
        };
        assert_eq!(s.count_cases(&beside).await.unwrap(), 0);
    });

    each_db!(parallel_steps_queue_by_department_and_join, |db| {
        let s = db.store.clone();
        let f = fixture(s.as_ref()).await;
        let c = ctx();
        let on = day(2026, 3, 2);
        let id = s
            .create_cases(
                &c,
                Grouping::Single,
                vec![f.application("李女士", on)],
                vec![],
            )
            .await
            .unwrap()
            .case_ids[0];
        let d = s.dossier(id).await.unwrap().unwrap();
        let d = s
            .commit_action(&c, d.clone(), f.act(&d, Action::Accept { note: None }, on))
            .await
            .unwrap();
        let (a, b) = (f.org.dept_a.id, f.org.dept_b.id);
        assert_eq!(s.open_steps(Some(a), None, 50).await.unwrap().len(), 1);
        assert_eq!(s.open_steps(Some(b), None, 50).await.unwrap().len(), 0);
        let finish = |d: &Dossier, step: i64| {
            f.act(
                d,
                Action::FinishStep {
                    step_id: step,
                    outcome: StepOutcome::Agree,
                    opinion: None,
                },
                on,
            )
        };
        let d = s
            .commit_action(&c, d.clone(), finish(&d, d.steps[0].id))
            .await
            .unwrap();
        let queue_b = s.open_steps(Some(b), None, 50).await.unwrap();
        assert_eq!(queue_b.len(), 1);
        assert_eq!(queue_b[0].case.id, id);
        assert_eq!(queue_b[0].step.stage, 2);
        let d = s
            .commit_action(&c, d.clone(), finish(&d, queue_b[0].step.id))
            .await
            .unwrap();
        assert!(!machine_allows(&d, ActionKind::Decide));
        let step_a = d
            .steps
            .iter()
            .find(|st| st.stage == 2 && st.department_id == a)
            .unwrap()
            .id;
        let d = s
            .commit_action(&c, d.clone(), finish(&d, step_a))
            .await
            .unwrap();
        assert!(machine_allows(&d, ActionKind::Decide));
        assert!(s.open_steps(None, None, 50).await.unwrap().is_empty());
        assert_eq!(s.dossier(id).await.unwrap().unwrap(), d);
        // Finished steps (times, dates, outcomes) come back the same through the one-statement read.
        let rec = record_matches(s.as_ref(), id).await;
        assert_eq!(rec.dossier, d);
        assert!(rec.dossier.steps.iter().all(|st| st.finished_at.is_some()));
    });

    fn machine_allows(d: &Dossier, k: ActionKind) -> bool {
        onewindow_core::case::machine::allowed(d, day(2026, 3, 2)).contains(&k)
    }

    each_db!(
        batches_act_all_or_nothing_and_bundles_conclude_together,
        |db| {
            let s = db.store.clone();
            let f = fixture(s.as_ref()).await;
            let c = ctx();
            let on = day(2026, 3, 2);
            let apps: Vec<Dossier> = (1..=3)
                .map(|i| f.application(&format!("住户{i}"), on))
                .collect();
            let batch = s
                .create_cases(
                    &c,
                    Grouping::Batch {
                        matter_id: f.matter_id,
                        title: "东方村集体土地确权".into(),
                    },
                    apps,
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!(batch.case_ids.len(), 3);
            assert_eq!(batch.group_number.as_deref(), Some("PL-20260302-00001"));
            let rec = s.batch(batch.group_id.unwrap()).await.unwrap().unwrap();
            assert_eq!(rec.size, 3);
            let members = s
                .cases(&CaseFilter {
                    batch_id: rec.id.into(),
                    ..Default::default()
                })
                .await
                .unwrap();
            assert_eq!(members.len(), 3);
            let mut dossiers = Vec::new();
            for id in &batch.case_ids {
                dossiers.push(s.dossier(*id).await.unwrap().unwrap());
            }
            // One of them has moved on meanwhile: the whole batch action fails and writes nothing.
            let moved = s
                .commit_action(
                    &c,
                    dossiers[1].clone(),
                    f.act(&dossiers[1], Action::Withdraw { reason: None }, on),
                )
                .await
                .unwrap();
            let items: Vec<(Dossier, Outcome)> = dossiers
                .iter()
                .map(|d| (d.clone(), f.act(d, Action::Accept { note: None }, on)))
                .collect();
            assert!(stale(s.commit_actions(&c, items).await.unwrap_err()));
            let first = s.dossier(batch.case_ids[0]).await.unwrap().unwrap();
            assert_eq!(
                first.case.state,
                CaseState::Submitted,
                "nothing half-written"
            );
            dossiers[1] = moved;
            let items: Vec<(Dossier, Outcome)> = [0, 2]
                .iter()
                .map(|&i| {
                    (
                        dossiers[i].clone(),
                        f.act(&dossiers[i], Action::Accept { note: None }, on),
                    )
                })
                .collect();
            let done = s.commit_actions(&c, items).await.unwrap();
            assert!(done.iter().all(|d| d.case.state == CaseState::Reviewing));

            // A bundle of two: concluded when both are.
            let topic = s
                .save_topic(
                    &c,
                    onewindow_core::catalog::bundle::TopicInput {
                        code: "yijianshi".into(),
                        name: "新生儿出生一件事".into(),
                        kind: onewindow_core::catalog::bundle::TopicKind::Bundle,
                        audience: onewindow_core::catalog::bundle::Audience::Person,
                        description: String::new(),
                        sort: 1,
                        matters: vec!["C00000000001".into()],
                        version: None,
                    },
                )
                .await
                .unwrap();
            let bundle = s
                .create_cases(
                    &c,
                    Grouping::Bundle {
                        topic_id: topic.id,
                        topic_name: topic.name.clone(),
                        applicant_name: "李女士".into(),
                        applicant_id_number: "11010519491231002X".into(),
                    },
                    vec![f.application("李女士", on), f.application("李女士", on)],
                    vec![NewFile {
                        material: "出生医学证明".into(),
                        file_name: "birth.pdf".into(),
                        content_type: "application/pdf".into(),
                        size: 1234,
                        sha256: "ab".repeat(32),
                    }],
                )
                .await
                .unwrap();
            let bid = bundle.group_id.unwrap();
            let b1 = s.dossier(bundle.case_ids[0]).await.unwrap().unwrap();
            let b2 = s.dossier(bundle.case_ids[1]).await.unwrap().unwrap();
            assert_eq!(
                (b1.case.bundle_id, b2.case.bundle_id),
                (Some(bid), Some(bid))
            );
            assert_eq!(
                s.files(b2.case.id).await.unwrap().len(),
                1,
                "shared material set"
            );
            assert_eq!(record_matches(s.as_ref(), b2.case.id).await.files.len(), 1);
            s.commit_action(
                &c,
                b1.clone(),
                f.act(
                    &b1,
                    Action::Refuse {
                        reason: "不符合条件".into(),
                    },
                    on,
                ),
            )
            .await
            .unwrap();
            assert!(s.bundle(bid).await.unwrap().unwrap().concluded_at.is_none());
            s.commit_action(
                &c,
                b2.clone(),
                f.act(&b2, Action::Withdraw { reason: None }, on),
            )
            .await
            .unwrap();
            assert!(s.bundle(bid).await.unwrap().unwrap().concluded_at.is_some());
        }
    );

    each_db!(files_workflows_deadlines_and_the_outbox, |db| {
        let s = db.store.clone();
        let f = fixture(s.as_ref()).await;
        let c = ctx();
        let on = day(2026, 3, 2);
        let id = s
            .create_cases(
                &c,
                Grouping::Single,
                vec![f.application("李女士", on)],
                vec![],
            )
            .await
            .unwrap()
            .case_ids[0];
        let added = s
            .add_files(
                &c,
                id,
                vec![NewFile {
                    material: "申请表".into(),
                    file_name: "申请表.pdf".into(),
                    content_type: "application/pdf".into(),
                    size: 10,
                    sha256: "cd".repeat(32),
                }],
            )
            .await
            .unwrap();
        assert_eq!(s.files(id).await.unwrap(), added);
        assert_eq!(record_matches(s.as_ref(), id).await.files, added);
        assert_eq!(
            s.file(added[0].id).await.unwrap().unwrap().file_name,
            "申请表.pdf"
        );
        assert!(s.add_files(&c, 999_999, vec![]).await.is_err());

        assert_eq!(s.workflow(f.matter_id).await.unwrap(), None);
        s.save_workflow(&c, f.matter_id, f.flow.clone())
            .await
            .unwrap();
        assert_eq!(s.workflow(f.matter_id).await.unwrap(), Some(f.flow.clone()));

        // Completeness deadline: 5 working days after 2 March is 9 March.
        assert!(
            s.cases_past_completeness(day(2026, 3, 9), 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            s.cases_past_completeness(day(2026, 3, 10), 10)
                .await
                .unwrap(),
            vec![id]
        );

        // Two instances sending at once: the message is taken by one, and is not due again
        // until its sending lease runs out.
        let other = onewindow_store::open(&db.url).await.unwrap();
        let (at, until) = (Utc::now(), Utc::now() + chrono::Duration::minutes(2));
        let (x, y) = tokio::join!(
            s.outbox_claim(at, until, 10),
            other.outbox_claim(at, until, 10)
        );
        assert_eq!(x.unwrap().len() + y.unwrap().len(), 1, "taken once");
        other.close().await;
        assert!(s.outbox_due(Utc::now(), 10).await.unwrap().is_empty());
        assert!(
            s.outbox_claim(Utc::now(), until, 10)
                .await
                .unwrap()
                .is_empty()
        );
        let due = s.outbox_due(until, 10).await.unwrap();
        assert_eq!(due.len(), 1);
        let later = Utc::now() + chrono::Duration::minutes(5);
        s.outbox_attempted(due[0].id, Err("gateway down".into()), Some(later))
            .await
            .unwrap();
        assert!(s.outbox_due(Utc::now(), 10).await.unwrap().is_empty());
        let m = &s.outbox(Some(id), 10).await.unwrap()[0];
        assert_eq!((m.status.as_str(), m.attempts), ("pending", 1));
        assert_eq!(m.last_error.as_deref(), Some("gateway down"));
        s.outbox_attempted(m.id, Ok(()), None).await.unwrap();
        let m = &s.outbox(Some(id), 10).await.unwrap()[0];
        assert_eq!((m.status.as_str(), m.attempts), ("sent", 2));
        assert!(m.sent_at.is_some());
    });
}

mod hall {
    use super::*;
    use chrono::NaiveDate;
    use onewindow_core::evaluation::PadRating;
    use onewindow_core::hall::category::NewCategory;
    use onewindow_core::hall::queue::pick;
    use onewindow_core::hall::ticket::{Priority, TicketSource, TicketState};
    use onewindow_core::hall::window::WindowAction;
    use onewindow_store::{Grouping, NewTicket, RatingPlace, WindowAct};
    use std::collections::HashSet;

    pub(super) struct HallFixture {
        pub hall: Hall,
        pub other: Hall,
        pub zone: Zone,
        pub windows: Vec<Window>,
    }

    async fn hall_fixture(s: &dyn Store, windows: i64) -> HallFixture {
        let o = org(s).await;
        hall_fixture_in(s, &o, windows).await
    }

    pub(super) async fn hall_fixture_in(s: &dyn Store, o: &Org, windows: i64) -> HallFixture {
        let c = ctx();
        let new_hall = |name: &str| NewHall {
            name: name.into(),
            region_id: o.district.id,
            address: None,
            floors: 3,
            phone: None,
            opens: "08:30".into(),
            closes: "17:30".into(),
            lunch_break: None,
        };
        let hall = s.create_hall(&c, new_hall("政务服务中心")).await.unwrap();
        let other = s.create_hall(&c, new_hall("分中心")).await.unwrap();
        let zone = s
            .create_zone(
                &c,
                hall.id,
                NewZone {
                    name: "综合区".into(),
                    floor: 1,
                },
            )
            .await
            .unwrap();
        let mut ws = Vec::new();
        for n in 1..=windows {
            ws.push(
                s.create_window(
                    &c,
                    hall.id,
                    NewWindow {
                        zone_id: zone.id,
                        number: n,
                        label: None,
                        confidential: false,
                        department_ids: vec![o.dept_a.id],
                    },
                )
                .await
                .unwrap(),
            );
        }
        HallFixture {
            hall,
            other,
            zone,
            windows: ws,
        }
    }

    fn category(name: &str, prefix: &str) -> NewCategory {
        NewCategory {
            name: name.into(),
            prefix: prefix.into(),
            zone_id: None,
            matter_ids: vec![],
        }
        .clean()
        .unwrap()
    }

    fn ticket(hall_id: i64, category_id: i64, priority: Priority, n: i64) -> NewTicket {
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        NewTicket {
            hall_id,
            category_id,
            day,
            priority,
            source: TicketSource::Kiosk,
            id_number: None,
            phone: None,
            access_key: format!("key{n}"),
            // Arrival order follows n, a millisecond apart.
            at: chrono::DateTime::from_timestamp(1_772_400_000, 0).unwrap()
                + chrono::Duration::milliseconds(n),
        }
    }

    each_db!(
        categories_and_window_categories_belong_to_their_hall,
        |db| {
            let s = db.store.clone();
            let f = hall_fixture(s.as_ref(), 1).await;
            let c = ctx();
            let mut new = category("社保医保", "b");
            new.zone_id = Some(f.zone.id);
            let a = s.create_category(&c, f.hall.id, new).await.unwrap();
            assert_eq!((a.prefix.as_str(), a.zone_id), ("B", Some(f.zone.id)));
            let e = s
                .create_category(&c, f.hall.id, category("另一个", "B"))
                .await
                .unwrap_err();
            assert_eq!(conflict_field(e), "prefix");
            let mut elsewhere = category("公积金", "G");
            elsewhere.zone_id = Some(f.zone.id);
            let e = s
                .create_category(&c, f.other.id, elsewhere)
                .await
                .unwrap_err();
            assert_eq!(invalid_field(e), "zone_id");
            let theirs = s
                .create_category(&c, f.other.id, category("公积金", "G"))
                .await
                .unwrap();
            assert_eq!(s.categories(f.hall.id).await.unwrap(), vec![a.clone()]);
            let w = f.windows[0].id;
            let e = s
                .set_window_categories(&c, w, &[a.id, theirs.id])
                .await
                .unwrap_err();
            assert_eq!(invalid_field(e), "category_ids");
            assert!(
                s.window_categories(w).await.unwrap().is_empty(),
                "nothing half-written"
            );
            assert_eq!(
                s.set_window_categories(&c, w, &[a.id]).await.unwrap(),
                vec![a.id]
            );
            assert_eq!(s.window_categories(w).await.unwrap(), vec![a.id]);
            // A ticket of another hall's category is refused; numbers run per category and day.
            let e = s
                .issue_ticket(&c, ticket(f.hall.id, theirs.id, Priority::Ordinary, 1))
                .await
                .unwrap_err();
            assert_eq!(invalid_field(e), "category_id");
            let t1 = s
                .issue_ticket(&c, ticket(f.hall.id, a.id, Priority::Ordinary, 1))
                .await
                .unwrap();
            let t2 = s
                .issue_ticket(&c, ticket(f.hall.id, a.id, Priority::Elderly, 2))
                .await
                .unwrap();
            assert_eq!((t1.number.as_str(), t2.number.as_str()), ("B001", "B002"));
            assert_eq!(t1.state, TicketState::Waiting);
            assert_eq!(s.ticket(t2.id).await.unwrap().unwrap(), t2);
            let trail = s
                .audit_entries(&AuditFilter {
                    target_type: Some("ticket".into()),
                    limit: 10,
                    ..Default::default()
                })
                .await
                .unwrap();
            assert_eq!(trail.len(), 2);
        }
    );

    // The store calls tickets in exactly the order the core's rule gives, passes included.
    each_db!(calling_follows_the_rule_of_the_core, |db| {
        let s = db.store.clone();
        let f = hall_fixture(s.as_ref(), 1).await;
        let c = ctx();
        let a = s
            .create_category(&c, f.hall.id, category("综合", "A"))
            .await
            .unwrap();
        let b = s
            .create_category(&c, f.hall.id, category("社保", "B"))
            .await
            .unwrap();
        let w = f.windows[0].id;
        // The window calls B before A.
        s.set_window_categories(&c, w, &[b.id, a.id]).await.unwrap();
        let kinds = [
            Priority::Ordinary,
            Priority::Ordinary,
            Priority::Elderly,
            Priority::Ordinary,
            Priority::Green,
            Priority::Disabled,
            Priority::Ordinary,
            Priority::Appointment,
        ];
        for n in 0..24 {
            let cat = if n % 3 == 0 { a.id } else { b.id };
            let p = kinds[(n as usize * 5) % kinds.len()];
            s.issue_ticket(&c, ticket(f.hall.id, cat, p, n))
                .await
                .unwrap();
        }
        let max_passes = 2;
        let mut called = 0;
        loop {
            let queue = s.waiting(f.hall.id).await.unwrap();
            // People ahead, counted by the store, are what the core counts.
            for w in &queue {
                let t = s.ticket(w.id).await.unwrap().unwrap();
                assert_eq!(
                    s.ahead(&t).await.unwrap(),
                    onewindow_core::hall::queue::ahead(&queue, w) as i64,
                    "ticket {}",
                    t.number
                );
            }
            let want = pick(&queue, &[b.id, a.id], max_passes);
            let got = s.call_next(&c, w, None, max_passes).await.unwrap();
            match (want, got) {
                (None, None) => break,
                (Some(want), Some(got)) => {
                    assert_eq!(got.id, want.ticket_id, "call {called}");
                    assert_eq!(got.state, TicketState::Called);
                    assert_eq!(got.window_id, Some(w));
                    let after = s.waiting(f.hall.id).await.unwrap();
                    for id in want.passes {
                        let before = queue.iter().find(|q| q.id == id).unwrap().passed;
                        let now = after.iter().find(|q| q.id == id).unwrap().passed;
                        assert_eq!(now, before + 1, "ticket {id} passed once more");
                    }
                    called += 1;
                }
                (want, got) => panic!("rule {want:?} but store {got:?}"),
            }
        }
        assert_eq!(called, 24);
        assert!(
            s.waiting(f.hall.id).await.unwrap().is_empty(),
            "calling the next finished the last"
        );
    });

    // Many windows calling at once: each ticket is called once, none is lost.
    each_db!(windows_calling_at_once_never_share_or_lose_a_ticket, |db| {
        let s = db.store.clone();
        let f = hall_fixture(s.as_ref(), 12).await;
        let c = ctx();
        let a = s
            .create_category(&c, f.hall.id, category("综合", "A"))
            .await
            .unwrap();
        for w in &f.windows {
            s.set_window_categories(&c, w.id, &[a.id]).await.unwrap();
        }
        let total = 120;
        for n in 0..total {
            let p = if n % 7 == 0 {
                Priority::Elderly
            } else {
                Priority::Ordinary
            };
            s.issue_ticket(&c, ticket(f.hall.id, a.id, p, n))
                .await
                .unwrap();
        }
        let mut tasks = Vec::new();
        for w in &f.windows {
            let (s, c, w) = (s.clone(), c.clone(), w.id);
            tasks.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                while let Some(t) = s.call_next(&c, w, None, 3).await.unwrap() {
                    assert_eq!(t.window_id, Some(w));
                    mine.push(t.id);
                }
                mine
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let distinct: HashSet<i64> = all.iter().copied().collect();
        assert_eq!(all.len(), total as usize, "every ticket called");
        assert_eq!(distinct.len(), all.len(), "no ticket called twice");
        assert!(s.waiting(f.hall.id).await.unwrap().is_empty());
    });

    // Calls that arrive together are decided together; the tickets they take are the ones the
    // core's rule gives one call after another (every window here serves the same category, so
    // which window takes which does not change the order).
    each_db!(calls_decided_together_follow_the_rule, |db| {
        let s = db.store.clone();
        let f = hall_fixture(s.as_ref(), 12).await;
        let c = ctx();
        let a = s
            .create_category(&c, f.hall.id, category("综合", "A"))
            .await
            .unwrap();
        for w in &f.windows {
            s.set_window_categories(&c, w.id, &[a.id]).await.unwrap();
        }
        let kinds = [
            Priority::Ordinary,
            Priority::Elderly,
            Priority::Ordinary,
            Priority::Ordinary,
            Priority::Green,
            Priority::Ordinary,
            Priority::Appointment,
            Priority::Ordinary,
            Priority::Disabled,
        ];
        for n in 0..60 {
            s.issue_ticket(
                &c,
                ticket(f.hall.id, a.id, kinds[n as usize % kinds.len()], n),
            )
            .await
            .unwrap();
        }
        let max_passes = 2;
        for round in 0..5 {
            // What the rule would call, twelve times over.
            let mut queue = s.waiting(f.hall.id).await.unwrap();
            let mut want = HashSet::new();
            for _ in 0..12 {
                let Some(p) = pick(&queue, &[a.id], max_passes) else {
                    break;
                };
                let arrival = queue.iter().find(|q| q.id == p.ticket_id).unwrap().arrival;
                want.insert(p.ticket_id);
                queue.retain(|q| q.id != p.ticket_id);
                for q in queue.iter_mut() {
                    if q.priority == Priority::Ordinary && q.arrival < arrival {
                        q.passed += 1;
                    }
                }
            }
            let mut tasks = Vec::new();
            for w in &f.windows {
                let (s, c, w) = (s.clone(), c.clone(), w.id);
                tasks.push(tokio::spawn(async move {
                    s.call_next(&c, w, None, max_passes).await.unwrap()
                }));
            }
            let mut got = HashSet::new();
            for t in tasks {
                if let Some(t) = t.await.unwrap() {
                    assert!(got.insert(t.id), "called twice");
                }
            }
            assert_eq!(got, want, "round {round}");
        }
    });

    // Two instances on one database (two stores, each with its own calling task): every
    // ticket is called once and none is lost. On SQLite the second store is a second process's
    // view of the same file.
    each_db!(two_instances_calling_at_once_share_no_ticket, |db| {
        let s = db.store.clone();
        let other = onewindow_store::open(&db.url).await.unwrap();
        let f = hall_fixture(s.as_ref(), 8).await;
        let c = ctx();
        let a = s
            .create_category(&c, f.hall.id, category("综合", "A"))
            .await
            .unwrap();
        for w in &f.windows {
            s.set_window_categories(&c, w.id, &[a.id]).await.unwrap();
        }
        let total = 160;
        for n in 0..total {
            let p = if n % 9 == 0 {
                Priority::Elderly
            } else {
                Priority::Ordinary
            };
            s.issue_ticket(&c, ticket(f.hall.id, a.id, p, n))
                .await
                .unwrap();
        }
        let mut tasks = Vec::new();
        for (i, w) in f.windows.iter().enumerate() {
            // Half the windows on each instance.
            let st = if i % 2 == 0 { s.clone() } else { other.clone() };
            let (c, w) = (c.clone(), w.id);
            tasks.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                while let Some(t) = st.call_next(&c, w, None, 3).await.unwrap() {
                    mine.push(t.id);
                }
                mine
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let distinct: HashSet<i64> = all.iter().copied().collect();
        assert_eq!(all.len(), total as usize, "every ticket called");
        assert_eq!(distinct.len(), all.len(), "no ticket called twice");
        other.close().await;
    });

    // The end of a day: what was left waiting or at a window is closed, today's tickets are not,
    // and the fairness records of earlier days go.
    each_db!(past_days_are_closed, |db| {
        let s = db.store.clone();
        let f = hall_fixture(s.as_ref(), 1).await;
        let c = ctx();
        let a = s
            .create_category(&c, f.hall.id, category("综合", "A"))
            .await
            .unwrap();
        let w = f.windows[0].id;
        s.set_window_categories(&c, w, &[a.id]).await.unwrap();
        for n in 0..3 {
            s.issue_ticket(&c, ticket(f.hall.id, a.id, Priority::Ordinary, n))
                .await
                .unwrap();
        }
        s.call_next(&c, w, None, 3).await.unwrap().unwrap();
        // The next day (2026-03-03), a ticket of its own.
        let next = NaiveDate::from_ymd_opt(2026, 3, 3).unwrap();
        let start = chrono::DateTime::from_timestamp(1_772_467_200, 0).unwrap(); // 3 March 00:00 +08
        let mut t = ticket(f.hall.id, a.id, Priority::Ordinary, 0);
        t.day = next;
        t.at = start + chrono::Duration::hours(2);
        let today = s.issue_ticket(&c, t).await.unwrap();
        let closed = s
            .close_past_days(
                &c,
                next,
                start.timestamp_micros(),
                start + chrono::Duration::hours(3),
            )
            .await
            .unwrap();
        assert_eq!(closed, 3, "two waiting and one at the window");
        assert_eq!(
            s.waiting(f.hall.id)
                .await
                .unwrap()
                .iter()
                .map(|q| (q.id, q.passed))
                .collect::<Vec<_>>(),
            vec![(today.id, 0)]
        );
        assert_eq!(
            s.close_past_days(&c, next, start.timestamp_micros(), start)
                .await
                .unwrap(),
            0,
            "once"
        );
    });

    fn act(window_id: i64, action: WindowAction, at: chrono::DateTime<chrono::Utc>) -> WindowAct {
        WindowAct {
            window_id,
            clerk_id: None,
            action,
            max_passes: 3,
            at,
        }
    }

    // Every window action and what it leaves: recall, no-show and one requeue, transfer keeping
    // the arrival (to a category, and to one window only), finish with case numbers, pause and
    // resume; the board; the pad's rating.
    each_db!(window_actions_board_and_pad, |db| {
        let s = db.store.clone();
        let cf = super::cases::fixture(s.as_ref()).await;
        let on = super::cases::day(2026, 3, 2);
        let created = s
            .create_cases(
                &ctx(),
                Grouping::Single,
                vec![cf.application("张三", on)],
                vec![],
            )
            .await
            .unwrap();
        let f = hall_fixture_in(s.as_ref(), &cf.org, 2).await;
        let c = ctx();
        let a = s
            .create_category(&c, f.hall.id, category("综合", "A"))
            .await
            .unwrap();
        let b = s
            .create_category(&c, f.hall.id, category("社保", "B"))
            .await
            .unwrap();
        let (w1, w2) = (f.windows[0].id, f.windows[1].id);
        s.set_window_categories(&c, w1, &[a.id]).await.unwrap();
        s.set_window_categories(&c, w2, &[b.id, a.id])
            .await
            .unwrap();
        let mut ts = Vec::new();
        for n in 0..4 {
            ts.push(
                s.issue_ticket(&c, ticket(f.hall.id, a.id, Priority::Ordinary, n))
                    .await
                    .unwrap(),
            );
        }
        let t0 = ts[0].issued_at + chrono::Duration::minutes(1);
        let at = |m: i64| t0 + chrono::Duration::minutes(m);
        let run = |w: i64, action: WindowAction, m: i64| {
            let s = s.clone();
            let c = c.clone();
            async move { s.window_act(&c, act(w, action, at(m))).await }
        };

        // Nothing to recall before a call; a call takes the first; recall counts.
        let e = run(w1, WindowAction::Recall, 0).await.unwrap_err();
        assert_eq!(conflict_field(e), "action");
        let o = run(w1, WindowAction::CallNext, 0).await.unwrap();
        assert_eq!(o.ticket.as_ref().unwrap().id, ts[0].id);
        let o = run(w1, WindowAction::Recall, 1).await.unwrap();
        assert_eq!(o.ticket.as_ref().unwrap().recalls, 1);
        // A no-show; put back once, at the end of the queue; not twice.
        let o = run(w1, WindowAction::NoShow, 2).await.unwrap();
        assert_eq!(o.ticket.unwrap().state, TicketState::NoShow);
        let back = s.requeue_ticket(&c, ts[0].id, at(3), on).await.unwrap();
        assert_eq!(back.state, TicketState::Waiting);
        assert!(back.requeued && back.arrival > ts[3].arrival);
        // Transfer to category B keeps the arrival; only window 2 serves B.
        let o = run(w1, WindowAction::CallNext, 4).await.unwrap();
        let t1 = o.ticket.unwrap();
        assert_eq!(t1.id, ts[1].id);
        let e = run(
            w1,
            WindowAction::Transfer {
                category_id: Some(99_999),
                window_id: None,
            },
            5,
        )
        .await
        .unwrap_err();
        assert_eq!(invalid_field(e), "category_id");
        let o = run(
            w1,
            WindowAction::Transfer {
                category_id: Some(b.id),
                window_id: None,
            },
            5,
        )
        .await
        .unwrap();
        let moved = o.ticket.unwrap();
        assert_eq!(
            (moved.state, moved.category_id, moved.arrival),
            (TicketState::Waiting, b.id, ts[1].arrival)
        );
        // Sent to window 2 by name: window 1 never calls it; window 2 calls its first category
        // (B) first, then this one before the requeued ticket, which arrived later.
        let o = run(w1, WindowAction::CallNext, 6).await.unwrap();
        let t2 = o.ticket.unwrap();
        assert_eq!(t2.id, ts[2].id);
        let e = run(
            w1,
            WindowAction::Transfer {
                category_id: None,
                window_id: Some(w1),
            },
            7,
        )
        .await
        .unwrap_err();
        assert_eq!(invalid_field(e), "window_id");
        run(
            w1,
            WindowAction::Transfer {
                category_id: None,
                window_id: Some(w2),
            },
            7,
        )
        .await
        .unwrap();
        let o = run(w1, WindowAction::CallNext, 8).await.unwrap();
        assert_eq!(
            o.ticket.as_ref().unwrap().id,
            ts[3].id,
            "not ts[2]: it is for window 2"
        );
        let o = run(w2, WindowAction::CallNext, 8).await.unwrap();
        assert_eq!(
            o.ticket.as_ref().unwrap().id,
            ts[1].id,
            "B first at window 2"
        );
        let o = run(w2, WindowAction::CallNext, 9).await.unwrap();
        assert_eq!(o.finished.as_ref().unwrap().id, ts[1].id);
        assert_eq!(o.ticket.as_ref().unwrap().id, ts[2].id);

        // Finish with case numbers: an unknown one is refused and nothing is written.
        let e = run(
            w1,
            WindowAction::Finish {
                case_numbers: vec!["NO-SUCH-CASE".into()],
            },
            10,
        )
        .await
        .unwrap_err();
        assert_eq!(invalid_field(e), "case_numbers");
        assert_eq!(
            s.ticket(ts[3].id).await.unwrap().unwrap().state,
            TicketState::Called
        );
        let o = run(
            w1,
            WindowAction::Finish {
                case_numbers: created.numbers.clone(),
            },
            10,
        )
        .await
        .unwrap();
        assert_eq!(o.ticket.as_ref().unwrap().state, TicketState::Finished);

        // Pause: no calls until resumed; a paused window does not count as open for B or A.
        run(w1, WindowAction::Pause, 11).await.unwrap();
        let e = run(w1, WindowAction::CallNext, 11).await.unwrap_err();
        assert_eq!(conflict_field(e), "action");
        let board = s.board(f.hall.id, on).await.unwrap();
        let screen1 = board.windows.iter().find(|w| w.window_id == w1).unwrap();
        assert!(screen1.paused);
        assert_eq!(screen1.served_today, 1);
        assert!(screen1.current.is_none());
        let screen2 = board.windows.iter().find(|w| w.window_id == w2).unwrap();
        let cur = screen2.current.as_ref().unwrap();
        assert_eq!(cur.number, ts[2].number);
        assert_eq!(
            cur.announcement,
            format!("请{}号到{}号窗口办理", ts[2].number, f.windows[1].number)
        );
        let qa = board.queues.iter().find(|q| q.category_id == a.id).unwrap();
        assert_eq!(
            (qa.waiting, qa.windows),
            (1, 1),
            "ts[0] back in line; w1 paused"
        );
        assert_eq!(board.recent[0].ticket_id, ts[2].id, "newest call first");
        // Two services took 2 and 4 minutes today: the wait of the one waiting in A is one
        // service at the one open window.
        assert!(qa.wait_minutes.is_some());
        run(w1, WindowAction::Resume, 12).await.unwrap();
        let e = run(w1, WindowAction::Resume, 12).await.unwrap_err();
        assert_eq!(conflict_field(e), "action");

        // The pad rates the ticket finished at window 1 once, with the case and its matter.
        let pad = |level: i64, reason: Option<&str>| PadRating {
            ticket_id: ts[3].id,
            level,
            scores: Default::default(),
            comment: None,
            reason: reason.map(str::to_string),
        };
        let plan = onewindow_store::RectifyPlan {
            due_on: cf.cal.add_workdays(on, 15).unwrap(),
            yellow_on: cf.cal.add_workdays(on, 14).unwrap(),
            red_on: cf.cal.add_workdays(on, 15).unwrap().succ_opt().unwrap(),
        };
        let e = s
            .rate_on_site(&c, RatingPlace::Window(w2), pad(5, None), None, at(11))
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "ticket_id", "not served at window 2");
        let e = s
            .rate_on_site(&c, RatingPlace::Window(w1), pad(5, None), None, at(30))
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "ticket_id", "too late");
        let rated = s
            .rate_on_site(
                &c,
                RatingPlace::Window(w1),
                pad(2, Some("等候时间长")),
                Some(plan),
                at(11),
            )
            .await
            .unwrap();
        let r = &rated.rating;
        assert_eq!(
            (r.case_id, r.matter_id, r.level, r.channel.as_str()),
            (
                Some(created.case_ids[0]),
                Some(cf.matter_id),
                2,
                "window_pad"
            )
        );
        // A bad rating at the pad opens its rectification, owned where the service was.
        let x = rated.rectification.expect("a bad rating is rectified");
        assert_eq!(
            (x.rating_id, x.window_id, x.department_id, x.due_on),
            (r.id, Some(w1), r.department_id, plan.due_on)
        );
        let e = s
            .rate_on_site(&c, RatingPlace::Window(w1), pad(5, None), None, at(12))
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "ticket_id");
        // At a kiosk: a service finished in its hall the same day, whichever window served it.
        let kiosk = |ticket_id: i64| PadRating {
            ticket_id,
            ..pad(4, None)
        };
        let e = s
            .rate_on_site(
                &c,
                RatingPlace::Kiosk(f.other.id),
                kiosk(ts[1].id),
                None,
                at(12),
            )
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "ticket_id", "another hall");
        let e = s
            .rate_on_site(
                &c,
                RatingPlace::Kiosk(f.hall.id),
                kiosk(ts[1].id),
                None,
                at(12) + chrono::Duration::days(1),
            )
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "ticket_id", "the next day");
        let k = s
            .rate_on_site(
                &c,
                RatingPlace::Kiosk(f.hall.id),
                kiosk(ts[1].id),
                None,
                at(12),
            )
            .await
            .unwrap()
            .rating;
        assert_eq!((k.channel.as_str(), k.window_id), ("kiosk", Some(w2)));
        let e = s
            .rate_on_site(
                &c,
                RatingPlace::Kiosk(f.hall.id),
                kiosk(ts[1].id),
                None,
                at(12),
            )
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "ticket_id", "once per service");
        let trail = s
            .audit_entries(&AuditFilter {
                target_type: Some("ticket".into()),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        for action in [
            "ticket.recall",
            "ticket.no_show",
            "ticket.requeue",
            "ticket.transfer",
            "ticket.finish",
        ] {
            assert!(
                trail.iter().any(|e| e.action == action),
                "{action} in the trail"
            );
        }
    });
}

mod appointments {
    use super::*;
    use chrono::NaiveDate;
    use onewindow_core::hall::appointment::{AppointmentState, NewAppointment, SlotPlan};
    use onewindow_core::hall::category::NewCategory;
    use onewindow_core::hall::ticket::{Priority, TicketSource, TicketState};
    use onewindow_core::validate::id_card::check_character;
    use onewindow_store::NewTicket;

    /// A valid ID number, born in 1980, told apart by `n`.
    fn person(n: u32) -> String {
        let first = format!("110105198001{:02}{:03}", 1 + n % 28, n % 1000);
        format!("{first}{}", check_character(&first))
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
    }

    fn booking(category_id: i64, n: u32, starts: &str) -> NewAppointment {
        NewAppointment {
            category_id,
            day: day(),
            starts: starts.into(),
            name: format!("预约人{n}"),
            id_number: person(n),
            phone: None,
        }
    }

    async fn setup(s: &dyn Store) -> (i64, i64) {
        let o = org(s).await;
        let c = ctx();
        let hall = s
            .create_hall(
                &c,
                NewHall {
                    name: "政务服务中心".into(),
                    region_id: o.district.id,
                    address: None,
                    floors: 1,
                    phone: None,
                    opens: "08:30".into(),
                    closes: "17:30".into(),
                    lunch_break: None,
                },
            )
            .await
            .unwrap();
        let cat = s
            .create_category(
                &c,
                hall.id,
                NewCategory {
                    name: "社保".into(),
                    prefix: "S".into(),
                    zone_id: None,
                    matter_ids: vec![],
                }
                .clean()
                .unwrap(),
            )
            .await
            .unwrap();
        let plan = vec![
            SlotPlan {
                starts: "09:00".into(),
                ends: "10:00".into(),
                capacity: 5,
            },
            SlotPlan {
                starts: "10:00".into(),
                ends: "11:00".into(),
                capacity: 1,
            },
        ];
        s.set_slot_plan(&c, hall.id, cat.id, plan).await.unwrap();
        (hall.id, cat.id)
    }

    fn at() -> chrono::DateTime<chrono::Utc> {
        super::cases::at(day())
    }

    // Twenty people book a five-place slot at once: five get it, the others are told it is full.
    each_db!(a_slot_never_takes_more_than_its_capacity, |db| {
        let s = db.store.clone();
        let (hall, cat) = setup(s.as_ref()).await;
        let mut tasks = Vec::new();
        for n in 0..20 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                s.book(
                    &ctx(),
                    hall,
                    booking(cat, n, "09:00"),
                    format!("c{n}"),
                    day(),
                    at(),
                )
                .await
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => ok += 1,
                Err(e) => assert_eq!(conflict_field(e), "starts"),
            }
        }
        assert_eq!(ok, 5);
        let slots = s.slots(cat, day()).await.unwrap();
        assert_eq!((slots[0].booked, slots[0].capacity), (5, 5));
        assert_eq!(slots[1].booked, 0);
    });

    // The limits, cancel and move, check-in into a priority ticket, no-shows.
    each_db!(bookings_limits_check_in_and_no_shows, |db| {
        let s = db.store.clone();
        let (hall, cat) = setup(s.as_ref()).await;
        let c = ctx();
        let e = s
            .book(&c, hall, booking(cat, 1, "09:30"), "x".into(), day(), at())
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "starts", "not a slot of the plan");
        let a = s
            .book(&c, hall, booking(cat, 1, "10:00"), "k1".into(), day(), at())
            .await
            .unwrap();
        assert_eq!(
            (a.state, a.ends.as_str()),
            (AppointmentState::Booked, "11:00")
        );
        // The same person twice for the same business on a day; the last place taken.
        let e = s
            .book(&c, hall, booking(cat, 1, "09:00"), "k".into(), day(), at())
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "day");
        let e = s
            .book(&c, hall, booking(cat, 2, "10:00"), "k".into(), day(), at())
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "starts");
        // Moving to the 09:00 slot frees 10:00 for someone else.
        let moved = s.reschedule(&c, a.id, day(), "09:00", at()).await.unwrap();
        assert_eq!(moved.starts, "09:00");
        let slots = s.slots(cat, day()).await.unwrap();
        assert_eq!((slots[0].booked, slots[1].booked), (1, 0));
        let b = s
            .book(&c, hall, booking(cat, 2, "10:00"), "k2".into(), day(), at())
            .await
            .unwrap();
        // Cancelled: the place comes back; a cancelled booking cannot be cancelled again.
        let gone = s.cancel_appointment(&c, b.id, at()).await.unwrap();
        assert_eq!(gone.state, AppointmentState::Cancelled);
        assert_eq!(
            conflict_field(s.cancel_appointment(&c, b.id, at()).await.unwrap_err()),
            "appointment"
        );
        assert_eq!(s.slots(cat, day()).await.unwrap()[1].booked, 0);
        // Check-in gives a ticket with the appointment's priority, in the same transaction.
        assert_eq!(
            s.booked_on(hall, &person(1), day()).await.unwrap()[0].id,
            a.id
        );
        let (inn, t) = s
            .check_in(
                &c,
                a.id,
                NewTicket {
                    hall_id: hall,
                    category_id: cat,
                    day: day(),
                    priority: Priority::Appointment,
                    source: TicketSource::Appointment,
                    id_number: Some(person(1)),
                    phone: None,
                    access_key: "t".into(),
                    at: at(),
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (inn.state, inn.ticket_id),
            (AppointmentState::CheckedIn, Some(t.id))
        );
        assert_eq!(
            (t.priority, t.state),
            (Priority::Appointment, TicketState::Waiting)
        );
        // A second check-in issues nothing.
        let before = s.waiting(hall).await.unwrap().len();
        let e = s
            .check_in(
                &c,
                a.id,
                NewTicket {
                    hall_id: hall,
                    category_id: cat,
                    day: day(),
                    priority: Priority::Appointment,
                    source: TicketSource::Appointment,
                    id_number: None,
                    phone: None,
                    access_key: "t2".into(),
                    at: at(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "appointment");
        assert_eq!(
            s.waiting(hall).await.unwrap().len(),
            before,
            "nothing issued"
        );
        // Three people miss their slots: no-shows once the slot is over, not before.
        for n in 10..13 {
            s.book(
                &c,
                hall,
                booking(cat, n, "09:00"),
                format!("m{n}"),
                day(),
                at(),
            )
            .await
            .unwrap();
        }
        assert!(
            s.mark_no_shows(&c, day(), "09:59")
                .await
                .unwrap()
                .is_empty()
        );
        let missed = s.mark_no_shows(&c, day(), "10:00").await.unwrap();
        assert_eq!(missed.len(), 3);
        assert!(missed.iter().all(|m| m.state == AppointmentState::NoShow));
        assert!(
            s.mark_no_shows(&c, day(), "12:00")
                .await
                .unwrap()
                .is_empty(),
            "once"
        );
        // The per-person limit: three open bookings at once.
        let next = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        for d in 3..6 {
            let mut b = booking(cat, 20, "09:00");
            b.day = next(d);
            s.book(&c, hall, b, format!("p{d}"), day(), at())
                .await
                .unwrap();
        }
        let mut fourth = booking(cat, 20, "09:00");
        fourth.day = next(6);
        let e = s
            .book(&c, hall, fourth, "p6".into(), day(), at())
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "id_number");
    });
}

/// Runs a statement behind the store's back (an edit by hand).
async fn supervision_raw(db: &TestDb, statement: &'static str) {
    if db.kind == "sqlite" {
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        sqlx::raw_sql(statement).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
    } else {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::raw_sql(statement).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
    }
}

mod supervision {
    use super::cases::{Fixture, at, day, fixture};
    use super::*;
    use chrono::NaiveDate;
    use onewindow_core::case::machine::{Action, Env, Outcome, act};
    use onewindow_core::case::{Channel, Dossier};
    use onewindow_core::supervision::urge::{UrgeLevel, UrgeOrigin, UrgeState};
    use onewindow_store::{
        Escalation, Grouping, LightCounts, LightPick, LightsBy, NewUrge, Referral, Slice,
        UrgeFilter, Warning,
    };

    fn act_as(
        f: &Fixture,
        d: &Dossier,
        a: Action,
        on: NaiveDate,
        clerk: Option<i64>,
        window: Option<i64>,
    ) -> Outcome {
        act(
            d,
            a,
            &Env {
                now: at(on),
                today: on,
                cal: &f.cal,
                rules: &f.rules,
                workflow: &f.flow,
                actor_id: clerk,
                actor_name: "窗口",
                window_id: window,
            },
        )
        .unwrap()
    }

    struct Scene {
        f: Fixture,
        clerk: i64,
        windows: Vec<i64>,
        /// A and B accepted Monday 2 March by the clerk at window 1, C on Wednesday 4 March at
        /// window 2, D on Monday with nobody at a window, E never accepted, F accepted on
        /// Monday and paused.
        ids: Vec<i64>,
    }

    async fn scene(s: &dyn Store) -> Scene {
        let f = fixture(s).await;
        let hf = super::hall::hall_fixture_in(s, &f.org, 2).await;
        let c = ctx();
        let clerk = s
            .create_user(
                &c,
                new_user("window.clerk", &["clerk"], Some(f.org.dept_a.id), None),
                "h".into(),
            )
            .await
            .unwrap()
            .id;
        let windows: Vec<i64> = hf.windows.iter().map(|w| w.id).collect();
        let mon = day(2026, 3, 2);
        let mut ids = Vec::new();
        for name in ["甲", "乙", "丙", "丁", "戊", "己"] {
            let made = s
                .create_cases(&c, Grouping::Single, vec![f.application(name, mon)], vec![])
                .await
                .unwrap();
            ids.push(made.case_ids[0]);
        }
        let accept = |who: Option<i64>, w: Option<i64>, on: NaiveDate, id: i64| {
            let f = &f;
            let c = c.clone();
            async move {
                let d = s.dossier(id).await.unwrap().unwrap();
                let out = act_as(f, &d, Action::Accept { note: None }, on, who, w);
                s.commit_action(&c, d, out).await.unwrap()
            }
        };
        accept(Some(clerk), Some(windows[0]), mon, ids[0]).await;
        accept(Some(clerk), Some(windows[0]), mon, ids[1]).await;
        accept(Some(clerk), Some(windows[1]), day(2026, 3, 4), ids[2]).await;
        accept(None, None, mon, ids[3]).await;
        let paused = accept(Some(clerk), Some(windows[1]), mon, ids[5]).await;
        let out = act_as(
            &f,
            &paused,
            Action::Pause {
                procedure: "专家评审".into(),
                reason: "需专家论证".into(),
                expected_days: 5,
            },
            mon,
            None,
            None,
        );
        s.commit_action(&c, paused, out).await.unwrap();
        Scene {
            f,
            clerk,
            windows,
            ids,
        }
    }

    fn counts(running: i64, green: i64, yellow: i64, red: i64, step_red: i64) -> LightCounts {
        LightCounts {
            running,
            green,
            yellow,
            red,
            step_red,
        }
    }

    // The days each light comes on are kept with the case, and counts by slice come from the
    // light indexes and the rollup of running clocks: checked here against hand-counted cases,
    // across a weekend, and the rollup against a full recount after every kind of change.
    each_db!(lights_are_counted_and_listed_by_slice, |db| {
        let s = db.store.clone();
        let sc = scene(s.as_ref()).await;
        let ids = &sc.ids;
        let a = s.dossier(ids[0]).await.unwrap().unwrap();
        assert_eq!(
            (a.case.clerk_id, a.case.window_id),
            (Some(sc.clerk), Some(sc.windows[0])),
            "the clerk who accepted it, at their window"
        );
        // 3 promised days from Monday 2 March: due Thursday 5, yellow from Wednesday 4, red
        // from Friday 6; the first step (1 day) is due Tuesday 3, late from Wednesday 4.
        assert_eq!(a.case.step_red_on, Some(day(2026, 3, 4)));
        let d = s.dossier(ids[3]).await.unwrap().unwrap();
        assert_eq!((d.case.clerk_id, d.case.window_id), (None, None));
        let paused = s.dossier(ids[5]).await.unwrap().unwrap();
        assert_eq!(
            (paused.case.red_on, paused.case.step_red_on),
            (None, None),
            "a paused clock has no light"
        );
        let all = Slice::default();
        let tue = day(2026, 3, 3);
        let wed = day(2026, 3, 4);
        let fri = day(2026, 3, 6);
        let sat = day(2026, 3, 7);
        assert_eq!(
            s.light_counts(&all, tue).await.unwrap(),
            counts(4, 4, 0, 0, 0)
        );
        assert_eq!(
            s.light_counts(&all, wed).await.unwrap(),
            counts(4, 1, 3, 0, 3)
        );
        // C (accepted Wednesday, due Monday 9) is yellow from Friday: one working day left.
        assert_eq!(
            s.light_counts(&all, fri).await.unwrap(),
            counts(4, 0, 1, 3, 4)
        );
        assert_eq!(
            s.light_counts(&all, sat).await.unwrap(),
            s.light_counts(&all, fri).await.unwrap(),
            "a Saturday changes no light"
        );
        // Every case here is of one department and matter: a slice naming both (read from the
        // rollup by every column and the light indexes) agrees with the whole (read from the
        // marginal rows) on every day.
        let dept_and_matter = Slice {
            department_id: Some(sc.f.org.dept_a.id),
            matter_id: Some(sc.f.matter_id),
            ..Default::default()
        };
        for d in [tue, wed, fri, sat] {
            assert_eq!(
                s.light_counts(&dept_and_matter, d).await.unwrap(),
                s.light_counts(&all, d).await.unwrap(),
                "{d}"
            );
            assert_eq!(
                s.light_counts_by(&dept_and_matter, LightsBy::Window, d)
                    .await
                    .unwrap(),
                s.light_counts_by(&all, LightsBy::Window, d).await.unwrap(),
                "{d}"
            );
        }
        let by_clerk = Slice {
            clerk_id: Some(sc.clerk),
            ..Default::default()
        };
        assert_eq!(
            s.light_counts(&by_clerk, fri).await.unwrap(),
            counts(3, 0, 1, 2, 3)
        );
        let window_one = Slice {
            window_id: Some(sc.windows[0]),
            ..Default::default()
        };
        assert_eq!(
            s.light_counts(&window_one, fri).await.unwrap(),
            counts(2, 0, 0, 2, 2)
        );
        let online = Slice {
            channel: Some(Channel::Online),
            ..Default::default()
        };
        assert_eq!(
            s.light_counts(&online, fri).await.unwrap(),
            LightCounts::default()
        );
        let district = Slice {
            region_path: Some(sc.f.org.district.path.clone()),
            matter_id: Some(sc.f.matter_id),
            department_id: Some(sc.f.org.dept_a.id),
            ..Default::default()
        };
        assert_eq!(s.light_counts(&district, fri).await.unwrap().running, 4);
        let street = Slice {
            region_path: Some(sc.f.org.street.path.clone()),
            ..Default::default()
        };
        assert_eq!(s.light_counts(&street, fri).await.unwrap().running, 0);
        let other_dept = Slice {
            scope: ScopeFilter::department(sc.f.org.dept_b.id),
            ..Default::default()
        };
        assert_eq!(
            s.light_counts(&other_dept, fri).await.unwrap(),
            LightCounts::default(),
            "the scope limits every count"
        );

        // Grouped by window: what the window wall shows (0: taken in at no window).
        assert_eq!(
            s.light_counts_by(&all, LightsBy::Window, fri)
                .await
                .unwrap(),
            vec![
                (0, counts(1, 0, 0, 1, 1)),
                (sc.windows[0], counts(2, 0, 0, 2, 2)),
                (sc.windows[1], counts(1, 0, 1, 0, 1)),
            ]
        );
        assert_eq!(
            s.light_counts_by(
                &Slice {
                    window_in: vec![sc.windows[1]],
                    ..Default::default()
                },
                LightsBy::Window,
                fri
            )
            .await
            .unwrap(),
            vec![(sc.windows[1], counts(1, 0, 1, 0, 1))],
            "the wall's own windows"
        );
        assert_eq!(
            s.light_counts_by(&by_clerk, LightsBy::Department, fri)
                .await
                .unwrap(),
            vec![(sc.f.org.dept_a.id, counts(3, 0, 1, 2, 3))]
        );
        let red: Vec<i64> = s
            .light_cases(&all, LightPick::Red, fri, 50, 0)
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(red, vec![ids[0], ids[1], ids[3]]);
        let page: Vec<i64> = s
            .light_cases(&all, LightPick::Red, fri, 2, 1)
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(page, vec![ids[1], ids[3]]);
        let yellow: Vec<i64> = s
            .light_cases(&all, LightPick::Yellow, fri, 50, 0)
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(yellow, vec![ids[2]]);
        let green: Vec<i64> = s
            .light_cases(&all, LightPick::Green, wed, 50, 0)
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(green, vec![ids[2]]);
        let late_steps = s
            .light_cases(&by_clerk, LightPick::StepRed, wed, 50, 0)
            .await
            .unwrap();
        assert_eq!(late_steps.len(), 2);

        // Withdrawing stops a clock: the rollup follows, and a full recount agrees with it.
        let c = ctx();
        let b = s.dossier(ids[1]).await.unwrap().unwrap();
        let out = act_as(
            &sc.f,
            &b,
            Action::Withdraw { reason: None },
            fri,
            None,
            None,
        );
        s.commit_action(&c, b, out).await.unwrap();
        assert_eq!(
            s.light_counts(&window_one, fri).await.unwrap(),
            counts(1, 0, 0, 1, 1)
        );
        assert_eq!(s.rebuild_running(&c).await.unwrap(), 0, "kept right");
        // A rollup gone wrong (edited by hand) is found and rebuilt from the cases.
        super::supervision_raw(db, "UPDATE sv_running SET n = n + 5").await;
        super::supervision_raw(
            db,
            "UPDATE sv_lights_by SET n = n + 5 WHERE dim = 'all'
             AND red_on = (SELECT MAX(red_on) FROM sv_lights_by)",
        )
        .await;
        super::supervision_raw(db, "DELETE FROM sv_step_red_by").await;
        let wrong = s.light_counts(&all, fri).await.unwrap();
        assert_eq!((wrong.running, wrong.step_red), (3 + 5, 0));
        let two_columns = Slice {
            department_id: Some(sc.f.org.dept_a.id),
            channel: Some(Channel::Window),
            ..Default::default()
        };
        assert_eq!(
            s.light_counts(&two_columns, fri).await.unwrap().running,
            3 + 5 * 3,
            "a slice of two columns reads the full rollup"
        );
        assert!(s.rebuild_running(&c).await.unwrap() > 0);
        assert_eq!(
            s.light_counts(&all, fri).await.unwrap(),
            counts(3, 0, 1, 2, 3)
        );
        assert_eq!(s.rebuild_running(&c).await.unwrap(), 0);
    });

    fn urge_to(d: &Dossier, target: Option<i64>, level: UrgeLevel) -> NewUrge {
        NewUrge {
            case_id: d.case.id,
            step_id: None,
            department_id: d.case.department_id,
            region_id: d.case.region_id,
            target_user_id: target,
            origin: UrgeOrigin::Manual,
            level,
            message: "请今天办结".into(),
            respond_by: Some(day(2026, 3, 5)),
            escalate_on: Some(day(2026, 3, 6)),
            rectification: None,
            at: at(day(2026, 3, 4)),
        }
    }

    // An urge reaches the person named (or the department), stays open until answered once,
    // and every step of it is in its trail and the audit chain.
    each_db!(urges_are_answered_once_and_traced, |db| {
        let s = db.store.clone();
        let sc = scene(s.as_ref()).await;
        let c = ctx();
        let a = s.dossier(sc.ids[0]).await.unwrap().unwrap();
        let to_clerk = s
            .issue_urge(&c, urge_to(&a, Some(sc.clerk), UrgeLevel::Reminder))
            .await
            .unwrap();
        assert_eq!(to_clerk.case_number, a.case.number);
        assert_eq!(to_clerk.state, UrgeState::Open);
        let to_dept = s
            .issue_urge(&c, urge_to(&a, None, UrgeLevel::YellowCard))
            .await
            .unwrap();
        let mine = |user: i64, dept: Option<i64>| UrgeFilter {
            open_only: true,
            answerer: Some((user, dept)),
            limit: 50,
            ..Default::default()
        };
        let ids = |v: Vec<onewindow_core::supervision::urge::Urge>| {
            v.iter().map(|u| u.id).collect::<Vec<_>>()
        };
        assert_eq!(
            ids(s
                .urges(&mine(sc.clerk, Some(sc.f.org.dept_a.id)))
                .await
                .unwrap()),
            vec![to_dept.id, to_clerk.id]
        );
        assert_eq!(
            ids(s
                .urges(&mine(sc.clerk + 1000, Some(sc.f.org.dept_a.id)))
                .await
                .unwrap()),
            vec![to_dept.id],
            "a colleague sees what is addressed to the department"
        );
        assert!(
            s.urges(&mine(sc.clerk, Some(sc.f.org.dept_b.id)))
                .await
                .unwrap()
                .iter()
                .all(|u| u.id == to_clerk.id)
        );
        let e = s
            .answer_urge(
                &c,
                to_clerk.id,
                to_clerk.version + 1,
                "已办".into(),
                at(day(2026, 3, 4)),
            )
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "version");
        let answered = s
            .answer_urge(
                &c,
                to_clerk.id,
                to_clerk.version,
                "材料已齐，今日办结".into(),
                at(day(2026, 3, 4)),
            )
            .await
            .unwrap();
        assert_eq!(answered.state, UrgeState::Answered);
        assert_eq!(
            answered.escalate_on, None,
            "an answered urge climbs no more"
        );
        let e = s
            .answer_urge(
                &c,
                answered.id,
                answered.version,
                "再答".into(),
                at(day(2026, 3, 4)),
            )
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "urge");
        assert_eq!(
            s.escalate_urge(
                &c,
                Escalation {
                    urge_id: answered.id,
                    version: answered.version,
                    level: UrgeLevel::YellowCard,
                    respond_by: None,
                    escalate_on: None,
                    rectification: None,
                    note: "逾期未反馈".into(),
                    message: None,
                    at: at(day(2026, 3, 6)),
                }
            )
            .await
            .unwrap(),
            None
        );
        let log = s.urge_log(answered.id).await.unwrap();
        assert_eq!(
            log.iter().map(|l| l.action.as_str()).collect::<Vec<_>>(),
            vec!["issue", "answer"]
        );
        assert_eq!(log[1].note.as_deref(), Some("材料已齐，今日办结"));
        let trail = s
            .audit_entries(&AuditFilter {
                target_type: Some("case".into()),
                target_id: Some(a.case.id),
                limit: 20,
                ..Default::default()
            })
            .await
            .unwrap();
        for action in ["urge.issue", "urge.answer"] {
            assert!(trail.iter().any(|e| e.action == action), "{action}");
        }
        let of_case = s
            .urges(&UrgeFilter {
                case_id: Some(a.case.id),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(of_case.len(), 2);
        assert!(s.verify_audit().await.unwrap().is_ok());
    });

    // The warning job's events: each (case, light, day) is acted on exactly once, however many
    // workers claim it at once; an escalation raced by two wins once.
    each_db!(warnings_are_claimed_exactly_once, |db| {
        let s = db.store.clone();
        let sc = scene(s.as_ref()).await;
        let c = ctx();
        let wed = day(2026, 3, 4);
        let due = s.cases_to_warn(UrgeOrigin::Yellow, wed, 100).await.unwrap();
        assert_eq!(
            due,
            vec![(sc.ids[0], wed), (sc.ids[1], wed), (sc.ids[3], wed)]
        );
        assert!(
            s.cases_to_warn(UrgeOrigin::Red, wed, 100)
                .await
                .unwrap()
                .is_empty()
        );
        let a = s.dossier(sc.ids[0]).await.unwrap().unwrap();
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (s, c) = (s.clone(), c.clone());
            let mut n = urge_to(&a, Some(sc.clerk), UrgeLevel::Reminder);
            n.origin = UrgeOrigin::Yellow;
            tasks.push(tokio::spawn(async move {
                s.claim_warning(&c, n.case_id, UrgeOrigin::Yellow, wed, Warning::Issue(n))
                    .await
                    .unwrap()
            }));
        }
        let mut issued = Vec::new();
        for t in tasks {
            if let Some(u) = t.await.unwrap() {
                issued.push(u);
            }
        }
        assert_eq!(issued.len(), 1, "one warning, whoever claims it");
        let due = s.cases_to_warn(UrgeOrigin::Yellow, wed, 100).await.unwrap();
        assert_eq!(due, vec![(sc.ids[1], wed), (sc.ids[3], wed)]);
        let urges = s
            .urges(&UrgeFilter {
                case_id: Some(a.case.id),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(urges.len(), 1);
        let u = &urges[0];
        assert_eq!(u.origin, UrgeOrigin::Yellow);
        // At red the open urge is raised, once.
        let fri = day(2026, 3, 6);
        assert_eq!(s.urges_to_escalate(fri, 10).await.unwrap().len(), 1);
        let raise = Escalation {
            urge_id: u.id,
            version: u.version,
            level: UrgeLevel::YellowCard,
            respond_by: Some(day(2026, 3, 10)),
            escalate_on: Some(day(2026, 3, 11)),
            rectification: None,
            note: "办件已超期".into(),
            message: None,
            at: at(fri),
        };
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let (s, c, e) = (s.clone(), c.clone(), raise.clone());
            let case_id = a.case.id;
            tasks.push(tokio::spawn(async move {
                s.claim_warning(&c, case_id, UrgeOrigin::Red, fri, Warning::Escalate(e))
                    .await
                    .unwrap()
            }));
        }
        let mut raised = Vec::new();
        for t in tasks {
            if let Some(u) = t.await.unwrap() {
                raised.push(u);
            }
        }
        assert_eq!(raised.len(), 1, "one escalation, whoever claims it");
        let won = raised.remove(0);
        assert_eq!(won.level, UrgeLevel::YellowCard);
        assert_eq!(won.respond_by, Some(day(2026, 3, 10)));
        assert_eq!(
            s.claim_warning(
                &c,
                a.case.id,
                UrgeOrigin::Red,
                fri,
                Warning::Escalate(raise.clone())
            )
            .await
            .unwrap(),
            None,
            "claimed already"
        );
        assert!(s.urges_to_escalate(fri, 10).await.unwrap().is_empty());
        // Two escalations of one version: one wins.
        let e2 = Escalation {
            version: won.version,
            level: UrgeLevel::RedCard,
            ..raise
        };
        let (x, y) = tokio::join!(s.escalate_urge(&c, e2.clone()), s.escalate_urge(&c, e2));
        let wins = [x.unwrap(), y.unwrap()]
            .into_iter()
            .filter(Option::is_some)
            .count();
        assert_eq!(wins, 1);
        // The red card past its limit: referred to the supervision office by one of four.
        let red = s.urge(won.id).await.unwrap().unwrap();
        let refer = Referral {
            urge_id: red.id,
            version: red.version,
            note: "移交监察室".into(),
            at: at(day(2026, 3, 18)),
        };
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let (s, c, r) = (s.clone(), c.clone(), refer.clone());
            tasks.push(tokio::spawn(
                async move { s.refer_urge(&c, r).await.unwrap() },
            ));
        }
        let mut referred = Vec::new();
        for t in tasks {
            if let Some(u) = t.await.unwrap() {
                referred.push(u);
            }
        }
        assert_eq!(referred.len(), 1, "referred once");
        assert_eq!(referred[0].referred_on, Some(day(2026, 3, 18)));
        assert_eq!(referred[0].escalate_on, None);
        assert_eq!(
            s.refer_urge(
                &c,
                Referral {
                    version: referred[0].version,
                    ..refer
                }
            )
            .await
            .unwrap(),
            None,
            "a referred card is not referred again"
        );
        let log = s.urge_log(won.id).await.unwrap();
        assert_eq!(
            log.iter().map(|l| l.action.as_str()).collect::<Vec<_>>(),
            vec!["issue", "escalate", "escalate", "refer"]
        );
    });
}

mod figures {
    use super::cases::{Fixture, at, day, fixture};
    use super::*;
    use chrono::NaiveDate;
    use onewindow_core::case::machine::{Action, Env, act};
    use onewindow_core::case::{
        Channel, Decision, DeliveryMethod, Dossier, StepOutcome, StepState,
    };
    use onewindow_core::supervision::figures::{Counters, Period};
    use onewindow_store::{FiguresBy, Grouping, Slice};

    pub(super) struct Desk<'a> {
        pub s: &'a dyn Store,
        pub f: &'a Fixture,
        pub clerk: Option<i64>,
        pub window: Option<i64>,
    }

    impl Desk<'_> {
        pub async fn act(&self, id: i64, a: Action, on: NaiveDate) -> Dossier {
            let d = self.s.dossier(id).await.unwrap().unwrap();
            let out = act(
                &d,
                a,
                &Env {
                    now: at(on),
                    today: on,
                    cal: &self.f.cal,
                    rules: &self.f.rules,
                    workflow: &self.f.flow,
                    actor_id: self.clerk,
                    actor_name: "窗口",
                    window_id: self.window,
                },
            )
            .unwrap();
            self.s.commit_action(&ctx(), d, out).await.unwrap()
        }

        /// Works every review step to the end, then decides and concludes.
        async fn conclude(&self, id: i64, decided: NaiveDate, concluded: NaiveDate) {
            loop {
                let d = self.s.dossier(id).await.unwrap().unwrap();
                let Some(step) = d.steps.iter().find(|s| s.state == StepState::Active) else {
                    break;
                };
                self.act(
                    id,
                    Action::FinishStep {
                        step_id: step.id,
                        outcome: StepOutcome::Agree,
                        opinion: None,
                    },
                    decided,
                )
                .await;
            }
            self.act(
                id,
                Action::Decide {
                    decision: Decision::Approve,
                    reason: None,
                },
                decided,
            )
            .await;
            self.act(id, Action::conclude(), concluded).await;
        }
    }

    pub(super) async fn new_case(
        s: &dyn Store,
        f: &Fixture,
        channel: Channel,
        delivery: DeliveryMethod,
        promised: i64,
    ) -> i64 {
        let mut d = f.application("申请人", day(2026, 3, 2));
        d.case.channel = channel;
        d.case.delivery = delivery;
        d.case.promised_days = promised;
        s.create_cases(&ctx(), Grouping::Single, vec![d], vec![])
            .await
            .unwrap()
            .case_ids[0]
    }

    fn period(a: NaiveDate, b: NaiveDate) -> Period {
        Period::new(Some(a), Some(b)).unwrap()
    }

    // Four cases whose figures are counted by hand (docs/KPIS.md): the rollups give the same
    // for whole months, for days inside one, for slices and groups, follow a case whose clerk
    // is set after it came in, and agree with a full recount (which repairs them when edited).
    each_db!(figures_match_hand_counted_cases, |db| {
        let s = db.store.clone();
        let f = fixture(s.as_ref()).await;
        let hf = super::hall::hall_fixture_in(s.as_ref(), &f.org, 2).await;
        let clerk = s
            .create_user(
                &ctx(),
                new_user("figures.clerk", &["clerk"], Some(f.org.dept_a.id), None),
                "h".into(),
            )
            .await
            .unwrap()
            .id;
        let (w1, w2) = (hf.windows[0].id, hf.windows[1].id);
        let at_w1 = Desk {
            s: s.as_ref(),
            f: &f,
            clerk: Some(clerk),
            window: Some(w1),
        };
        let at_w2 = Desk {
            window: Some(w2),
            ..at_w1
        };
        let mon = day(2026, 3, 2);
        // A: at the window, concluded on the spot, handed over there (one visit).
        let a = new_case(s.as_ref(), &f, Channel::Window, DeliveryMethod::Window, 0).await;
        at_w1
            .act(
                a,
                Action::ConcludeOnSpot {
                    note: None,
                    licence: Default::default(),
                },
                mon,
            )
            .await;
        // B: online, posted back (no visit); decided Wednesday, on time (due Thursday).
        let b = new_case(s.as_ref(), &f, Channel::Online, DeliveryMethod::Post, 3).await;
        at_w2.act(b, Action::Accept { note: None }, mon).await;
        at_w2.conclude(b, day(2026, 3, 4), day(2026, 3, 4)).await;
        // C: online, fetched at the window (one visit); decided Monday 9, late, concluded 10.
        let c = new_case(s.as_ref(), &f, Channel::Online, DeliveryMethod::Window, 3).await;
        at_w2.act(c, Action::Accept { note: None }, mon).await;
        at_w2.conclude(c, day(2026, 3, 9), day(2026, 3, 10)).await;
        // D: at the window, fetched there (two visits), refused.
        let d = new_case(s.as_ref(), &f, Channel::Window, DeliveryMethod::Window, 3).await;
        at_w1
            .act(
                d,
                Action::Refuse {
                    reason: "不属于本机关职权范围".into(),
                },
                mon,
            )
            .await;

        let all = Slice::default();
        let march = period(day(2026, 3, 1), day(2026, 3, 31));
        let want = Counters {
            received: 4,
            online: 2,
            no_visit: 1,
            one_visit: 3,
            accepted: 3,
            concluded: 3,
            on_spot: 1,
            on_time: 2,
            late: 1,
            used_days: 2 + 5,
            // A due on the Monday, B and C on Thursday 5 March: all three concluded
            due: 3,
            due_concluded: 3,
            ..Default::default()
        };
        assert_eq!(s.figures(&all, march).await.unwrap(), want);
        // Carried over: C, due 5 March and concluded 10 March, for a period beginning between
        // them; not for March, which holds its deadline.
        let carried = |p| {
            let s = s.clone();
            let all = all.clone();
            async move {
                s.carried(&all, p, None)
                    .await
                    .unwrap()
                    .iter()
                    .map(|(_, n)| n)
                    .sum::<i64>()
            }
        };
        assert_eq!(carried(march).await, 0);
        assert_eq!(carried(period(day(2026, 3, 6), day(2026, 3, 31))).await, 1);
        assert_eq!(
            carried(period(day(2026, 3, 11), day(2026, 3, 31))).await,
            0,
            "concluded before it"
        );
        assert_eq!(
            s.carried(
                &all,
                period(day(2026, 3, 6), day(2026, 3, 31)),
                Some(FiguresBy::Window)
            )
            .await
            .unwrap(),
            vec![(w2.to_string(), 1)]
        );
        // Days inside the month (the daily rollup): only B concluded between 3 and 9 March; B
        // and C were due then, and are concluded.
        assert_eq!(
            s.figures(&all, period(day(2026, 3, 3), day(2026, 3, 9)))
                .await
                .unwrap(),
            Counters {
                concluded: 1,
                on_time: 1,
                used_days: 2,
                due: 2,
                due_concluded: 2,
                ..Default::default()
            }
        );
        // Across months: whole February (nothing) plus 1–2 March from the days.
        assert_eq!(
            s.figures(&all, period(day(2026, 2, 1), day(2026, 3, 2)))
                .await
                .unwrap(),
            Counters {
                received: 4,
                online: 2,
                no_visit: 1,
                one_visit: 3,
                accepted: 3,
                concluded: 1,
                on_spot: 1,
                on_time: 1,
                due: 1,
                due_concluded: 1,
                ..Default::default()
            }
        );
        // Slices: the refused case counts to the clerk who refused it, once.
        let by_clerk = Slice {
            clerk_id: Some(clerk),
            ..Default::default()
        };
        assert_eq!(s.figures(&by_clerk, march).await.unwrap(), want);
        let w2_only = Slice {
            window_id: Some(w2),
            ..Default::default()
        };
        let got = s.figures(&w2_only, march).await.unwrap();
        assert_eq!(
            (got.received, got.accepted, got.concluded, got.late),
            (2, 2, 2, 1)
        );
        let online = Slice {
            channel: Some(Channel::Online),
            ..Default::default()
        };
        assert_eq!(s.figures(&online, march).await.unwrap().received, 2);
        let other = Slice {
            scope: ScopeFilter::department(f.org.dept_b.id),
            ..Default::default()
        };
        assert_eq!(s.figures(&other, march).await.unwrap(), Counters::default());
        // Groups: trends by month and by day, rankings by window.
        let months = s.figures_by(&all, march, FiguresBy::Month).await.unwrap();
        assert_eq!(months, vec![("2026-03".to_string(), want)]);
        let days = s.figures_by(&all, march, FiguresBy::Day).await.unwrap();
        let keys: Vec<&str> = days.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            vec!["2026-03-02", "2026-03-04", "2026-03-05", "2026-03-10"],
            "B and C were due on the 5th"
        );
        let windows = s.figures_by(&all, march, FiguresBy::Window).await.unwrap();
        assert_eq!(
            windows
                .iter()
                .map(|(k, c)| (k.clone(), c.received))
                .collect::<Vec<_>>(),
            vec![(w1.to_string(), 2), (w2.to_string(), 2)]
        );

        // Two columns read the rows by every column; one column (or a group of its own
        // column) the marginal rows: the two agree.
        let w1_by_clerk = Slice {
            clerk_id: Some(clerk),
            window_id: Some(w1),
            ..Default::default()
        };
        let got = s.figures(&w1_by_clerk, march).await.unwrap();
        assert_eq!(
            (got.received, got.accepted, got.concluded, got.on_spot),
            (2, 1, 1, 1)
        );
        let depts = s
            .figures_by(&w2_only, march, FiguresBy::Department)
            .await
            .unwrap();
        assert_eq!(depts.len(), 1);
        assert_eq!(depts[0].0, f.org.dept_a.id.to_string());
        assert_eq!((depts[0].1.received, depts[0].1.late), (2, 1));
        let wall = Slice {
            window_in: vec![w1, w2],
            ..Default::default()
        };
        assert_eq!(
            s.figures_by(&wall, march, FiguresBy::Window).await.unwrap(),
            windows
        );
        let in_region = |r: &Region| Slice {
            scope: ScopeFilter::region(r.path.clone()),
            ..Default::default()
        };
        assert_eq!(
            s.figures(&in_region(&f.org.district), march).await.unwrap(),
            want
        );
        assert_eq!(
            s.figures(&in_region(&f.org.street), march).await.unwrap(),
            Counters::default()
        );

        // The recount agrees; a rollup edited by hand is found and repaired.
        assert_eq!(s.rebuild_figures(&ctx()).await.unwrap(), 0);
        super::supervision_raw(
            db,
            "UPDATE kpi_monthly_by SET received = received + 1 WHERE dim = 'all'",
        )
        .await;
        assert_eq!(s.figures(&all, march).await.unwrap().received, 5);
        assert_eq!(s.figures(&w1_by_clerk, march).await.unwrap().received, 2);
        assert!(s.rebuild_figures(&ctx()).await.unwrap() > 0);
        assert_eq!(s.figures(&all, march).await.unwrap(), want);
        super::supervision_raw(db, "UPDATE kpi_daily SET received = received + 1").await;
        let monday = period(day(2026, 3, 2), day(2026, 3, 2));
        assert_ne!(s.figures(&w1_by_clerk, monday).await.unwrap().received, 2);
        assert!(s.rebuild_figures(&ctx()).await.unwrap() > 0);
        assert_eq!(s.figures(&w1_by_clerk, monday).await.unwrap().received, 2);
        assert_eq!(s.figures(&all, march).await.unwrap(), want);
        assert_eq!(s.rebuild_figures(&ctx()).await.unwrap(), 0);
    });
}

mod import {
    use super::cases::{at, day, fixture};
    use super::*;
    use onewindow_core::case::machine::{Action, Env, act};
    use onewindow_core::case::{CaseEvent, CaseState};
    use onewindow_core::supervision::figures::Period;
    use onewindow_store::Slice;

    // Cases written after the fact: numbered on their own days, with their steps and history,
    // no notices, counted in the figures and the running clocks, one trail entry for the batch.
    each_db!(imported_cases_are_numbered_counted_and_quiet, |db| {
        let s = db.store.clone();
        let f = fixture(s.as_ref()).await;
        let mut items = Vec::new();
        for (i, on) in [day(2026, 3, 3), day(2026, 3, 2), day(2026, 3, 3)]
            .into_iter()
            .enumerate()
        {
            let d = f.application(&format!("导入{i}"), on);
            let mut events = vec![CaseEvent::of(&d.case, "submit", "申请人", None)];
            let out = act(
                &d,
                Action::Accept { note: None },
                &Env {
                    now: at(on),
                    today: on,
                    cal: &f.cal,
                    rules: &f.rules,
                    workflow: &f.flow,
                    actor_id: None,
                    actor_name: "窗口",
                    window_id: None,
                },
            )
            .unwrap();
            events.push(CaseEvent::of(&out.after.case, "accept", "窗口", None));
            items.push((out.after, events));
        }
        let before = s.verify_audit().await.unwrap().unwrap();
        let ids = s.import_cases(&ctx(), items).await.unwrap();
        assert_eq!(ids.len(), 3);
        let dept = f.org.dept_a.id;
        let numbers: Vec<String> = {
            let mut v = Vec::new();
            for id in &ids {
                v.push(s.dossier(*id).await.unwrap().unwrap().case.number);
            }
            v
        };
        assert_eq!(
            numbers,
            vec![
                format!("D{dept:03}-20260303-00001"),
                format!("D{dept:03}-20260302-00001"),
                format!("D{dept:03}-20260303-00002"),
            ]
        );
        let d = s.dossier(ids[0]).await.unwrap().unwrap();
        assert_eq!(d.case.state, CaseState::Reviewing);
        assert_eq!(d.steps.len(), 3);
        assert!(d.steps.iter().all(|st| st.id > 0));
        let events = s.case_events(ids[0]).await.unwrap();
        assert_eq!(
            events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            vec!["submit", "accept"]
        );
        assert!(s.outbox(Some(ids[0]), 10).await.unwrap().is_empty());
        // A list reads newest application first, whatever order history was written in.
        let listed: Vec<i64> = s
            .cases(&onewindow_store::CaseFilter::default())
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .filter(|id| ids.contains(id))
            .collect();
        assert_eq!(listed, vec![ids[2], ids[0], ids[1]]);
        assert_eq!(s.verify_audit().await.unwrap(), Ok(before + 1));
        let march = Period::new(Some(day(2026, 3, 1)), Some(day(2026, 3, 31))).unwrap();
        let fig = s.figures(&Slice::default(), march).await.unwrap();
        assert_eq!((fig.received, fig.accepted), (3, 3));
        assert_eq!(
            s.light_counts(&Slice::default(), day(2026, 3, 3))
                .await
                .unwrap()
                .running,
            3
        );
        assert_eq!(s.rebuild_figures(&ctx()).await.unwrap(), 0);
        assert_eq!(s.rebuild_running(&ctx()).await.unwrap(), 0);
    });
}

mod evaluation {
    use super::cases::{at, day, fixture};
    use super::figures::{Desk, new_case};
    use super::*;
    use onewindow_core::case::NoticeChannel;
    use onewindow_core::case::machine::Action as CaseAction;
    use onewindow_core::case::{Channel, DeliveryMethod};
    use onewindow_core::evaluation::AppealDecision;
    use onewindow_core::evaluation::AppealState;
    use onewindow_core::evaluation::rating::{Channel as RatingChannel, Given, Kind};
    use onewindow_core::evaluation::rectification::{Action, Outcome, State};
    use onewindow_core::supervision::figures::Period;
    use onewindow_store::{
        AppealFilter, NewRating, NewRatingLink, RatingFilter, RatingTarget, RectificationFilter,
        RectifyPlan, Slice,
    };

    fn plan() -> RectifyPlan {
        RectifyPlan {
            due_on: day(2026, 3, 23),
            yellow_on: day(2026, 3, 20),
            red_on: day(2026, 3, 24),
        }
    }

    fn given(level: i64) -> Given {
        Given {
            level,
            reason: (level <= 2).then(|| "多次跑动".to_string()),
            ..Given::default()
        }
    }

    fn rating(case_id: i64, level: i64, link_hash: Option<&str>) -> NewRating {
        NewRating {
            kind: Kind::Service,
            channel: if link_hash.is_some() {
                RatingChannel::Sms
            } else {
                RatingChannel::Web
            },
            given: given(level),
            target: RatingTarget::Case(case_id),
            link_hash: link_hash.map(str::to_string),
            rater: onewindow_store::Rater {
                name: Some("申请人".into()),
                phone: Some("13800000000".into()),
                ..Default::default()
            },
            plan: Some(plan()),
            at: at(day(2026, 3, 3)),
        }
    }

    fn link(case_id: i64, hash: &str, expires: chrono::DateTime<chrono::Utc>) -> NewRatingLink {
        NewRatingLink {
            case_id,
            token_hash: hash.into(),
            channel: NoticeChannel::Sms,
            sent_to: "13800000000".into(),
            subject: "请评价".into(),
            body: "请评价：/rate/…".into(),
            at: at(day(2026, 3, 2)),
            expires_at: expires,
        }
    }

    async fn concluded_case(desk: &Desk<'_>) -> i64 {
        let id = new_case(desk.s, desk.f, Channel::Window, DeliveryMethod::Window, 0).await;
        desk.act(
            id,
            CaseAction::ConcludeOnSpot {
                note: None,
                licence: Default::default(),
            },
            day(2026, 3, 2),
        )
        .await;
        id
    }

    fn march() -> Period {
        Period::new(Some(day(2026, 3, 1)), Some(day(2026, 3, 31))).unwrap()
    }

    // A case rated online once, through a link that is spent; an expired link records nothing;
    // the bad rating's rectification runs verify → rectify → call back (one missed call) →
    // re-evaluate, each step in its trail and under its version; the figures count the rating.
    each_db!(online_rating_link_and_rectification, |db| {
        let s = db.store.clone();
        let f = fixture(s.as_ref()).await;
        let desk = Desk {
            s: s.as_ref(),
            f: &f,
            clerk: None,
            window: None,
        };
        let a = concluded_case(&desk).await;
        let b = concluded_case(&desk).await;
        let l = s
            .create_rating_link(&ctx(), link(a, "hash-a", at(day(2026, 3, 9))))
            .await
            .unwrap();
        assert_eq!(s.rating_link("hash-a").await.unwrap().unwrap().id, l.id);
        let sent = s.outbox(Some(a), 10).await.unwrap();
        assert!(
            sent.iter().any(|m| m.body.contains("/rate/")),
            "the link is sent"
        );
        // A link of another case does not rate this one.
        let e = s
            .rate(&ctx(), rating(b, 5, Some("hash-a")))
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "token");
        let rated = s.rate(&ctx(), rating(a, 2, Some("hash-a"))).await.unwrap();
        assert_eq!(
            (
                rated.rating.case_id,
                rated.rating.channel.as_str(),
                rated.rating.department_id
            ),
            (Some(a), "sms", Some(f.org.dept_a.id))
        );
        assert!(
            s.rating_link("hash-a")
                .await
                .unwrap()
                .unwrap()
                .used_at
                .is_some()
        );
        // Once per case, whatever the way in.
        let e = s.rate(&ctx(), rating(a, 5, None)).await.unwrap_err();
        assert_eq!(conflict_field(e), "case_id");
        // An expired link: nothing recorded.
        s.create_rating_link(&ctx(), link(b, "hash-b", at(day(2026, 3, 2))))
            .await
            .unwrap();
        let e = s
            .rate(&ctx(), rating(b, 5, Some("hash-b")))
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "token");
        let all = RatingFilter {
            limit: 100,
            ..Default::default()
        };
        assert_eq!(s.ratings(&all).await.unwrap().len(), 1);
        let who = s.rater(rated.rating.id).await.unwrap().unwrap();
        assert_eq!(who.phone.as_deref(), Some("13800000000"));

        let got = s.figures(&Slice::default(), march()).await.unwrap();
        assert_eq!((got.ratings, got.rating_sum, got.bad), (1, 2, 1));

        // The rectification, step by step.
        let x = rated.rectification.unwrap();
        assert_eq!(
            (x.progress.state, x.due_on),
            (State::Verifying, plan().due_on)
        );
        let step = |id: i64, version: i64, a: Action| {
            let s = s.clone();
            async move {
                s.act_on_rectification(&ctx(), id, version, a, at(day(2026, 3, 4)))
                    .await
            }
        };
        let x = step(
            x.id,
            x.version,
            Action::Verify {
                finding: "材料清单不清，属实".into(),
                founded: true,
            },
        )
        .await
        .unwrap();
        assert_eq!(x.progress.state, State::Rectifying);
        let e = step(
            x.id,
            x.version - 1,
            Action::Rectify {
                measures: "x".into(),
            },
        )
        .await
        .unwrap_err();
        assert_eq!(conflict_field(e), "version");
        let e = step(
            x.id,
            x.version,
            Action::CallBack {
                reached: true,
                note: "x".into(),
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(
            e,
            StoreError::Domain(DomainError::WrongState { .. })
        ));
        let x = step(
            x.id,
            x.version,
            Action::Rectify {
                measures: "修订办事指南材料清单".into(),
            },
        )
        .await
        .unwrap();
        let x = step(
            x.id,
            x.version,
            Action::CallBack {
                reached: false,
                note: "未接通".into(),
            },
        )
        .await
        .unwrap();
        let x = step(
            x.id,
            x.version,
            Action::CallBack {
                reached: true,
                note: "已说明整改情况".into(),
            },
        )
        .await
        .unwrap();
        assert_eq!(x.progress.callback_attempts, 2);
        let open = RectificationFilter {
            open_only: true,
            limit: 10,
            ..Default::default()
        };
        assert_eq!(s.rectifications(&open).await.unwrap().len(), 1);
        let red = RectificationFilter {
            light: Some((onewindow_core::case::clock::Light::Red, day(2026, 3, 24))),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(
            s.rectifications(&red).await.unwrap().len(),
            1,
            "red after its due day"
        );
        let x = step(
            x.id,
            x.version,
            Action::ReEvaluate {
                level: 4,
                comment: Some("满意".into()),
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (x.progress.state, x.progress.outcome, x.progress.re_level),
            (State::Closed, Some(Outcome::Rectified), Some(4))
        );
        assert!(x.closed_at.is_some());
        assert!(s.rectifications(&open).await.unwrap().is_empty());
        assert!(
            s.rectifications(&red).await.unwrap().is_empty(),
            "closed: no light"
        );
        let log: Vec<String> = s
            .rectification_log(x.id)
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.action)
            .collect();
        assert_eq!(
            log,
            [
                "open",
                "verify",
                "rectify",
                "call_back",
                "call_back",
                "re_evaluate"
            ]
        );
        let trail = s
            .audit_entries(&AuditFilter {
                target_type: Some("rectification".into()),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(trail.len(), 6);
        assert_eq!(s.rebuild_figures(&ctx()).await.unwrap(), 0);
    });

    // An appeal: once per rating; upheld takes the rating out of the figures (the recount
    // agrees) and voids its rectification, but the rating stays; a rejected one changes nothing.
    each_db!(appeals_take_ratings_out_of_the_figures_only, |db| {
        let s = db.store.clone();
        let f = fixture(s.as_ref()).await;
        let desk = Desk {
            s: s.as_ref(),
            f: &f,
            clerk: None,
            window: None,
        };
        let a = concluded_case(&desk).await;
        let b = concluded_case(&desk).await;
        let ra = s.rate(&ctx(), rating(a, 1, None)).await.unwrap();
        let rb = s.rate(&ctx(), rating(b, 2, None)).await.unwrap();
        let when = at(day(2026, 3, 4));
        let appeal = s
            .file_appeal(&ctx(), ra.rating.id, "申请人误评".into(), when)
            .await
            .unwrap();
        assert_eq!(appeal.state, AppealState::Pending);
        let e = s
            .file_appeal(&ctx(), ra.rating.id, "again".into(), when)
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "rating_id");
        let other = s
            .file_appeal(&ctx(), rb.rating.id, "恶意差评".into(), when)
            .await
            .unwrap();
        let pending = AppealFilter {
            pending_only: true,
            limit: 10,
            ..Default::default()
        };
        assert_eq!(s.appeals(&pending).await.unwrap().len(), 2);
        let decide = |upheld: bool, version: i64| AppealDecision {
            upheld,
            note: "经调取录像核实".into(),
            version,
        };
        let e = s
            .decide_appeal(&ctx(), appeal.id, decide(true, 7), when)
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "version");
        let done = s
            .decide_appeal(&ctx(), appeal.id, decide(true, appeal.version), when)
            .await
            .unwrap();
        assert_eq!(done.state, AppealState::Upheld);
        let e = s
            .decide_appeal(&ctx(), appeal.id, decide(false, done.version), when)
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "appeal");
        s.decide_appeal(&ctx(), other.id, decide(false, other.version), when)
            .await
            .unwrap();
        assert!(s.appeals(&pending).await.unwrap().is_empty());

        let kept = s.rating(ra.rating.id).await.unwrap().unwrap();
        assert!(!kept.counted, "out of the figures, still on record");
        let got = s.figures(&Slice::default(), march()).await.unwrap();
        assert_eq!(
            (got.ratings, got.rating_sum, got.bad),
            (1, 2, 1),
            "only b counts"
        );
        assert_eq!(
            s.rebuild_figures(&ctx()).await.unwrap(),
            0,
            "the recount agrees"
        );
        let counted = RatingFilter {
            counted_only: true,
            limit: 10,
            ..Default::default()
        };
        assert_eq!(s.ratings(&counted).await.unwrap().len(), 1);
        let x = s
            .rectification(ra.rectification.unwrap().id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (x.progress.state, x.progress.outcome),
            (State::Closed, Some(Outcome::Voided))
        );
        let y = s
            .rectification(rb.rectification.unwrap().id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            y.progress.state,
            State::Verifying,
            "a rejected appeal voids nothing"
        );
    });

    // The warning job's claim on a rectification: four at once, exactly one wins; then it is
    // no longer listed at that level.
    each_db!(a_rectification_warning_is_claimed_once, |db| {
        let s = db.store.clone();
        let f = fixture(s.as_ref()).await;
        let desk = Desk {
            s: s.as_ref(),
            f: &f,
            clerk: None,
            window: None,
        };
        let a = concluded_case(&desk).await;
        let x = s
            .rate(&ctx(), rating(a, 1, None))
            .await
            .unwrap()
            .rectification
            .unwrap();
        let red = plan().red_on;
        assert_eq!(
            s.rectifications_to_warn(2, red, 10).await.unwrap(),
            vec![x.id]
        );
        assert!(
            s.rectifications_to_warn(2, plan().due_on, 10)
                .await
                .unwrap()
                .is_empty()
        );
        let tries = (0..4).map(|_| {
            let s = s.clone();
            tokio::spawn(async move {
                s.claim_rectification_warning(&ctx(), x.id, 2, at(red))
                    .await
            })
        });
        let mut won = 0;
        for t in tries {
            if t.await.unwrap().unwrap() {
                won += 1;
            }
        }
        assert_eq!(won, 1);
        assert!(
            s.rectifications_to_warn(2, red, 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            s.rectifications_to_warn(1, red, 10)
                .await
                .unwrap()
                .is_empty(),
            "red covers yellow"
        );
    });

    // Four ratings of one case at once: exactly one is recorded.
    each_db!(one_rating_per_case_under_a_race, |db| {
        let s = db.store.clone();
        let f = fixture(s.as_ref()).await;
        let desk = Desk {
            s: s.as_ref(),
            f: &f,
            clerk: None,
            window: None,
        };
        let a = concluded_case(&desk).await;
        let tries = (0..4).map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.rate(&ctx(), rating(a, 5, None)).await })
        });
        let mut won = 0;
        for t in tries {
            match t.await.unwrap() {
                Ok(_) => won += 1,
                Err(e) => assert_eq!(conflict_field(e), "case_id"),
            }
        }
        assert_eq!(won, 1);
        let got = s.figures(&Slice::default(), march()).await.unwrap();
        assert_eq!(got.ratings, 1);
    });
}

mod grid {
    use super::*;
    use onewindow_core::grid::import::read;
    use serde_json::json;
    use std::collections::HashMap;

    fn square(x: f64, y: f64, s: f64) -> serde_json::Value {
        json!({"type": "Polygon", "coordinates": [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]]})
    }

    fn feature(
        code: &str,
        level: i64,
        parent: Option<&str>,
        g: serde_json::Value,
    ) -> serde_json::Value {
        json!({"type": "Feature", "properties": {"code": code, "name": format!("{code}网格"), "level": level, "parent": parent}, "geometry": g})
    }

    // Three levels imported at once, read back with their shapes; imported again with a new
    // name, updated in place; a file whose parent is unknown writes nothing.
    each_db!(grids_are_imported_updated_and_read_back, |db| {
        let s = db.store.clone();
        let doc = json!({"type": "FeatureCollection", "features": [
            feature("L3-A1", 3, Some("L2-A"), square(120.70, 40.60, 0.01)),
            feature("L2-A", 2, Some("L1"), square(120.70, 40.60, 0.02)),
            feature("L1", 1, None, square(120.70, 40.60, 0.04)),
        ]});
        let grids = read(&doc, &HashMap::new()).unwrap();
        let at = chrono::Utc::now();
        assert_eq!(
            s.import_grids(&ctx(), grids.clone(), at).await.unwrap(),
            (3, 0)
        );
        let all = s.grids(None).await.unwrap();
        let codes: Vec<&str> = all.iter().map(|g| g.code.as_str()).collect();
        assert_eq!(codes, ["L1", "L2-A", "L3-A1"]);
        let l3 = &s.grids(Some(3)).await.unwrap()[0];
        assert_eq!(l3.parent_id, Some(all[1].id));
        assert_eq!(l3.shape, grids[0].shape, "the boundary reads back the same");
        let mut renamed = grids.clone();
        renamed[2].name = "龙港区".into();
        assert_eq!(s.import_grids(&ctx(), renamed, at).await.unwrap(), (0, 3));
        assert_eq!(s.grid(all[0].id).await.unwrap().unwrap().name, "龙港区");
        assert_eq!(s.grid(all[0].id).await.unwrap().unwrap().version, 2);
        let mut orphan = read(
            &json!({"type": "FeatureCollection", "features": [feature("L2-X", 2, Some("L1"), square(121.0, 41.0, 0.01))]}),
            &HashMap::from([("L1".to_string(), 1)]),
        )
        .unwrap();
        orphan[0].parent = Some("NOPE".into());
        orphan.push(grids[0].clone());
        let e = s.import_grids(&ctx(), orphan, at).await.unwrap_err();
        assert_eq!(invalid_field(e), "parent");
        assert_eq!(
            s.grids(None).await.unwrap().len(),
            3,
            "nothing half-written"
        );
        let trail = s
            .audit_entries(&AuditFilter {
                target_type: Some("grid".into()),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(trail.len(), 6);
    });

    use onewindow_core::calendar::Calendar;
    use onewindow_core::grid::category::NewCategory;
    use onewindow_core::grid::event::{Action, Source, State};
    use onewindow_core::grid::limit::{Limit, StepLimits};
    use onewindow_core::grid::report::{GridRules, NewEvent, Point};
    use onewindow_store::{EventFilter, GridStaff, NewEventRecord, NewFile};

    fn at(d: u32, h: u32, m: u32) -> chrono::DateTime<chrono::Utc> {
        use chrono::TimeZone;
        onewindow_core::time::china()
            .with_ymd_and_hms(2026, 3, d, h, m, 0)
            .unwrap()
            .to_utc()
    }

    fn drain(department_id: Option<i64>) -> NewCategory {
        NewCategory {
            code: "drain".into(),
            name: "下水道堵塞".into(),
            group: "市政设施".into(),
            description: String::new(),
            keywords: String::new(),
            department_id,
            limit: Limit::working_days(3),
            attributes: vec![],
        }
        .check()
        .unwrap()
    }

    fn photo(sha: &str) -> NewFile {
        NewFile {
            material: "photo".into(),
            file_name: "现场.jpg".into(),
            content_type: "image/jpeg".into(),
            size: 10,
            sha256: sha.repeat(64 / sha.len()),
        }
    }

    fn report(
        region_id: i64,
        category_id: Option<i64>,
        point: Point,
        when: chrono::DateTime<chrono::Utc>,
    ) -> NewEventRecord {
        NewEventRecord {
            event: NewEvent {
                category_id,
                description: "下水道堵塞，路面积水".into(),
                address: "滨海路12号".into(),
                point: Some(point),
                reporter_name: "王五".into(),
                reporter_phone: "13800000000".into(),
                reporter_email: String::new(),
            }
            .check(Source::Grid)
            .unwrap(),
            source: Source::Grid,
            region_id,
            reporter_id: None,
            grid_id: None,
            attributes: json!({}),
            token: Some(format!("tok-{}", when.timestamp())),
            register_due: when + chrono::Duration::minutes(30),
            photos: vec![photo("a")],
            at: when,
        }
    }

    const P: Point = Point {
        lon: 120.705,
        lat: 40.605,
    };

    // The whole 数字城管 flow on one event: registered and dispatched in one step (auto
    // dispatch), returned by the wrong department, dispatched again, signed, extended, fed back,
    // reopened by the check on site, fed back again, verified with a photo, closed and called
    // back; each step with its trail line and audit entry; a stale version refused.
    each_db!(
        an_event_goes_the_whole_way_with_return_reopen_and_extension,
        |db| {
            let s = db.store.clone();
            let o = org(s.as_ref()).await;
            let cal = Calendar::builtin();
            let steps = StepLimits::default();
            let cat = s
                .create_event_category(&ctx(), drain(Some(o.dept_a.id)), at(1, 8, 0))
                .await
                .unwrap();
            let e = s
                .report_event(&ctx(), report(o.street.id, Some(cat.id), P, at(2, 9, 0)))
                .await
                .unwrap();
            assert!(e.number.starts_with("SJ20260302"), "{}", e.number);
            assert_eq!(e.progress.state, State::Reported);
            assert_eq!(s.event_photos(e.id).await.unwrap().len(), 1);
            assert_eq!(
                s.event_by_token(&format!("tok-{}", at(2, 9, 0).timestamp()))
                    .await
                    .unwrap()
                    .map(|x| x.id),
                Some(e.id)
            );
            let act = |id: i64, version: i64, actions: Vec<Action>, when| {
                let (s, cal) = (s.clone(), cal.clone());
                async move {
                    s.act_on_event(&ctx(), id, version, actions, &cal, steps, when)
                        .await
                }
            };
            let e = act(
                e.id,
                e.version,
                vec![
                    Action::Register { category_id: None },
                    Action::Dispatch {
                        department_id: o.dept_b.id,
                        grid_id: None,
                    },
                ],
                at(2, 9, 10),
            )
            .await
            .unwrap();
            assert_eq!(
                (e.progress.state, e.progress.department_id),
                (State::Dispatched, Some(o.dept_b.id))
            );
            // Three working days for a drain: Tuesday 3 to Thursday 5, to its end.
            assert_eq!(
                e.progress.handle_due,
                Some(at(6, 0, 0) - chrono::Duration::seconds(1))
            );
            let stale = act(e.id, e.version - 1, vec![Action::Sign], at(2, 9, 20))
                .await
                .unwrap_err();
            assert_eq!(conflict_field(stale), "version");
            let e = act(
                e.id,
                e.version,
                vec![Action::Return {
                    reason: "不属于本部门".into(),
                }],
                at(2, 9, 30),
            )
            .await
            .unwrap();
            assert_eq!(
                (e.progress.state, e.progress.returns),
                (State::Registered, 1)
            );
            let bad = act(
                e.id,
                e.version,
                vec![Action::Dispatch {
                    department_id: 999_999,
                    grid_id: None,
                }],
                at(2, 9, 35),
            )
            .await
            .unwrap_err();
            assert_eq!(invalid_field(bad), "department_id");
            let e = act(
                e.id,
                e.version,
                vec![
                    Action::Dispatch {
                        department_id: o.dept_a.id,
                        grid_id: None,
                    },
                    Action::Sign,
                    Action::RequestExtension {
                        days: 2,
                        reason: "需更换管道".into(),
                    },
                ],
                at(2, 10, 0),
            )
            .await
            .unwrap();
            let e = act(
                e.id,
                e.version,
                vec![Action::DecideExtension {
                    approve: true,
                    note: "同意".into(),
                }],
                at(2, 11, 0),
            )
            .await
            .unwrap();
            assert_eq!(
                e.progress.extension.as_ref().and_then(|x| x.approved),
                Some(true)
            );
            let e = act(
                e.id,
                e.version,
                vec![Action::FeedBack {
                    result: "已疏通".into(),
                }],
                at(3, 15, 0),
            )
            .await
            .unwrap();
            // A photo the event does not have is refused; one added on site is taken.
            let verify = |passed: bool, sha: &str| Action::Verify {
                passed,
                note: if passed { "已畅通" } else { "仍有积水" }.into(),
                photo: Some(sha.repeat(64 / sha.len())),
            };
            let e2 = act(e.id, e.version, vec![verify(false, "f")], at(3, 16, 0))
                .await
                .unwrap_err();
            assert_eq!(invalid_field(e2), "photo");
            s.add_event_photos(&ctx(), e.id, "verify", vec![photo("b")], at(3, 16, 0))
                .await
                .unwrap();
            let e = act(e.id, e.version, vec![verify(false, "b")], at(3, 16, 5))
                .await
                .unwrap();
            assert_eq!(
                (e.progress.state, e.progress.reopened),
                (State::Handling, 1)
            );
            let e = act(
                e.id,
                e.version,
                vec![
                    Action::FeedBack {
                        result: "更换管道".into(),
                    },
                    verify(true, "b"),
                    Action::Close,
                    Action::Callback {
                        satisfaction: 5,
                        note: None,
                    },
                ],
                at(5, 15, 0),
            )
            .await
            .unwrap();
            assert_eq!(e.progress.state, State::Closed);
            assert_eq!(e.closed_at, Some(at(5, 15, 0)));
            let log = s.event_log(e.id).await.unwrap();
            let actions: Vec<&str> = log.iter().map(|l| l.action.as_str()).collect();
            assert_eq!(
                actions,
                [
                    "report",
                    "register",
                    "dispatch",
                    "return",
                    "dispatch",
                    "sign",
                    "request_extension",
                    "decide_extension",
                    "feed_back",
                    "verify",
                    "feed_back",
                    "verify",
                    "close",
                    "callback"
                ]
            );
            let trail = s
                .audit_entries(&AuditFilter {
                    target_type: Some("event".into()),
                    target_id: Some(e.id),
                    limit: 100,
                    ..Default::default()
                })
                .await
                .unwrap();
            assert_eq!(trail.len(), 15, "every step and the photo audited");
            // Counted: received, registered, closed and fed back on time (extended to Tuesday 10).
            let t = s
                .event_tallies(&ScopeFilter::all(), at(1, 0, 0), at(31, 0, 0))
                .await
                .unwrap();
            assert_eq!(t.len(), 1);
            assert_eq!(
                (
                    t[0].received,
                    t[0].registered,
                    t[0].closed,
                    t[0].fed_back,
                    t[0].on_time
                ),
                (1, 1, 1, 1, 1)
            );
            assert_eq!(t[0].department_id, Some(o.dept_a.id));
            assert_eq!(
                s.events(&EventFilter {
                    scope: ScopeFilter::department(o.dept_b.id),
                    limit: 10,
                    ..Default::default()
                })
                .await
                .unwrap()
                .len(),
                0,
                "the department that returned it no longer sees it"
            );
            assert!(
                s.verify_audit().await.unwrap().is_ok(),
                "the audit chain holds"
            );
        }
    );

    // Four dispatchers register one event at once: one wins, the others are told it changed.
    each_db!(one_of_four_registers_an_event, |db| {
        let s = db.store.clone();
        let o = org(s.as_ref()).await;
        let e = s
            .report_event(&ctx(), report(o.street.id, None, P, at(2, 9, 0)))
            .await
            .unwrap();
        let cal = Calendar::builtin();
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let (s, cal) = (s.clone(), cal.clone());
            tasks.push(tokio::spawn(async move {
                s.act_on_event(
                    &ctx(),
                    e.id,
                    1,
                    vec![Action::Register { category_id: None }],
                    &cal,
                    StepLimits::default(),
                    at(2, 9, 5),
                )
                .await
            }));
        }
        let mut won = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => won += 1,
                Err(e) => assert_eq!(conflict_field(e), "version"),
            }
        }
        assert_eq!(won, 1);
        assert_eq!(s.event_log(e.id).await.unwrap().len(), 2);
    });

    // Categories edited under their version; grids staffed; candidates for duplicate hints
    // found by category, time and place; patrol check-ins read back by worker; Open311 keys.
    each_db!(categories_staff_duplicates_patrols_and_keys, |db| {
        let s = db.store.clone();
        let o = org(s.as_ref()).await;
        let c = s
            .create_event_category(&ctx(), drain(Some(o.dept_a.id)), at(1, 8, 0))
            .await
            .unwrap();
        let mut upd = drain(Some(o.dept_b.id));
        upd.limit = Limit::hours(48);
        let c2 = s
            .update_event_category(&ctx(), c.id, c.version, upd.clone(), true, at(1, 9, 0))
            .await
            .unwrap();
        assert_eq!(
            (c2.limit, c2.department_id),
            (Limit::hours(48), Some(o.dept_b.id))
        );
        let e = s
            .update_event_category(&ctx(), c.id, c.version, upd, true, at(1, 9, 0))
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "version");
        let dup = s
            .create_event_category(&ctx(), drain(None), at(1, 8, 0))
            .await
            .unwrap_err();
        assert_eq!(conflict_field(dup), "code");
        assert_eq!(s.event_categories().await.unwrap().len(), 1);

        let doc = json!({"type": "FeatureCollection", "features": [
            feature("L1", 1, None, square(120.70, 40.60, 0.04)),
        ]});
        s.import_grids(&ctx(), read(&doc, &HashMap::new()).unwrap(), at(1, 8, 0))
            .await
            .unwrap();
        let g = s.grids(None).await.unwrap().remove(0);
        let worker = s
            .create_user(
                &ctx(),
                new_user("grid1", &["grid"], None, Some(o.street.id)),
                "h".into(),
            )
            .await
            .unwrap();
        let g = s
            .set_grid_staff(
                &ctx(),
                g.id,
                g.version,
                GridStaff {
                    region_id: Some(o.street.id),
                    leader_id: None,
                    workers: vec![worker.id, worker.id],
                },
                at(1, 8, 0),
            )
            .await
            .unwrap();
        assert_eq!(g.region_id, Some(o.street.id));
        assert_eq!(s.grid_workers(g.id).await.unwrap(), vec![worker.id]);
        assert_eq!(s.grids_of(worker.id).await.unwrap(), vec![g.id]);

        let rules = GridRules::default();
        let first = s
            .report_event(&ctx(), report(o.street.id, Some(c.id), P, at(2, 9, 0)))
            .await
            .unwrap();
        let near = Point {
            lon: P.lon + 0.0005,
            lat: P.lat,
        };
        let far = Point {
            lon: P.lon + 0.01,
            lat: P.lat,
        };
        let cands = |p: Point| {
            let s = s.clone();
            async move {
                s.events_near(
                    c.id,
                    rules.duplicate_since(at(2, 10, 0)),
                    rules.duplicate_box(p),
                    None,
                )
                .await
                .unwrap()
            }
        };
        assert_eq!(cands(near).await.len(), 1);
        assert_eq!(cands(far).await.len(), 0);
        let hints = onewindow_core::grid::report::duplicates(&rules, near, &cands(near).await);
        assert_eq!(hints[0].event_id, first.id);
        assert!(
            hints[0].meters > 30 && hints[0].meters < 60,
            "{}",
            hints[0].meters
        );

        let mut wctx = ctx();
        wctx.actor_id = Some(worker.id);
        s.patrol_check_in(&wctx, Some(g.id), P, "巡查", at(2, 9, 0))
            .await
            .unwrap();
        s.patrol_check_in(&wctx, None, far, "", at(2, 10, 0))
            .await
            .unwrap();
        let mine = s
            .patrol_checkins(Some(worker.id), at(2, 0, 0), at(3, 0, 0), 100)
            .await
            .unwrap();
        assert_eq!(mine.len(), 2);
        assert_eq!((mine[0].grid_id, mine[0].point), (Some(g.id), P));
        assert!(
            s.patrol_checkins(None, at(3, 0, 0), at(4, 0, 0), 100)
                .await
                .unwrap()
                .is_empty()
        );

        s.add_open311_key(&ctx(), "市民热线App", &"c".repeat(64), at(1, 8, 0))
            .await
            .unwrap();
        assert_eq!(
            s.open311_client(&"c".repeat(64)).await.unwrap().as_deref(),
            Some("市民热线App")
        );
        assert_eq!(s.open311_client(&"d".repeat(64)).await.unwrap(), None);
    });
}

mod enterprise {
    use super::*;
    use onewindow_core::enterprise::firm::{NewEnterprise, Size};
    use onewindow_core::enterprise::project::{Milestone, NewProject, Stage, Team};
    use onewindow_core::enterprise::work::{Action, Kind, Level, NewItem, State};
    use onewindow_store::{Grouping, NewFile, VisitRecord, WorkFilter};

    fn at(d: u32) -> chrono::DateTime<chrono::Utc> {
        use chrono::TimeZone;
        onewindow_core::time::china()
            .with_ymd_and_hms(2026, 3, d, 10, 0, 0)
            .unwrap()
            .to_utc()
    }

    // An enterprise and its key project, whose steward is handed over; a problem solved by a
    // department and confirmed by the enterprise after one refusal; another escalated to the
    // city. Every step in the trail and the audit; stale versions refused.
    each_db!(enterprises_projects_and_work_items, |db| {
        let s = db.store.clone();
        let o = org(s.as_ref()).await;
        let c = ctx();
        let new = NewEnterprise {
            name: "葫芦岛宏跃铜业有限公司".into(),
            uscc: uscc::build('9', '1', "211403", "MA000009").unwrap(),
            industry: "C".into(),
            size: Size::Medium,
            region_id: o.street.id,
            contact_name: "张经理".into(),
            contact_phone: "13904291234".into(),
            address: String::new(),
        }
        .check()
        .unwrap();
        let e = s.create_enterprise(&c, new.clone(), at(1)).await.unwrap();
        assert_eq!(s.enterprise(e.id).await.unwrap().unwrap().uscc, new.uscc);
        let dup = s.create_enterprise(&c, new, at(1)).await.unwrap_err();
        assert_eq!(conflict_field(dup), "uscc");

        let steward = |n: &str| new_user(n, &["steward"], Some(o.dept_a.id), None);
        let s1 = s
            .create_user(&c, steward("steward1"), "h".into())
            .await
            .unwrap();
        let s2 = s
            .create_user(&c, steward("steward2"), "h".into())
            .await
            .unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let p = NewProject {
            enterprise_id: e.id,
            name: "年产5万吨精密铜带项目".into(),
            amount_fen: 12_000 * 1_000_000,
            stage: Stage::Signed,
            key_project: true,
            green_channel: true,
            milestones: vec![Milestone {
                name: "签约".into(),
                planned: today,
                actual: Some(today),
            }],
        }
        .check(today)
        .unwrap();
        let team = Team {
            steward_id: Some(s1.id),
            leader_id: Some(s2.id),
            department_id: Some(o.dept_a.id),
            members: vec![s2.id],
        }
        .check(true)
        .unwrap();
        let p = s.create_project(&c, p, team.clone(), at(1)).await.unwrap();
        assert_eq!((p.region_id, p.team.steward_id), (o.street.id, Some(s1.id)));
        let next = Team {
            steward_id: Some(s2.id),
            ..team
        };
        let p2 = s
            .set_project_team(&c, p.id, p.version, next.clone(), at(2))
            .await
            .unwrap();
        assert_eq!(p2.team.steward_id, Some(s2.id));
        let e2 = s
            .set_project_team(&c, p.id, p.version, next, at(2))
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e2), "version");
        let h = s.project_handovers(p.id).await.unwrap();
        assert_eq!(
            (h.len(), h[0].role.as_str(), h[0].from_id, h[0].to_id),
            (1, "steward", Some(s1.id), Some(s2.id))
        );

        let item = |title: &str| NewItem {
            enterprise_id: e.id,
            project_id: Some(p.id),
            kind: Kind::Problem,
            title: title.into(),
            detail: String::new(),
            visit_id: None,
        };
        let a = s
            .record_work_item(&c, item("厂区用电增容"), at(3))
            .await
            .unwrap();
        assert!(a.number.starts_with("QY20260303"), "{}", a.number);
        let act = |id: i64, version: i64, action: Action, day: u32| {
            let s = s.clone();
            async move {
                s.act_on_work_item(&ctx(), id, version, action, at(day))
                    .await
            }
        };
        let deadline = chrono::NaiveDate::from_ymd_opt(2026, 3, 20);
        let bad = act(
            a.id,
            a.version,
            Action::Assign {
                department_id: None,
                deadline,
            },
            3,
        )
        .await
        .unwrap_err();
        assert_eq!(invalid_field(bad), "department_id");
        let bad = act(
            a.id,
            a.version,
            Action::Assign {
                department_id: Some(999_999),
                deadline,
            },
            3,
        )
        .await
        .unwrap_err();
        assert_eq!(invalid_field(bad), "department_id");
        let a = act(
            a.id,
            a.version,
            Action::Assign {
                department_id: Some(o.dept_b.id),
                deadline,
            },
            3,
        )
        .await
        .unwrap();
        let a = act(
            a.id,
            a.version,
            Action::Answer {
                resolution: "已协调供电公司".into(),
            },
            5,
        )
        .await
        .unwrap();
        let a = act(
            a.id,
            a.version,
            Action::Confirm {
                satisfied: false,
                satisfaction: None,
                note: Some("仍未通电".into()),
            },
            6,
        )
        .await
        .unwrap();
        assert_eq!(
            (a.progress.state, a.progress.reopened),
            (State::Assigned, 1)
        );
        let a = act(
            a.id,
            a.version,
            Action::Answer {
                resolution: "已通电".into(),
            },
            8,
        )
        .await
        .unwrap();
        let a = act(
            a.id,
            a.version,
            Action::Confirm {
                satisfied: true,
                satisfaction: Some(5),
                note: None,
            },
            9,
        )
        .await
        .unwrap();
        assert_eq!(
            (a.progress.state, a.progress.satisfaction),
            (State::Closed, Some(5))
        );
        assert_eq!(a.closed_at, Some(at(9)));
        let stale = act(
            a.id,
            1,
            Action::Answer {
                resolution: "x".into(),
            },
            9,
        )
        .await
        .unwrap_err();
        assert_eq!(conflict_field(stale), "version");

        let b = s
            .record_work_item(&c, item("用地指标不足"), at(3))
            .await
            .unwrap();
        let b = act(
            b.id,
            b.version,
            Action::Escalate {
                reason: "需市级统筹".into(),
            },
            4,
        )
        .await
        .unwrap();
        assert_eq!(
            (b.progress.state, b.progress.level),
            (State::Recorded, Level::City)
        );
        let b = act(
            b.id,
            b.version,
            Action::Consult {
                consultation_id: 1,
                decision: "市自然资源局牵头".into(),
            },
            5,
        )
        .await
        .unwrap();
        assert_eq!(b.progress.consultations, vec![1]);
        let log: Vec<String> = s
            .work_log(a.id)
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.action)
            .collect();
        assert_eq!(
            log,
            ["record", "assign", "answer", "confirm", "answer", "confirm"]
        );
        let of = |enterprise_id| WorkFilter {
            enterprise_id: Some(enterprise_id),
            ..Default::default()
        };
        assert_eq!(s.work_items(&of(e.id)).await.unwrap().len(), 2);
        let city = WorkFilter {
            level: Some(Level::City),
            ..of(e.id)
        };
        assert_eq!(s.work_items(&city).await.unwrap().len(), 1);
        let trail = s
            .audit_entries(&AuditFilter {
                target_type: Some("work_item".into()),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(trail.len(), 9);

        // A steward's visits: planned in a round, one done with its report, read by month.
        let d = |day: u32| chrono::NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
        let plan = |day: u32| onewindow_core::enterprise::visit::NewVisit {
            enterprise_id: e.id,
            project_id: Some(p.id),
            planned_on: d(day),
            round: Some("三月服务专班".into()),
        };
        let round = s
            .plan_visits(&c, s1.id, vec![plan(5), plan(25)], at(1))
            .await
            .unwrap();
        let v1 = round[0].clone();
        assert_eq!(round[1].round.as_deref(), Some("三月服务专班"));
        s.plan_visits(&c, s2.id, vec![plan(6)], at(1))
            .await
            .unwrap();
        let unknown = onewindow_core::enterprise::visit::NewVisit {
            enterprise_id: 999_999,
            ..plan(7)
        };
        let e = s
            .plan_visits(&c, s2.id, vec![plan(7), unknown], at(1))
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "enterprise_id");
        let report = onewindow_core::enterprise::visit::VisitReport {
            attendees: "张经理、管家".into(),
            notes: "收集问题两项".into(),
        };
        let done = s
            .report_visit(
                &c,
                v1.id,
                v1.version,
                VisitRecord {
                    report: report.clone(),
                    items: vec![],
                    photos: vec![],
                },
                at(5),
            )
            .await
            .unwrap()
            .0;
        assert_eq!((done.done_at, done.region_id), (Some(at(5)), o.street.id));
        let again = s
            .report_visit(
                &c,
                v1.id,
                v1.version,
                VisitRecord {
                    report,
                    items: vec![],
                    photos: vec![],
                },
                at(5),
            )
            .await
            .unwrap_err();
        assert_eq!(conflict_field(again), "version");
        let mine = s.visits(Some(s1.id), d(1), d(31)).await.unwrap();
        assert_eq!(mine.len(), 2);
        assert_eq!(mine.iter().filter(|v| v.done_at.is_some()).count(), 1);
        assert_eq!(
            s.visits(None, d(1), d(10)).await.unwrap().len(),
            2,
            "the round with an unknown enterprise left nothing"
        );
    });

    fn firm(name: &str, serial: &str, industry: &str, size: Size, region_id: i64) -> NewEnterprise {
        NewEnterprise {
            name: name.into(),
            uscc: uscc::build('9', '1', "211403", serial).unwrap(),
            industry: industry.into(),
            size,
            region_id,
            contact_name: "联系人".into(),
            contact_phone: "13904291234".into(),
            address: String::new(),
        }
        .check()
        .unwrap()
    }

    // A policy reaches the enterprises its audience matches, also one registered after it; a
    // consultation of two departments decides on an item in the same transaction, and one that
    // names an unknown department or a closed item leaves nothing; follow-ups are ticked off
    // under the version; a case goes under one project only; enterprise accounts; the figures'
    // facts of a month.
    each_db!(consultations_policies_cases_and_figures, |db| {
        use onewindow_core::enterprise::consultation::{FollowUp, Form, NewConsultation};
        use onewindow_core::enterprise::firm::Audience;
        use onewindow_core::enterprise::policy::NewPolicy;
        let s = db.store.clone();
        let f = super::cases::fixture(s.as_ref()).await;
        let o = &f.org;
        let c = ctx();
        let copper = s
            .create_enterprise(
                &c,
                firm("宏跃铜业", "MA000009", "C", Size::Medium, o.street.id),
                at(1),
            )
            .await
            .unwrap();
        s.create_enterprise(
            &c,
            firm("滨海建工", "MA00001X", "E", Size::Large, o.street.id),
            at(1),
        )
        .await
        .unwrap();
        let notice = NewPolicy {
            title: "制造业技术改造补助".into(),
            body: "设备投入的10%给予补助。".into(),
            department_id: o.dept_a.id,
            audience: Audience {
                industries: vec!["C".into()],
                sizes: vec![Size::Medium, Size::Small],
                region_paths: vec![],
            },
            until: None,
        };
        let p = s
            .publish_policy(&c, notice.clone(), o.district.id, at(2))
            .await
            .unwrap();
        assert_eq!((p.pushed, p.read), (1, 0));
        let later = s
            .create_enterprise(
                &c,
                firm("海纳精工", "MA000025", "C", Size::Small, o.street.id),
                at(3),
            )
            .await
            .unwrap();
        let got = s.pushes_to(later.id).await.unwrap();
        assert_eq!(got.len(), 1, "pushed on registration too");
        s.mark_policy_read(later.id, p.id, at(4)).await.unwrap();
        s.mark_policy_read(later.id, p.id, at(5)).await.unwrap();
        assert_eq!(s.pushes_to(later.id).await.unwrap()[0].read_at, Some(at(4)));
        let listed = s.policies(Some(&o.district.path)).await.unwrap();
        assert_eq!((listed[0].pushed, listed[0].read), (2, 1));
        let bad = NewPolicy {
            department_id: 9999,
            ..notice
        };
        let e = s
            .publish_policy(&c, bad, o.district.id, at(2))
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "department_id");
        assert_eq!(s.policies(None).await.unwrap().len(), 1);

        // Enterprises listed by region and name.
        assert_eq!(
            s.enterprises(Some(&o.district.path), None)
                .await
                .unwrap()
                .len(),
            3
        );
        assert_eq!(s.enterprises(None, Some("铜业")).await.unwrap().len(), 1);

        // An item heard on a visit; a visit to another enterprise is refused.
        let d = |day: u32| chrono::NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
        let steward = s
            .create_user(
                &c,
                new_user("steward.c", &["steward"], None, Some(o.district.id)),
                "h".into(),
            )
            .await
            .unwrap();
        let plan = |enterprise_id| onewindow_core::enterprise::visit::NewVisit {
            enterprise_id,
            project_id: None,
            planned_on: d(5),
            round: None,
        };
        let v = s
            .plan_visits(&c, steward.id, vec![plan(copper.id)], at(1))
            .await
            .unwrap()
            .remove(0);
        let other = s
            .plan_visits(&c, steward.id, vec![plan(later.id)], at(1))
            .await
            .unwrap()
            .remove(0);
        let item = |visit_id| NewItem {
            enterprise_id: copper.id,
            project_id: None,
            kind: Kind::Problem,
            title: "用电增容".into(),
            detail: String::new(),
            visit_id: Some(visit_id),
        };
        let e = s
            .record_work_item(&c, item(other.id), at(5))
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "visit_id");
        let photo = NewFile {
            material: "photo".into(),
            file_name: "现场.jpg".into(),
            content_type: "image/jpeg".into(),
            size: 3,
            sha256: "ab".repeat(32),
        };
        let report = onewindow_core::enterprise::visit::VisitReport {
            attendees: "张经理、管家".into(),
            notes: "收集问题两项".into(),
        };
        // An item of another enterprise on this visit's report: refused whole.
        let stray = NewItem {
            enterprise_id: later.id,
            ..item(v.id)
        };
        let e = s
            .report_visit(
                &c,
                v.id,
                v.version,
                VisitRecord {
                    report: report.clone(),
                    items: vec![item(v.id), stray],
                    photos: vec![photo.clone()],
                },
                at(5),
            )
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "items[1].enterprise_id");
        assert!(s.visit(v.id).await.unwrap().unwrap().done_at.is_none());
        assert!(s.visit_photos(v.id).await.unwrap().is_empty());
        let (_, heard) = s
            .report_visit(
                &c,
                v.id,
                v.version,
                VisitRecord {
                    report,
                    items: vec![item(v.id), item(v.id)],
                    photos: vec![photo],
                },
                at(5),
            )
            .await
            .unwrap();
        let (a, b) = (heard[0].clone(), heard[1].clone());
        assert_eq!(a.visit_id, Some(v.id));
        let on_visit = WorkFilter {
            visit_id: Some(v.id),
            ..Default::default()
        };
        assert_eq!(s.work_items(&on_visit).await.unwrap().len(), 2);
        let photos = s.visit_photos(v.id).await.unwrap();
        assert_eq!((photos.len(), photos[0].visit_id), (1, v.id));

        // A consultation decides on item a.
        let meeting = |departments: Vec<i64>, items: Vec<i64>| NewConsultation {
            form: Form::Joint,
            title: "用电增容会商".into(),
            held_on: d(6),
            level: Level::District,
            attendees: "发改局、供电公司、企业".into(),
            department_ids: departments,
            decisions: "供电公司月底前完成增容".into(),
            follow_ups: vec![FollowUp {
                task: "完成线路接入".into(),
                department_id: o.dept_b.id,
                due: d(31),
                done_on: None,
            }],
            item_ids: items,
        };
        let e = s
            .record_consultation(
                &c,
                meeting(vec![o.dept_a.id, 9999], vec![a.id]),
                o.district.id,
                at(6),
            )
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "department_ids[1]");
        let m = s
            .record_consultation(
                &c,
                meeting(vec![o.dept_a.id, o.dept_b.id], vec![a.id]),
                o.district.id,
                at(6),
            )
            .await
            .unwrap();
        let a2 = s.work_item(a.id).await.unwrap().unwrap();
        assert_eq!(a2.progress.consultations, vec![m.id]);
        let last = s.work_log(a.id).await.unwrap().pop().unwrap();
        assert_eq!(last.action, "consult");
        assert!(last.note.unwrap().contains("月底前"));
        // b is closed: a consultation naming it is refused whole.
        let b = s
            .act_on_work_item(
                &c,
                b.id,
                b.version,
                Action::Assign {
                    department_id: Some(o.dept_a.id),
                    deadline: Some(d(20)),
                },
                at(6),
            )
            .await
            .unwrap();
        let b = s
            .act_on_work_item(
                &c,
                b.id,
                b.version,
                Action::Answer {
                    resolution: "已办".into(),
                },
                at(7),
            )
            .await
            .unwrap();
        let e = s
            .record_consultation(
                &c,
                meeting(vec![o.dept_a.id, o.dept_b.id], vec![a.id, b.id]),
                o.district.id,
                at(8),
            )
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "item_ids[1]");
        assert_eq!(s.consultations(d(1), d(31)).await.unwrap().len(), 1);
        assert_eq!(
            s.work_log(a.id).await.unwrap().len(),
            2,
            "nothing half-written"
        );
        let done = s
            .finish_follow_up(&c, m.id, m.version, 0, at(9))
            .await
            .unwrap();
        assert_eq!(done.follow_ups[0].done_on, Some(d(9)));
        let e = s
            .finish_follow_up(&c, m.id, m.version, 0, at(9))
            .await
            .unwrap_err();
        assert_eq!(conflict_field(e), "version");

        // A project's cases.
        let project = NewProject {
            enterprise_id: copper.id,
            name: "精密铜带项目".into(),
            amount_fen: 1_000_000,
            stage: Stage::Approved,
            key_project: false,
            green_channel: true,
            milestones: vec![],
        };
        let pr = s
            .create_project(&c, project.clone(), Team::default(), at(1))
            .await
            .unwrap();
        let pr2 = s
            .create_project(&c, project, Team::default(), at(1))
            .await
            .unwrap();
        let case_id = s
            .create_cases(
                &c,
                Grouping::Single,
                vec![f.application("宏跃铜业", d(2))],
                vec![],
            )
            .await
            .unwrap()
            .case_ids[0];
        s.link_case(&c, pr.id, case_id, at(3)).await.unwrap();
        let e = s.link_case(&c, pr2.id, case_id, at(3)).await.unwrap_err();
        assert_eq!(invalid_field(e), "case");
        let e = s.link_case(&c, pr.id, 999_999, at(3)).await.unwrap_err();
        assert_eq!(invalid_field(e), "case");
        assert_eq!(s.project_cases(pr.id).await.unwrap(), vec![case_id]);
        let cp = s.case_projects(&[case_id, 999_999]).await.unwrap();
        assert_eq!(
            (cp.len(), cp[0].project_id, cp[0].green_channel),
            (1, pr.id, true)
        );

        // Enterprise accounts.
        let clerk = s
            .create_user(
                &c,
                new_user("not.firm", &["clerk"], Some(o.dept_a.id), None),
                "h".into(),
            )
            .await
            .unwrap();
        let e = s
            .set_enterprise_account(&c, clerk.id, copper.id)
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "user_id");
        let acct = s
            .create_user(
                &c,
                new_user("firm.acct", &["enterprise"], None, None),
                "h".into(),
            )
            .await
            .unwrap();
        s.set_enterprise_account(&c, acct.id, copper.id)
            .await
            .unwrap();
        assert_eq!(
            s.enterprise_of_account(acct.id).await.unwrap(),
            Some(copper.id)
        );
        assert_eq!(s.enterprise_of_account(clerk.id).await.unwrap(), None);

        // The month's facts: both items (one answered), the two visits planned.
        let (items, visits) = s.service_facts(d(1), d(31)).await.unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items.iter().filter(|i| i.answered_at.is_some()).count(), 1);
        assert_eq!(visits.len(), 2);
        let (items, visits) = s.service_facts(d(10), d(31)).await.unwrap();
        assert_eq!(
            (items.len(), visits.len()),
            (2, 0),
            "still open, so still counted"
        );
    });
}

mod petitions {
    use super::*;
    use onewindow_core::petitions::case::{Action, Authorization, Ledger, NewPetition, State};
    use onewindow_core::petitions::rota::RotaDay;
    use onewindow_core::petitions::station::NewStation;
    use onewindow_store::PetitionFilter;

    fn at(d: u32) -> chrono::DateTime<chrono::Utc> {
        use chrono::TimeZone;
        onewindow_core::time::china()
            .with_ymd_and_hms(2026, 6, d, 10, 0, 0)
            .unwrap()
            .to_utc()
    }

    fn day(d: u32) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 6, d).unwrap()
    }

    // A station with its agent takes a backlog case in under a signed authorization; the agent
    // runs an errand, the department's outcome comes back, the case is resolved and rated; the
    // trail has every step and the audit names no personal data, and each view of it is
    // recorded. An agent of another station, a non-agent and a stale version are refused; the
    // rota keeps one leader a day; the ledgers' facts.
    each_db!(a_petition_goes_from_a_station_to_its_resolution, |db| {
        let s = db.store.clone();
        let o = org(s.as_ref()).await;
        let c = ctx();
        let station = s
            .create_station(
                &c,
                NewStation {
                    name: "龙海社区信访代理站".into(),
                    region_id: o.street.id,
                    address: String::new(),
                }
                .check()
                .unwrap(),
                at(1),
            )
            .await
            .unwrap();
        let user = |n: &str, role: &str| new_user(n, &[role], None, Some(o.street.id));
        let agent = s
            .create_user(&c, user("agent.a", "agent"), "h".into())
            .await
            .unwrap();
        let clerk = s
            .create_user(&c, user("clerk.a", "clerk"), "h".into())
            .await
            .unwrap();
        let leader = s
            .create_user(&c, user("leader.a", "leader"), "h".into())
            .await
            .unwrap();
        let e = s
            .set_station_agents(&c, station.id, station.version, vec![clerk.id], at(1))
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "agents[0]");
        let station = s
            .set_station_agents(&c, station.id, station.version, vec![agent.id], at(1))
            .await
            .unwrap();
        assert_eq!(station.agents, vec![agent.id]);

        let new = NewPetition {
            ledger: Ledger::Backlog,
            petitioner_name: "王大爷".into(),
            petitioner_id_number: "11010519491231002X".into(),
            petitioner_phone: "13904295555".into(),
            petitioner_address: String::new(),
            subject: "宅基地确权纠纷".into(),
            detail: String::new(),
            authorization: Some(Authorization {
                sha256: "cd".repeat(32),
                file_name: "代理委托书.pdf".into(),
                signed_on: day(1),
            }),
        }
        .check(day(1))
        .unwrap();
        let e = s
            .take_petition(&c, station.id, clerk.id, new.clone(), at(1))
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "agent_id");
        let p = s
            .take_petition(&c, station.id, agent.id, new, at(1))
            .await
            .unwrap();
        assert!(p.number.starts_with("XF20260601"), "{}", p.number);
        assert_eq!(
            (p.region_id, p.progress.state),
            (o.street.id, State::InHand)
        );

        let act = |id: i64, version: i64, a: Action, d: u32| {
            let s = s.clone();
            async move { s.act_on_petition(&ctx(), id, version, a, at(d)).await }
        };
        let errand = Action::Errand {
            department_id: o.dept_a.id,
            task: "协调确权登记".into(),
            deadline: day(10),
        };
        let p = act(p.id, p.version, errand.clone(), 2).await.unwrap();
        let e = act(p.id, p.version - 1, errand, 2).await.unwrap_err();
        assert_eq!(conflict_field(e), "version");
        let p = act(p.id, p.version, Action::Visit, 3).await.unwrap();
        let p = act(
            p.id,
            p.version,
            Action::Outcome {
                step: 0,
                outcome: "已出具确权意见".into(),
            },
            8,
        )
        .await
        .unwrap();
        let p = act(
            p.id,
            p.version,
            Action::Resolve {
                outcome: "双方达成调解协议".into(),
            },
            9,
        )
        .await
        .unwrap();
        assert_eq!(p.progress.resolved_on, Some(day(9)));
        let p = act(
            p.id,
            p.version,
            Action::Feedback {
                satisfaction: 5,
                note: None,
            },
            10,
        )
        .await
        .unwrap();
        assert_eq!(p.progress.satisfaction, Some(5));
        let log: Vec<String> = s
            .petition_log(p.id)
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.action)
            .collect();
        assert_eq!(
            log,
            ["take", "errand", "visit", "outcome", "resolve", "feedback"]
        );
        s.record_petition_view(&c, p.id).await.unwrap();
        let trail = s
            .audit_entries(&AuditFilter {
                target_type: Some("petition".into()),
                target_id: Some(p.id),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(trail.len(), 7);
        assert_eq!(trail[0].action, "petition.view");
        let trail_len = trail.len();
        for e in &trail {
            let text = serde_json::to_string(&e.summary).unwrap();
            assert!(
                !text.contains("王大爷") && !text.contains("11010519491231002X"),
                "no personal data in the audit: {text}"
            );
        }

        // The guarantor is a leader.
        let e = s
            .set_guarantor(&c, p.id, p.version, Some(clerk.id), at(11))
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "leader_id");
        let g = s
            .set_guarantor(&c, p.id, p.version, Some(leader.id), at(11))
            .await
            .unwrap();
        let mine = PetitionFilter {
            guarantor_id: Some(leader.id),
            ..Default::default()
        };
        assert_eq!(s.petitions(&mine).await.unwrap()[0].id, g.id);
        let street = PetitionFilter {
            region_path: Some(o.street.path.clone()),
            ledger: Some(Ledger::Backlog),
            ..Default::default()
        };
        assert_eq!(s.petitions(&street).await.unwrap().len(), 1);

        // The rota: a leader a day, the last word for a day wins; a clerk cannot receive.
        let e = s
            .set_rota(
                &c,
                vec![RotaDay {
                    day: day(1),
                    leader_id: clerk.id,
                }],
            )
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "days[0].leader_id");
        let days = vec![
            RotaDay {
                day: day(1),
                leader_id: leader.id,
            },
            RotaDay {
                day: day(2),
                leader_id: leader.id,
            },
        ];
        s.set_rota(&c, days.clone()).await.unwrap();
        s.set_rota(&c, days).await.unwrap();
        assert_eq!(s.rota(day(1), day(30)).await.unwrap().len(), 2);

        // A reception by the day's leader, tied to the case; another leader or a day without
        // reception is refused. The guarantor's meeting and the aid given.
        use onewindow_core::petitions::support::{Aid, AidKind, Meeting, Reception};
        let other = s
            .create_user(&c, user("leader.b", "leader"), "h".into())
            .await
            .unwrap();
        let reception = |leader_id: i64, d: u32| Reception {
            day: day(d),
            leader_id,
            visitor: "王大爷".into(),
            matter: "宅基地确权".into(),
            petition_id: Some(p.id),
            notes: String::new(),
        };
        let e = s
            .record_reception(&c, reception(other.id, 2), at(2))
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "leader_id");
        let e = s
            .record_reception(&c, reception(leader.id, 3), at(3))
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "day");
        let stray = Reception {
            petition_id: Some(999_999),
            ..reception(leader.id, 2)
        };
        let e = s.record_reception(&c, stray, at(2)).await.unwrap_err();
        assert_eq!(invalid_field(e), "petition_id");
        s.record_reception(&c, reception(leader.id, 2), at(2))
            .await
            .unwrap();
        let seen = s.receptions(day(1), day(30)).await.unwrap();
        assert_eq!((seen.len(), seen[0].petition_id), (1, Some(p.id)));
        s.add_meeting(
            &c,
            p.id,
            Meeting {
                held_on: day(5),
                attendees: "包保领导、自然资源局".into(),
                notes: "三日内出具确权意见".into(),
            },
            at(5),
        )
        .await
        .unwrap();
        assert_eq!(s.meetings(p.id).await.unwrap().len(), 1);
        s.record_aid(
            &c,
            p.id,
            Aid {
                kind: AidKind::Hardship,
                amount_fen: 200_000,
                decided_on: day(9),
                outcome: "已发放临时救助".into(),
            },
            at(9),
        )
        .await
        .unwrap();
        assert_eq!(s.aid_of(p.id).await.unwrap()[0].amount_fen, 200_000);
        let trail = s
            .audit_entries(&AuditFilter {
                target_type: Some("petition".into()),
                target_id: Some(p.id),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            trail.len(),
            trail_len + 3,
            "the guarantor, the meeting and the aid"
        );

        // The ledgers' facts.
        let facts = s.petition_facts(day(30)).await.unwrap();
        assert_eq!(facts.len(), 1);
        assert_eq!(
            (facts[0].unit, facts[0].ledger, facts[0].resolved_on),
            (o.street.id, Ledger::Backlog, Some(day(9)))
        );
        assert!(
            s.petition_facts(day(1) - chrono::Duration::days(1))
                .await
                .unwrap()
                .is_empty()
        );
    });

    // A roster of accounts, stations with their agents and an earlier ledger's cases are each
    // written all or nothing: a bad account, agent or case leaves nothing behind, and the bad
    // case is named by its place in the batch. The cases carried over keep their steps, trail,
    // guarantor, meetings and aid, with one audit entry each.
    each_db!(a_ledger_is_carried_over_all_or_nothing, |db| {
        use onewindow_core::petitions::support::{Aid, AidKind, Meeting};
        use onewindow_store::PetitionHistory;
        let s = db.store.clone();
        let o = org(s.as_ref()).await;
        let c = ctx();
        let user = |n: &str, role: &str| new_user(n, &[role], None, Some(o.street.id));
        let e = s
            .create_users(
                &c,
                vec![user("agent.x", "agent"), user("agent.x", "agent")],
                "h".into(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Domain(DomainError::Conflict(_))),
            "{e:?}"
        );
        assert!(s.user_by_username("agent.x").await.unwrap().is_none());
        let made = s
            .create_users(
                &c,
                vec![
                    user("agent.x", "agent"),
                    user("clerk.x", "clerk"),
                    user("leader.x", "leader"),
                ],
                "h".into(),
            )
            .await
            .unwrap();
        let (agent, clerk, leader) = (made[0].id, made[1].id, made[2].id);
        let station = |name: &str| NewStation {
            name: name.into(),
            region_id: o.street.id,
            address: String::new(),
        };
        let e = s
            .create_stations(
                &c,
                vec![
                    (station("甲站"), vec![agent]),
                    (station("乙站"), vec![clerk]),
                ],
                at(1),
            )
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "agents[0]");
        assert!(s.stations(None).await.unwrap().is_empty());
        let st = s
            .create_stations(&c, vec![(station("甲站"), vec![agent])], at(1))
            .await
            .unwrap();
        assert_eq!(st[0].agents, vec![agent]);

        let new = NewPetition {
            ledger: Ledger::Backlog,
            petitioner_name: "陈秀芝".into(),
            petitioner_id_number: "11010519491231002X".into(),
            petitioner_phone: "13904295555".into(),
            petitioner_address: String::new(),
            subject: "生活困难申请救助".into(),
            detail: String::new(),
            authorization: Some(Authorization {
                sha256: "cd".repeat(32),
                file_name: "代理委托书.pdf".into(),
                signed_on: day(1),
            }),
        }
        .check(day(1))
        .unwrap();
        let errand = Action::Errand {
            department_id: o.dept_a.id,
            task: "申请临时救助".into(),
            deadline: day(10),
        };
        let good = PetitionHistory {
            station_id: st[0].id,
            agent_id: agent,
            petition: new.clone(),
            taken_at: at(1),
            steps: vec![
                (at(2), errand.clone()),
                (
                    at(5),
                    Action::Outcome {
                        step: 0,
                        outcome: "民政局已批准".into(),
                    },
                ),
                (
                    at(6),
                    Action::Resolve {
                        outcome: "救助到位".into(),
                    },
                ),
                (
                    at(7),
                    Action::Feedback {
                        satisfaction: 5,
                        note: None,
                    },
                ),
            ],
            guarantor_id: Some(leader),
            meetings: vec![Meeting {
                held_on: day(3),
                attendees: "包保领导、民政局".into(),
                notes: "研究救助方案".into(),
            }],
            aid: vec![Aid {
                kind: AidKind::Hardship,
                amount_fen: 1_500_000,
                decided_on: day(5),
                outcome: "发放1.5万元".into(),
            }],
        };
        // Resolved with its errand unanswered: the second case is refused, and the first with it.
        let bad = PetitionHistory {
            steps: vec![
                (at(2), errand),
                (
                    at(3),
                    Action::Resolve {
                        outcome: "已化解".into(),
                    },
                ),
            ],
            guarantor_id: None,
            meetings: Vec::new(),
            aid: Vec::new(),
            ..good.clone()
        };
        let e = s
            .import_petitions(&c, vec![good.clone(), bad])
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "cases[1].outcome");
        let none = PetitionFilter::default();
        assert!(s.petitions(&none).await.unwrap().is_empty());
        let e = s
            .import_petitions(
                &c,
                vec![PetitionHistory {
                    agent_id: clerk,
                    ..good.clone()
                }],
            )
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), "cases[0].agent_id");

        assert_eq!(s.import_petitions(&c, vec![good]).await.unwrap(), 1);
        let p = s.petitions(&none).await.unwrap().remove(0);
        assert_eq!(
            (p.progress.state, p.progress.resolved_on, p.guarantor_id),
            (State::Resolved, Some(day(6)), Some(leader))
        );
        assert_eq!(p.progress.satisfaction, Some(5));
        let steps: Vec<String> = s
            .petition_log(p.id)
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.action)
            .collect();
        assert_eq!(steps, ["take", "errand", "outcome", "resolve", "feedback"]);
        assert_eq!(s.meetings(p.id).await.unwrap().len(), 1);
        assert_eq!(s.aid_of(p.id).await.unwrap()[0].amount_fen, 1_500_000);
        let guaranteed = PetitionFilter {
            guaranteed: true,
            ..Default::default()
        };
        assert_eq!(s.petitions(&guaranteed).await.unwrap().len(), 1);
        s.set_guarantor(&c, p.id, p.version, None, at(8))
            .await
            .unwrap();
        assert!(s.petitions(&guaranteed).await.unwrap().is_empty());
        let aid = s.aid_facts(day(1), day(30)).await.unwrap();
        assert_eq!(
            (aid.len(), aid[0].unit, aid[0].amount_fen),
            (1, o.street.id, 1_500_000)
        );
        assert!(s.aid_facts(day(6), day(30)).await.unwrap().is_empty());
        let trail = s
            .audit_entries(&AuditFilter {
                target_type: Some("petition".into()),
                target_id: Some(p.id),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            trail.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["petition.guarantor", "petition.import"],
            "one entry for the import, one for clearing the guarantor since"
        );
        assert!(!trail[0].summary.contains("陈秀芝"));
        assert!(s.verify_audit().await.unwrap().is_ok());
    });
}

// The trail spreads over its chains; a checkpoint binds their heads; cutting a chain's end off
// together with its head looks whole on its own and is found against the checkpoint; an entry
// put beside the chains is found.
each_db!(the_trail_is_held_to_its_checkpoints, |db| {
    let s = db.store.clone();
    {
        org(s.as_ref()).await;
        for id in 0..60 {
            s.append_audit(
                &ctx(),
                onewindow_core::audit::Change {
                    action: "case.update".into(),
                    target_type: "case".into(),
                    target_id: Some(id),
                    department_id: None,
                    region_id: None,
                    summary: serde_json::json!({"after": {"n": id}}),
                },
            )
            .await
            .unwrap();
        }
        assert_eq!(s.verify_audit().await.unwrap(), Ok(65));
        let heads = s.audit_heads().await.unwrap();
        assert_eq!(heads.len(), 16);
        assert!(
            heads.iter().filter(|h| h.link > 0).count() >= 12,
            "{heads:?}"
        );
        let cp = s.take_audit_checkpoint().await.unwrap();
        assert!(cp.is_whole());
        assert_eq!(s.audit_checkpoints(5).await.unwrap(), vec![cp.clone()]);
        assert_eq!(s.check_audit_checkpoint(&cp).await.unwrap(), Ok(()));
        // Cut the last entry of the longest chain, and its head back one place.
        let h = heads.iter().max_by_key(|h| h.link).unwrap().clone();
        db.tamper_sql(&[
            format!(
                "DELETE FROM audit_log WHERE chain = {} AND link = {}",
                h.chain, h.link
            ),
            format!(
                "UPDATE audit_heads SET link = link - 1, hash = (SELECT hash FROM audit_log \
                     WHERE chain = {0} AND link = {1}) WHERE chain = {0}",
                h.chain,
                h.link - 1
            ),
            "DELETE FROM audit_checkpoints".to_string(),
        ])
        .await
        .unwrap();
        assert_eq!(
            s.verify_audit().await.unwrap(),
            Ok(64),
            "alone it looks whole"
        );
        assert_eq!(
            s.check_audit_checkpoint(&cp).await.unwrap(),
            Err(Broken::Checkpoint {
                at: cp.at,
                chain: h.chain
            }),
            "the published checkpoint finds it"
        );
        db.tamper_sql(&[
            "INSERT INTO audit_log (seq, chain, link, at, actor_name, actor_role, \
             action, target_type, summary, prev_hash, hash) SELECT seq + 1000, 99, 1, at, \
             actor_name, actor_role, action, target_type, summary, prev_hash, hash \
             FROM audit_log WHERE seq = 1"
                .to_string(),
        ])
        .await
        .unwrap();
        assert_eq!(
            s.verify_audit().await.unwrap(),
            Err(Broken::Outside { count: 1 })
        );
    }
});

mod licences {
    use super::*;
    use onewindow_core::licence::kind::{FieldSource, FieldSpec, NewLicenceKind, Validity};
    use onewindow_core::licence::record::{Holder, HolderKind, LicenceField, Status};
    use onewindow_core::licence::seal::{SealKey, hex, unhex, verify};
    use onewindow_store::{LicenceFilter, NewLicence, SealKeyRecord};

    fn at(d: u32) -> chrono::DateTime<chrono::Utc> {
        use chrono::TimeZone;
        onewindow_core::time::china()
            .with_ymd_and_hms(2026, 6, d, 10, 0, 0)
            .unwrap()
            .to_utc()
    }

    fn day(d: u32) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 6, d).unwrap()
    }

    fn key(seed: u8, department_id: i64) -> (SealKey, SealKeyRecord) {
        let mut secret = [seed; 32];
        secret[0] = 1;
        let k = SealKey::from_secret(&secret).unwrap();
        let rec = SealKeyRecord {
            key_id: k.id.clone(),
            department_id,
            public_key: hex(&k.public),
            // What the service seals with the installation's key; the store keeps it as given.
            sealed_secret: format!("sealed:{seed}"),
            active: true,
            created_at: at(1),
            retired_at: None,
        };
        (k, rec)
    }

    // A licence type of a department, its seal key rotated (the old one kept, inactive), two
    // licences issued from the type's series and signed once numbered, read back whole, by
    // code, by holder; a status change under the version with its reason; a stale version
    // refused; the trail names numbers, never the holder's ID number.
    each_db!(licences_are_numbered_signed_kept_and_revoked, |db| {
        let s = db.store.clone();
        let o = org(s.as_ref()).await;
        let c = ctx();
        let kind = s
            .create_licence_kind(
                &c,
                NewLicenceKind {
                    code: "spjy".into(),
                    name: "食品经营许可证".into(),
                    department_id: o.dept_a.id,
                    fields: vec![FieldSpec {
                        key: "premises".into(),
                        label: "经营场所".into(),
                        source: FieldSource::Entered,
                        required: true,
                        max_len: 100,
                    }],
                    validity: Validity::Years(5),
                    prefix: "JY211403".into(),
                },
                at(1),
            )
            .await
            .unwrap();
        assert_eq!(kind.validity, Validity::Years(5));
        assert_eq!(s.licence_kinds().await.unwrap(), vec![kind.clone()]);
        let e = s
            .create_licence_kind(
                &c,
                NewLicenceKind {
                    prefix: "JY 2".into(),
                    code: "other".into(),
                    ..NewLicenceKind {
                        code: String::new(),
                        name: "x".into(),
                        department_id: o.dept_a.id,
                        fields: kind.fields.clone(),
                        validity: Validity::Indefinite,
                        prefix: String::new(),
                    }
                },
                at(1),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Domain(ref d) if d.to_string().contains("prefix")),
            "{e}"
        );

        let (old, old_rec) = key(3, o.dept_a.id);
        s.add_seal_key(&c, old_rec, at(1)).await.unwrap();
        let (k, rec) = key(4, o.dept_a.id);
        s.add_seal_key(&c, rec, at(2)).await.unwrap();
        let keys = s.seal_keys(Some(o.dept_a.id)).await.unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(
            (keys[0].key_id.as_str(), keys[0].active),
            (k.id.as_str(), true)
        );
        assert_eq!(
            (keys[1].key_id.as_str(), keys[1].active),
            (old.id.as_str(), false)
        );
        assert!(keys[1].retired_at.is_some());

        let issue = |holder: &str, code: &str| NewLicence {
            number: None,
            kind_id: kind.id,
            holder: Holder {
                kind: HolderKind::Enterprise,
                id_number: holder.into(),
                name: "龙港鲜味餐饮有限公司".into(),
            },
            fields: vec![LicenceField {
                key: "premises".into(),
                label: "经营场所".into(),
                value: "龙港区滨海路1号".into(),
            }],
            issued_on: day(2),
            expires_on: Validity::Years(5).expires_on(day(2)),
            case_id: None,
            key_id: k.id.clone(),
            verify_code: code.into(),
        };
        let sign = |l: &onewindow_core::licence::Licence| hex(&k.sign(&l.canonical()));
        let (first, sig) = s
            .issue_licence(&c, issue("91211403MA0000001X", "code-1"), &sign, at(2))
            .await
            .unwrap();
        let (second, _) = s
            .issue_licence(&c, issue("91211403MA0000002X", "code-2"), &sign, at(2))
            .await
            .unwrap();
        assert_eq!(first.number, "JY2114032026000001");
        assert_eq!(second.number, "JY2114032026000002");
        assert_eq!(first.department_name, o.dept_a.name);
        assert_eq!(
            first.expires_on,
            chrono::NaiveDate::from_ymd_opt(2031, 6, 1)
        );
        // The signature was made over the licence as kept, number and all.
        let (back, back_sig) = s.licence(first.id).await.unwrap().unwrap();
        assert_eq!(back, first);
        assert_eq!(back_sig, sig);
        assert_eq!(
            verify(&k.public, &back.canonical(), &unhex(&back_sig).unwrap()),
            Ok(true)
        );
        assert_eq!(
            s.licence_by_code("code-2").await.unwrap().unwrap().0.id,
            second.id
        );
        assert!(s.licence_by_code("nope").await.unwrap().is_none());
        let mine = s
            .licences(&LicenceFilter {
                holder_id: Some("91211403MA0000001X".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(mine.iter().map(|l| l.id).collect::<Vec<_>>(), [first.id]);
        let all = s
            .licences(&LicenceFilter {
                department_id: Some(o.dept_a.id),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(all.len(), 2);
        // A reader's scope is in the query: another department's sees none of them.
        let scoped = |scope: ScopeFilter| LicenceFilter {
            scope,
            ..Default::default()
        };
        let theirs = s
            .licences(&scoped(ScopeFilter::department(o.dept_b.id)))
            .await
            .unwrap();
        assert!(theirs.is_empty(), "{theirs:?}");
        let ours = s
            .licences(&scoped(ScopeFilter::department(o.dept_a.id)))
            .await
            .unwrap();
        assert_eq!(ours.len(), 2);
        let district = s
            .licences(&scoped(ScopeFilter::region(o.district.path.clone())))
            .await
            .unwrap();
        assert_eq!(district.len(), 2, "the district covers its departments");
        let street = s
            .licences(&scoped(ScopeFilter::region(o.street.path.clone())))
            .await
            .unwrap();
        assert!(street.is_empty(), "a street covers no district department");

        // Revoked with its reason; the version moves, and the old one is refused.
        let revoked = s
            .set_licence_status(
                &c,
                first.id,
                1,
                Status::Revoked,
                "以欺骗手段取得许可",
                at(3),
            )
            .await
            .unwrap();
        assert_eq!(revoked.status, Status::Revoked);
        assert_eq!(revoked.status_reason.as_deref(), Some("以欺骗手段取得许可"));
        assert_eq!(revoked.version, 2);
        let e = s
            .set_licence_status(&c, first.id, 1, Status::Cancelled, "x", at(3))
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Domain(onewindow_core::DomainError::Conflict(ref f)) if f.field == "version"),
            "{e}"
        );
        let trail = s
            .audit_entries(&AuditFilter {
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap();
        let licence_entries: Vec<_> = trail
            .iter()
            .filter(|e| e.target_type == "licence")
            .collect();
        assert_eq!(licence_entries.len(), 3, "two issued, one revoked");
        assert!(
            trail
                .iter()
                .all(|e| !e.summary.contains("91211403MA000000")),
            "no holder's ID in the trail"
        );
        assert!(trail.iter().any(|e| e.action == "seal_key.create"));
        assert!(s.verify_audit().await.unwrap().is_ok());
    });
}
