//! Electronic licences over HTTP, on both databases: a case concluded on a matter whose result is
//! a licence issues it in the same transaction, numbered from its type's series and sealed with
//! the department's SM2 key; the public keys verify it; its QR code's page tells the three
//! answers apart and shows a revocation at once; a licence that cannot be filled from the case
//! stops the conclusion whole.

use crate::each_app;
use crate::evaluation::filed_case;
use crate::support::TestApp;
use onewindow_core::audit::Context;
use onewindow_core::licence::kind::{FieldSource, FieldSpec, NewLicenceKind, Validity};
use onewindow_core::licence::record::Status;
use onewindow_core::licence::seal::{unhex, verify};
use onewindow_core::time::display;
use onewindow_store::LicenceFilter;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn spec(key: &str, label: &str, source: FieldSource) -> FieldSpec {
    FieldSpec {
        key: key.into(),
        label: label.into(),
        source,
        required: true,
        max_len: 100,
    }
}

/// Makes the case's matter issue a licence of a new type with these fields, issued by the
/// case's department.
async fn licensed(app: &TestApp, case_id: i64, code: &str, fields: Vec<FieldSpec>) -> i64 {
    licensed_by(app, case_id, code, fields, None).await
}

/// The same, the type issued by another department when one is named.
async fn licensed_by(
    app: &TestApp,
    case_id: i64,
    code: &str,
    fields: Vec<FieldSpec>,
    department: Option<i64>,
) -> i64 {
    let store = app.db().store.clone();
    let d = store.dossier(case_id).await.unwrap().unwrap();
    let ctx = Context::system("test");
    let kind = store
        .create_licence_kind(
            &ctx,
            NewLicenceKind {
                code: code.into(),
                name: "测试许可证".into(),
                department_id: department.unwrap_or(d.case.department_id),
                fields,
                validity: Validity::Years(2),
                prefix: format!("T{}", code.to_uppercase()),
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    store
        .set_matter_licence_kind(&ctx, d.case.matter_id, Some(kind.id), chrono::Utc::now())
        .await
        .unwrap();
    kind.id
}

/// The licences a case issued.
async fn issued_on(app: &TestApp, case_id: i64) -> Vec<onewindow_core::licence::Licence> {
    app.db()
        .store
        .licences(&LicenceFilter {
            case_id: Some(case_id),
            ..Default::default()
        })
        .await
        .unwrap()
}

/// A case the citizen filed, concluded on the spot on a matter whose result is a licence of a
/// new type (`code`; 持证人 and 办件编号), issued by `department` or the case's: the licence.
async fn concluded_with_licence(
    app: &TestApp,
    code: &str,
    department: Option<i64>,
) -> onewindow_core::licence::Licence {
    let id = filed_case(app).await;
    licensed_by(
        app,
        id,
        code,
        vec![
            spec("holder", "持证人", FieldSource::Holder),
            spec("case", "办件编号", FieldSource::CaseNumber),
        ],
        department,
    )
    .await;
    let (s, v) = conclude(app, id).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut issued = issued_on(app, id).await;
    assert_eq!(issued.len(), 1);
    issued.remove(0)
}

async fn conclude(app: &TestApp, id: i64) -> (StatusCode, Value) {
    let clerk = app.token("clerk").await;
    crate::cases::upload_required(app, &app.token("citizen").await, id).await;
    crate::cases::act(app, &clerk, id, json!({"action": "conclude_on_spot"})).await
}

each_app!(
    a_concluded_case_issues_a_sealed_licence_that_verifies,
    |app| {
        // A licence the approver must write a field of (经营场所) stops a conclusion that does
        // not write it, or writes one the type does not have: the case stays as it was, and no
        // licence or number is spent.
        let id = filed_case(app).await;
        licensed(
            app,
            id,
            "bad",
            vec![spec("premises", "经营场所", FieldSource::Entered)],
        )
        .await;
        let (s, e) = conclude(app, id).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("licence.premises")),
            "{e}"
        );
        assert!(e["message"].as_str().unwrap().contains("经营场所"), "{e}");
        let clerk = app.token("clerk").await;
        let (s, e) = crate::cases::act(
            app,
            &clerk,
            id,
            json!({"action": "conclude_on_spot", "licence": {"premises": "滨海路1号", "scope": "餐饮"}}),
        )
        .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("licence.scope")),
            "a field the type does not have: {e}"
        );
        let store = app.db().store.clone();
        let d = store.dossier(id).await.unwrap().unwrap();
        assert_eq!(
            d.case.state.code(),
            "submitted",
            "the case is not concluded"
        );
        assert!(issued_on(app, id).await.is_empty());

        // The case page offers the field in the conclusion's form, by its label; written there,
        // it is printed on the licence.
        let cookie = crate::pages::sign_in_cookie(app, "clerk").await;
        let path = format!("/cases/{id}");
        let (_, html) = crate::pages::page(app, &path, &cookie).await;
        assert!(html.contains(r#"name="licence.premises""#), "{html}");
        assert!(html.contains("证照·经营场所"), "labelled for the reader");
        let version = d.case.version.to_string();
        let (s, to) = crate::pages::post_form(
            app,
            &cookie,
            &path,
            &format!("{path}/act"),
            &[
                ("action", "conclude_on_spot"),
                ("version", &version),
                ("licence.premises", " 龙港区滨海路1号 "),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert!(to.starts_with(&path), "{to}");
        let written = issued_on(app, id).await;
        assert_eq!(written.len(), 1);
        assert_eq!(written[0].fields[0].value, "龙港区滨海路1号");
        // The case names what it issued, and the 送达 step says what it delivers and how.
        let (_, html) = crate::pages::page(app, &path, &cookie).await;
        let number = &written[0].number;
        assert!(html.contains("办理结果：电子证照"), "{html}");
        assert!(html.contains(&format!("/licences/{}", written[0].id)));
        assert!(
            html.contains(&format!("送达测试许可证（{number}）")),
            "the delivery's note names the licence: {html}"
        );

        // The type fixed: the conclusion issues the licence in its transaction.
        let l = &concluded_with_licence(app, "ok", None).await;
        let case = store.dossier(l.case_id.unwrap()).await.unwrap().unwrap();
        let year = chrono::Datelike::year(&l.issued_on);
        assert_eq!(l.number, format!("TOK{year}000001"));
        assert_eq!(l.holder.name, "李女士");
        assert_eq!(l.fields[1].value, case.case.number);
        assert_eq!(l.expires_on, Validity::Years(2).expires_on(l.issued_on));

        // The holder finds it in her licences; another holder and another department do not.
        let numbers = |v: Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|l| l["number"].as_str().unwrap().to_string())
                .collect()
        };
        let (s, mine) = app
            .get("/api/v1/licences", &app.token("citizen").await)
            .await;
        assert_eq!(s, StatusCode::OK, "{mine}");
        assert_eq!(
            numbers(mine),
            vec![l.number.clone(), number.clone()],
            "hers, the newest first"
        );
        let (_, theirs) = app
            .get("/api/v1/licences", &app.token("enterprise").await)
            .await;
        assert!(!numbers(theirs).contains(&l.number));
        let other = app.token("approver-sthj").await;
        let (_, elsewhere) = app.get("/api/v1/licences", &other).await;
        assert!(
            !numbers(elsewhere).contains(&l.number),
            "another department's staff"
        );
        let (s, _) = app
            .get(
                &format!("/api/v1/licences?department_id={}", l.department_id),
                &other,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // Anyone checks its seal against the published keys.
        let (s, keys) = app
            .call(Method::GET, "/api/v1/licence-keys", None, None)
            .await;
        assert_eq!(s, StatusCode::OK);
        let key = keys["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["key_id"] == l.key_id.as_str())
            .unwrap_or_else(|| panic!("{} not in {keys}", l.key_id));
        assert_eq!(key["active"], true);
        assert!(
            !key.to_string().contains("sealed"),
            "no secret is published"
        );
        let (_, signature) = store.licence(l.id).await.unwrap().unwrap();
        let public = unhex(key["public_key"].as_str().unwrap()).unwrap();
        assert_eq!(
            verify(&public, &l.canonical(), &unhex(&signature).unwrap()),
            Ok(true)
        );
        let mut forged = l.clone();
        forged.fields[0].value = "张三".into();
        assert_eq!(
            verify(&public, &forged.canonical(), &unhex(&signature).unwrap()),
            Ok(false),
            "one changed field fails"
        );

        // Its QR code's page: the three answers, and the fields to compare with the paper.
        let (s, html) = crate::pages::page(app, &format!("/verify/{}", l.verify_code), "").await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("与签发机关签章时一致，未被篡改"), "{html}");
        assert!(
            html.contains(">有效<") || html.contains("证照状态：</b>有效"),
            "{html}"
        );
        assert!(html.contains(&l.department_name) && html.contains(&l.number));
        assert!(html.contains("李女士"));
        assert!(!html.contains("110105"), "a person's ID number is masked");
        // Revoked: the page says so at once, with the reason.
        store
            .set_licence_status(
                &Context::system("test"),
                l.id,
                l.version,
                Status::Revoked,
                "以欺骗手段取得",
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        let (_, html) = crate::pages::page(app, &format!("/verify/{}", l.verify_code), "").await;
        assert!(
            html.contains("已吊销") && html.contains("以欺骗手段取得"),
            "{html}"
        );
        // A forged code learns nothing.
        let (s, _) = crate::pages::page(app, "/verify/AAAAAAAAAAAAAAAAAAAA", "").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // The trail has the issue with the conclusion.
        let admin = app.token("admin").await;
        let (_, trail) = app
            .get(
                &format!("/api/v1/audit?target_type=licence&target_id={}", l.id),
                &admin,
            )
            .await;
        let actions: Vec<&str> = trail
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["licence.revoke", "licence.issue"], "{trail}");
    }
);

/// `onewindow licence verify FILE --keys URL`, as a user runs it: exit code and the one line.
async fn verify_offline(app: &TestApp, file: &[u8]) -> (i32, String) {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("ow-licence-{}-{n}.pdf", std::process::id()));
    std::fs::write(&path, file).unwrap();
    let keys = app.url("/api/v1/licence-keys");
    let p = path.to_string_lossy().to_string();
    let out = tokio::task::spawn_blocking(move || {
        crate::cli::run(&["licence", "verify", &p, "--keys", &keys])
    })
    .await
    .unwrap();
    let _ = std::fs::remove_file(&path);
    out
}

