//! The arithmetic both encoders share: dense layers, layer norm, multi-head attention,
//! softmax and GELU. It lives in the `contextual-ops` crate of this repository
//! (`crates/contextual-ops`), compiled optimised even in debug builds; dense layers hold their
//! weights packed once at load (int8 ones stay int8), so that a question's forward pass
//! streams each weight once and copies none. Several texts go through one pass as a batch:
//! their rows are stacked for the dense layers and norms (each row's arithmetic is the same
//! as alone), and attention stays within each text ([`attention_per_text`]).

pub use contextual_ops::{add, attention, gelu_all, LayerNorm, Linear};

/// Attention over a batch of texts whose rows are stacked in `q`, `k`, `v` (`lengths[i]`
/// rows for text `i`, in order): each text attends only to itself, with `bias(i)`, its own
/// additive bias (`heads × len × len`), if any. The rows of each text come out exactly as
/// [`attention`] over that text alone gives them.
pub fn attention_per_text<'a>(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    lengths: &[usize],
    hidden: usize,
    heads: usize,
    bias: impl Fn(usize) -> Option<&'a [f32]>,
) -> Vec<f32> {
    if let [tokens] = lengths {
        return attention(q, k, v, *tokens, hidden, heads, bias(0));
    }
    let mut context = Vec::with_capacity(q.len());
    let mut start = 0;
    for (i, &tokens) in lengths.iter().enumerate() {
        let rows = start * hidden..(start + tokens) * hidden;
        context.extend(attention(
            &q[rows.clone()],
            &k[rows.clone()],
            &v[rows],
            tokens,
            hidden,
            heads,
            bias(i),
        ));
        start += tokens;
    }
    context
}
