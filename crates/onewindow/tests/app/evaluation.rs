//! Service evaluation (好差评) over the API, on both databases: a case rated online once by its
//! applicant, a rating link sent, spent and refused when forged, the bad rating's rectification
//! worked by the department with the rater's contact kept from everyone else, and an appeal that
//! takes a rating out of the figures but not out of the trail.

use crate::cases::{act, person_application};
use crate::each_app;
use crate::support::{TestApp, en};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A case the citizen filed online, of a matter concluded on the spot (即办件) open to persons.
pub async fn filed_case(app: &TestApp) -> i64 {
    filed_on_the_spot(app, "citizen", person_application)
        .await
        .expect("the demo catalog has a matter concluded on the spot that a person may apply for")
}

/// A case `account` filed online with `application`, of the first matter concluded on the spot
/// (即办件) that takes it.
pub async fn filed_on_the_spot(
    app: &TestApp,
    account: &str,
    application: fn(&str, &str) -> Value,
) -> Option<i64> {
    let token = app.token(account).await;
    let (_, list) = app
        .call(Method::GET, "/api/v1/matters?limit=500", None, None)
        .await;
    for m in list["items"].as_array().unwrap() {
        if m["promised_days"] != 0 {
            continue;
        }
        let code = m["code"].as_str().unwrap();
        let (s, created) = app
            .call(
                Method::POST,
                "/api/v1/cases",
                Some(&token),
                Some(application(code, "online")),
            )
            .await;
        if s == StatusCode::CREATED {
            return created["case_ids"][0].as_i64();
        }
    }
    None
}