async fn download(app: &TestApp, id: i64, token: &str) -> (StatusCode, Vec<u8>) {
    let res = app
        .http
        .get(app.url(&format!("/api/v1/licences/{id}/file")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status();
    if status == StatusCode::OK {
        assert_eq!(res.headers()["content-type"], "application/pdf");
        assert!(
            res.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("attachment")
        );
    }
    (status, res.bytes().await.unwrap().to_vec())
}

each_app!(
    a_licence_document_verifies_offline_and_any_change_fails,
    |app| {
        let l = concluded_with_licence(app, "doc", None).await;
        let store = app.db().store.clone();

        // The holder downloads it; it is a PDF that verifies offline.
        let citizen = app.token("citizen").await;
        let (s, pdf) = download(app, l.id, &citizen).await;
        assert_eq!(s, StatusCode::OK);
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(
            pdf.windows(l.verify_code.len())
                .any(|w| w == l.verify_code.as_bytes()),
            "the QR code's address is printed"
        );
        let (code, line) = verify_offline(app, &pdf).await;
        assert_eq!(code, 0, "{line}");
        assert!(
            line.contains("真实有效") && line.contains(&l.number),
            "{line}"
        );
        assert_eq!(line.trim().lines().count(), 1, "{line}");

        // One altered byte anywhere fails: in the visible text (the embedded data kept), in the
        // embedded data, in the file's signature.
        let content = pdf.windows(b"BT".len()).position(|w| w == b"BT").unwrap();
        let mut edited = pdf.clone();
        edited[content + 30] ^= 0x01;
        let (code, line) = verify_offline(app, &edited).await;
        assert_eq!(code, 1, "{line}");
        assert!(line.contains("文件已被改动"), "{line}");
        let data = pdf
            .windows(l.number.len())
            .position(|w| w == l.number.as_bytes())
            .unwrap();
        let mut retyped = pdf.clone();
        retyped[data + l.number.len() - 1] ^= 0x01;
        let (code, line) = verify_offline(app, &retyped).await;
        assert_eq!(code, 1, "{line}");
        assert!(line.contains("改动"), "{line}");
        let mut resigned = pdf.clone();
        let last = resigned.len() - 2;
        resigned[last] = if resigned[last] == b'0' { b'1' } else { b'0' };
        let (code, line) = verify_offline(app, &resigned).await;
        assert_eq!((code, line.contains("文件已被改动")), (1, true), "{line}");
        let (code, line) = verify_offline(app, b"%PDF-1.4 not ours").await;
        assert_eq!((code, line.contains("不是本平台")), (1, true), "{line}");

        // Only its holder and the staff whose scope covers its department may download it; a
        // staff download is in the trail.
        let (s, _) = download(app, l.id, &app.token("enterprise").await).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = download(app, l.id, &app.token("approver-sthj").await).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, again) = download(app, l.id, &app.token("clerk").await).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(verify_offline(app, &again).await.0, 0);
        let (_, trail) = app
            .get(
                &format!("/api/v1/audit?target_type=licence&target_id={}", l.id),
                &app.token("admin").await,
            )
            .await;
        assert!(trail.to_string().contains("licence.file_view"), "{trail}");

        // Revoked: the published status list says so, and the offline check refuses.
        store
            .set_licence_status(
                &Context::system("test"),
                l.id,
                l.version,
                Status::Revoked,
                "以欺骗手段取得",
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        let (code, line) = verify_offline(app, &pdf).await;
        assert_eq!(code, 1, "{line}");
        assert!(line.contains("证照已吊销：以欺骗手段取得"), "{line}");
    }
);

/// Ends the time of every share or print code now, as the clock would after their days.
async fn expire_all(app: &TestApp, table: &str) {
    use sqlx::Connection;
    let db = app.db();
    let q = match table {
        "licence_shares" => "UPDATE licence_shares SET expires_at = created_at",
        _ => "UPDATE licence_prints SET expires_at = created_at",
    };
    if db.kind == "postgres" {
        let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query(q).execute(&mut c).await.unwrap();
    } else {
        let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        sqlx::query(q).execute(&mut c).await.unwrap();
    }
}

each_app!(
    a_holder_shares_her_licence_and_its_department_revokes_it,
    |app| {
        // The type is 住建局's, whose approver decides its cases.
        let store = app.db().store.clone();
        let zhujian = store
            .user_by_username("approver")
            .await
            .unwrap()
            .unwrap()
            .department_id
            .unwrap();
        let l = concluded_with_licence(app, "share", Some(zhujian)).await;
        assert_eq!(l.department_id, zhujian);
        let case_number = l.fields[1].value.clone();

        // Her library lists it; another department's ledger does not.
        let citizen = crate::pages::sign_in_cookie(app, "citizen").await;
        let (s, html) = crate::pages::page(app, "/licences", &citizen).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains(&l.number) && html.contains("我的证照"),
            "{html}"
        );
        let (s, html) = crate::pages::page(app, &format!("/licences/{}", l.id), &citizen).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("授权用证") && html.contains("下载电子证照"),
            "{html}"
        );
        let sthj = crate::pages::sign_in_cookie(app, "approver-sthj").await;
        let (_, html) = crate::pages::page(app, "/licences", &sthj).await;
        assert!(!html.contains(&l.number));
        let (s, _) = crate::pages::page(app, &format!("/licences/{}", l.id), &sthj).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // A share asked for wrongly is refused field by field, nothing made.
        let token = app.token("citizen").await;
        let shares = format!("/api/v1/licences/{}/shares", l.id);
        for (body, field) in [
            (
                json!({"recipient": " ", "fields": [], "days": 7}),
                "recipient",
            ),
            (
                json!({"recipient": "银行", "fields": [], "days": 31}),
                "days",
            ),
            (
                json!({"recipient": "银行", "fields": ["premises"], "days": 7}),
                "fields",
            ),
        ] {
            let (s, e) = app
                .call(Method::POST, &shares, Some(&token), Some(body))
                .await;
            assert_eq!(
                (s, e["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
                "{e}"
            );
        }
        let (_, none) = app.get(&shares, &token).await;
        assert_eq!(none, json!([]));
        // Only the holder shares it.
        let (s, _) = app
            .call(
                Method::POST,
                &shares,
                Some(&app.token("enterprise").await),
                Some(json!({"recipient": "银行", "fields": [], "days": 7})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // A share for a bank: the case number only, for seven days.
        let (s, share) = app
            .call(
                Method::POST,
                &shares,
                Some(&token),
                Some(json!({"recipient": "某银行开户", "fields": ["case"], "days": 7})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{share}");
        let link = share["token"].as_str().unwrap().to_string();
        let (s, seen) = app
            .call(
                Method::GET,
                &format!("/api/v1/licence-shares/{link}"),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{seen}");
        assert_eq!(seen["licence"]["fields"].as_array().unwrap().len(), 1);
        assert_eq!(seen["licence"]["fields"][0]["value"], case_number.as_str());
        assert_eq!(seen["licence"]["holder"]["id_number"], "", "not shared");
        assert_eq!(
            seen["licence"]["verify_code"], "",
            "the verify page shows all"
        );
        assert_eq!(seen["standing"], "valid");
        let (s, html) = crate::pages::page(app, &format!("/share/{link}"), "").await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains(&case_number) && html.contains("某银行开户"),
            "{html}"
        );
        assert!(!html.contains(&l.verify_code));
        let (_, listed) = app.get(&shares, &token).await;
        assert_eq!(listed[0]["opens"], 2, "each opening is counted: {listed}");
        let (_, trail) = app
            .get(
                &format!("/api/v1/audit?target_type=licence&target_id={}", l.id),
                &app.token("admin").await,
            )
            .await;
        let opened = trail
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "licence.share_open")
            .count();
        assert_eq!(opened, 2, "{trail}");
        assert!(
            !trail.to_string().contains(&link),
            "the trail keeps no link"
        );
        // A link cut short, or made up, learns nothing.
        let (s, _) = app
            .call(Method::GET, "/api/v1/licence-shares/ABC", None, None)
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let (s, _) = app
            .call(
                Method::GET,
                &format!("/api/v1/licence-shares/{}", "A".repeat(24)),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // Past its time, and withdrawn: refused with the reason, nothing counted.
        expire_all(app, "licence_shares").await;
        let (s, e) = app
            .call(
                Method::GET,
                &format!("/api/v1/licence-shares/{link}"),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::GONE);
        assert!(e["message"].as_str().unwrap().contains("到期"), "{e}");
        let (_, another) = app
            .call(
                Method::POST,
                &shares,
                Some(&token),
                Some(json!({"recipient": "房东", "fields": [], "days": 1})),
            )
            .await;
        let (s, _) = app
            .call(
                Method::DELETE,
                &format!("{shares}/{}", another["id"]),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, html) = crate::pages::page(
            app,
            &format!("/share/{}", another["token"].as_str().unwrap()),
            "",
        )
        .await;
        assert_eq!(s, StatusCode::GONE);
        assert!(html.contains("收回"), "{html}");
        let (_, listed) = app.get(&shares, &token).await;
        assert_eq!(listed[1]["opens"], 2, "{listed}");

        // Only its department acts on it, by those who decide; a reason is required.
        let status = format!("/api/v1/licences/{}/status", l.id);
        let revoke = json!({"action": "revoke", "reason": "以欺骗手段取得", "version": l.version});
        for who in ["clerk", "approver-sthj", "admin", "citizen"] {
            let (s, _) = app
                .call(
                    Method::POST,
                    &status,
                    Some(&app.token(who).await),
                    Some(revoke.clone()),
                )
                .await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
        }
        let approver = app.token("approver").await;
        let (s, e) = app
            .call(
                Method::POST,
                &status,
                Some(&approver),
                Some(json!({"action": "revoke", "reason": " ", "version": l.version})),
            )
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
        );
        let (s, after) = app
            .call(Method::POST, &status, Some(&approver), Some(revoke.clone()))
            .await;
        assert_eq!(s, StatusCode::OK, "{after}");
        assert_eq!(after["status"], "revoked");
        // Revoked stays revoked.
        let (s, e) = app
            .call(Method::POST, &status, Some(&approver), Some(revoke))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e["message"].as_str().unwrap().contains("不能吊销"), "{e}");
        // At once: the verify page, the holder's library, the status list.
        let (_, html) = crate::pages::page(app, &format!("/verify/{}", l.verify_code), "").await;
        assert!(html.contains("已吊销") && html.contains("以欺骗手段取得"));
        let (_, html) = crate::pages::page(app, "/licences", &citizen).await;
        assert!(html.contains("已吊销"), "{html}");
        let (_, published) = app
            .call(Method::GET, "/api/v1/licence-keys", None, None)
            .await;
        assert!(
            published["statuses"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["number"] == l.number.as_str() && s["status"] == "revoked"),
            "{published}"
        );
    }
);

/// Issues the demo enterprise a business licence (营业执照, the demo's `yyzz`) as its department
/// would, sealed with the demo key: (its id, the enterprise's credit code).
async fn business_licence(app: &TestApp) -> (i64, String) {
    enterprise_licence(app, "yyzz", None).await
}

/// Issues the demo enterprise a licence of a demo type, ending on `expires_on`.
async fn enterprise_licence(
    app: &TestApp,
    code: &str,
    expires_on: Option<chrono::NaiveDate>,
) -> (i64, String) {
    use onewindow_web::service::licences::{DEMO_KEY, SealStore, keyring_key};
    let store = app.db().store.clone();
    let user = store.user_by_username("enterprise").await.unwrap().unwrap();
    let firm = store.enterprise_of_account(user.id).await.unwrap().unwrap();
    let e = store.enterprise(firm).await.unwrap().unwrap();
    let kind = store
        .licence_kinds()
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.code == code)
        .expect("a demo licence type");
    let key = keyring_key(
        store.as_ref(),
        &SealStore::new(DEMO_KEY).unwrap(),
        kind.department_id,
    )
    .await
    .unwrap();
    let today = onewindow_core::time::local_date(chrono::Utc::now());
    let sign = |l: &onewindow_core::licence::Licence| {
        onewindow_core::licence::seal::hex(&key.sign(&l.canonical()))
    };
    let (l, _) = store
        .issue_licence(
            &Context::system("test"),
            onewindow_store::NewLicence {
                number: None,
                kind_id: kind.id,
                holder: onewindow_core::licence::Holder {
                    kind: onewindow_core::licence::HolderKind::Enterprise,
                    id_number: e.uscc.clone(),
                    name: e.name.clone(),
                },
                fields: vec![onewindow_core::licence::LicenceField {
                    key: "address".into(),
                    label: "住所".into(),
                    value: "龙港区龙湾大街8号".into(),
                }],
                issued_on: today,
                expires_on,
                case_id: None,
                key_id: key.id.clone(),
                verify_code: {
                    static N: std::sync::atomic::AtomicUsize =
                        std::sync::atomic::AtomicUsize::new(0);
                    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    format!("TEST{code}{n:0>8}").to_uppercase()
                },
            },
            &sign,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    (l.id, e.uscc)
}

each_app!(a_material_a_licence_stands_for_is_not_asked_again, |app| {
    let (licence_id, uscc) = business_licence(app).await;
    let code = crate::cases::matter_code(app, "企业开户信息推送（银行开户）").await;
    let enterprise = app.token("enterprise").await;
    let application = |licences: Value| {
        let mut a = crate::cases::company_application(&code, "online");
        a["applicant"]["id_number"] = json!(uscc);
        a["licences"] = licences;
        a
    };

    // The guide says a licence stands for it.
    let (s, html) = crate::pages::page(app, &format!("/guide/{code}"), "").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("可用电子证照免提交：营业执照"), "{html}");
    // Her application form offers hers, chosen.
    let cookie = crate::pages::sign_in_cookie(app, "enterprise").await;
    let (_, form) = crate::pages::page(app, &format!("/apply/{code}"), &cookie).await;
    assert!(
        form.contains("name=\"licence:营业执照\"")
            && form.contains(&format!("value=\"{licence_id}\"")),
        "{form}"
    );

    // Wrong choices are refused, each naming what is wrong; nothing is filed.
    let (_, before) = app.get("/api/v1/cases", &enterprise).await;
    for (pick, field, reason) in [
        (
            json!([{"material": "公司章程", "licence_id": licence_id}]),
            "licences[0].material",
            "没有",
        ),
        (
            json!([{"material": "营业执照", "licence_id": 999_999}]),
            "licences[0].licence_id",
            "不存在",
        ),
    ] {
        let (s, e) = app
            .call(
                Method::POST,
                "/api/v1/cases",
                Some(&enterprise),
                Some(application(pick)),
            )
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{e}"
        );
        assert!(e["message"].as_str().unwrap().contains(reason), "{e}");
    }
    // Another applicant's application cannot use her licence.
    let mut other = application(json!([{"material": "营业执照", "licence_id": licence_id}]));
    other["applicant"]["id_number"] = json!(crate::cases::COMPANY);
    let (s, e) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&app.token("clerk").await),
            Some({
                other["channel"] = json!("window");
                other["licences"][0]["consent"] = json!(true);
                other
            }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["message"].as_str().unwrap().contains("不是申请人"), "{e}");
    let (_, after) = app.get("/api/v1/cases", &enterprise).await;
    assert_eq!(before, after, "nothing filed");

    // Her own, picked: the case shows it as taken from the library and does not ask for it.
    let (s, created) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&enterprise),
            Some(application(
                json!([{"material": "营业执照", "licence_id": licence_id}]),
            )),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["case_ids"][0].as_i64().unwrap();
    let (_, case) = app.get(&format!("/api/v1/cases/{id}"), &enterprise).await;
    let m = case["case"]["materials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "营业执照")
        .unwrap()
        .clone();
    assert_eq!(m["licence"]["licence_id"], licence_id, "{m}");
    assert_eq!(m["licence"]["kind"], "营业执照");
    let (_, html) = crate::pages::page(app, &format!("/cases/{id}"), &cookie).await;
    assert!(html.contains("电子证照·免提交（营业执照"), "{html}");
    // The window accepts it without the paper.
    let clerk = app.token("clerk").await;
    let (s, v) = crate::cases::act(app, &clerk, id, json!({"action": "accept"})).await;
    assert_eq!(s, StatusCode::OK, "accepted without 营业执照 brought: {v}");

    // At the window: only with the holder's consent, which is recorded.
    let mut at_window = application(json!([{"material": "营业执照", "licence_id": licence_id}]));
    at_window["channel"] = json!("window");
    let (s, e) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&clerk),
            Some(at_window.clone()),
        )
        .await;
    assert_eq!(
        (s, e["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("licences[0].consent")
        ),
        "{e}"
    );
    at_window["licences"][0]["consent"] = json!(true);
    let (s, created) = app
        .call(Method::POST, "/api/v1/cases", Some(&clerk), Some(at_window))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let (_, case) = app
        .get(&format!("/api/v1/cases/{}", created["case_ids"][0]), &clerk)
        .await;
    assert!(
        case["case"]["materials"]
            .to_string()
            .contains("\"consent_by\":\"李志抗\""),
        "{case}"
    );

    // The figures count both; the licence's trail names the cases.
    let (s, figures) = app
        .get("/api/v1/licence-reuse", &app.token("admin").await)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(figures, json!([{"kind": "营业执照", "count": 2}]));
    let (s, _) = app.get("/api/v1/licence-reuse", &enterprise).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, trail) = app
        .get(
            &format!("/api/v1/audit?target_type=licence&target_id={licence_id}"),
            &app.token("admin").await,
        )
        .await;
    let uses = trail
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "licence.use")
        .count();
    assert_eq!(uses, 2, "{trail}");

    // Revoked, it stands for nothing.
    let store = app.db().store.clone();
    let (l, _) = store.licence(licence_id).await.unwrap().unwrap();
    store
        .set_licence_status(
            &Context::system("test"),
            l.id,
            l.version,
            Status::Revoked,
            "已注销登记",
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let (s, e) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&enterprise),
            Some(application(
                json!([{"material": "营业执照", "licence_id": licence_id}]),
            )),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["message"].as_str().unwrap().contains("已吊销"), "{e}");
});

