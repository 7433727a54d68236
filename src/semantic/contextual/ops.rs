//! The arithmetic both encoders share: dense layers, layer norm, multi-head attention,
//! softmax and GELU. It lives in the `contextual-ops` crate of this repository
//! (`crates/contextual-ops`), compiled optimised even in debug builds; dense layers hold their
//! weights packed once at load (int8 ones stay int8), so that a question's forward pass
//! streams each weight once and copies none.

pub use contextual_ops::{add, attention, gelu_all, LayerNorm, Linear};
