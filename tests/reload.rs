//! Reloading articles while the bot runs (SIGHUP): a good change is served at once; a broken
//! article leaves the previous engine serving.

use std::sync::Arc;

use summit_bot::bot::reload::EngineHandle;
use summit_bot::config::Config;

const ARTICLE: &str = include_str!("../index/articles/summit-article.txt");

fn config_for(dir: &std::path::Path) -> Config {
    let mut config = Config::default();
    config.corpus.articles_dir = Some(dir.join("articles"));
    config.corpus.index_dir = dir.join("idx");
    config
}

fn answer(handle: &EngineHandle, question: &str) -> Option<String> {
    let response = handle.current().ask(question).expect("search runs");
    response.answer.map(|hit| hit.passage.text.clone())
}

#[tokio::test]
async fn a_broken_article_keeps_the_old_index_serving_and_a_fixed_one_is_picked_up() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("articles")).unwrap();
    let article = dir.path().join("articles").join("summit-article.txt");
    std::fs::write(&article, ARTICLE).unwrap();
    let config = config_for(dir.path());
    let engine = summit_bot::engine::Engine::from_config(&config).expect("opens");
    let handle = Arc::new(EngineHandle::new(Arc::new(engine)));
    let before = answer(&handle, "Is there a hotline?").expect("answers");

    // A marker without a definition: the reload fails, the old engine keeps answering.
    std::fs::write(&article, ARTICLE.replace("issues.[2]", "issues.[9]")).unwrap();
    assert!(!handle.reload(&config).await);
    assert_eq!(
        answer(&handle, "Is there a hotline?").as_deref(),
        Some(before.as_str())
    );

    // A good change is served after the next reload.
    let changed = ARTICLE.replace("a hotline to address", "a red telephone line to address");
    std::fs::write(&article, changed).unwrap();
    assert!(handle.reload(&config).await);
    let after = answer(&handle, "Is there a red telephone line?").expect("answers");
    assert!(after.contains("a red telephone line to address"), "{after}");
}
