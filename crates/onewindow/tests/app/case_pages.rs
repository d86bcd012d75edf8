//! The case pages as people use them, on both databases: applying with uploads through the form,
//! acting through the case page's forms, printing every notice, the workbench, the progress
//! look-up, batch intake, the calendar administration and a review flow's editor.

use crate::cases::{COMPANY, matter_code};
use crate::each_app;
use crate::pages::{csrf_in, page, sign_in_cookie};
use crate::support::TestApp;
use reqwest::StatusCode;

/// Posts a case page's action form; answers the redirect's target or the error page.
async fn act(
    app: &TestApp,
    cookie: &str,
    id: i64,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let (_, html) = page(app, &format!("/cases/{id}"), cookie).await;
    let mut form: Vec<(&str, String)> = vec![("_csrf", csrf_in(&html))];
    form.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    let res = app
        .http
        .post(app.url(&format!("/cases/{id}/act")))
        .header("cookie", cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let loc = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        status,
        if status == StatusCode::SEE_OTHER {
            loc
        } else {
            res.text().await.unwrap()
        },
    )
}

fn step_ids(html: &str) -> Vec<String> {
    // The finish form offers the steps this person may work.
    let at = html
        .find("id=\"act-finish_step\"")
        .expect("a finish-step form");
    let form = &html[at..at + html[at..].find("</form>").unwrap()];
    form.match_indices("<option value=\"")
        .map(|(i, _)| form[i + 15..].split('"').next().unwrap().to_string())
        .filter(|v| v.chars().all(|c| c.is_ascii_digit()))
        .collect()
}

