//! The catalogue of bad input (issue: "Reliability and security"), each item through the
//! real endpoints: signed webhooks, the JSON API and the dashboard's forms.
//!
//! | item | where | expected |
//! |---|---|---|
//! | body just above `whatsapp.max_body_bytes`, 8 MiB | webhook, API, dashboard | 413 |
//! | non-JSON, invalid UTF-8, 100k `[`, huge numbers, empty | signed webhook | 200, kept as poison |
//! | unknown types, unreadable items, extreme timestamps | inside a valid batch | the rest of the batch is processed |
//! | malformed, nested, huge-number, non-UTF-8 JSON | API | 400 / 422, never 500 |
//! | 10,000 characters, zero-width and right-to-left text | WhatsApp | accepted and stored as sent |
//! | SQL injection strings | every text field | stored as text, nothing else changes |
//! | HTML/script injection strings | every text field | shown escaped on every page |
//! | path traversal in a media file name | WhatsApp document | never a path; download named `lampiran-N` |
//!
//! Every test ends by checking that `/healthz` is 200 and a new citizen is still answered.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wani_bares_store::{attachments, inbox, messages};

use crate::dashboard::{FormExt, web_login};
use crate::helpers::{Options, TestApp, message_body, rand_suffix, sign, text_body};
use crate::on_each_backend;

/// SQL injection strings (SQLite and PostgreSQL flavours).
const SQL: &[&str] = &[
    "'; DROP TABLE complaints; --",
    "x' OR '1'='1",
    "1; DELETE FROM users WHERE 1=1; --",
    "\"); UPDATE complaints SET status='closed' --",
    "' UNION SELECT password_hash, username FROM users --",
    "$1 $2 ?1 :name @p",
    "\\'; SELECT pg_sleep(5); --",
];

/// HTML and script injection strings.
const XSS: &[&str] = &[
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert(1)>",
    "\"><svg onload=alert(2)>",
    "javascript:alert(3)",
    "</textarea><script>alert(4)</script>",
];

/// The raw markers that must never reach a page unescaped.
const RAW_MARKERS: &[&str] = &[
    "<script>alert",
    "<img src=x",
    "<svg onload",
    "</textarea><script>",
];

fn hostile_text() -> String {
    format!(
        "Jalan berlubang di depan pasar {} {}",
        SQL.join(" "),
        XSS.join(" ")
    )
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    crate::dashboard::urlencoded(&[("", s)])[1..].to_owned()
}

/// `/healthz` answers 200 and a citizen writing for the first time is answered.
async fn still_healthy(app: &TestApp) {
    let r = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200, "healthz after hostile input");
    let phone = format!("62814{}", 10_000_000 + rand::random::<u32>() % 89_999_999);
    let replies = app.say(&phone, "Selamat pagi, saya mau lapor").await;
    assert!(!replies.is_empty(), "a new citizen is still answered");
}

async fn inbox_counts(app: &TestApp) -> (i64, i64, i64) {
    let mut r = app.state.store.inbox_reader().await.unwrap();
    inbox::counts(&mut r.conn()).await.unwrap()
}

async fn post_signed(app: &TestApp, body: Vec<u8>) -> u16 {
    app.http
        .post(app.url("/webhooks/whatsapp"))
        .header("content-type", "application/json")
        .header("X-Hub-Signature-256", sign(&body))
        .body(body)
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}

/// The text lines a citizen sent, as stored in the transcript.
async fn stored_texts(app: &TestApp, phone: &str) -> Vec<String> {
    let mut r = app.state.store.reader().await.unwrap();
    let Some(c) = wani_bares_store::citizens::by_phone(&mut r.conn(), phone)
        .await
        .unwrap()
    else {
        return Vec::new();
    };
    messages::for_citizen(&mut r.conn(), c.id, 0, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.direction == "in")
        .filter_map(|m| {
            serde_json::from_str::<Value>(&m.body_json)
                .ok()?
                .get("text")?
                .as_str()
                .map(str::to_owned)
        })
        .collect()
}