each_app!(
    a_licence_near_its_end_is_renewed_from_a_prefilled_application,
    |app| {
        let today = onewindow_core::time::local_date(chrono::Utc::now());
        let (far, _) =
            enterprise_licence(app, "spjyxkz", Some(today + chrono::Days::new(200))).await;
        let (near, uscc) =
            enterprise_licence(app, "spjyxkz", Some(today + chrono::Days::new(20))).await;
        let store = app.db().store.clone();
        let (l, _) = store.licence(near).await.unwrap().unwrap();

        // Told in her library and on the licence, 30 days ahead (not 200).
        let cookie = crate::pages::sign_in_cookie(app, "enterprise").await;
        let (_, html) = crate::pages::page(app, "/licences", &cookie).await;
        assert!(
            html.contains(&format!("（{}）还有20天到期", l.number)),
            "{html}"
        );
        let (_, far_l) = (far, store.licence(far).await.unwrap().unwrap().0);
        assert!(
            !html.contains(&format!("（{}）还有", far_l.number)),
            "{html}"
        );
        let (_, page) = crate::pages::page(app, &format!("/licences/{near}"), &cookie).await;
        assert!(
            page.contains("licence-renew") && page.contains("办理延续"),
            "{page}"
        );

        // The renewal, filled in from the licence.
        let enterprise = app.token("enterprise").await;
        let (s, d) = app
            .get(&format!("/api/v1/licences/{near}/renewal"), &enterprise)
            .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        assert_eq!(d["matter_name"], "食品经营许可（延续）");
        assert_eq!(d["applicant"]["id_number"], uscc.as_str());
        assert_eq!(d["applicant"]["kind"], "legal");
        assert_eq!(d["applicant"]["address"], "龙港区龙湾大街8号");
        assert!(d["note"].as_str().unwrap().contains(&l.number), "{d}");
        let code = d["matter_code"].as_str().unwrap();
        let (_, form) =
            crate::pages::page(app, &format!("/apply/{code}?renew={near}"), &cookie).await;
        assert!(
            form.contains(&format!("value=\"{uscc}\"")) && form.contains(&l.number),
            "the form is filled in: {form}"
        );
        // Sent as drafted (with the channel and delivery she picks), it is a case.
        let application = json!({
            "matter_code": code,
            "channel": "window",
            "applicant": d["applicant"],
            "note": d["note"],
            "delivery": "window",
        });
        let (s, created) = app
            .call(
                Method::POST,
                "/api/v1/cases",
                Some(&app.token("clerk").await),
                Some(application),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{created}");

        // Not for staff, nor for a licence revoked.
        let (s, _) = app
            .get(
                &format!("/api/v1/licences/{near}/renewal"),
                &app.token("clerk").await,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        store
            .set_licence_status(
                &Context::system("test"),
                l.id,
                l.version,
                Status::Revoked,
                "违法经营",
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        let (s, e) = app
            .get(&format!("/api/v1/licences/{near}/renewal"), &enterprise)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            e["message"].as_str().unwrap().contains("不能办理延续"),
            "{e}"
        );
        let (_, html) = crate::pages::page(app, "/licences", &cookie).await;
        assert!(
            !html.contains(&format!("（{}）还有", l.number)),
            "no reminder once revoked"
        );
    }
);

each_app!(
    a_holder_prints_her_licence_once_at_a_kiosk_with_a_code,
    |app| {
        let (id, _) = business_licence(app).await;
        let store = app.db().store.clone();
        let hall = store
            .halls(&onewindow_store::ScopeFilter::all())
            .await
            .unwrap()
            .into_iter()
            .find(|h| h.active)
            .unwrap()
            .id;
        let enterprise = app.token("enterprise").await;
        let codes = format!("/api/v1/licences/{id}/print-codes");
        for who in ["citizen", "clerk"] {
            let (s, _) = app
                .call(Method::POST, &codes, Some(&app.token(who).await), None)
                .await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
        }
        let (s, p) = app
            .call(Method::POST, &codes, Some(&enterprise), None)
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        let code = p["code"].as_str().unwrap().to_string();
        assert!(
            code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit()),
            "{code}"
        );
        // Her licence's page shows it.
        let cookie = crate::pages::sign_in_cookie(app, "enterprise").await;
        let (_, html) = crate::pages::page(app, &format!("/licences/{id}"), &cookie).await;
        assert!(html.contains(&code), "{html}");

        // At the kiosk, no one signed in.
        let (s, html) = crate::pages::page(app, &format!("/hall/{hall}/print"), "").await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("打印码"), "{html}");
        let print = |code: &str| {
            let (url, body) = (
                app.url(&format!("/api/v1/halls/{hall}/licence-prints")),
                json!({ "code": code }),
            );
            let http = app.http.clone();
            async move {
                let r = http.post(url).json(&body).send().await.unwrap();
                (r.status(), r.bytes().await.unwrap().to_vec())
            }
        };
        let (s, _) = print("1234").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let wrong = if code == "00000000" {
            "00000001"
        } else {
            "00000000"
        };
        let (s, _) = print(wrong).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, pdf) = print(&code).await;
        assert_eq!(s, StatusCode::OK);
        let (exit, line) = verify_offline(app, &pdf).await;
        assert_eq!(exit, 0, "the kiosk's print is the sealed licence: {line}");
        // Once only.
        let (s, body) = print(&code).await;
        assert_eq!(s, StatusCode::GONE);
        assert!(String::from_utf8_lossy(&body).contains("已使用"));
        // Counted, and in the trail with the hall.
        let (_, trail) = app
            .get(
                &format!("/api/v1/audit?target_type=licence&target_id={id}"),
                &app.token("admin").await,
            )
            .await;
        let printed: Vec<&Value> = trail
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "licence.kiosk_print")
            .collect();
        assert_eq!(printed.len(), 1, "{trail}");
        assert!(
            !trail.to_string().contains(&code),
            "the trail keeps no code"
        );
        let (_, html) = crate::pages::page(app, &format!("/licences/{id}"), &cookie).await;
        assert!(html.contains("自助打印次数： 1"), "{html}");

        // Past its day: refused with the reason.
        let (_, p2) = app
            .call(Method::POST, &codes, Some(&enterprise), None)
            .await;
        expire_all(app, "licence_prints").await;
        let (s, body) = print(p2["code"].as_str().unwrap()).await;
        assert_eq!(s, StatusCode::GONE);
        assert!(String::from_utf8_lossy(&body).contains("过期"));
    }
);