/// A case the citizen filed online and the clerk concluded on the spot.
pub async fn concluded_case(app: &TestApp) -> i64 {
    let clerk = app.token("clerk").await;
    let id = filed_case(app).await;
    crate::cases::upload_required(app, &app.token("citizen").await, id).await;
    let (s, v) = act(app, &clerk, id, json!({"action": "conclude_on_spot"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    id
}

pub(crate) fn online_scores(v: i64) -> Value {
    json!({"efficiency": v, "guide_accuracy": v, "convenience": v, "ease_of_use": v})
}

pub(crate) async fn rate(app: &TestApp, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        &format!("/api/v1/cases/{id}/rating"),
        Some(token),
        Some(body),
    )
    .await
}

async fn step(app: &TestApp, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        &format!("/api/v1/rectifications/{id}/actions"),
        Some(token),
        Some(body),
    )
    .await
}

each_app!(
    a_case_is_rated_online_once_and_its_bad_rating_rectified,
    |app| {
        let citizen = app.token("citizen").await;
        let clerk = app.token("clerk").await;
        let leader = app.token("leader").await;
        let supervisor = app.token("supervisor").await;
        let id = filed_case(app).await;
        let bad = json!({"level": 2, "scores": online_scores(2), "reason": "多次跑动", "comment": "材料清单与窗口要求不一致"});
        let (s, e) = rate(app, &citizen, id, bad.clone()).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::CONFLICT, Some("case_id")),
            "not ended yet: {e}"
        );
        crate::cases::upload_required(app, &citizen, id).await;
        let (s, _) = act(app, &clerk, id, json!({"action": "conclude_on_spot"})).await;
        assert_eq!(s, StatusCode::OK);

        // Bad input names the field; in English on request; nothing is recorded.
        let (s, e) = rate(
            app,
            &citizen,
            id,
            json!({"level": 5, "scores": {"attitude": 5}}),
        )
        .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("scores.attitude")),
            "{e}"
        );
        let (s, e) = app
            .call_with(
                Method::POST,
                &format!("/api/v1/cases/{id}/rating"),
                Some(&citizen),
                Some(json!({"level": 6})),
                en(),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            e["message"].as_str().unwrap().contains("must be 1 to 5"),
            "{e}"
        );
        let (s, e) = rate(app, &citizen, id, json!({"level": 1})).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
        );
        let (s, e) = rate(app, &clerk, id, json!({"level": 5})).await;
        assert!(
            s == StatusCode::CONFLICT || s == StatusCode::FORBIDDEN,
            "not the applicant: {e}"
        );

        let (s, receipt) = rate(app, &citizen, id, bad.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{receipt}");
        assert_eq!(receipt["rating"]["channel"], "web");
        assert_eq!(receipt["rating"]["scores"]["guide_accuracy"], 2);
        let rect = receipt["rectification_id"]
            .as_i64()
            .expect("a bad rating is rectified");
        assert!(receipt["rectify_by"].is_string());
        let (s, e) = rate(app, &citizen, id, json!({"level": 5})).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::CONFLICT, Some("case_id")),
            "once per case"
        );

        // The rated clerk sees the rating but never who gave it.
        let (s, mine) = app.get("/api/v1/ratings", &clerk).await;
        assert_eq!(s, StatusCode::OK, "{mine}");
        assert!(
            mine.as_array().unwrap().iter().any(|r| r["case_id"] == id),
            "{mine}"
        );
        let text = mine.to_string();
        assert!(
            !text.contains("13912345678") && !text.contains("李女士"),
            "{text}"
        );
        let (s, _) = app
            .get(&format!("/api/v1/rectifications/{rect}"), &clerk)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // The supervisor watches without the rater's contact; the department head works it.
        let (s, seen) = app
            .get(&format!("/api/v1/rectifications/{rect}"), &supervisor)
            .await;
        assert_eq!(s, StatusCode::OK, "{seen}");
        assert!(seen["rater"].is_null() && seen["may"].is_null(), "{seen}");
        assert!(!seen.to_string().contains("13912345678"));
        let (s, view) = app
            .get(&format!("/api/v1/rectifications/{rect}"), &leader)
            .await;
        assert_eq!(s, StatusCode::OK, "{view}");
        assert_eq!(view["rater"]["phone"], "13912345678");
        assert_eq!(view["may"], "verify");
        assert_eq!(view["light"], "green");
        let (_, open) = app.get("/api/v1/rectifications", &leader).await;
        assert!(
            open.as_array().unwrap().iter().any(|r| r["id"] == rect),
            "{open}"
        );
        let (s, e) = app
            .get("/api/v1/rectifications?light=purple", &leader)
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("light"))
        );

        let (s, e) = step(
            app,
            &clerk,
            rect,
            json!({"version": 1, "action": "verify", "finding": "x", "founded": true}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        let (s, e) = step(
            app,
            &leader,
            rect,
            json!({"version": 1, "action": "verify", "finding": " ", "founded": false}),
        )
        .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("finding")),
            "{e}"
        );
        let (s, v) = step(app, &leader, rect, json!({"version": 1, "action": "verify", "finding": "材料清单已按最新规定调整，申请人所持为旧版", "founded": false})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["progress"]["state"], "explaining");
        let (s, e) = step(
            app,
            &leader,
            rect,
            json!({"version": 2, "action": "rectify", "measures": "x"}),
        )
        .await;
        assert_eq!(
            (s, e["code"].as_str()),
            (StatusCode::CONFLICT, Some("wrong_state")),
            "{e}"
        );
        let (s, e) = step(
            app,
            &leader,
            rect,
            json!({"version": 1, "action": "explain", "explanation": "x"}),
        )
        .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::CONFLICT, Some("version")),
            "{e}"
        );
        let (s, _) = step(app, &leader, rect, json!({"version": 2, "action": "explain", "explanation": "依据新版办事指南，已向申请人说明"})).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = step(app, &leader, rect, json!({"version": 3, "action": "call_back", "reached": true, "note": "电话回访，申请人表示理解"})).await;
        assert_eq!(s, StatusCode::OK);
        let (s, v) = step(
            app,
            &leader,
            rect,
            json!({"version": 4, "action": "re_evaluate", "level": 4}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(
            (
                v["progress"]["state"].as_str(),
                v["progress"]["outcome"].as_str()
            ),
            (Some("closed"), Some("explained"))
        );
        let (_, view) = app
            .get(&format!("/api/v1/rectifications/{rect}"), &leader)
            .await;
        let actions: Vec<&str> = view["log"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            ["open", "verify", "explain", "call_back", "re_evaluate"]
        );
        assert!(
            view["light"].is_null() && view["may"].is_null(),
            "closed: {view}"
        );
    }
);