#[tokio::test]
async fn bodies_above_the_limits_get_413_on_every_kind_of_endpoint() {
    const LIMIT: usize = 64 * 1024;
    on_each_backend!(|b| Options { tweak: Some(Box::new(|c| c.whatsapp.max_body_bytes = LIMIT)), ..Options::on(b) }, app => {
        // The webhook: exactly the limit is read, one byte more is not.
        let mut at = text_body("6281400009001", "halo");
        at.resize(LIMIT, b' ');
        assert_eq!(post_signed(&app, at).await, 200);
        let mut above = text_body("6281400009002", "halo");
        above.resize(LIMIT + 1, b' ');
        assert_eq!(post_signed(&app, above).await, 413);
        let eight_mib = vec![b' '; 8 << 20];
        assert_eq!(post_signed(&app, eight_mib.clone()).await, 413);
        app.settle().await;
        assert_eq!(app.sent_to("6281400009002").await.len(), 0, "the refused body was not processed");
        assert!(!app.sent_to("6281400009001").await.is_empty(), "the body at the limit was processed");

        // The JSON API: login (no session needed) and an authenticated write.
        app.add_user("admin", "admin", None).await;
        let token = app.login("admin").await;
        let mut big_json = br#"{"username":"admin","password":""#.to_vec();
        big_json.extend(std::iter::repeat_n(b'a', 8 << 20));
        big_json.extend_from_slice(br#""}"#);
        let r = app.http.post(app.url("/api/v1/auth/login"))
            .header("content-type", "application/json").body(big_json.clone()).send().await.unwrap();
        assert_eq!(r.status(), 413);
        let r = app.http.post(app.url("/api/v1/complaints/WB-202611-0001/notes")).bearer_auth(&token)
            .header("content-type", "application/json").body(big_json).send().await.unwrap();
        assert_eq!(r.status(), 413);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "too_large");

        // The dashboard: the login form and a logged-in form post (CSRF in the header, as
        // htmx sends it, so only the size can refuse it).
        let mut big_form = b"username=admin&password=".to_vec();
        big_form.extend(std::iter::repeat_n(b'a', 8 << 20));
        let r = app.http.post(app.url("/login"))
            .header("content-type", "application/x-www-form-urlencoded").body(big_form.clone()).send().await.unwrap();
        assert_eq!(r.status(), 413);
        let web = web_login(&app, "admin").await;
        let r = app.http.post(app.url("/balasan")).header("cookie", &web.cookie).header("x-csrf-token", &web.csrf)
            .header("content-type", "application/x-www-form-urlencoded").body(big_form).send().await.unwrap();
        assert_eq!(r.status(), 413);
        let (_, html) = web.get(&app, "/balasan").await;
        assert!(!html.contains("aaaaaaaaaa"), "nothing of the refused form was stored");
        still_healthy(&app).await;
    });
}

#[tokio::test]
async fn signed_bodies_that_are_not_notifications_are_kept_as_poison_and_answered_200() {
    on_each_backend!(app => {
        let mut invalid_utf8 = text_body("6281400009011", "halo");
        let at = invalid_utf8.windows(4).position(|w| w == b"halo").unwrap();
        invalid_utf8.splice(at..at + 4, [0xff, 0xfe, 0x80, b'a']);
        let deep_arrays = "[".repeat(100_000).into_bytes();
        let deep_objects = "{\"a\":".repeat(100_000).into_bytes();
        let mut deep_in_envelope = br#"{"object":"whatsapp_business_account","entry":"#.to_vec();
        deep_in_envelope.extend("[".repeat(100_000).into_bytes());
        let huge_float = b"1e999999".to_vec();
        let huge_integer = format!("{{\"object\":\"whatsapp_business_account\",\"entry\":[],\"n\":{}}}", "9".repeat(20_000)).into_bytes();
        let bodies: Vec<(&str, Vec<u8>)> = vec![
            ("invalid UTF-8 in a string", invalid_utf8),
            ("100k nested arrays", deep_arrays),
            ("100k nested objects", deep_objects),
            ("deep nesting under entry", deep_in_envelope),
            ("a number beyond f64", huge_float),
            ("a 20,000-digit integer", huge_integer),
            ("an empty body", Vec::new()),
            ("NUL bytes", vec![0; 64]),
            ("a JSON string", b"\"whatsapp_business_account\"".to_vec()),
            ("XML", b"<?xml version=\"1.0\"?><object>whatsapp_business_account</object>".to_vec()),
        ];
        let (_, _, poison_before) = inbox_counts(&app).await;
        for (what, body) in &bodies {
            assert_eq!(post_signed(&app, body.clone()).await, 200, "{what}");
        }
        app.settle().await;
        let (pending, _, poison) = inbox_counts(&app).await;
        assert_eq!(pending, 0);
        assert_eq!(poison - poison_before, bodies.len() as i64, "each hostile body is one poison row");
        assert!(app.sent_to("6281400009011").await.is_empty());
        still_healthy(&app).await;
    });
}

