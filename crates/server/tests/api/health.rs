//! Health and metrics.

use crate::on_each_backend;

#[tokio::test]
async fn healthz_answers_ok_with_the_backend_and_metrics_serve_prometheus_text() {
    on_each_backend!(app => {
        let r = app.http.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["status"], "ok");
        let m = app.http.get(app.url("/metrics")).send().await.unwrap();
        assert_eq!(m.status(), 200);
        assert!(m.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        let text = m.text().await.unwrap();
        assert!(text.contains("# TYPE http_requests_total counter"), "{text}");
        assert!(text.contains("inbox_pending"), "{text}");
        assert!(text.contains("outbox_rows"), "{text}");
    });
}

#[tokio::test]
async fn healthz_answers_503_when_the_database_is_gone() {
    let app =
        crate::helpers::spawn(crate::helpers::Options::on(crate::helpers::Backend::Sqlite)).await;
    app.state.store.close().await;
    let r = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    app.cleanup().await;
}