each_app!(rating_links_are_sent_spent_and_refused_when_forged, |app| {
    let clerk = app.token("clerk").await;
    let citizen = app.token("citizen").await;
    let id = concluded_case(app).await;
    let send = |channel: &'static str| {
        let clerk = clerk.clone();
        async move {
            app.call(
                Method::POST,
                &format!("/api/v1/cases/{id}/rating-links"),
                Some(&clerk),
                Some(json!({"channel": channel})),
            )
            .await
        }
    };
    let (s, e) = send("fax").await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("channel")),
        "{e}"
    );
    let (s, e) = send("email").await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("channel")),
        "no e-mail: {e}"
    );
    let (s, e) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/rating-links"),
            Some(&citizen),
            Some(json!({"channel": "sms"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    let (s, link) = send("sms").await;
    assert_eq!(s, StatusCode::CREATED, "{link}");
    assert_eq!(link["sent_to"], "13912345678");
    // The token travels only in the message.
    let sent = app.db().store.outbox(Some(id), 20).await.unwrap();
    let body = &sent
        .iter()
        .find(|m| m.body.contains("/rate/"))
        .expect("the link is queued")
        .body;
    let at = body.find("/rate/").unwrap() + "/rate/".len();
    let token: String = body[at..].chars().take(64).collect();
    assert!(!link.to_string().contains(&token));

    let (s, e) = app
        .call(
            Method::GET,
            &format!("/api/v1/rating-links/{}", "a".repeat(64)),
            None,
            None,
        )
        .await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("token")),
        "forged: {e}"
    );
    let (s, e) = app
        .call(Method::GET, "/api/v1/rating-links/short", None, None)
        .await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("token"))
    );
    let (s, v) = app
        .call(
            Method::GET,
            &format!("/api/v1/rating-links/{token}"),
            None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["case_number"].is_string());
    let by_link = |body: Value| {
        let token = token.clone();
        async move {
            app.call(
                Method::POST,
                &format!("/api/v1/rating-links/{token}/rating"),
                None,
                Some(body),
            )
            .await
        }
    };
    let (s, e) =
        by_link(json!({"level": 5, "scores": {"attitude": 5, "efficiency": 5, "competence": 5}}))
            .await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("scores.attitude")),
        "online items: {e}"
    );
    let (s, r) =
        by_link(json!({"level": 5, "scores": online_scores(5), "comment": "办事快"})).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["rating"]["channel"], "sms");
    assert!(r["rectification_id"].is_null());
    let (s, e) = by_link(json!({"level": 5})).await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("token")),
        "spent: {e}"
    );
    let (s, e) = rate(app, &citizen, id, json!({"level": 4})).await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::CONFLICT, Some("case_id")),
        "rated once: {e}"
    );
    // Guessing tokens from one address is throttled like signing in: two guesses above, the
    // rest up to the address's limit, then even a look-up is refused for a while.
    let limit = crate::support::config().max_failures_per_address;
    for i in 2..limit {
        let (s, _) = app
            .call(
                Method::GET,
                &format!("/api/v1/rating-links/{:064x}", i),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (s, e) = app
        .call(
            Method::GET,
            &format!("/api/v1/rating-links/{token}"),
            None,
            None,
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("throttled")),
        "{e}"
    );
});