#[tokio::test]
async fn one_batch_with_unknown_types_and_unreadable_items_still_answers_its_good_message() {
    on_each_backend!(app => {
        let good = "6281400009021";
        let strange = "6281400009022";
        let ticket = app.register_complaint("6281400009023", "Saluran irigasi jebol di Desa Bendo sejak kemarin").await;
        let mut body: Value = serde_json::from_slice(&text_body(good, "Selamat siang, mau tanya")).unwrap();
        let messages = body.pointer_mut("/entry/0/changes/0/value/messages").unwrap().as_array_mut().unwrap();
        let m = |from: &str, extra: Value| {
            let mut v = json!({"from": from, "id": format!("wamid.hostile.{}", rand_suffix()), "timestamp": "1793757600"});
            for (k, x) in extra.as_object().unwrap() {
                v[k] = x.clone();
            }
            v
        };
        messages.extend([
            m(strange, json!({"type": "poll_response", "poll_response": {"option": 2}})),
            m(strange, json!({"type": "order", "order": {"catalog_id": "1", "product_items": [{"quantity": 1e300}]}})),
            m(strange, json!({"type": "text"})),
            m(strange, json!({"type": "text", "text": {"body": 42}})),
            m(strange, json!({"type": 7, "text": {"body": "type is a number"}})),
            m(strange, json!({"type": "image", "image": {"id": ["not", "a", "string"]}})),
            m(strange, json!({"type": "text", "text": {"body": "timestamp too big"}, "timestamp": "99999999999999999999999"})),
            m(strange, json!({"type": "text", "text": {"body": "timestamp huge float"}, "timestamp": 1e300})),
            json!({"id": "", "type": "text", "text": {"body": "empty id"}}),
            json!("not an object"),
            json!(null),
            // A registered citizen's follow-up at the end of time, and one before the epoch:
            // attached to the open complaint and shown on the dashboard.
            m("6281400009023", json!({"type": "text", "text": {"body": "tambahan di akhir zaman"}, "timestamp": i64::MAX.to_string()})),
            m("6281400009023", json!({"type": "text", "text": {"body": "tambahan sebelum epoch"}, "timestamp": i64::MIN})),
            m(strange, json!({"type": "location", "location": {"latitude": "NaN", "longitude": 1e308}})),
        ]);
        let value = body.pointer_mut("/entry/0/changes/0/value").unwrap();
        value["statuses"] = json!([
            {"id": "wamid.unknown", "status": "exploded", "timestamp": "1793757600", "recipient_id": good},
            {"id": "wamid.unknown2", "status": "read", "timestamp": u64::MAX, "recipient_id": good},
            {"status": "read"},
        ]);
        value["errors"] = json!([{"code": "not a number"}, {"code": 131_000, "title": "Something went wrong"}]);
        app.post_webhook_ok(&serde_json::to_vec(&body).unwrap()).await;
        app.settle().await;
        let (pending, _, poison) = inbox_counts(&app).await;
        assert_eq!((pending, poison), (0, 0), "the batch is processed, not poisoned");
        assert!(!app.sent_to(good).await.is_empty(), "the good message in the batch was answered");
        let s = app.staff().await;
        let (status, d) = app.api_get(&s.admin, &format!("/api/v1/complaints/{ticket}")).await;
        assert_eq!(status, 200);
        assert_eq!(d["status"], "submitted");
        app.add_user("admin2", "admin", None).await;
        let web = web_login(&app, "admin2").await;
        let (status, _) = web.get(&app, &format!("/aduan/{ticket}")).await;
        assert_eq!(status, 200, "the complaint page renders extreme message times");
        let (status, _) = web.get(&app, &format!("/aduan/{ticket}/percakapan")).await;
        assert_eq!(status, 200);
        still_healthy(&app).await;
    });
}