each_app!(
    paper_licences_are_loaded_row_by_row_and_then_verify,
    |app| {
        let company = crate::cases::COMPANY;
        let csv = format!(
            "证照类型,证照编号,持证人,证件号码,签发日期,有效期至,建设地址,办件编号,建设规模\n\
             建筑工程施工许可证,211403202403010101,葫芦岛市龙港建设有限公司,{company},2024-03-01,2027-02-28,望海路1号,ZJ-2024-001,框架结构6层\n\
             建筑工程施工许可证,211403202403010101,葫芦岛市龙港建设有限公司,{company},2024-03-01,,望海路1号,ZJ-2024-002,框架结构6层\n\
             食品经营许可证,JY0001,某公司,{company},2024-03-01,,,ZJ-1,\n\
             建筑工程施工许可证,211403202405060001,某公司,12345,2024-13-01,,,,框架结构\n"
        );
        let import = |token: String, body: String, partial: bool| {
            let url = app.url(&format!("/api/v1/licences/import?partial={partial}"));
            let http = app.http.clone();
            async move {
                let r = http
                    .post(url)
                    .bearer_auth(token)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                (r.status(), r.json::<Value>().await.unwrap())
            }
        };
        let (s, _) = import(app.token("clerk").await, csv.clone(), false).await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "the window does not load licences"
        );
        let approver = app.token("approver").await;
        // Every bad row named by line and column; nothing loaded.
        let (s, out) = import(approver.clone(), csv.clone(), false).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
        assert_eq!(out["imported"], 0);
        let errors: Vec<(i64, String)> = out["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["line"].as_i64().unwrap(),
                    e["column"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        for expected in [
            (3, "证照编号"),
            (4, "证照类型"),
            (5, "证件号码"),
            (5, "签发日期"),
            (5, "办件编号"),
        ] {
            assert!(
                errors.contains(&(expected.0, expected.1.to_string())),
                "{expected:?} in {out}"
            );
        }
        assert!(!errors.iter().any(|(l, _)| *l == 2), "row 2 is good: {out}");
        let store = app.db().store.clone();
        let loaded = |n: &'static str| {
            let store = store.clone();
            async move {
                store
                    .licences(&LicenceFilter {
                        limit: 1000,
                        ..Default::default()
                    })
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|l| l.number == n)
            }
        };
        assert!(loaded("211403202403010101").await.is_none());
        // The good rows only, asked for.
        let (s, out) = import(approver.clone(), csv.clone(), true).await;
        assert_eq!(s, StatusCode::OK, "{out}");
        assert_eq!(out["imported"], 1);
        let l = loaded("211403202403010101").await.expect("loaded");
        assert_eq!(l.holder.id_number, company);
        assert_eq!(l.case_id, None);
        assert_eq!(l.expires_on, chrono::NaiveDate::from_ymd_opt(2027, 2, 28));
        // It verifies like any other, and its number is taken now.
        let (s, html) = crate::pages::page(app, &format!("/verify/{}", l.verify_code), "").await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("与签发机关签章时一致"), "{html}");
        let (s, again) = import(approver, csv.clone(), true).await;
        assert_eq!(
            (s, again["imported"].as_i64()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(0)),
            "{again}"
        );
        // Another department's types are not its to load.
        let (_, other) = import(app.token("approver-sthj").await, csv, true).await;
        assert!(
            other.to_string().contains("不是本部门在用的证照类型"),
            "{other}"
        );
        // Numbers are unique across departments: another's paper licence under a number taken
        // here is a row error, not a failed load.
        let sthj = store
            .user_by_username("approver-sthj")
            .await
            .unwrap()
            .unwrap()
            .department_id
            .unwrap();
        store
            .create_licence_kind(
                &Context::system("test"),
                NewLicenceKind {
                    code: "pwxkz".into(),
                    name: "排污许可证".into(),
                    department_id: sthj,
                    fields: vec![FieldSpec {
                        required: false,
                        ..spec("scope", "许可事项", FieldSource::Entered)
                    }],
                    validity: Validity::Years(5),
                    prefix: "PW211403".into(),
                },
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        let theirs = format!(
            "证照类型,证照编号,持证人,证件号码,签发日期,有效期至\n\
             排污许可证,211403202403010101,某公司,{company},2024-03-01,\n"
        );
        let (s, out) = import(app.token("approver-sthj").await, theirs, false).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
        assert_eq!(out["errors"][0]["column"], "证照编号", "{out}");
        let (_, trail) = app
            .get(
                &format!("/api/v1/audit?target_type=licence&target_id={}", l.id),
                &app.token("admin").await,
            )
            .await;
        assert!(trail.to_string().contains("licence.import"), "{trail}");
    }
);