each_app!(
    an_upheld_appeal_leaves_the_rating_in_the_trail_not_in_the_figures,
    |app| {
        let citizen = app.token("citizen").await;
        let clerk = app.token("clerk").await;
        let supervisor = app.token("supervisor").await;
        let id = concluded_case(app).await;
        let figures = || async {
            let today = chrono::Utc::now().date_naive();
            let q = format!(
                "from={}&to={}",
                today - chrono::Duration::days(2),
                today + chrono::Duration::days(2)
            );
            let (s, f) = app
                .get(&format!("/api/v1/supervision/figures?{q}"), &supervisor)
                .await;
            assert_eq!(s, StatusCode::OK, "{f}");
            (
                f["counters"]["ratings"].as_i64().unwrap(),
                f["counters"]["bad"].as_i64().unwrap(),
            )
        };
        let before = figures().await;
        let (s, r) = rate(
            app,
            &citizen,
            id,
            json!({"level": 1, "reason": "服务态度差"}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let rating = r["rating"]["id"].as_i64().unwrap();
        assert_eq!(figures().await, (before.0 + 1, before.1 + 1));

        let appeal = |token: String, body: Value| async move {
            app.call(
                Method::POST,
                &format!("/api/v1/ratings/{rating}/appeal"),
                Some(&token),
                Some(body),
            )
            .await
        };
        let (s, _) = appeal(citizen.clone(), json!({"reason": "x"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, e) = appeal(clerk.clone(), json!({"reason": ""})).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
        );
        let (s, a) = appeal(
            clerk.clone(),
            json!({"reason": "申请人要求办理不符合条件的事项，属恶意差评"}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        let (s, e) = appeal(clerk.clone(), json!({"reason": "再次申诉"})).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::CONFLICT, Some("rating_id"))
        );

        let (s, _) = app.get("/api/v1/appeals", &clerk).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, pending) = app.get("/api/v1/appeals", &supervisor).await;
        assert!(
            pending
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["id"] == a["id"]),
            "{pending}"
        );
        let decide = |token: String, body: Value| {
            let aid = a["id"].as_i64().unwrap();
            async move {
                app.call(
                    Method::POST,
                    &format!("/api/v1/appeals/{aid}/decision"),
                    Some(&token),
                    Some(body),
                )
                .await
            }
        };
        let (s, _) = decide(
            clerk.clone(),
            json!({"upheld": true, "note": "x", "version": 1}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, d) = decide(
            supervisor.clone(),
            json!({"upheld": true, "note": "调取录像，属恶意差评", "version": 1}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        assert_eq!(d["state"], "upheld");
        assert_eq!(figures().await, before, "out of the figures");
        let (_, all) = app.get("/api/v1/ratings", &supervisor).await;
        let kept = all
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == rating)
            .expect("still on record");
        assert_eq!(kept["counted"], false);
        let rect = r["rectification_id"].as_i64().unwrap();
        let (_, x) = app
            .get(&format!("/api/v1/rectifications/{rect}"), &supervisor)
            .await;
        assert_eq!(x["rectification"]["progress"]["outcome"], "voided", "{x}");
        let (s, e) = decide(
            supervisor.clone(),
            json!({"upheld": false, "note": "x", "version": 2}),
        )
        .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::CONFLICT, Some("appeal"))
        );
    }
);

each_app!(
    the_evaluation_pages_take_a_bad_rating_to_an_upheld_appeal,
    |app| {
        use crate::pages::{page, sign_in_cookie};
        let id = concluded_case(app).await;
        let citizen = sign_in_cookie(app, "citizen").await;
        let case_page = format!("/cases/{id}");
        let (_, html) = page(app, &case_page, &citizen).await;
        assert!(
            html.contains("id=\"rating-form\""),
            "the applicant may rate"
        );
        let (s, html) = crate::pages::post_form(
            app,
            &citizen,
            &case_page,
            &format!("/cases/{id}/rating"),
            &[
                ("level", "2"),
                ("reason", "多次跑动"),
                ("score_efficiency", "2"),
                ("score_guide_accuracy", "1"),
                ("score_convenience", "2"),
                ("score_ease_of_use", "3"),
                ("comment", "<script>alert(1)</script>"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(html.contains("感谢您的评价") && html.contains("id=\"rate-rectify\""));
        let (_, html) = page(app, &case_page, &citizen).await;
        assert!(html.contains("id=\"case-rated\"") && !html.contains("id=\"rating-form\""));

        // The department head works it on its page, with the rater's contact.
        let leader_token = app.token("leader").await;
        let (_, list) = app.get("/api/v1/rectifications", &leader_token).await;
        let rect = list
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["case_id"] == id)
            .expect("listed");
        let (rid, rating) = (
            rect["id"].as_i64().unwrap(),
            rect["rating_id"].as_i64().unwrap(),
        );
        let leader = sign_in_cookie(app, "leader").await;
        let (s, html) = page(app, "/evaluation", &leader).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains(&format!("/evaluation/rectifications/{rid}")),
            "{html}"
        );
        let rect_page = format!("/evaluation/rectifications/{rid}");
        let (_, html) = page(app, &rect_page, &leader).await;
        assert!(html.contains("13912345678") && html.contains("id=\"rect-form\""));
        assert!(
            !html.contains("<script>alert(1)</script>"),
            "the comment is escaped"
        );
        let (s, to) = crate::pages::post_form(
            app,
            &leader,
            &rect_page,
            &rect_page,
            &[
                ("version", "1"),
                ("action", "verify"),
                ("finding", "调取记录，属实"),
                ("founded", "1"),
            ],
        )
        .await;
        assert_eq!(
            (s, to.starts_with(&rect_page)),
            (StatusCode::SEE_OTHER, true),
            "{to}"
        );
        let (_, html) = page(app, &rect_page, &leader).await;
        assert!(html.contains("整改中"), "verified as founded");

        // The rated clerk appeals from the desk, never seeing the rater; the supervisor upholds it.
        let clerk = sign_in_cookie(app, "clerk").await;
        let (_, html) = page(app, "/evaluation", &clerk).await;
        assert!(html.contains(&format!("id=\"appeal-{rating}\"")), "{html}");
        assert!(!html.contains("13912345678") && !html.contains("李女士"));
        let (s, _) = crate::pages::post_form(
            app,
            &clerk,
            "/evaluation",
            &format!("/evaluation/ratings/{rating}/appeal"),
            &[("reason", "申请人所持材料不全，已一次性告知")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let supervisor = sign_in_cookie(app, "supervisor").await;
        let (s, _) = crate::pages::post_form(
            app,
            &supervisor,
            &rect_page,
            &format!("{rect_page}/urge"),
            &[("message", "请尽快整改并回访")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = page(app, &rect_page, &supervisor).await;
        assert!(html.contains("id=\"rect-urged\"") && html.contains("请尽快整改并回访"));
        let (_, html) = page(app, "/evaluation", &supervisor).await;
        let at = html
            .find("id=\"decide-")
            .expect("the appeal awaits a decision");
        let aid: String = html[at + 11..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let (s, _) = crate::pages::post_form(
            app,
            &supervisor,
            "/evaluation",
            &format!("/evaluation/appeals/{aid}"),
            &[("version", "1"), ("upheld", "1"), ("note", "经核实属误评")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = page(app, &rect_page, &supervisor).await;
        assert!(html.contains("申诉成立，差评作废"), "voided");
        let res = app
            .http
            .get(app.url("/evaluation.xlsx"))
            .header("cookie", &supervisor)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let rows = crate::pages::sheet(res).await;
        assert_eq!(rows[0][0], "评价时间");
        assert!(
            rows.iter().any(|r| r.get(6).is_some_and(|c| c == "否")),
            "the voided rating is marked: {rows:?}"
        );
        assert!(
            !html.contains("13912345678"),
            "the supervisor does not call back"
        );
    }
);

each_app!(a_rating_link_opens_a_page_that_rates_once, |app| {
    let clerk = app.token("clerk").await;
    let id = concluded_case(app).await;
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/rating-links"),
            Some(&clerk),
            Some(json!({"channel": "sms"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let sent = app.db().store.outbox(Some(id), 20).await.unwrap();
    let body = &sent
        .iter()
        .find(|m| m.body.contains("/rate/"))
        .unwrap()
        .body;
    let at = body.find("/rate/").unwrap();
    let path: String = body[at..].chars().take(6 + 64).collect();
    let res = app.http.get(app.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let anon = crate::support::cookie_value(&crate::support::set_cookies(&res), "ow_anon_csrf")
        .expect("the page sets the form cookie");
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"rating-form\""));
    let post = |level: &'static str| {
        let html = html.clone();
        let anon = anon.clone();
        let path = path.clone();
        async move {
            app.http
                .post(app.url(&path))
                .header("cookie", format!("ow_anon_csrf={anon}"))
                .form(&[
                    ("_csrf", crate::pages::csrf_in(&html).as_str()),
                    ("level", level),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let res = post("9").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = post("5").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("感谢您的评价"));
    let res = app.http.get(app.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("评价链接无效"));
});

each_app!(
    the_public_results_count_service_ratings_and_show_rectifications_anonymised,
    |app| {
        let citizen = app.token("citizen").await;
        let leader = app.token("leader").await;
        let supervisor = app.token("supervisor").await;
        let clerk = app.token("clerk").await;
        let public = || async {
            let (s, p) = app
                .call(Method::GET, "/api/v1/ratings/public", None, None)
                .await;
            assert_eq!(s, StatusCode::OK, "{p}");
            p
        };
        let before = public().await;
        let n = |p: &Value, i: usize| p["summary"]["by_level"][i].as_i64().unwrap();
        let a = concluded_case(app).await;
        let b = concluded_case(app).await;
        let (_, r) = rate(
            app,
            &citizen,
            a,
            json!({"level": 1, "reason": "一次告知不清"}),
        )
        .await;
        let rect = r["rectification_id"].as_i64().unwrap();
        let (s, _) = rate(app, &citizen, b, json!({"level": 5})).await;
        assert_eq!(s, StatusCode::CREATED);
        for (v, body) in [
            (
                1,
                json!({"action": "verify", "finding": "告知单缺项，属实", "founded": true}),
            ),
            (
                2,
                json!({"action": "rectify", "measures": "修订一次性告知单并组织培训"}),
            ),
            (
                3,
                json!({"action": "call_back", "reached": true, "note": "已回访"}),
            ),
            (4, json!({"action": "re_evaluate", "level": 4})),
        ] {
            let mut body = body;
            body["version"] = json!(v);
            let (s, e) = step(app, &leader, rect, body).await;
            assert_eq!(s, StatusCode::OK, "{e}");
        }

        // Open reviews and supervisors' checks are recorded (and rectified when bad) but are not
        // ratings of a service.
        let (_, case) = app.get(&format!("/api/v1/cases/{a}"), &citizen).await;
        let dept = case["case"]["department_id"].as_i64().unwrap();
        let review = json!({"department_id": dept, "level": 4, "scores": online_scores(4), "comment": "整体不错"});
        let (s, e) = app
            .call(
                Method::POST,
                "/api/v1/reviews",
                Some(&clerk),
                Some(review.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "staff do not review: {e}");
        let mut two = review.clone();
        two["hall_id"] = json!(1);
        let (s, e) = app
            .call(Method::POST, "/api/v1/reviews", Some(&citizen), Some(two))
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("hall_id")),
            "{e}"
        );
        let (s, r) = app
            .call(
                Method::POST,
                "/api/v1/reviews",
                Some(&citizen),
                Some(review),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        assert_eq!(r["rating"]["kind"], "open_review");
        // A few a day per account, then refused.
        let again = json!({"department_id": dept, "level": 5});
        for _ in 1..onewindow_web::service::evaluation::REVIEWS_PER_DAY {
            let (s, _) = app
                .call(
                    Method::POST,
                    "/api/v1/reviews",
                    Some(&citizen),
                    Some(again.clone()),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED);
        }
        let (s, e) = app
            .call(Method::POST, "/api/v1/reviews", Some(&citizen), Some(again))
            .await;
        assert_eq!(
            (s, e["code"].as_str()),
            (StatusCode::TOO_MANY_REQUESTS, Some("throttled"))
        );
        let (_, halls) = app.get("/api/v1/halls", &supervisor).await;
        let hid = halls.as_array().unwrap()[0]["id"].as_i64().unwrap();
        let (_, windows) = app
            .get(&format!("/api/v1/halls/{hid}/windows"), &supervisor)
            .await;
        let wid = windows.as_array().unwrap()[0]["id"].as_i64().unwrap();
        let check = json!({"window_id": wid, "level": 2, "reason": "窗口人员离岗", "scores": {"efficiency": 2, "competence": 3, "attitude": 2}});
        let (s, e) = app
            .call(
                Method::POST,
                "/api/v1/supervisor-checks",
                Some(&citizen),
                Some(check.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        let (s, c) = app
            .call(
                Method::POST,
                "/api/v1/supervisor-checks",
                Some(&supervisor),
                Some(check),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        assert_eq!(c["rating"]["kind"], "supervisor_check");
        assert!(
            c["rectification_id"].is_i64(),
            "a bad check is rectified too"
        );

        let after = public().await;
        assert_eq!(n(&after, 0), n(&before, 0) + 1, "one 5");
        assert_eq!(n(&after, 4), n(&before, 4) + 1, "one 1");
        assert_eq!(
            n(&after, 1) + n(&after, 2) + n(&after, 3),
            n(&before, 1) + n(&before, 2) + n(&before, 3),
            "no review or check counted"
        );
        let text = after.to_string();
        assert!(
            text.contains("修订一次性告知单并组织培训"),
            "the rectification is published"
        );
        assert!(
            !text.contains("13912345678") && !text.contains("李女士"),
            "nobody named"
        );
        // The same figures as the supervision room over the same days.
        let q = format!(
            "from={}&to={}",
            after["from"].as_str().unwrap(),
            after["to"].as_str().unwrap()
        );
        let (_, f) = app
            .get(&format!("/api/v1/supervision/figures?{q}"), &supervisor)
            .await;
        assert_eq!(f["counters"]["ratings"], after["summary"]["ratings"], "{f}");
        assert_eq!(f["counters"]["bad"], after["summary"]["bad"]);
        let (s, e) = app
            .call(
                Method::GET,
                "/api/v1/ratings/public?from=2026-05-01&to=2026-04-01",
                None,
                None,
            )
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("from"))
        );
        // The page.
        let res = app
            .http
            .get(app.url(&format!("/ratings?department_id={dept}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"public-satisfaction\"") && html.contains("好差评公示"));
    }
);

each_app!(a_rectification_is_urged_and_warned_once_at_red, |app| {
    let citizen = app.token("citizen").await;
    let supervisor = app.token("supervisor").await;
    let leader = app.token("leader").await;
    let id = concluded_case(app).await;
    let (_, r) = rate(
        app,
        &citizen,
        id,
        json!({"level": 2, "reason": "等候时间长"}),
    )
    .await;
    let rect = r["rectification_id"].as_i64().unwrap();
    let urge = |token: String, body: Value| async move {
        app.call(
            Method::POST,
            &format!("/api/v1/rectifications/{rect}/urge"),
            Some(&token),
            Some(body),
        )
        .await
    };
    let (s, _) = urge(leader.clone(), json!({"message": "请尽快核实"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the bell is the supervisor's");
    let (s, e) = urge(supervisor.clone(), json!({"message": " "})).await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("message"))
    );
    let (s, v) = urge(
        supervisor.clone(),
        json!({"message": "请三个工作日内完成核实"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["urge_count"], 1);

    // The warning job, on a day after the deadline: warned once at red, however often it runs.
    let (_, view) = app
        .get(&format!("/api/v1/rectifications/{rect}"), &leader)
        .await;
    let red_on = chrono::NaiveDate::parse_from_str(
        view["rectification"]["red_on"].as_str().unwrap(),
        "%Y-%m-%d",
    )
    .unwrap();
    let (_, state) = onewindow_web::build(app.db().store.clone(), crate::support::config());
    let at = red_on.and_hms_opt(2, 0, 0).unwrap().and_utc();
    let first = onewindow_web::service::supervision::warn(&state, at)
        .await
        .unwrap();
    assert_eq!(
        (first.rectifications_reminded, first.rectifications_overdue),
        (0, 1),
        "{first:?}"
    );
    let again = onewindow_web::service::supervision::warn(&state, at)
        .await
        .unwrap();
    assert_eq!(
        (again.rectifications_reminded, again.rectifications_overdue),
        (0, 0)
    );
    let (_, view) = app
        .get(&format!("/api/v1/rectifications/{rect}"), &leader)
        .await;
    let actions: Vec<&str> = view["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["open", "urge", "overdue"]);
    assert_eq!(view["rectification"]["warned"], 2);
});
