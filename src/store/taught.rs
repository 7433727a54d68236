//! Taught answers in the store (table `taught`, migration 3): list, add (a question taught
//! again gets the new passage), remove, and the pairs the votes suggest teaching. One SQL
//! text for both databases, like the rest of the store.

use super::db::{unix_now, Db, DbError, Param, Value};
use crate::retrieve::taught::{article_of, key, TaughtAnswer, TaughtAnswers};

/// Taught answers, newest first.
pub async fn list(db: &mut Db) -> Result<Vec<TaughtAnswer>, DbError> {
    let rows = db
        .query(
            "SELECT id, question, passage, article, created FROM taught ORDER BY created DESC, id DESC",
            &[],
        )
        .await?;
    Ok(rows.iter().map(|r| answer(r)).collect())
}

fn answer(row: &[Value]) -> TaughtAnswer {
    let text = |i: usize| row[i].text().unwrap_or_default().to_string();
    TaughtAnswer {
        id: row[0].int(),
        question: text(1),
        passage: text(2),
        article: text(3),
        created: row[4].int(),
    }
}

/// Teaches `passage` for `question`; a question with the same words taught before now gets
/// this passage. Returns the stored answer.
pub async fn add(db: &mut Db, question: &str, passage: &str) -> Result<TaughtAnswer, DbError> {
    let words = key(question);
    // The id is the next free number, chosen in the statement (one SQL for both databases;
    // `WHERE 1 = 1` lets SQLite read the upsert after a SELECT).
    db.execute(
        "INSERT INTO taught (id, article, question, words, passage, created) \
         SELECT COALESCE(MAX(id), 0) + 1, ?1, ?2, ?3, ?4, ?5 FROM taught WHERE 1 = 1 \
         ON CONFLICT (words) DO UPDATE SET article = excluded.article, question = excluded.question, \
         passage = excluded.passage, created = excluded.created",
        &[
            Param::Text(article_of(passage).to_string()),
            Param::Text(question.trim().to_string()),
            Param::Text(words.clone()),
            Param::Text(passage.to_string()),
            Param::Int(unix_now()),
        ],
    )
    .await?;
    let rows = db
        .query(
            "SELECT id, question, passage, article, created FROM taught WHERE words = ?1",
            &[Param::Text(words)],
        )
        .await?;
    Ok(rows
        .first()
        .map(|r| answer(r))
        .unwrap_or_else(|| TaughtAnswer {
            id: 0,
            question: question.to_string(),
            passage: passage.to_string(),
            article: article_of(passage).to_string(),
            created: 0,
        }))
}

/// Removes taught answer `id`; returns whether there was one.
pub async fn remove(db: &mut Db, id: i64) -> Result<bool, DbError> {
    Ok(db
        .execute("DELETE FROM taught WHERE id = ?1", &[Param::Int(id)])
        .await?
        > 0)
}

/// A question and passage people voted Helpful, at least twice by different people and
/// never Not helpful: worth teaching, for an admin to decide.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Suggestion {
    /// The question as one asker wrote it.
    pub question: String,
    /// The passage the bot answered with.
    pub passage: String,
    /// Distinct people who voted it Helpful.
    pub helpful: u64,
}

/// Pairs the votes suggest, most Helpful voters first (50 at most).
pub async fn suggestions(db: &mut Db) -> Result<Vec<Suggestion>, DbError> {
    let rows = db
        .query(
            "SELECT q.normalised, MIN(q.question), q.passage, \
             COUNT(DISTINCT CASE WHEN v.helpful <> 0 THEN v.voter END) AS people \
             FROM questions q JOIN votes v ON v.answer = q.id \
             WHERE q.passage IS NOT NULL AND q.question IS NOT NULL \
             GROUP BY q.normalised, q.passage \
             HAVING COUNT(DISTINCT CASE WHEN v.helpful <> 0 THEN v.voter END) >= 2 \
             AND SUM(CASE WHEN v.helpful = 0 THEN 1 ELSE 0 END) = 0 \
             ORDER BY people DESC, q.normalised LIMIT 50",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(Suggestion {
                question: r[1].text()?.to_string(),
                passage: r[2].text()?.to_string(),
                helpful: r[3].int().max(0) as u64,
            })
        })
        .collect())
}

/// Teaches through the running store, then serves the new list from `set` at once (no
/// reload). Errors are in words (the store's reads and writes go through its writer).
pub async fn teach(
    store: &super::Store,
    set: &TaughtAnswers,
    question: String,
    passage: String,
) -> Result<TaughtAnswer, String> {
    let (added, all) = store
        .with_db(move |db| {
            Box::pin(async move {
                let added = add(db, &question, &passage).await?;
                Ok((added, list(db).await?))
            })
        })
        .await?;
    set.replace(all);
    Ok(added)
}

/// Removes taught answer `id` through the running store and serves the rest at once;
/// returns whether there was one.
pub async fn forget(store: &super::Store, set: &TaughtAnswers, id: i64) -> Result<bool, String> {
    let (removed, all) = store
        .with_db(move |db| {
            Box::pin(async move {
                let removed = remove(db, id).await?;
                Ok((removed, list(db).await?))
            })
        })
        .await?;
    set.replace(all);
    Ok(removed)
}

/// Loads the taught answers into `set` (at start); returns how many.
pub async fn refresh(store: &super::Store, set: &TaughtAnswers) -> Result<usize, String> {
    let all = store
        .with_db(|db| Box::pin(async move { list(db).await }))
        .await?;
    let n = all.len();
    set.replace(all);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::block_on;
    use crate::store::db::Target;

    #[test]
    fn add_list_reteach_and_remove_in_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let target = Target::Sqlite(dir.path().join("t.db"));
        block_on(async {
            let mut db = Db::connect(&target).await.unwrap();
            let first = add(&mut db, "Is there a hotline?", "summit-article:2.4")
                .await
                .unwrap();
            assert_eq!(first.id, 1);
            assert_eq!(first.article, "summit-article");
            let second = add(&mut db, "Who met?", "summit-article:1").await.unwrap();
            assert_eq!(second.id, 2);
            // The same words again: the passage changes, no second row.
            let again = add(&mut db, "a HOTLINE, is there", "summit-article:3")
                .await
                .unwrap();
            assert_eq!(again.id, 1);
            let all = list(&mut db).await.unwrap();
            assert_eq!(all.len(), 2);
            assert!(all.iter().any(|a| a.passage == "summit-article:3"));
            assert!(remove(&mut db, 1).await.unwrap());
            assert!(!remove(&mut db, 1).await.unwrap());
            assert_eq!(list(&mut db).await.unwrap(), vec![second]);
            assert!(suggestions(&mut db).await.unwrap().is_empty());
        });
    }
}
