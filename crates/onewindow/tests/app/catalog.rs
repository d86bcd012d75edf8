//! The catalog through the API and the pages: search in every way a person types, guides and
//! their QR codes, versions from draft to publication, import and export, topics, figures.

use crate::each_app;
use crate::support::{TestApp, en};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const XIUXUE: &str = "211403110001000";

async fn search(app: &TestApp, q: &str) -> Value {
    let url = format!("/api/v1/matters?q={}", form_urlencoded_q(q));
    let (s, v) = app.call(Method::GET, &url, None, None).await;
    assert_eq!(s, StatusCode::OK, "{q}: {v}");
    v
}

fn form_urlencoded_q(q: &str) -> String {
    url::form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

fn first_code(v: &Value) -> &str {
    v["items"][0]["code"].as_str().unwrap_or("")
}

each_app!(search_finds_a_guide_however_it_is_typed, |app| {
    let a = search(app, "休学").await;
    assert_eq!(first_code(&a), XIUXUE);
    assert_eq!(a["items"][0]["name"], "义务教育阶段学生休学");
    assert_eq!(a["items"][0]["department"], "龙港区教育局");
    assert_eq!(first_code(&search(app, "xiuxue").await), XIUXUE);
    assert!(
        search(app, "xx").await["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == XIUXUE),
        "initials"
    );
    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_string())
            .collect()
    };
    // 营业执照 is in the name of 营业执照补领 (first) and an alias of 企业设立登记 (after it)
    let licence = names(&search(app, "营业执照").await);
    assert_eq!(licence[0], "营业执照补领");
    assert!(
        licence.contains(&"企业设立登记".to_string()),
        "an alias: {licence:?}"
    );
    assert_eq!(
        names(&search(app, "營業執照").await),
        licence,
        "traditional characters"
    );
    assert_eq!(
        search(app, "学生 休学").await["items"][0]["code"],
        XIUXUE,
        "two words"
    );
    // name beats material: 居民户口簿 is a material of many, a name of none
    let r = search(app, "身份证").await;
    assert_eq!(r["items"][0]["name"], "居民身份证申领");
    assert!(r["total"].as_u64().unwrap() > 5);
    // browse by department and by topic
    let (_, all_edu) = app
        .call(
            Method::GET,
            "/api/v1/matters?department_id=11&limit=200",
            None,
            None,
        )
        .await;
    assert_eq!(all_edu["total"], 30);
    let (_, born) = app
        .call(Method::GET, "/api/v1/matters?topic=chusheng", None, None)
        .await;
    assert_eq!(born["total"], 11);
    // suggestions while typing
    let (_, s) = app
        .call(
            Method::GET,
            "/api/v1/matters/suggest?q=%E4%B9%89%E5%8A%A1",
            None,
            None,
        )
        .await;
    assert!(
        s["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "义务教育阶段学生休学"),
        "{s}"
    );
    // nonsense, control characters and a huge query: quick, and never a server error
    assert_eq!(search(app, "量子纠缠态").await["total"], 0);
    assert_eq!(search(app, "\u{7}\u{0}\t").await["total"], 0);
    // 3,000 characters: far over the limit, and still a URL an HTTP client will send
    let huge = "休".repeat(3_000);
    let (s, b) = app
        .call_with(
            Method::GET,
            &format!("/api/v1/matters?q={}", form_urlencoded_q(&huge)),
            None,
            None,
            en(),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["field"], "q");
    assert!(b["message"].as_str().unwrap().contains("too long"));
});

each_app!(synonyms_are_kept_by_the_administrators, |app| {
    assert_eq!(search(app, "工商注册").await["total"], 0);
    let admin = app.token("admin").await;
    let (s, _) = app
        .call(
            Method::PUT,
            "/api/v1/catalog/synonyms",
            Some(&admin),
            Some(json!({"text": "工商注册；企业设立登记\n 单个词 \n"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, t) = app.get("/api/v1/catalog/synonyms", &admin).await;
    assert_eq!(
        t["text"], "工商注册；企业设立登记",
        "groups of one word are dropped"
    );
    assert_eq!(
        search(app, "工商注册").await["items"][0]["name"],
        "企业设立登记"
    );
    let clerk = app.token("clerk").await;
    let (s, _) = app
        .call(
            Method::PUT,
            "/api/v1/catalog/synonyms",
            Some(&clerk),
            Some(json!({"text": "a；b"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
});

/// Decodes a PNG QR code into its text.
fn decode_qr(png_bytes: &[u8]) -> String {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().unwrap().1
}

each_app!(guides_have_pages_qr_codes_and_notices, |app| {
    let (s, g) = app
        .call(
            Method::GET,
            &format!("/api/v1/matters/{XIUXUE}"),
            None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(g["guide"]["promised_days"], 3);
    assert_eq!(g["version_number"], 1);
    // Every form the guide names can be downloaded: the blank form and the sample of the
    // application, made by the platform; a form it does not name is not there.
    let html = app
        .http
        .get(app.url(&format!("/guide/{XIUXUE}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for (kind, word) in [("blank", "下载空白表格"), ("sample", "下载示范文本")] {
        assert!(
            html.contains(&format!("href=\"/guide/{XIUXUE}/forms/0/{kind}\""))
                && html.contains(word),
            "{kind}"
        );
        let res = app
            .http
            .get(app.url(&format!("/guide/{XIUXUE}/forms/0/{kind}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{kind}");
        let rows = crate::pages::sheet(res).await;
        let text = rows.concat().join(" ");
        assert!(
            text.contains("学生休学申请表") && text.contains("义务教育阶段学生休学"),
            "{kind}: {text}"
        );
        assert!(text.contains("申请人签字"), "{kind}: {text}");
        assert_eq!(
            text.contains("示范文本"),
            kind == "sample",
            "{kind}: {text}"
        );
    }
    for path in ["forms/1/blank", "forms/0/other", "forms/99/blank"] {
        let (s, _) = app
            .call(Method::GET, &format!("/guide/{XIUXUE}/{path}"), None, None)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    for m in g["guide"]["materials"].as_array().unwrap() {
        for f in ["blank_form", "sample"] {
            if let Some(name) = m[f].as_str() {
                assert!(
                    name.ends_with(".xlsx"),
                    "the guide names what it gives: {name}"
                );
            }
        }
    }
    let (s, _) = app
        .call(Method::GET, "/api/v1/matters/NOPE000000", None, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // the QR code decodes to the guide's own address
    let res = app
        .http
        .get(app.url(&format!("/guide/{XIUXUE}/qr.png")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "image/png");
    let url = decode_qr(&res.bytes().await.unwrap());
    assert_eq!(url, format!("{}/guide/{XIUXUE}", app.base));
    let svg = app
        .http
        .get(app.url(&format!("/guide/{XIUXUE}/qr.svg")))
        .send()
        .await
        .unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    // the page shows everything a person needs
    let html = app
        .http
        .get(app.url(&format!("/guide/{XIUXUE}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in [
        "义务教育阶段学生休学",
        "学生休学申请表",
        "二级以上医院出具的诊断证明",
        "因病申请休学的",
        "共享获取",
        "《中华人民共和国义务教育法》",
        "监护人提交申请",
        "qr.svg",
    ] {
        assert!(html.contains(needle), "the guide page shows {needle}");
    }
    // the one-time notice lists what to bring, and names what is fetched by data sharing
    let html = app
        .http
        .get(app.url(&format!("/guide/{XIUXUE}/notice")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let table = html
        .split("id=\"notice-materials\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert!(
        table.contains("学生休学申请表") && !table.contains("居民户口簿"),
        "shared papers are not asked for"
    );
    assert!(html.contains("行政许可法") && html.contains("body class=\" printable\""));
});

each_app!(
    qr_codes_point_at_the_configured_public_address,
    onewindow_web::WebConfig {
        public_url: Some("https://zwfw.longgang.gov.cn/".into()),
        ..crate::support::config()
    },
    |app| {
        let res = app
            .http
            .get(app.url("/topic/chusheng/qr.png"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            decode_qr(&res.bytes().await.unwrap()),
            "https://zwfw.longgang.gov.cn/topic/chusheng"
        );
    }
);

each_app!(topics_bundles_posters_and_figures, |app| {
    let (_, t) = app
        .call(Method::GET, "/api/v1/topics/kaiban-qiye-yjs", None, None)
        .await;
    assert_eq!(t["matters"].as_array().unwrap().len(), 4);
    let merged = t["merged_materials"].as_array().unwrap();
    let licence: Vec<&Value> = merged
        .iter()
        .filter(|m| m["material"]["name"] == "营业执照")
        .collect();
    assert_eq!(licence.len(), 1, "one paper listed once");
    assert_eq!(licence[0]["for_matters"].as_array().unwrap().len(), 3);
    let (_, topics) = app.call(Method::GET, "/api/v1/topics", None, None).await;
    assert_eq!(topics.as_array().unwrap().len(), 16);
    // the life-event wall: 57 codes over five stages
    let html = app
        .http
        .get(app.url("/life-events/poster"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(html.matches("/qr.svg").count(), 57);
    for stage in ["出生", "上学", "就业", "结婚", "退休"] {
        assert!(html.contains(&format!("<h2>{stage}</h2>")));
    }
    // the seeds' figures, computed from the rows
    let (_, s) = app
        .call(Method::GET, "/api/v1/catalog/stats", None, None)
        .await;
    assert_eq!(s["matters"], 759);
    assert_eq!(
        (
            s["stationed"]["count"].as_u64(),
            s["stationed"]["percent"].as_f64()
        ),
        (Some(663), Some(87.35))
    );
    assert_eq!(s["at_most_one_visit"]["percent"], 72.99);
    assert_eq!(s["no_visit"]["percent"], 26.22);
    assert_eq!(s["online"]["percent"], 91.44);
    assert_eq!(s["time_compression_percent"], 50.86);
    let html = app
        .http
        .get(app.url("/catalog/stats"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("87.35%") && html.contains("50.86%"));
    let html = app
        .http
        .get(app.url("/search?q=%E4%BC%91%E5%AD%A6"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("href=\"&#x2f;guide&#x2f;{XIUXUE}\""))
            || html.contains(&format!("/guide/{XIUXUE}"))
    );
});

fn guide_json(name: &str) -> Value {
    json!({
        "name": name, "kind": "licensing", "level": "区级", "legal_basis": "《测试条例》第一条",
        "applicant": "legal", "materials": [{"name": "申请书", "form": "original", "copies": 1}],
        "statutory_days": 20, "promised_days": 5, "modes": ["window", "online"], "visits": 1, "stationed": true
    })
}

each_app!(
    a_guide_goes_from_draft_to_the_public_through_review,
    |app| {
        let admin = app.token("admin").await;
        let civil = app
            .find("/api/v1/departments", &admin, "name", "龙港区民政局")
            .await;
        // a department administrator writes; the region administrator publishes
        let (s, _) = app
        .call(Method::POST, "/api/v1/users", Some(&admin), Some(json!({"username": "civil.editor", "display_name": "民政局管理员", "password": "civil-edit-1", "roles": ["admin"], "department_id": civil["id"]})))
        .await;
        assert_eq!(s, StatusCode::CREATED);
        let (_, t) = app
            .call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"username": "civil.editor", "password": "civil-edit-1"})),
            )
            .await;
        let editor = t["token"].as_str().unwrap().to_string();
        let body = json!({"code": "21140309T001000", "department_id": civil["id"], "guide": guide_json("养犬登记测试事项")});
        let (s, created) = app
            .call(
                Method::POST,
                "/api/v1/catalog/matters",
                Some(&editor),
                Some(body.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        let v1 = created["version"]["id"].as_i64().unwrap();
        assert_eq!(
            search(app, "养犬登记测试").await["total"],
            0,
            "drafts are not public"
        );
        // not in another department
        let health = app
            .find("/api/v1/departments", &admin, "name", "龙港区卫生健康局")
            .await;
        let mut other = body.clone();
        other["code"] = json!("21140310T001000");
        other["department_id"] = health["id"].clone();
        assert_eq!(
            app.call(
                Method::POST,
                "/api/v1/catalog/matters",
                Some(&editor),
                Some(other)
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );
        // bad guides are refused with the field
        let mut bad = body.clone();
        bad["code"] = json!("21140309T002000");
        bad["guide"]["promised_days"] = json!(30);
        let (s, b) = app
            .call(
                Method::POST,
                "/api/v1/catalog/matters",
                Some(&editor),
                Some(bad),
            )
            .await;
        assert_eq!(
            (s, b["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("promised_days"))
        );
        // submit; the editor cannot approve, the region administrator can
        let (s, v) = app
            .call(
                Method::POST,
                &format!("/api/v1/catalog/versions/{v1}/actions"),
                Some(&editor),
                Some(json!({"action": "submit"})),
            )
            .await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("review")));
        let (s, _) = app
            .call(
                Method::POST,
                &format!("/api/v1/catalog/versions/{v1}/actions"),
                Some(&editor),
                Some(json!({"action": "approve"})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, v) = app
            .call(
                Method::POST,
                &format!("/api/v1/catalog/versions/{v1}/actions"),
                Some(&admin),
                Some(json!({"action": "approve"})),
            )
            .await;
        assert_eq!(
            (s, v["status"].as_str()),
            (StatusCode::OK, Some("published"))
        );
        assert_eq!(
            search(app, "养犬登记测试").await["items"][0]["code"],
            "21140309T001000",
            "published at once"
        );
        // a second version: only what changed is shown to the reviewer
        let mut g2 = guide_json("养犬登记测试事项");
        g2["promised_days"] = json!(3);
        g2["materials"] = json!([{"name": "申请书", "form": "original", "copies": 1}, {"name": "犬只免疫证明", "form": "copy", "copies": 1}]);
        let (s, v2) = app
            .call(
                Method::PUT,
                "/api/v1/catalog/matters/21140309T001000/draft",
                Some(&editor),
                Some(json!({"guide": g2})),
            )
            .await;
        assert_eq!((s, v2["number"].as_i64()), (StatusCode::OK, Some(2)));
        let (_, d) = app
            .get(
                &format!("/api/v1/catalog/versions/{}/diff", v2["id"]),
                &editor,
            )
            .await;
        let fields: Vec<&str> = d["differences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, vec!["承诺时限", "材料（新增）"]);
        assert_eq!(d["against"], 1);
        // sending back needs a reason; the public keeps version 1 meanwhile
        app.call(
            Method::POST,
            &format!("/api/v1/catalog/versions/{}/actions", v2["id"]),
            Some(&editor),
            Some(json!({"action": "submit"})),
        )
        .await;
        let (s, b) = app
            .call(
                Method::POST,
                &format!("/api/v1/catalog/versions/{}/actions", v2["id"]),
                Some(&admin),
                Some(json!({"action": "reject"})),
            )
            .await;
        assert_eq!(
            (s, b["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("note"))
        );
        let (_, g) = app
            .call(Method::GET, "/api/v1/matters/21140309T001000", None, None)
            .await;
        assert_eq!(g["guide"]["promised_days"], 5);
        let (_, versions) = app
            .get("/api/v1/catalog/matters/21140309T001000/versions", &editor)
            .await;
        assert_eq!(versions.as_array().unwrap().len(), 2);
        // staff of another department see none of it
        let other = app.token("approver-sthj").await;
        assert_eq!(
            app.get("/api/v1/catalog/matters/21140309T001000/versions", &other)
                .await
                .0,
            StatusCode::FORBIDDEN
        );
    }
);

async fn export(app: &TestApp, token: &str, format: &str) -> Vec<u8> {
    let res = app
        .http
        .get(app.url(&format!("/api/v1/catalog/export?format={format}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.bytes().await.unwrap().to_vec()
}

async fn import(app: &TestApp, token: &str, bytes: Vec<u8>, partial: bool) -> (StatusCode, Value) {
    let res = app
        .http
        .post(app.url(&format!("/api/v1/catalog/import?partial={partial}")))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let s = res.status();
    (s, res.json().await.unwrap_or(Value::Null))
}

each_app!(the_catalog_round_trips_through_xlsx_and_csv, |app| {
    let admin = app.token("admin").await;
    // XLSX out and in again: every guide reads back equal, so nothing changes
    let xlsx = export(app, &admin, "xlsx").await;
    assert!(xlsx.starts_with(b"PK"));
    let (s, out) = import(app, &admin, xlsx, false).await;
    assert_eq!(s, StatusCode::OK, "{out}");
    assert_eq!(
        out["report"],
        json!({"created": 0, "updated": 0, "unchanged": 759})
    );
    // CSV likewise; then one changed cell updates one matter
    let csv = String::from_utf8(export(app, &admin, "csv").await).unwrap();
    let (s, out) = import(app, &admin, csv.clone().into_bytes(), false).await;
    assert_eq!(
        (s, out["report"]["unchanged"].as_u64()),
        (StatusCode::OK, Some(759))
    );
    let changed = csv.replacen("义务教育阶段学生休学,", "义务教育阶段学生休学（申请）,", 1);
    assert_ne!(changed, csv);
    let (_, out) = import(app, &admin, changed.into_bytes(), false).await;
    assert_eq!(
        out["report"],
        json!({"created": 0, "updated": 1, "unchanged": 758})
    );
    assert_eq!(
        search(app, "休学").await["items"][0]["name"],
        "义务教育阶段学生休学（申请）"
    );
});

each_app!(
    a_bad_import_is_reported_row_by_row_and_imports_nothing,
    |app| {
        let admin = app.token("admin").await;
        let csv = export(app, &admin, "csv").await;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&csv[..]);
        let mut rows: Vec<Vec<String>> = rdr
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        let header = rows.remove(0);
        let mut cells: Vec<Vec<String>> = rows.into_iter().take(4).collect();
        cells[0][1] = "全新的导入事项".into();
        cells[0][0] = "NEW0000000001".into();
        cells[1][11] = "-5".into(); // a negative limit
        cells[2][3] = "不存在的局".into(); // an unknown department
        cells[3][0] = cells[0][0].clone(); // a duplicate code
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&header).unwrap();
        for c in &cells {
            w.write_record(c).unwrap();
        }
        let file = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let (s, out) = import(app, &admin, file.clone().into_bytes(), false).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
        assert_eq!(out["imported"], false);
        let errs: Vec<(u64, &str)> = out["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["line"].as_u64().unwrap(), e["column"].as_str().unwrap()))
            .collect();
        // each error names the column and the line where its row starts in the file (rows span
        // several lines when a cell holds a list)
        let columns: Vec<&str> = errs.iter().map(|e| e.1).collect();
        assert_eq!(columns, vec!["法定时限", "实施部门", "实施编码"]);
        let starts: Vec<u64> = file
            .split('\n')
            .enumerate()
            .filter(|(_, l)| {
                cells[1..]
                    .iter()
                    .any(|c| l.starts_with(&format!("{},", c[0])))
            })
            .map(|(i, _)| i as u64 + 1)
            .collect();
        let lines: Vec<u64> = errs.iter().map(|e| e.0).collect();
        assert_eq!(lines, starts[starts.len() - 3..].to_vec());
        assert_eq!(
            search(app, "全新的导入事项").await["total"],
            0,
            "nothing was imported"
        );
        // with partial, the good row goes in
        let (s, out) = import(app, &admin, file.into_bytes(), true).await;
        assert_eq!((s, out["imported"].as_bool()), (StatusCode::OK, Some(true)));
        assert_eq!(out["report"]["created"], 1);
        assert_eq!(search(app, "全新的导入事项").await["total"], 1);
        // not a table at all; missing columns
        let (s, b) = import(app, &admin, b"\x89PNG\r\n\x1a\n\0\0\0".to_vec(), false).await;
        assert_eq!(
            (s, b["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("file"))
        );
        let (s, b) = import(
            app,
            &admin,
            "实施编码,事项名称\nA000001,x\n".as_bytes().to_vec(),
            false,
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            b["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("缺少列")
        );
        // only publishers import
        let clerk = app.token("clerk").await;
        assert_eq!(
            import(app, &clerk, b"x".to_vec(), false).await.0,
            StatusCode::FORBIDDEN
        );
    }
);

each_app!(the_import_page_takes_a_file, |app| {
    let cookie = crate::pages::sign_in_cookie(app, "admin").await;
    let html = app
        .http
        .get(app.url("/admin/catalog"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("21140311000100") || html.contains("211403110001000"));
    let csrf = crate::pages::csrf_in(&html);
    let admin = app.token("admin").await;
    let xlsx = export(app, &admin, "xlsx").await;
    let form = reqwest::multipart::Form::new().text("_csrf", csrf).part(
        "file",
        reqwest::multipart::Part::bytes(xlsx).file_name("目录.xlsx"),
    );
    let res = app
        .http
        .post(app.url("/admin/catalog/import"))
        .header("cookie", &cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"import-ok\"") && html.contains("759"),
        "{html}"
    );
    // without the token: refused
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(b"x".to_vec()));
    let res = app
        .http
        .post(app.url("/admin/catalog/import"))
        .header("cookie", &cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
});

each_app!(the_documented_example_file_imports, |app| {
    let admin = app.token("admin").await;
    let example = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/examples/catalog-example.csv"
    ))
    .unwrap();
    let (s, out) = import(app, &admin, example, false).await;
    assert_eq!(s, StatusCode::OK, "{out}");
    assert_eq!(
        out["report"],
        json!({"created": 0, "updated": 0, "unchanged": 4}),
        "the example is the demo's own four matters"
    );
});

each_app!(
    a_guide_is_edited_submitted_and_published_on_the_pages,
    |app| {
        let cookie = crate::pages::sign_in_cookie(app, "admin").await;
        let page = |path: String| {
            let cookie = cookie.clone();
            async move {
                let res = app
                    .http
                    .get(app.url(&path))
                    .header("cookie", &cookie)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::OK, "{path}");
                res.text().await.unwrap().replace("&#x2f;", "/")
            }
        };
        let html = page(format!("/admin/catalog/{XIUXUE}")).await;
        assert!(html.contains("id=\"draft-form\""));
        let csrf = crate::pages::csrf_in(&html);
        // the form carries the guide in the spreadsheet's formats; change the promised limit
        let mut form: Vec<(String, String)> = Vec::new();
        let admin = app.token("admin").await;
        let csv = export(app, &admin, "csv").await;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&csv[..]);
        let row: Vec<String> = rdr
            .records()
            .map(|r| {
                r.unwrap()
                    .iter()
                    .map(str::to_string)
                    .collect::<Vec<String>>()
            })
            .find(|r| r[0] == XIUXUE)
            .unwrap();
        for (i, v) in row.iter().enumerate() {
            form.push((
                format!("c{i}"),
                if i == 12 { "2".into() } else { v.clone() },
            ));
        }
        form.push(("_csrf".into(), csrf.clone()));
        form.push(("note".into(), "承诺时限压缩到2个工作日".into()));
        let res = app
            .http
            .post(app.url(&format!("/admin/catalog/{XIUXUE}")))
            .header("cookie", &cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let html = page(format!("/admin/catalog/{XIUXUE}")).await;
        assert!(html.contains("status-draft") && html.contains("id=\"action-submit\""));
        // a mistake in the form names the column and keeps the draft as it was
        let mut bad = form.clone();
        bad.retain(|(k, _)| k != "c12");
        bad.push(("c12".into(), "20".into()));
        let res = app
            .http
            .post(app.url(&format!("/admin/catalog/{XIUXUE}")))
            .header("cookie", &cookie)
            .form(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("承诺时限"));
        // submit, then approve: the public guide changes
        let (_, versions) = app
            .get(
                &format!("/api/v1/catalog/matters/{XIUXUE}/versions"),
                &admin,
            )
            .await;
        let draft = versions[0]["id"].as_i64().unwrap();
        for action in ["submit", "approve"] {
            let res = app
                .http
                .post(app.url(&format!("/admin/catalog/versions/{draft}/action")))
                .header("cookie", &cookie)
                .form(&[("_csrf", csrf.as_str()), ("action", action)])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{action}");
        }
        let (_, g) = app
            .call(
                Method::GET,
                &format!("/api/v1/matters/{XIUXUE}"),
                None,
                None,
            )
            .await;
        assert_eq!(
            (
                g["guide"]["promised_days"].as_i64(),
                g["version_number"].as_i64()
            ),
            (Some(2), Some(2))
        );
        // both versions stay readable, and the changes are shown
        let html = page(format!("/admin/catalog/versions/{draft}")).await;
        assert!(
            html.contains("承诺时限") && html.contains("3个工作日") && html.contains("2个工作日")
        );
        let first = versions[1]["id"].as_i64().unwrap();
        let html = page(format!("/admin/catalog/versions/{first}/full")).await;
        assert!(
            html.contains("<b>3</b>"),
            "version 1 still shows its 3 days"
        );
    }
);

/// The rows of a CSV export, header first.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn csv_file(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

each_app!(the_catalog_sheet_names_the_licence_each_result_is, |app| {
    let admin = app.token("admin").await;
    let store = app.db().store.clone();
    let mut rows = csv_rows(&export(app, &admin, "csv").await);
    let last = rows[0].len() - 1;
    assert_eq!(rows[0][last], "办理结果证照");
    let row_of = |rows: &[Vec<String>], name: &str| rows.iter().position(|r| r[1] == name).unwrap();
    let xiuxue = row_of(&rows, "义务教育阶段学生休学");
    assert_eq!(rows[xiuxue][last], "xxzm");
    let licensed = rows.iter().skip(1).filter(|r| !r[last].is_empty()).count();
    assert_eq!(licensed, store.matter_licence_kinds().await.unwrap().len());

    // A code that is no type: the row is named, nothing changes.
    let other = rows
        .iter()
        .skip(1)
        .position(|r| r[last].is_empty())
        .unwrap()
        + 1;
    rows[xiuxue][last] = String::new();
    rows[other][last] = "no-such".into();
    let (s, out) = import(app, &admin, csv_file(&rows), false).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    assert_eq!(out["errors"][0]["column"], "办理结果证照", "{out}");
    assert!(
        out["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no-such")
    );
    let code_of = |rows: &[Vec<String>], i: usize| rows[i][0].clone();
    let matter = |code: String| {
        let store = store.clone();
        async move {
            let m = store.matter_by_code(&code).await.unwrap().unwrap();
            store.matter_licence_kind(m.id).await.unwrap()
        }
    };
    assert!(matter(code_of(&rows, xiuxue)).await.is_some());

    // A type's code sets the result, an empty cell clears it: two matters updated, in the
    // same transaction as the guides.
    rows[other][last] = "yyzz".into();
    let (s, out) = import(app, &admin, csv_file(&rows), false).await;
    assert_eq!(s, StatusCode::OK, "{out}");
    assert_eq!(out["report"]["updated"], 2, "{out}");
    assert_eq!(matter(code_of(&rows, xiuxue)).await, None);
    let yyzz = store
        .licence_kinds()
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.code == "yyzz")
        .unwrap();
    assert_eq!(matter(code_of(&rows, other)).await, Some(yyzz.id));
    let again = csv_rows(&export(app, &admin, "csv").await);
    assert_eq!(again[row_of(&again, &rows[other][1])][last], "yyzz");

    // A sheet without the column (made before it) leaves every result as it is.
    let without: Vec<Vec<String>> = rows.iter().map(|r| r[..last].to_vec()).collect();
    let (s, out) = import(app, &admin, csv_file(&without), false).await;
    assert_eq!(
        (s, out["report"]["updated"].as_u64()),
        (StatusCode::OK, Some(0)),
        "{out}"
    );
    assert_eq!(matter(code_of(&rows, other)).await, Some(yyzz.id));
});
