//! The admin page in a real headless browser: Debian's Chromium driven over WebDriver by
//! `chromedriver` (package `chromium-driver`, which `.ci/run` installs) through `fantoccini`.
//! Signs in by typing the token, reads the overview's charts drawn from a log the test
//! fills, teaches an answer in the page and checks that the next `summit-bot ask` gives it,
//! then removes it and checks the old answer is back. Skipped, with the reason printed, where
//! Chromium or chromedriver is missing.
//!
//! `SUMMIT_ADMIN_SCREENSHOT=docs/admin-overview.png cargo test --test admin_browser` also
//! writes the screenshot of the overview shown in the README.

mod support;

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use summit_bot::store::db::Param;
use support::admin::{start, AdminPage, TOKEN};

/// A chromedriver on a free port of 127.0.0.1, stopped on drop.
struct Chromedriver {
    child: Child,
    port: u16,
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Chromedriver {
    /// Starts chromedriver (port 0: it picks one and says which), or says why it cannot.
    fn start() -> Result<Chromedriver, String> {
        if !std::path::Path::new(chromium()).exists() {
            return Err(format!(
                "no Chromium at {} (apt-get install chromium chromium-driver)",
                chromium()
            ));
        }
        let mut child = Command::new("chromedriver")
            .arg("--port=0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!("cannot run chromedriver ({e}; apt-get install chromium-driver)")
            })?;
        let stdout = child.stdout.take().ok_or("no chromedriver stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(port) = line
                    .split("started successfully on port ")
                    .nth(1)
                    .and_then(|rest| rest.trim_end_matches('.').parse::<u16>().ok())
                {
                    let _ = tx.send(port);
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(port) => Ok(Chromedriver { child, port }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                Err("chromedriver did not report a port within 30 s".to_string())
            }
        }
    }
}

fn chromium() -> &'static str {
    "/usr/bin/chromium"
}

/// Fills the log with two weeks of questions and votes at fixed hours (a deterministic
/// pattern, so the charts have shape), through the store's own connection.
async fn fill_log(page: &AdminPage) {
    let now = summit_bot::store::db::unix_now();
    let today = now - now.rem_euclid(86_400);
    page.store
        .with_db(move |db| {
            Box::pin(async move {
                let mut n = 0u64;
                for day in 0..14i64 {
                    let asked = 3 + (day * 7 % 11) as u64;
                    for i in 0..asked {
                        n += 1;
                        let hour = (8 + (i * 5 + day as u64 * 3) % 13) as i64;
                        let at = (today - (13 - day) * 86_400 + hour * 3600 + 60 * i as i64)
                            .min(now);
                        let answered = i % 4 != 3;
                        let (question, passage): (&str, Option<&str>) = if answered {
                            ("Is there a hotline?", Some("summit-article:2.4"))
                        } else if i % 8 == 3 {
                            ("What is the best pizza topping?", None)
                        } else {
                            ("Who won the football match?", None)
                        };
                        let id = format!("{n:016x}");
                        db.execute(
                            "INSERT INTO questions (id, at, source, outcome, guild, channel, asker, question, normalised, passage, score, coverage, latency_us) \
                             VALUES (?1, ?2, 'mention', ?3, 77, 5, ?4, ?5, ?6, NULLIF(?7, ''), NULL, NULL, 1500)",
                            &[
                                Param::Text(id.clone()),
                                Param::Int(at),
                                Param::Text(if answered { "answered" } else { "no_answer" }.into()),
                                Param::Text(format!("{:032x}", i % 5)),
                                Param::Text(question.into()),
                                Param::Text(summit_bot::store::normalise(question)),
                                passage.map_or(Param::Text(String::new()), |p| Param::Text(p.into())),
                            ],
                        )
                        .await?;
                        if answered && i % 2 == 0 {
                            db.execute(
                                "INSERT INTO votes (answer, voter, helpful, guild, at) VALUES (?1, ?2, ?3, 77, ?4)",
                                &[
                                    Param::Text(id),
                                    Param::Text(format!("{:032x}", i)),
                                    Param::Int(i64::from(i % 6 != 0)),
                                    Param::Int(at),
                                ],
                            )
                            .await?;
                        }
                    }
                }
                Ok(())
            })
        })
        .await
        .expect("log filled");
}

/// `summit-bot ask --json QUESTION` against the page's question log: the answer's passage id.
fn ask(page: &AdminPage, question: &str) -> Option<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_summit-bot"))
        .arg("--config")
        .arg(&page.config)
        .args(["ask", "--json", question])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("DISCORD_TOKEN")
        .env_remove("DISCORD_TOKEN_FILE")
        .output()
        .expect("summit-bot runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    json["answer"]["passage"]["id"].as_str().map(str::to_string)
}