#[tokio::test]
async fn malformed_json_to_the_api_gets_400_or_422_never_500() {
    on_each_backend!(app => {
        let ticket = app.register_complaint("6281400009031", "Trotoar rusak di depan sekolah dasar negeri").await;
        let s = app.staff().await;
        let actions = format!("/api/v1/complaints/{ticket}/actions");
        let cases: Vec<(&str, Vec<u8>, u16)> = vec![
            ("not JSON", b"verify".to_vec(), 400),
            ("invalid UTF-8", b"{\"action\":\"ver\xffify\"}".to_vec(), 400),
            ("100k nested arrays", "[".repeat(100_000).into_bytes(), 400),
            ("nested objects", format!("{}1{}", "{\"action\":".repeat(5_000), "}".repeat(5_000)).into_bytes(), 400),
            ("a number beyond f64", b"{\"action\":\"verify\",\"x\":1e999999}".to_vec(), 400),
            ("truncated", b"{\"action\":\"ver".to_vec(), 400),
            ("empty", Vec::new(), 400),
            ("an unknown action", b"{\"action\":\"teleport\"}".to_vec(), 422),
            ("the action as a number", b"{\"action\":123}".to_vec(), 422),
            ("the action as an array", b"{\"action\":[\"verify\"]}".to_vec(), 422),
            ("an extra field on a data action", b"{\"action\":\"reject\",\"reason\":\"x\",\"admin\":true}".to_vec(), 422),
            ("a huge integer for an agency list", b"{\"action\":\"dispatch\",\"opds\":[18446744073709551616]}".to_vec(), 422),
            ("a 10,000-character reason", format!("{{\"action\":\"reject\",\"reason\":\"{}\"}}", "a".repeat(10_000)).into_bytes(), 422),
            ("a reason of zero-width spaces", "{\"action\":\"reject\",\"reason\":\"\u{200b}\u{200b}\"}".as_bytes().to_vec(), 422),
            ("a NUL character in a reason", b"{\"action\":\"reject\",\"reason\":\"Alasan \\u0000 lain\"}".to_vec(), 422),
            ("a NUL character in a key", b"{\"action\":\"verify\",\"\\u0000\":1}".to_vec(), 422),
        ];
        for (what, body, expected) in cases {
            let r = app.http.post(app.url(&actions)).bearer_auth(&s.admin)
                .header("content-type", "application/json").body(body).send().await.unwrap();
            let status = r.status().as_u16();
            let text = r.text().await.unwrap();
            assert_eq!(status, expected, "{what}: {text}");
            let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            assert!(v["error"]["code"].is_string(), "{what}: the API's error format: {text}");
        }
        // Query strings: odd filters are refused, never a server error.
        for q in ["status=closed'--", "limit=99999999999999999999999", "cursor=-1e9", "from=9999-99-99", "kind=%F0%9F%98%80", "category=1%20OR%201%3D1", "q=%FF%FE", "opd=%E2%80%AE"] {
            let (status, v) = app.api_get(&s.admin, &format!("/api/v1/complaints?{q}")).await;
            assert!(status == 200 || status == 400 || status == 422, "{q}: {status} {v}");
        }
        // NUL (`%00`) in a path or query: PostgreSQL text cannot hold it; refused up front.
        for path in ["/api/v1/complaints?opd=%00", "/api/v1/complaints?q=a%00b", "/api/v1/complaints/WB-202611-0001%00", "/api/v1/attachments/1%00"] {
            let (status, v) = app.api_get(&s.admin, path).await;
            assert_eq!(status, 400, "{path}: {v}");
        }
        let (status, _) = app.api_post(&s.admin, &format!("/api/v1/complaints/{ticket}/notes"), &json!({"text": "catatan\u{0}"})).await;
        assert_eq!(status, 422);
        let r = app.http.post(app.url("/api/v1/auth/login")).json(&json!({"username": "admin\u{0}", "password": "x"})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let (_, d) = app.api_get(&s.admin, &format!("/api/v1/complaints/{ticket}")).await;
        assert_eq!(d["status"], "submitted", "nothing changed the complaint");
        still_healthy(&app).await;
    });
}

#[tokio::test]
async fn long_invisible_and_right_to_left_texts_are_accepted_and_stored_as_sent() {
    on_each_backend!(app => {
        let long: String = "Jalan rusak 🙏 ".chars().cycle().take(10_000).collect();
        let invisible = "Ya\u{200b}\u{200c}\u{200d}\u{2060}\u{feff} jalan\u{00ad} rusak";
        let rtl = "\u{202e}kaskur nalaj\u{202c} \u{2067}شارع مكسور\u{2069} \u{200f}נזק\u{200e}";
        let cases = [("6281400009041", long.as_str()), ("6281400009042", invisible), ("6281400009043", rtl)];
        for (phone, text) in cases {
            let replies = app.say(phone, text).await;
            assert!(!replies.is_empty(), "{phone} answered");
            for r in &replies {
                assert!(r.text().chars().count() <= 4096, "replies stay within WhatsApp's limit");
            }
            assert_eq!(stored_texts(&app, phone).await, vec![text.to_owned()], "stored exactly as sent");
        }
        // The same texts complete a complaint; the dashboard shows it.
        let ticket = app.register_complaint("6281400009044", rtl).await;
        app.add_user("admin", "admin", None).await;
        let web = web_login(&app, "admin").await;
        let (status, html) = web.get(&app, &format!("/aduan/{ticket}")).await;
        assert_eq!(status, 200);
        assert!(html.contains("شارع مكسور"), "right-to-left text is shown");
        let (status, _) = web.get(&app, &format!("/cari?q={}", enc(rtl))).await;
        assert_eq!(status, 200);
        still_healthy(&app).await;
    });
}

/// Registers a complaint whose every citizen-typed field carries `inject`: the form (name,
/// address, text), a document with a hostile file name, and the KTP photo.
async fn register_hostile(
    app: &TestApp,
    phone: &str,
    nama: &str,
    alamat: &str,
    aduan: &str,
) -> String {
    let form = format!("Nama: {nama}\nNIK: 3520014108900001\nAlamat: {alamat}\nAduan: {aduan}");
    app.register_form(phone, &form).await
}

async fn assert_escaped(web: &crate::dashboard::Web, app: &TestApp, path: &str) -> String {
    let (status, html) = web.get(app, path).await;
    assert_eq!(status, 200, "{path}");
    for raw in RAW_MARKERS {
        assert!(!html.contains(raw), "{path} shows {raw:?} unescaped");
    }
    html
}

// Complaints a, b and c, and the staff s, read like the scenario they play.
#[allow(clippy::many_single_char_names)]
#[tokio::test]
async fn injection_strings_in_every_text_field_are_stored_as_text_and_shown_escaped() {
    on_each_backend!(app => {
        let aduan = hostile_text();
        // Names only take letters and a little punctuation: the quote is what matters.
        let a = register_hostile(&app, "6281400009051", "D'Artagnan O'Neil", "Jl. Merdeka'); DROP TABLE citizens; -- <script>alert('xss')</script>", &aduan).await;
        let b = app.register_complaint("6281400009052", "Lampu penerangan jalan mati di simpang Maospati").await;
        let c = app.register_complaint("6281400009053", "Pungutan liar di loket kecamatan setiap pagi").await;
        let s = app.staff().await;
        let inject = format!("{} {}", SQL[0], XSS[0]);

        // Every text the API takes, on the way through the SOP.
        let (status, v) = app.http.patch(app.url(&format!("/api/v1/complaints/{a}"))).bearer_auth(&s.admin)
            .json(&json!({"summary": format!("Ringkasan {}", inject)})).send().await
            .map(|r| (r.status().as_u16(), r)).unwrap();
        assert_eq!(status, 200, "{:?}", v.text().await);
        let (status, _) = app.api_post(&s.admin, &format!("/api/v1/complaints/{a}/notes"), &json!({"text": format!("Catatan {}", XSS.join(" "))})).await;
        assert_eq!(status, 201);
        let (status, v) = app.api_post(&s.admin, &format!("/api/v1/complaints/{a}/identity"), &json!({"reason": format!("cek {}", inject)})).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["identity"]["nama"], "D'Artagnan O'Neil");
        app.act(&s.admin, &a, &json!({"action": "verify"})).await;
        app.act(&s.kabid, &a, &json!({"action": "forward"})).await;
        app.act(&s.kadis, &a, &json!({"action": "dispatch", "opds": ["DPUPR", "DINKES"], "note": format!("Disposisi {inject}")})).await;
        app.act(&s.dinkes, &a, &json!({"action": "decline", "reason": format!("Bukan wewenang {inject}")})).await;
        app.act(&s.pupr, &a, &json!({"action": "answer", "answer": format!("Jawaban {}", XSS.join(" ")), "follow_up": format!("Tindak lanjut {}", SQL.join(" "))})).await;
        app.act(&s.kadis, &a, &json!({"action": "pass_answer"})).await;
        app.act(&s.kabid, &a, &json!({"action": "pass_answer"})).await;
        let d = app.act(&s.admin, &a, &json!({"action": "send_reply", "text": format!("Balasan {inject}")})).await;
        assert_eq!(d["status"], "closed");
        app.act(&s.admin, &b, &json!({"action": "request_completion", "message": format!("Mohon lengkapi {inject}")})).await;
        app.act(&s.admin, &b, &json!({"action": "reject", "reason": format!("Ditolak {inject}")})).await;
        // Refused input with injection strings: an error, nothing stored.
        let (status, _) = app.api_post(&s.admin, &format!("/api/v1/complaints/{c}/actions"), &json!({"action": "dispatch", "opds": [SQL[0]], "note": ""})).await;
        assert!(status == 403 || status == 422, "{status}");
        let status = app.http.patch(app.url(&format!("/api/v1/complaints/{c}"))).bearer_auth(&s.admin)
            .json(&json!({"category": SQL[1], "district": XSS[0]})).send().await.unwrap().status().as_u16();
        assert_eq!(status, 422);
        for (u, p) in [(SQL[1], SQL[1]), ("admin' --", "x"), ("admin", SQL[1])] {
            let r = app.http.post(app.url("/api/v1/auth/login")).json(&json!({"username": u, "password": p})).send().await.unwrap();
            assert_eq!(r.status(), 401, "login as {u:?}");
        }

        // Nothing else changed: three complaints, the users as created, B and C as left.
        let (_, list) = app.api_get(&s.admin, "/api/v1/complaints?limit=200").await;
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 3, "{list}");
        let status_of = |t: &str| items.iter().find(|i| i["ticket"] == t).map(|i| i["status"].clone()).unwrap();
        assert_eq!(status_of(&a), "closed");
        assert_eq!(status_of(&b), "rejected");
        assert_eq!(status_of(&c), "submitted");
        let (status, me) = app.api_get(&s.superadmin, "/api/v1/me").await;
        assert_eq!((status, me["role"].as_str()), (200, Some("superadmin")));
        // Stored as text, exactly.
        let (_, d) = app.api_get(&s.admin, &format!("/api/v1/complaints/{a}")).await;
        let dump = d.to_string();
        assert!(d["summary"].as_str().unwrap().contains(SQL[0]), "{}", d["summary"]);
        assert!(dump.contains(&serde_json::to_string(XSS[0]).unwrap().trim_matches('"').to_owned()), "the answer kept its text");
        let (_, d) = app.api_get(&s.admin, &format!("/api/v1/complaints/{b}")).await;
        assert!(d.to_string().contains("Ditolak '; DROP TABLE complaints; --"), "{d}");

        // Search: injection strings in `q` find only what contains those words.
        for q in SQL.iter().chain(XSS).chain(&["\"", "*", "NEAR(a b)", "a OR b", "-", "^", "'", "\\", "%", "_", "x:*", "!(x)", "a & b | c", "²³", "\u{0301}", "௰"]) {
            let (status, list) = app.api_get(&s.admin, &format!("/api/v1/complaints?q={}", enc(q))).await;
            assert_eq!(status, 200, "q={q:?}: {list}");
            let found: Vec<&str> = list["items"].as_array().unwrap().iter().filter_map(|i| i["ticket"].as_str()).collect();
            if !q.chars().any(char::is_alphanumeric) {
                // No word to search for: no search filter (the whole list).
                assert_eq!(found.len(), 3, "q={q:?}");
                continue;
            }
            assert!(!found.contains(&b.as_str()) && !found.contains(&c.as_str()), "q={q:?} found unrelated rows {found:?}");
        }

        // The dashboard: every page that shows these texts escapes them.
        let admin = web_login(&app, "admin").await;
        let html = assert_escaped(&admin, &app, &format!("/aduan/{a}")).await;
        assert!(html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"), "the script tag is shown as text");
        assert_escaped(&admin, &app, &format!("/aduan/{a}/percakapan")).await;
        assert_escaped(&admin, &app, &format!("/aduan/{b}")).await;
        assert_escaped(&admin, &app, "/cari?q=berlubang").await;
        assert_escaped(&admin, &app, "/cari/daftar?q=berlubang").await;
        assert_escaped(&admin, &app, "/").await;
        assert_escaped(&admin, &app, &format!("/cari?q={}", enc(XSS[0]))).await;
        assert_escaped(&admin, &app, &format!("/aduan/{a}?ok={}", enc(XSS[2]))).await;
        // A reveal shows the hostile address escaped.
        let (status, _, html) = admin.post(&app, &format!("/aduan/{a}/identitas"), &[("reason", "Verifikasi alamat pelapor")]).await;
        assert_eq!(status, 200);
        assert!(!html.contains("<script>alert"), "revealed identity escaped");
        assert!(html.contains("DROP TABLE citizens"));
        // Refused dashboard forms echo what was typed: escaped too.
        let (status, _, html) = admin.post(&app, &format!("/aduan/{c}/klasifikasi"), &[("category", XSS[0]), ("summary", XSS[1])]).await;
        assert_eq!(status, 422);
        for raw in RAW_MARKERS { assert!(!html.contains(raw), "refused classification echoes {raw:?}"); }
        let (status, _, html) = admin.post(&app, &format!("/aduan/{a}/aksi"), &[("action", "reject"), ("reason", XSS[4])]).await;
        assert_eq!(status, 409);
        for raw in RAW_MARKERS { assert!(!html.contains(raw), "a refused action echoes {raw:?}"); }
        let (status, _, _) = admin.post(&app, &format!("/aduan/{c}/catatan"), &[("text", XSS[0])]).await;
        assert_eq!(status, 303);
        assert_escaped(&admin, &app, &format!("/aduan/{c}")).await;
        let (status, _, _) = admin.post(&app, "/balasan", &[("title", XSS[0]), ("body", XSS[1])]).await;
        assert_eq!(status, 303);
        assert_escaped(&admin, &app, "/balasan").await;
        // The agency's view of its own complaint.
        let pupr = web_login(&app, "pupr").await;
        assert_escaped(&pupr, &app, &format!("/aduan/{a}")).await;
        assert_escaped(&pupr, &app, "/").await;
        // The superadmin's pages with hostile names.
        let sa = web_login(&app, "super").await;
        let (status, _, _) = sa.post(&app, "/admin/pengguna", &[("username", "xss_user"), ("name", XSS[0]), ("role", "viewer"), ("password", "sandi-yang-panjang-sekali")]).await;
        assert!(status == 200 || status == 303 || status == 422, "{status}");
        let (status, _, _) = sa.post(&app, "/admin/opd", &[("code", "XSSOPD"), ("name", XSS[1]), ("kind", "opd")]).await;
        assert!(status == 303 || status == 422, "{status}");
        let (status, _, _) = sa.post(&app, "/admin/kategori", &[("code", "xss"), ("name", XSS[2])]).await;
        assert!(status == 303 || status == 422, "{status}");
        let (status, _, _) = sa.post(&app, "/admin/libur", &[("date", "2026-12-31"), ("name", XSS[0])]).await;
        assert!(status == 303 || status == 422, "{status}");
        let (status, _, html) = sa.post(&app, "/admin/teks/workflow_rejected", &[("text", &format!("{} {{ticket}} {{reason}}", XSS[0]))]).await;
        assert!(status == 303 || status == 422, "{status}");
        for raw in RAW_MARKERS { assert!(!html.contains(raw), "bot text form echoes {raw:?}"); }
        for path in ["/admin/pengguna", "/admin/opd", "/admin/kategori", "/admin/libur", "/admin/teks", "/admin/teks/workflow_rejected", "/statistik", "/outbox"] {
            assert_escaped(&sa, &app, path).await;
        }
        let mut r = app.state.store.reader().await.unwrap();
        assert!(matches!(wani_bares_store::audit::verify(&mut r.conn()).await.unwrap(), wani_bares_store::audit::Verification::Intact(_)));
        drop(r);
        still_healthy(&app).await;
    });
}