each_app!(
    departments_keep_their_licence_types_and_rotate_their_seal,
    |app| {
        let store = app.db().store.clone();
        let approver = store.user_by_username("approver").await.unwrap().unwrap();
        let zhujian = approver.department_id.unwrap();
        let kind = |name: &str, department: i64| {
            json!({
                "code": "jsgcghxkz", "name": name, "department_id": department,
                "fields": [{"key": "address", "label": "建设位置", "source": "address",
                    "required": true, "max_len": 100}],
                "validity": {"kind": "years", "count": 2}, "prefix": "JSGH211403",
            })
        };
        // Written by those who write the department's guides, in its scope only.
        let admin = app.token("admin").await;
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/licence-kinds",
                Some(&app.token("clerk").await),
                Some(kind("建设工程规划许可证", zhujian)),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, e) = app
            .call(
                Method::POST,
                "/api/v1/licence-kinds",
                Some(&admin),
                Some(
                    json!({"code": "Bad Code", "name": "x", "department_id": zhujian,
                    "fields": [], "prefix": "X"}),
                ),
            )
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("code")),
            "{e}"
        );
        let (s, k) = app
            .call(
                Method::POST,
                "/api/v1/licence-kinds",
                Some(&admin),
                Some(kind("建设工程规划许可证", zhujian)),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{k}");
        let (s, k2) = app
            .call(Method::PUT, &format!("/api/v1/licence-kinds/{}", k["id"]), Some(&admin),
                Some(json!({"version": k["version"], "kind": kind("建设工程规划许可证（电子）", zhujian), "active": true})))
            .await;
        assert_eq!(s, StatusCode::OK, "{k2}");
        let (s, _) = app
            .call(
                Method::PUT,
                &format!("/api/v1/licence-kinds/{}", k["id"]),
                Some(&admin),
                Some(json!({"version": k["version"], "kind": kind("旧", zhujian), "active": true})),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "a stale version");
        // Named as a matter's result: the guide says so.
        let code = crate::cases::matter_code(app, "建筑工程施工许可证核发").await;
        let (s, _) = app
            .call(
                Method::PUT,
                &format!("/api/v1/catalog/matters/{code}/licence-kind"),
                Some(&admin),
                Some(json!({"kind_id": k["id"]})),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (_, html) = crate::pages::page(app, &format!("/guide/{code}"), "").await;
        assert!(
            html.contains("建设工程规划许可证（电子）（电子证照"),
            "{html}"
        );

        // The seal rotated: a new key signs, the old one stays published and still verifies.
        let (s, _) = app
            .call(
                Method::POST,
                &format!("/api/v1/departments/{zhujian}/seal-key"),
                Some(&app.token("approver").await),
                None,
            )
            .await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "not the department's administrator"
        );
        let (s, first) = app
            .call(
                Method::POST,
                &format!("/api/v1/departments/{zhujian}/seal-key"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{first}");
        let l = concluded_with_licence(app, "rot", Some(zhujian)).await;
        assert_eq!(l.key_id, first["key_id"].as_str().unwrap());
        let (_, pdf) = download(app, l.id, &app.token("citizen").await).await;
        let (s, second) = app
            .call(
                Method::POST,
                &format!("/api/v1/departments/{zhujian}/seal-key"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
        assert_ne!(first["key_id"], second["key_id"]);
        let (_, published) = app
            .call(Method::GET, "/api/v1/licence-keys", None, None)
            .await;
        let old = published["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["key_id"] == first["key_id"])
            .unwrap()
            .clone();
        assert_eq!(old["active"], false, "rotated out, still published");
        let (code, line) = verify_offline(app, &pdf).await;
        assert_eq!(
            code, 0,
            "signed by the rotated-out key, still genuine: {line}"
        );
    }
);

each_app!(licence_types_and_seal_keys_are_kept_on_their_pages, |app| {
    let store = app.db().store.clone();
    let approver = store.user_by_username("approver").await.unwrap().unwrap();
    let zhujian = approver.department_id.unwrap().to_string();
    let admin = crate::pages::sign_in_cookie(app, "admin").await;
    let list = "/admin/licence-kinds";
    let (s, html) = crate::pages::page(app, list, &admin).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("食品经营许可证") && html.contains("JY1211403"),
        "{html}"
    );
    assert!(html.contains("办结时填写"), "the form names the sources");

    // A bad line of fields is named by its line; nothing is made.
    let form = |fields: &'static str| {
        vec![
            ("name", "建设工程规划许可证"),
            ("code", "jsgcghxkz"),
            ("department_id", zhujian.as_str()),
            ("prefix", "JSGH211403"),
            ("validity_kind", "years"),
            ("validity_count", "2"),
            ("fields", fields),
        ]
    };
    let (s, _, e) = posted(
        app,
        &admin,
        list,
        form("address|建设位置|地址\nscale|建设规模|申请表"),
        list.into(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let e: Value = serde_json::from_str(&e).unwrap();
    assert_eq!(e["field"], "fields");
    assert!(e["reason"].as_str().unwrap().starts_with("第2行："), "{e}");
    assert!(
        !store
            .licence_kinds()
            .await
            .unwrap()
            .iter()
            .any(|k| k.code == "jsgcghxkz")
    );

    let (s, to, _) = posted(
        app,
        &admin,
        list,
        form("address|建设位置|地址|必填|100\nscale|建设规模|办结时填写|选填"),
        list.into(),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let made = store
        .licence_kinds()
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.code == "jsgcghxkz")
        .unwrap();
    assert_eq!(made.validity, Validity::Years(2));
    assert_eq!(made.fields[1].source, FieldSource::Entered);
    assert!(!made.fields[1].required);
    let page_of = format!("/admin/licence-kinds/{}", made.id);
    assert!(to.unwrap().starts_with(&page_of));
    let (_, html) = crate::pages::page(app, &page_of, &admin).await;
    assert!(
        html.contains("scale|建设规模|办结时填写|选填|200"),
        "the fields as written: {html}"
    );
    assert!(html.contains("JSGH211403"), "the number's example");

    // Retired: it issues no more, and says so.
    let version = made.version.to_string();
    let (s, _, _) = posted(
        app,
        &admin,
        list,
        vec![("version", version.as_str()), ("active", "0")],
        format!("{page_of}/active"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = crate::pages::page(app, list, &admin).await;
    assert!(html.contains("停用"), "{html}");
    assert!(
        !store
            .licence_kinds()
            .await
            .unwrap()
            .iter()
            .any(|k| k.code == "jsgcghxkz" && k.active)
    );

    // A retired type still names the matters whose result it is (they keep it until given
    // another), as many as the list counts.
    let food = store
        .licence_kinds()
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.code == "spjyxkz")
        .expect("the demo's food licence type");
    let food_page = format!("/admin/licence-kinds/{}", food.id);
    let links = store
        .matter_licence_kinds()
        .await
        .unwrap()
        .iter()
        .filter(|(_, k)| *k == food.id)
        .count();
    let (_, html) = crate::pages::page(app, &food_page, &admin).await;
    assert!(links > 0);
    assert_eq!(html.matches("href=\"/guide/").count(), links, "{html}");
    let version = food.version.to_string();
    let (s, _, _) = posted(
        app,
        &admin,
        list,
        vec![("version", version.as_str()), ("active", "0")],
        format!("{food_page}/active"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = crate::pages::page(app, &food_page, &admin).await;
    assert!(html.contains("已停用"), "{html}");
    assert_eq!(html.matches("href=\"/guide/").count(), links, "{html}");

    // The department's page lists its seal keys; its administrator rotates them there.
    let dept = format!("/admin/departments/{zhujian}");
    let (_, html) = crate::pages::page(app, &dept, &admin).await;
    assert!(html.contains("电子印章密钥"), "{html}");
    let before = store.seal_keys(None).await.unwrap().len();
    let (s, _, _) = posted(app, &admin, list, vec![], format!("{dept}/seal-key")).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let keys = store.seal_keys(None).await.unwrap();
    assert_eq!(keys.len(), before + 1);
    let (_, html) = crate::pages::page(app, &dept, &admin).await;
    assert!(html.contains("签发中"), "{html}");
    // Rotated again, the first is replaced: each key is listed with when it was made, the
    // replaced one also with when.
    let (s, _, _) = posted(app, &admin, list, vec![], format!("{dept}/seal-key")).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = crate::pages::page(app, &dept, &admin).await;
    let keys = store.seal_keys(None).await.unwrap();
    let mine: Vec<_> = keys
        .iter()
        .filter(|k| k.department_id.to_string() == zhujian)
        .collect();
    let replaced = mine.iter().find(|k| !k.active).expect("the replaced key");
    for k in &mine {
        assert!(html.contains(&k.key_id), "{html}");
        assert!(html.contains(&display(k.created_at)), "{html}");
    }
    assert!(
        html.contains(&display(replaced.retired_at.expect("when it was replaced"))),
        "{html}"
    );
    // Someone else's press of the button changes nothing.
    let clerk = crate::pages::sign_in_cookie(app, "clerk").await;
    let (_, page) = crate::pages::page(app, &dept, &clerk).await;
    assert!(!page.contains("更换印章密钥"), "not offered to the window");
    let res = app
        .http
        .post(app.url(&format!("{dept}/seal-key")))
        .header("cookie", &clerk)
        .form(&[("_csrf", crate::pages::csrf_in(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(store.seal_keys(None).await.unwrap().len(), before + 2);
});

/// Posts a page's form as its script does (answers in JSON on a mistake): the status, where a
/// success leads, and the body.
async fn posted(
    app: &TestApp,
    cookie: &str,
    csrf_page: &str,
    fields: Vec<(&str, &str)>,
    to: String,
) -> (StatusCode, Option<String>, String) {
    let (_, html) = crate::pages::page(app, csrf_page, cookie).await;
    let mut form = vec![("_csrf", crate::pages::csrf_in(&html))];
    form.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    let res = app
        .http
        .post(app.url(&to))
        .header("cookie", cookie)
        .header("accept", "application/json")
        .form(&form)
        .send()
        .await
        .unwrap();
    let s = res.status();
    let to = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    (s, to, res.text().await.unwrap())
}

each_app!(
    the_case_links_its_licence_only_for_those_it_opens_to,
    |app| {
        // An enterprise account applying for another company (as its agent would): the case is
        // the account's to read, the licence is the company's.
        let company = app.token("enterprise").await;
        let id = crate::evaluation::filed_on_the_spot(
            app,
            "enterprise",
            crate::cases::company_application,
        )
        .await
        .expect("a matter concluded on the spot that a company may apply for");
        licensed(
            app,
            id,
            "agent",
            vec![spec("case", "办件编号", FieldSource::CaseNumber)],
        )
        .await;
        crate::cases::upload_required(app, &company, id).await;
        let (s, v) = crate::cases::act(
            app,
            &app.token("clerk").await,
            id,
            json!({"action": "conclude_on_spot"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let l = issued_on(app, id).await.remove(0);
        assert_eq!(l.holder.id_number, crate::cases::COMPANY);
        let path = format!("/cases/{id}");
        let link = format!("/licences/{}", l.id);
        let (_, html) = crate::pages::page(
            app,
            &path,
            &crate::pages::sign_in_cookie(app, "enterprise").await,
        )
        .await;
        assert!(html.contains(&l.number), "the case names it: {html}");
        assert!(!html.contains(&link), "not a link the account cannot open");
        let (_, html) = crate::pages::page(
            app,
            &path,
            &crate::pages::sign_in_cookie(app, "clerk").await,
        )
        .await;
        assert!(html.contains(&link), "the staff's link: {html}");
    }
);