/// Waits (generously) until the browser's URL satisfies `done`.
async fn wait_for_url(client: &fantoccini::Client, done: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let url = client.current_url().await.expect("url").to_string();
        if done(&url) {
            return url;
        }
        assert!(
            Instant::now() < deadline,
            "the page never reached it: {url}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_read_the_charts_teach_and_remove_in_headless_chromium() {
    let driver = match Chromedriver::start() {
        Ok(driver) => driver,
        Err(reason) => {
            println!("skipping the headless browser test: {reason}");
            return;
        }
    };
    let page = start().await;
    fill_log(&page).await;

    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_string(),
        serde_json::json!({
            "binary": chromium(),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1900", "--hide-scrollbars", "--force-device-scale-factor=1"]
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a Chromium session");

    // Signed out, the overview sends the browser to the sign-in form.
    client.goto(&page.url("/admin")).await.expect("goto");
    wait_for_url(&client, |u| u.ends_with("/admin/login")).await;
    assert!(!client.source().await.unwrap().contains("pizza"));
    client
        .find(Locator::Id("token"))
        .await
        .expect("token field")
        .send_keys(TOKEN)
        .await
        .expect("typed");
    client
        .find(Locator::Css("main.login button[type=submit]"))
        .await
        .expect("sign-in button")
        .click()
        .await
        .expect("clicked");
    wait_for_url(&client, |u| u.ends_with("/admin")).await;

    // The overview: three charts with titles, axes and per-bar values, the gaps table.
    client
        .goto(&page.url("/admin?range=30d"))
        .await
        .expect("goto");
    let charts = client
        .find_all(Locator::Css("section.chart svg"))
        .await
        .unwrap();
    assert_eq!(charts.len(), 3);
    let headings: Vec<String> = {
        let mut texts = Vec::new();
        for h in client
            .find_all(Locator::Css("section.chart h2"))
            .await
            .unwrap()
        {
            texts.push(h.text().await.unwrap());
        }
        texts
    };
    assert_eq!(
        headings,
        [
            "Questions per day, and how many were answered",
            "Helpful and Not helpful votes per day",
            "Questions by hour of day (UTC)"
        ]
    );
    let source = client.source().await.unwrap();
    assert!(source.contains("Asked: "), "bars carry their values");
    assert!(source.contains("Day (UTC)") && source.contains("Hour (UTC)"));
    let bars = client
        .find_all(Locator::Css("section.chart rect"))
        .await
        .unwrap();
    assert!(bars.len() > 30, "{} bars", bars.len());
    let (_, _, width, _) = charts[0].rectangle().await.unwrap();
    assert!(width > 300.0, "the chart is drawn at page width: {width}");
    let gaps = client
        .find(Locator::XPath(
            "//section[h2='Most frequent unanswered questions']//tbody",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(gaps.contains("Who won the football match?"), "{gaps}");
    if let Ok(path) = std::env::var("SUMMIT_ADMIN_SCREENSHOT") {
        let png = client.screenshot().await.expect("screenshot");
        std::fs::write(&path, png).expect("screenshot written");
        println!("wrote {path}");
    }

    // Teach in the page: the next `summit-bot ask` gives the taught passage.
    let question = "What is the best pizza topping?";
    let before = ask(&page, question);
    assert_eq!(before, None, "unanswered before teaching");
    client.goto(&page.url("/admin/taught")).await.unwrap();
    let form = Locator::Css("form.teach");
    let teach = client.find(form).await.unwrap();
    teach
        .find(Locator::Css("input[name=question]"))
        .await
        .unwrap()
        .send_keys(question)
        .await
        .unwrap();
    teach
        .find(Locator::Css("input[name=passage]"))
        .await
        .unwrap()
        .send_keys("point 4")
        .await
        .unwrap();
    teach
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&client, |u| u.contains("/admin/taught?added=")).await;
    let listed = client.source().await.unwrap();
    assert!(listed.contains(question), "listed");
    assert_eq!(ask(&page, question).as_deref(), Some("summit-article:2.4"));
    assert_eq!(
        ask(&page, "pizza topping: what is the best?").as_deref(),
        Some("summit-article:2.4"),
        "same words in another order"
    );

    // Remove it in the page: the old answer is back.
    client
        .find(Locator::Css("form[action='/admin/taught/remove'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&client, |u| u.contains("/admin/taught?removed=")).await;
    assert_eq!(ask(&page, question), before);

    // Sign out: the overview is closed again.
    client
        .find(Locator::Css("form.logout button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&client, |u| u.ends_with("/admin/login")).await;
    client.goto(&page.url("/admin")).await.unwrap();
    wait_for_url(&client, |u| u.ends_with("/admin/login")).await;
    client.close().await.expect("session closed");
}
