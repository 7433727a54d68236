//! The admin page over HTTP on a real socket: signed out it shows nothing of the log, a
//! wrong token is refused and the sixth quick failure gets 429, a form without its CSRF
//! token gets 403, hostile questions render as text, and an answer taught in the page
//! applies at once and goes away when removed. (`tests/admin_browser.rs` drives the same
//! page in headless Chromium.)

mod support;

use support::admin::{start, Client, TOKEN};

const HOSTILE: &[&str] = &[
    "<script>alert('x')</script> what is the summit?",
    "\"><img src=x onerror=alert(1)>",
    "javascript:alert(document.cookie)",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_out_the_page_redirects_and_shows_nothing_of_the_log() {
    let page = start().await;
    page.ask(1, Some(7), "a question nobody may read signed out");
    page.flush();
    let mut client = Client::new();
    for path in ["/admin", "/admin/questions?q=nobody", "/admin/taught"] {
        let got = client.get(&page.url(path)).await;
        assert_eq!(got.status, 303, "{path}");
        assert_eq!(got.header("location"), "/admin/login", "{path}");
        assert!(!got.body.contains("nobody"), "{path}: {}", got.body);
    }
    let login = client.get(&page.url("/admin/login")).await;
    assert_eq!(login.status, 200);
    assert!(!login.body.contains("nobody"));
    // A form posted signed out is refused, not run.
    let posted = client
        .post(
            &page.url("/admin/taught"),
            &[("csrf", "x"), ("question", "q"), ("passage", "point 1")],
        )
        .await;
    assert_eq!(posted.status, 403);
    assert!(page.taught.snapshot().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_refused_and_the_sixth_quick_failure_gets_429() {
    let page = start().await;
    let mut client = Client::new();
    let form = client.get(&page.url("/admin/login")).await;
    let mut csrf = form.csrf();
    let cookie = form
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("summit_admin_login="))
        .expect("the form's CSRF cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    for attempt in 1..=5 {
        let refused = client
            .post(
                &page.url("/admin/login"),
                &[("csrf", &csrf), ("token", "wrong-token")],
            )
            .await;
        assert_eq!(refused.status, 401, "attempt {attempt}");
        assert!(refused.body.contains("Wrong token."), "{}", refused.body);
        assert!(!client.cookies.iter().any(|(k, _)| k == "summit_admin"));
        // The form comes back with a fresh CSRF value (in its field and its cookie).
        csrf = refused.csrf();
    }
    let limited = client
        .post(
            &page.url("/admin/login"),
            &[("csrf", &csrf), ("token", "wrong-token")],
        )
        .await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), "60");
    // Locked out, even the right token waits.
    let still = client
        .post(
            &page.url("/admin/login"),
            &[("csrf", &limited.csrf()), ("token", TOKEN)],
        )
        .await;
    assert_eq!(still.status, 429);
    assert!(!client.cookies.iter().any(|(k, _)| k == "summit_admin"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_without_the_csrf_token_get_403() {
    let page = start().await;
    let mut client = Client::new();
    // The sign-in form itself: no token, or one that is not this browser's.
    client.get(&page.url("/admin/login")).await;
    let bare = client
        .post(&page.url("/admin/login"), &[("token", TOKEN)])
        .await;
    assert_eq!(bare.status, 403);
    let forged = client
        .post(
            &page.url("/admin/login"),
            &[("csrf", &"0".repeat(64)), ("token", TOKEN)],
        )
        .await;
    assert_eq!(forged.status, 403);
    let csrf = client.sign_in(&page).await;
    let session = client
        .cookies
        .iter()
        .find(|(k, _)| k == "summit_admin")
        .cloned()
        .expect("a session cookie");
    assert_eq!(session.1.len(), 64);
    for (path, form) in [
        (
            "/admin/taught",
            vec![("question", "What about pizza?"), ("passage", "point 4")],
        ),
        ("/admin/taught/remove", vec![("id", "1")]),
        ("/admin/logout", vec![]),
    ] {
        let refused = client.post(&page.url(path), &form).await;
        assert_eq!(refused.status, 403, "{path}");
        let mut wrong = form.clone();
        wrong.push(("csrf", "not-the-token"));
        let refused = client.post(&page.url(path), &wrong).await;
        assert_eq!(refused.status, 403, "{path}");
    }
    assert!(page.taught.snapshot().is_empty(), "nothing was taught");
    // Still signed in: the refused logout did nothing; a real one ends the session.
    assert_eq!(client.get(&page.url("/admin")).await.status, 200);
    let out = client
        .post(&page.url("/admin/logout"), &[("csrf", &csrf)])
        .await;
    assert_eq!(out.status, 303);
    assert_eq!(out.header("location"), "/admin/login");
    client.cookies.push(session);
    let after = client.get(&page.url("/admin")).await;
    assert_eq!(after.status, 303, "the old session cookie no longer works");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cookie_is_http_only_and_strict_and_pages_forbid_scripts() {
    let page = start().await;
    let mut client = Client::new();
    let form = client.get(&page.url("/admin/login")).await;
    let done = client
        .post(
            &page.url("/admin/login"),
            &[("csrf", &form.csrf()), ("token", TOKEN)],
        )
        .await;
    let session = done
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("summit_admin="))
        .expect("session cookie");
    assert!(session.contains("; HttpOnly"), "{session}");
    assert!(session.contains("; SameSite=Strict"), "{session}");
    assert!(session.contains("; Path=/admin"), "{session}");
    for path in [
        "/admin",
        "/admin/questions",
        "/admin/taught",
        "/admin/login",
    ] {
        let got = client.get(&page.url(path)).await;
        assert_eq!(got.status, 200, "{path}");
        let csp = got.header("content-security-policy");
        assert_eq!(csp, summit_bot::web::CSP, "{path}");
        assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"));
        assert!(!got.body.contains("<script"), "{path}");
        assert_eq!(got.header("cache-control"), "no-store", "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_holding_markup_render_as_text() {
    let page = start().await;
    for (user, question) in HOSTILE.iter().enumerate() {
        for _ in 0..2 {
            page.ask(user as u64 + 1, Some(42), question);
        }
    }
    page.flush();
    let mut client = Client::new();
    client.sign_in(&page).await;
    let overview = client.get(&page.url("/admin?range=all")).await;
    let questions = client.get(&page.url("/admin/questions")).await;
    let searched = client.get(&page.url("/admin/questions?q=%3Cscript")).await;
    for (name, got) in [
        ("overview", &overview),
        ("questions", &questions),
        ("search", &searched),
    ] {
        assert_eq!(got.status, 200, "{name}");
        assert!(!got.body.contains("<script"), "{name}: {}", got.body);
        assert!(!got.body.contains("<img"), "{name}");
        assert!(!got.body.contains("href=\"javascript"), "{name}");
    }
    assert!(
        questions
            .body
            .contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; what is the summit?"),
        "{}",
        questions.body
    );
    assert!(questions
        .body
        .contains("&#34;&#62;&#60;img src=x onerror=alert(1)&#62;"));
    assert!(questions.body.contains("javascript:alert(document.cookie)"));
    assert!(searched.body.contains("&#60;script&#62;alert"));
    assert!(
        !searched.body.contains("onerror"),
        "the search found one row"
    );
    // Unanswered questions are offered for teaching in a hidden field: escaped there too.
    assert!(overview
        .body
        .contains("name=\"question\" value=\"&#34;&#62;&#60;img src=x onerror=alert(1)&#62;\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_taught_in_the_page_applies_at_once_and_removing_it_restores_the_old_one() {
    let page = start().await;
    let question = "Which pizza topping is the best one?";
    let before = page.engine.ask(question).unwrap();
    assert!(before.answer.is_none(), "no answer before teaching");
    let mut client = Client::new();
    let csrf = client.sign_in(&page).await;
    // A passage that does not exist is refused with the form shown again.
    let bad = client
        .post(
            &page.url("/admin/taught"),
            &[
                ("csrf", &csrf),
                ("question", question),
                ("passage", "point 99"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("No such passage"), "{}", bad.body);
    let added = client
        .post(
            &page.url("/admin/taught"),
            &[
                ("csrf", &csrf),
                ("question", question),
                ("passage", "point 4"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    assert_eq!(added.header("location"), "/admin/taught?added=1");
    let answer = page
        .engine
        .ask("the best ONE: which pizza topping is")
        .unwrap();
    let passage = answer.answer.expect("taught answer").passage.id.to_string();
    assert_eq!(passage, "summit-article:2.4");
    let listed = client.get(&page.url("/admin/taught?added=1")).await;
    assert!(listed.body.contains("Taught answer 1 saved"));
    assert!(listed
        .body
        .contains("<td class=\"question\">Which pizza topping is the best one?</td>"));
    let removed = client
        .post(
            &page.url("/admin/taught/remove"),
            &[("csrf", &csrf), ("id", "1")],
        )
        .await;
    assert_eq!(removed.status, 303);
    assert_eq!(page.engine.ask(question).unwrap(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn votes_suggest_and_the_overview_counts() {
    let page = start().await;
    let asked = [
        (1, "Is there a hotline?"),
        (2, "is there a hotline"),
        (3, "What about pizza?"),
    ];
    let ids: Vec<u64> = asked
        .iter()
        .map(|(user, q)| page.ask(*user, Some(9), q))
        .collect();
    page.store.record_vote(ids[0], 5, true, Some(9));
    page.store.record_vote(ids[1], 6, true, Some(9));
    page.flush();
    let mut client = Client::new();
    client.sign_in(&page).await;
    let overview = client.get(&page.url("/admin?range=7d&guild=9")).await;
    assert!(overview
        .body
        .contains("<span class=\"figure\">3</span> questions"));
    assert!(overview
        .body
        .contains("<span class=\"figure\">2</span> answered (67 %)"));
    assert_eq!(overview.body.matches("<svg").count(), 3);
    assert!(overview.body.contains("Questions by hour of day (UTC)"));
    assert!(overview.body.contains("Helpful: 2</title>"));
    let other = client.get(&page.url("/admin?range=7d&guild=10")).await;
    assert!(other
        .body
        .contains("<span class=\"figure\">0</span> questions"));
    let taught = client.get(&page.url("/admin/taught")).await;
    assert!(taught.body.contains("Suggested by votes"));
    assert!(
        taught
            .body
            .contains("<td class=\"question\">Is there a hotline?</td>"),
        "{}",
        taught.body
    );
}
