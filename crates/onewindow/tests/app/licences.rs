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
use onewindow_store::LicenceFilter;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn spec(key: &str, label: &str, source: FieldSource, form_key: Option<&str>) -> FieldSpec {
    FieldSpec {
        key: key.into(),
        label: label.into(),
        source,
        form_key: form_key.map(str::to_string),
        required: true,
        max_len: 100,
    }
}

/// Makes the case's matter issue a licence of a new type with these fields.
async fn licensed(app: &TestApp, case_id: i64, code: &str, fields: Vec<FieldSpec>) -> i64 {
    let store = app.db().store.clone();
    let d = store.dossier(case_id).await.unwrap().unwrap();
    let ctx = Context::system("test");
    let kind = store
        .create_licence_kind(
            &ctx,
            NewLicenceKind {
                code: code.into(),
                name: "测试许可证".into(),
                department_id: d.case.department_id,
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

async fn conclude(app: &TestApp, id: i64) -> (StatusCode, Value) {
    let clerk = app.token("clerk").await;
    crate::cases::upload_required(app, &app.token("citizen").await, id).await;
    crate::cases::act(app, &clerk, id, json!({"action": "conclude_on_spot"})).await
}

each_app!(
    a_concluded_case_issues_a_sealed_licence_that_verifies,
    |app| {
        // A licence that cannot be filled from the case (the form has no 经营场所) stops the
        // conclusion: the case stays as it was, and no licence or number is spent.
        let id = filed_case(app).await;
        licensed(
            app,
            id,
            "bad",
            vec![spec(
                "premises",
                "经营场所",
                FieldSource::Form,
                Some("premises"),
            )],
        )
        .await;
        let (s, e) = conclude(app, id).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("licence.premises")),
            "{e}"
        );
        assert!(e["message"].as_str().unwrap().contains("经营场所"), "{e}");
        let store = app.db().store.clone();
        let d = store.dossier(id).await.unwrap().unwrap();
        assert_eq!(
            d.case.state.code(),
            "submitted",
            "the case is not concluded"
        );
        let none = store
            .licences(&LicenceFilter {
                case_id: Some(id),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(none.is_empty());

        // The type fixed: the conclusion issues the licence in its transaction.
        let id = filed_case(app).await;
        licensed(
            app,
            id,
            "ok",
            vec![
                spec("holder", "持证人", FieldSource::Holder, None),
                spec("case", "办件编号", FieldSource::CaseNumber, None),
            ],
        )
        .await;
        let (s, v) = conclude(app, id).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let issued = store
            .licences(&LicenceFilter {
                case_id: Some(id),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(issued.len(), 1);
        let l = &issued[0];
        let year = chrono::Datelike::year(&l.issued_on);
        assert_eq!(l.number, format!("TOK{year}000001"));
        assert_eq!(l.holder.name, "李女士");
        assert_eq!(l.fields[1].value, v["case"]["number"].as_str().unwrap());
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
        assert_eq!(numbers(mine), vec![l.number.clone()]);
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
        let key = keys
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