each_app!(
    a_case_goes_through_its_pages_and_prints_every_notice,
    |app| {
        let company = sign_in_cookie(app, "enterprise").await;
        let code = matter_code(app, "建筑工程施工许可证核发").await;
        let (s, html) = page(app, &format!("/apply/{code}"), &company).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("建筑工程施工许可证申请表"),
            "the guide's materials are listed"
        );
        // Field names in UTF-8 as browsers send them.
        let form = reqwest::multipart::Form::new()
            .percent_encode_noop()
            .text("_csrf", csrf_in(&html))
            .text("channel", "online")
            .text("kind", "legal")
            .text("name", "葫芦岛市龙港建设有限公司")
            .text("id_number", COMPANY)
            .text("phone", "13812345678")
            .text("delivery", "post")
            .text("delivery_address", "龙港区龙湾大街1号")
            .part(
                "file:建筑工程施工许可证申请表",
                reqwest::multipart::Part::bytes(b"%PDF-1.7 form".to_vec()).file_name("申请表.pdf"),
            );
        let res = app
            .http
            .post(app.url(&format!("/apply/{code}")))
            .header("cookie", &company)
            .header("origin", app.base.clone())
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let loc = res.headers()["location"].to_str().unwrap().to_string();
        let id: i64 = loc
            .trim_start_matches("/cases/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let (_, html) = page(app, &format!("/cases/{id}"), &company).await;
        assert!(
            html.contains("申请表.pdf") && html.contains("✔ 建筑工程施工许可证申请表"),
            "upload recorded and the material marked"
        );
        assert!(html.contains("id=\"act-withdraw\""));
        assert!(
            !html.contains("id=\"act-accept\""),
            "the applicant cannot accept"
        );

        // The clerk asks for a supplement, then accepts.
        let clerk = sign_in_cookie(app, "clerk").await;
        let (_, wb) = page(app, "/workbench", &clerk).await;
        assert!(
            wb.contains(&format!("/cases/{id}")),
            "in the clerk's intake queue"
        );
        // The main thing to do is the one primary button; refusing is set apart and confirmed.
        let (_, html) = page(app, &format!("/cases/{id}"), &clerk).await;
        let form = |code: &str| {
            let at = html
                .find(&format!("id=\"act-{code}\""))
                .unwrap_or_else(|| panic!("no {code}"));
            let start = html[..at].rfind("<form").unwrap();
            html[start..at + html[at..].find("</form>").unwrap()].to_string()
        };
        assert!(form("accept").contains("<button class=\"primary\">"));
        assert!(form("request_supplement").contains("<button class=\"secondary\">"));
        let refuse = form("refuse");
        assert!(refuse.contains("<button class=\"danger\">") && refuse.contains("data-confirm="));
        let zone = html.find("id=\"danger-actions\"").expect("set apart");
        assert!(html.find("id=\"act-refuse\"").unwrap() > zone);
        let section = &html[html.find("id=\"case-actions\"").unwrap()..];
        let section = &section[..section.find("</section>").unwrap()];
        assert_eq!(
            section.matches("<button class=\"primary\">").count(),
            1,
            "one main action"
        );
        let (s, _) = act(
            app,
            &clerk,
            id,
            &[
                ("action", "request_supplement"),
                (
                    "items",
                    "中标通知书或直接发包批准文件：未提供\n建设资金已经落实承诺书：缺少签章",
                ),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, html) = page(app, &format!("/cases/{id}/print/supplement"), &clerk).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("补正材料通知书") && html.contains("缺少签章") && html.contains("<svg"),
            "items and the QR code"
        );
        // The applicant uploads what was asked for, then says the supplement is complete.
        crate::cases::upload_required(app, &app.token("enterprise").await, id).await;
        let (s, _) = act(
            app,
            &company,
            id,
            &[("action", "complete_supplement"), ("note", "已补齐")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, _) = act(app, &clerk, id, &[("action", "accept")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = page(app, &format!("/cases/{id}/print/acceptance"), &company).await;
        assert!(
            html.contains("受理通知书")
                && html.contains("决定予以受理")
                && html.contains("承诺办理时限为3个工作日"),
            "{html}"
        );
        // A stale form is refused with the reason.
        let (s, body) = act(app, &clerk, id, &[("action", "conclude"), ("version", "1")]).await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert!(
            body.contains("不能办结") || body.contains("现在可以"),
            "{body}"
        );

        // 认领 is offered until the step is the reader's.
        let approver = sign_in_cookie(app, "approver").await;
        let (_, html) = page(app, &format!("/cases/{id}"), &approver).await;
        assert!(html.contains("id=\"act-claim\""), "the step can be claimed");
        let (s, body) = act(
            app,
            &approver,
            id,
            &[("action", "claim"), ("step_id", &step_ids(&html)[0])],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
        let (_, html) = page(app, &format!("/cases/{id}"), &approver).await;
        assert!(
            !html.contains("id=\"act-claim\""),
            "claimed: not offered again"
        );
        // Three departments review; the case page of each offers only their own step.
        for (who, n) in [
            ("approver", 1),
            ("approver", 1),
            ("approver-zrzy", 1),
            ("approver-sthj", 1),
        ] {
            let cookie = sign_in_cookie(app, who).await;
            let (_, html) = page(app, &format!("/cases/{id}"), &cookie).await;
            let steps = step_ids(&html);
            assert_eq!(steps.len(), n, "{who}: {steps:?}");
            let (s, body) = act(
                app,
                &cookie,
                id,
                &[
                    ("action", "finish_step"),
                    ("step_id", &steps[0]),
                    ("outcome", "agree"),
                    ("opinion", "同意"),
                ],
            )
            .await;
            assert_eq!(s, StatusCode::SEE_OTHER, "{who}: {body}");
        }
        let approver = sign_in_cookie(app, "approver").await;
        let (s, body) = act(
            app,
            &approver,
            id,
            &[("action", "decide"), ("decision", "deny")],
        )
        .await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a denial without reasons"
        );
        assert!(body.contains("理由"), "{body}");
        let (s, _) = act(
            app,
            &approver,
            id,
            &[("action", "decide"), ("decision", "approve")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = page(app, &format!("/cases/{id}/print/decision"), &company).await;
        assert!(html.contains("准予行政许可决定书") && html.contains("决定准予许可"));
        let (s, _) = act(app, &clerk, id, &[("action", "conclude")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, body) = act(app, &clerk, id, &[("action", "deliver")]).await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "post needs the tracking number: {body}"
        );
        let (s, _) = act(
            app,
            &clerk,
            id,
            &[
                ("action", "deliver"),
                ("tracking_number", "EMS1088123456"),
                ("note", "邮寄"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = page(app, &format!("/cases/{id}/print/receipt"), &clerk).await;
        assert!(
            html.contains("送达回证")
                && html.contains("EMS1088123456")
                && html.contains("受送达人签名")
        );
        let (s, _) = page(app, &format!("/cases/{id}/print/refusal"), &clerk).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "never refused, no refusal notice");
        let (_, html) = page(app, &format!("/cases/{id}"), &company).await;
        assert!(html.contains("已送达") && html.contains("print-receipt"));

        // Anyone follows it with the number and the last four characters.
        let (_, html) = page(app, &format!("/cases/{id}"), &clerk).await;
        let number = html
            .split("id=\"case-number\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string();
        let (s, html) = page(app, &format!("/progress?number={number}&id_last4=0y43"), "").await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("已送达") && html.contains("EMS1088123456"),
            "{html}"
        );
        let (s, html) = page(app, &format!("/progress?number={number}&id_last4=9999"), "").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(html.contains("progress-error"));
        // The list and its Excel export.
        let (_, html) = page(app, "/cases?q=龙港建设", &clerk).await;
        assert!(html.contains(&number));
        let res = app
            .http
            .get(app.url("/cases.xlsx"))
            .header("cookie", &clerk)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.starts_with(b"PK"), "an xlsx file");
    }
);

each_app!(batch_intake_and_the_calendar_administration, |app| {
    let clerk = sign_in_cookie(app, "clerk").await;
    let code = matter_code(app, "城乡居民最低生活保障审核确认").await;
    let (_, html) = page(app, "/batches/new", &clerk).await;
    let res = app
        .http
        .post(app.url("/batches"))
        .header("cookie", &clerk)
        .form(&[
            ("_csrf", csrf_in(&html).as_str()),
            ("matter_code", code.as_str()),
            ("title", "东方村低保集中申报"),
            ("delivery", "window"),
            (
                "applicants",
                "张三，11010519491231002X，13912345678\n李四，11010519491231002X，13912345679",
            ),
            ("materials_received", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = page(app, &loc, &clerk).await;
    assert!(html.contains("id=\"case-total\">2<"), "{html}");
    let batch = loc
        .split("batch_id=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    let res = app
        .http
        .post(app.url(&format!("/batches/{batch}/accept")))
        .header("cookie", &clerk)
        .form(&[("_csrf", csrf_in(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(
        app,
        &format!("/cases?batch_id={batch}&state=reviewing"),
        &clerk,
    )
    .await;
    assert!(html.contains("id=\"case-total\">2<"));

    // The administrator enters 2027; a bad line is named.
    let admin = sign_in_cookie(app, "admin").await;
    let (s, html) = page(app, "/admin/calendar", &admin).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("2027年节假日安排（录入）"),
        "the next year is offered"
    );
    let post = |holidays: &'static str| {
        let csrf = csrf_in(&html);
        let admin = admin.clone();
        async move {
            app.http
                .post(app.url("/admin/calendar/years"))
                .header("cookie", &admin)
                .form(&[
                    ("_csrf", csrf.as_str()),
                    ("year", "2027"),
                    ("holidays", holidays),
                    ("workdays", "2027-01-09"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let res = post("2027-01-01 元旦\n2027-02-30 春节").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("放假日期第2行") && !html.contains("holidays[2]"),
        "{html}"
    );
    let res = post("2027-01-01 元旦").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(app, "/admin/calendar?year=2027", &admin).await;
    assert!(html.contains("2027-01-01 元旦"));
    let (s, _) = page(app, "/admin/calendar", &clerk).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The rules, with a matter's own yellow rule as a line "code days percent".
    let rules = |matter_lights: String| {
        let csrf = csrf_in(&html);
        let admin = admin.clone();
        async move {
            app.http
                .post(app.url("/admin/calendar/rules"))
                .header("cookie", &admin)
                .form(&[
                    ("_csrf", csrf.as_str()),
                    ("completeness_days", "5"),
                    ("extension_days", "10"),
                    ("joint_extension_days", "15"),
                    ("delivery_days", "10"),
                    ("yellow_days", "1"),
                    ("yellow_percent", "20"),
                    ("matter_lights", matter_lights.as_str()),
                    ("urge_reminder_days", "1"),
                    ("urge_yellow_card_days", "2"),
                    ("urge_red_card_days", "5"),
                    ("eval_rectify_days", "12"),
                    ("eval_link_days", "7"),
                    ("eval_rate_days", "30"),
                    ("eval_appeal_days", "5"),
                    ("eval_complaint_accept_days", "2"),
                    ("eval_complaint_days", "10"),
                    ("max_upload_mib", "20"),
                    ("upload_types", "pdf,jpg,png"),
                    ("online_closes", "17:00"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let res = rules(format!("{code} 3 0\n{code} 三天")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("事项预警规则第2行") && !html.contains("matter_lights[2]"),
        "{html}"
    );
    let res = rules(format!("{code} 3 0%")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(app, "/admin/calendar", &admin).await;
    assert!(
        html.contains(&format!("{code} 3 0")),
        "the line is shown back"
    );
    // The rectification limit (好差评) is kept with the rules.
    let at = html
        .find("name=\"eval_rectify_days\"")
        .expect("the field is on the page");
    let tag = &html[html[..at].rfind('<').unwrap()..at + html[at..].find('>').unwrap()];
    assert!(tag.contains("value=\"12\""), "{tag}");
    // A review flow through its editor.
    let (s, html) = page(app, &format!("/admin/catalog/{code}/workflow"), &admin).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("workflow-form"));
    let res = app
        .http
        .post(app.url(&format!("/admin/catalog/{code}/workflow")))
        .header("cookie", &admin)
        .form(&[
            ("_csrf", csrf_in(&html).as_str()),
            ("name0", "入户调查"),
            ("days0", "2"),
            ("name1", "审核确认"),
            ("days1", "1"),
            ("leader1", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(app, &format!("/admin/catalog/{code}/workflow"), &admin).await;
    assert!(html.contains("入户调查") && html.contains("领导"), "{html}");
});

// Next year's notice, until it is entered: a case whose deadline falls in that year shows its
// dates as 暂定 on its page and on its printed notice, and from 1 November the administrator
// is reminded on every page to enter the notice.
each_app!(dates_in_a_year_without_its_notice_are_provisional, |app| {
    let (id, v) = crate::supervision::reviewing_case(app).await;
    let today = onewindow_core::time::local_date(chrono::Utc::now());
    let cal = onewindow_core::calendar::Calendar::builtin();
    let due = v["case"]["promised_due"].as_str().map(str::to_string);
    let provisional = due
        .as_deref()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .and_then(|d| cal.provisional_between(today, d));
    assert_eq!(
        v["clock"]["provisional"].as_i64().map(|y| y as i32),
        provisional,
        "{v}"
    );
    let cookie = sign_in_cookie(app, "clerk").await;
    let (_, html) = page(app, &format!("/cases/{id}"), &cookie).await;
    let (_, notice) = page(app, &format!("/cases/{id}/print/acceptance"), &cookie).await;
    match provisional {
        Some(y) => {
            assert!(
                html.contains("id=\"clock-provisional\"")
                    && html.contains(&format!("{y}年的节假日安排通知尚未录入"))
            );
            assert!(
                notice.contains(&format!("暂定：{y}年节假日安排公布后")),
                "{notice}"
            );
        }
        None => {
            assert!(!html.contains("id=\"clock-provisional\""));
            assert!(!notice.contains("暂定"));
        }
    }
    // the administrator's reminder, as notice_due says for today
    let admin = sign_in_cookie(app, "admin").await;
    let (_, home) = page(app, "/admin/calendar", &admin).await;
    let due_year = onewindow_web::service::calendar::notice_due(&cal, today);
    assert_eq!(
        home.contains("id=\"calendar-banner\""),
        due_year.is_some(),
        "{due_year:?}"
    );
    // a clerk keeps no calendar: no reminder
    let (_, clerk_home) = page(app, "/workbench", &cookie).await;
    assert!(!clerk_home.contains("id=\"calendar-banner\""));
});

each_app!(
    the_apply_form_starts_with_what_the_platform_knows_and_takes_the_authorization_as_a_file,
    |app| {
        // The enterprise account applies as its enterprise: name, credit code, phone.
        let company = sign_in_cookie(app, "enterprise").await;
        let code = matter_code(app, "建筑工程施工许可证核发").await;
        let (_, html) = page(app, &format!("/apply/{code}"), &company).await;
        let (_, firms) = app
            .get(
                "/api/v1/enterprises?q=中石化洛阳石油分公司",
                &app.token("steward").await,
            )
            .await;
        let uscc = firms[0]["uscc"].as_str().unwrap().to_string();
        assert!(
            html.contains(
                "name=\"name\" data-field=\"applicant.name\" value=\"中石化洛阳石油分公司\""
            ),
            "the enterprise's name, not the account's"
        );
        assert!(
            html.contains(&format!("value=\"{uscc}\"")),
            "its credit code"
        );
        // A person: name and phone; the ID number once they have applied.
        let citizen = sign_in_cookie(app, "citizen").await;
        let code = matter_code(app, "城乡居民最低生活保障审核确认").await;
        let (_, html) = page(app, &format!("/apply/{code}"), &citizen).await;
        assert!(html.contains("value=\"李女士\""));
        assert!(html.contains("data-field=\"applicant.id_number\" value=\"\""));
        // Applying for her mother, with the signed authorization as a file.
        let form = reqwest::multipart::Form::new()
            .percent_encode_noop()
            .text("_csrf", csrf_in(&html))
            .text("channel", "online")
            .text("kind", "person")
            .text("name", "王秀兰")
            .text("id_number", "110105196001010025")
            .text("phone", "13912345678")
            .text("agent_name", "李女士")
            .text("agent_id_number", "11010519491231002X")
            .text("agent_phone", "13904290009")
            .text("delivery", "window")
            .part(
                "file:授权委托书",
                reqwest::multipart::Part::bytes(b"%PDF-1.7 signed".to_vec())
                    .file_name("王秀兰授权委托书.pdf"),
            );
        let res = app
            .http
            .post(app.url(&format!("/apply/{code}")))
            .header("cookie", &citizen)
            .header("origin", app.base.clone())
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let loc = res.headers()["location"].to_str().unwrap().to_string();
        let (_, html) = page(app, &loc, &citizen).await;
        assert!(
            html.contains("李女士（王秀兰授权委托书.pdf）"),
            "the agency names the uploaded authorization"
        );
        // Her mother's ID number is not hers: the next form does not offer it…
        let (_, html) = page(app, &format!("/apply/{code}"), &citizen).await;
        assert!(html.contains("data-field=\"applicant.id_number\" value=\"\""));
        // …but once she has applied for herself, it starts with her own.
        let (s, created) = app
            .call(
                reqwest::Method::POST,
                "/api/v1/cases",
                Some(&app.token("citizen").await),
                Some(crate::cases::person_application(&code, "online")),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        let (_, html) = page(app, &format!("/apply/{code}"), &citizen).await;
        assert!(
            html.contains(&format!(
                "data-field=\"applicant.id_number\" value=\"{}\"",
                crate::cases::PERSON
            )),
            "her last own application's ID number: {}",
            &html[html.find("applicant.id_number").unwrap()..][..80]
        );
        assert!(html.contains("value=\"龙港区连湾街道1号\""), "and address");
    }
);