#[tokio::test]
async fn path_traversal_in_a_media_file_name_never_becomes_a_path() {
    on_each_backend!(app => {
        let phone = "6281400009061";
        let form = "Nama: Siti Aminah\nNIK: 3520014108900001\nAlamat: Desa Sidomukti RT 03 RW 05, Kec. Plaosan\nAduan: Dokumen bukti terlampir tentang jalan rusak";
        // The Graph API describes these documents as PDFs.
        let files_base = app.graph.uri();
        wiremock::Mock::given(wiremock::matchers::method("GET"))
            .and(wiremock::matchers::path_regex(r"^/v23\.0/media-doc-\d+$"))
            .respond_with(move |req: &wiremock::Request| {
                let id = req.url.path().rsplit('/').next().unwrap_or("").to_owned();
                let bytes = crate::helpers::media_bytes(&id);
                wiremock::ResponseTemplate::new(200).set_body_json(json!({
                    "url": format!("{files_base}/files/{id}"), "mime_type": "application/pdf",
                    "sha256": crate::helpers::hex_sha256(&bytes), "file_size": bytes.len(), "id": id,
                    "messaging_product": "whatsapp"
                }))
            })
            .with_priority(1)
            .mount(&app.graph)
            .await;
        app.say(phone, form).await;
        app.send_image(phone, &format!("media-{phone}")).await;
        let names = [
            "../../../../etc/passwd",
            "..\\..\\..\\windows\\system32\\config\\SAM",
            "/etc/shadow",
            "bukti\u{0}.pdf",
            "<script>alert(1)</script>.pdf",
            "\"; filename=evil.exe",
            "\r\nSet-Cookie: wb_session=planted",
        ];
        for (i, name) in names.iter().enumerate() {
            let body = message_body(phone, &json!({"type": "document", "document": {
                "id": format!("media-doc-{i}"), "mime_type": "application/pdf",
                "sha256": crate::helpers::hex_sha256(&crate::helpers::media_bytes(&format!("media-doc-{i}"))),
                "filename": name, "caption": "bukti"}}), &format!("wamid.doc.{i}.{}", rand_suffix()));
            app.post_webhook_ok(&body).await;
        }
        app.settle().await;
        let replies = app.say(phone, "YA").await;
        let ticket = replies.iter().find_map(|s| regex_lite::Regex::new(r"WB-\d{6}-\d{4,}").unwrap().find(&s.text()).map(|m| m.as_str().to_owned()))
            .unwrap_or_else(|| panic!("no ticket: {replies:#?}"));
        // Wait for the downloads.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mut r = app.state.store.reader().await.unwrap();
            let due = attachments::due_downloads(&mut r.conn(), i64::MAX, 20).await.unwrap();
            if due.is_empty() { break; }
            assert!(Instant::now() < deadline, "downloads did not finish");
            drop(r);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // No file anywhere is named after what the citizen sent.
        for file in app.data_files() {
            let p = file.display().to_string();
            assert!(file.starts_with(app.dir.path()), "{p} outside the data dir");
            for bad in ["passwd", "shadow", "system32", "SAM", "evil", "bukti", "script", ".."] {
                assert!(!p.contains(bad), "{p} is named after a citizen's file name");
            }
        }
        assert!(!std::path::Path::new("/etc/passwd.bin").exists());
        let s = app.staff().await;
        let (_, d) = app.api_get(&s.admin, &format!("/api/v1/complaints/{ticket}")).await;
        let docs: Vec<&Value> = d["attachments"].as_array().unwrap().iter().filter(|a| a["kind"] == "document").collect();
        assert_eq!(docs.len(), names.len(), "{}", d["attachments"]);
        let admin = web_login(&app, "admin").await;
        for att in docs {
            let id = att["id"].as_i64().unwrap();
            for (path, auth) in [(format!("/api/v1/attachments/{id}"), format!("Bearer {}", s.admin)), (format!("/lampiran/{id}"), String::new())] {
                let mut req = app.http.get(app.url(&path));
                req = if auth.is_empty() { req.header("cookie", &admin.cookie) } else { req.header("authorization", auth) };
                let r = req.send().await.unwrap();
                assert_eq!(r.status(), 200, "{path}");
                let cd = r.headers()["content-disposition"].to_str().unwrap().to_owned();
                assert_eq!(cd, format!("attachment; filename=\"lampiran-{id}\""), "{path}");
                assert!(r.headers().get("set-cookie").is_none(), "{path}: no header injection");
                assert_eq!(r.headers()["content-type"], "application/octet-stream", "{path}: a PDF is never shown inline");
            }
        }
        assert_escaped(&admin, &app, &format!("/aduan/{ticket}")).await;
        still_healthy(&app).await;
    });
}

#[tokio::test]
async fn the_dashboard_login_and_forms_survive_hostile_form_bodies() {
    on_each_backend!(app => {
        app.add_user("admin", "admin", None).await;
        let web = web_login(&app, "admin").await;
        let ticket = app.register_complaint("6281400009071", "Genangan air di jalan desa setiap hujan deras").await;
        let bodies: Vec<(&str, Vec<u8>)> = vec![
            ("invalid UTF-8", b"text=\xff\xfe&csrf=".to_vec()),
            ("bad percent escapes", b"text=%zz%&csrf=%".to_vec()),
            ("a key without value", b"text&csrf".to_vec()),
            ("10,000 repeated keys", "text=a&".repeat(10_000).into_bytes()),
            ("NUL bytes", b"text=\0\0\0".to_vec()),
            ("an escaped NUL", b"text=a%00b&username=admin%00&password=x".to_vec()),
        ];
        for (what, body) in bodies {
            for path in ["/login".to_owned(), format!("/aduan/{ticket}/catatan"), format!("/aduan/{ticket}/aksi")] {
                let mut req = app.http.post(app.url(&path)).header("content-type", "application/x-www-form-urlencoded").body(body.clone());
                if path != "/login" {
                    req = req.header("cookie", &web.cookie).header("x-csrf-token", &web.csrf);
                }
                let status = req.send().await.unwrap().status().as_u16();
                assert!((400..500).contains(&status) || status == 303, "{what} to {path}: {status}");
            }
        }
        for path in [format!("/aduan/{ticket}%00"), "/cari?q=%00".to_owned(), "/login?next=%00".to_owned()] {
            let (status, _) = web.get(&app, &path).await;
            assert_eq!(status, 400, "{path}");
        }
        // A form with a wrong content type is not a way around the CSRF check.
        let r = app.http.post(app.url(&format!("/aduan/{ticket}/aksi"))).header("cookie", &web.cookie)
            .header("content-type", "application/json").body(r#"{"action":"verify"}"#).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let r = app.http.post(app.url(&format!("/aduan/{ticket}/aksi"))).header("cookie", &web.cookie)
            .form(&[("action", "verify"), ("csrf", "")]).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let (_, html) = web.get(&app, &format!("/aduan/{ticket}")).await;
        assert!(html.contains("Menunggu verifikasi"), "nothing changed");
        still_healthy(&app).await;
    });
}
