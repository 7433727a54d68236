//! The arithmetic both encoders share: dense layers (matrix products by `matrixmultiply`),
//! layer norm, multi-head attention, softmax and GELU. Plain f32 slices, row-major.

/// A dense layer: `weight` is `outputs × inputs`, row-major (PyTorch's layout).
pub struct Linear {
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
    pub inputs: usize,
    pub outputs: usize,
}

/// Layer normalisation over the last dimension.
pub struct LayerNorm {
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
    pub eps: f32,
}

impl Linear {
    /// `x · Wᵀ + b` for `rows` rows of `inputs` values.
    pub fn apply(&self, x: &[f32], rows: usize) -> Vec<f32> {
        assert_eq!(x.len(), rows * self.inputs, "input size");
        let mut out = vec![0.0f32; rows * self.outputs];
        // SAFETY: `x` is rows × inputs, the weight outputs × inputs (read as its transpose,
        // inputs × outputs, with row stride 1 and column stride `inputs`) and `out` rows ×
        // outputs, all row-major and of exactly these sizes (checked above and at load).
        unsafe {
            matrixmultiply::sgemm(
                rows,
                self.inputs,
                self.outputs,
                1.0,
                x.as_ptr(),
                self.inputs as isize,
                1,
                self.weight.as_ptr(),
                1,
                self.inputs as isize,
                0.0,
                out.as_mut_ptr(),
                self.outputs as isize,
                1,
            );
        }
        for row in out.chunks_exact_mut(self.outputs) {
            add(row, &self.bias);
        }
        out
    }

    /// Values held.
    pub fn len(&self) -> usize {
        self.weight.len() + self.bias.len()
    }
}

impl LayerNorm {
    /// Normalises each row of `x` (rows as wide as the weight).
    pub fn apply(&self, x: &mut [f32]) {
        for row in x.chunks_exact_mut(self.weight.len()) {
            let n = row.len() as f32;
            let mean = row.iter().sum::<f32>() / n;
            let variance = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
            let inverse = 1.0 / (variance + self.eps).sqrt();
            for ((v, w), b) in row.iter_mut().zip(&self.weight).zip(&self.bias) {
                *v = (*v - mean) * inverse * w + b;
            }
        }
    }

    /// Values held.
    pub fn len(&self) -> usize {
        self.weight.len() + self.bias.len()
    }
}

/// Scaled dot-product attention of `heads` heads over `tokens` rows of `hidden` values (`q`,
/// `k`, `v` as the projections give them), with an optional additive bias per head and
/// (query, key) pair, `heads × tokens × tokens`.
pub fn attention(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    tokens: usize,
    hidden: usize,
    heads: usize,
    bias: Option<&[f32]>,
) -> Vec<f32> {
    let head_dim = hidden / heads;
    let scale = 1.0 / (head_dim as f32).sqrt();
    let mut context = vec![0.0f32; tokens * hidden];
    let mut scores = vec![0.0f32; tokens];
    for h in 0..heads {
        let offset = h * head_dim;
        for i in 0..tokens {
            let qi = &q[i * hidden + offset..][..head_dim];
            for (j, score) in scores.iter_mut().enumerate() {
                let kj = &k[j * hidden + offset..][..head_dim];
                *score = super::super::dot(qi, kj) * scale
                    + bias.map_or(0.0, |b| b[(h * tokens + i) * tokens + j]);
            }
            softmax(&mut scores);
            let out = &mut context[i * hidden + offset..][..head_dim];
            for (j, &p) in scores.iter().enumerate() {
                let vj = &v[j * hidden + offset..][..head_dim];
                for (o, value) in out.iter_mut().zip(vj) {
                    *o += p * value;
                }
            }
        }
    }
    context
}

pub fn add(into: &mut [f32], other: &[f32]) {
    for (a, b) in into.iter_mut().zip(other) {
        *a += b;
    }
}

pub fn softmax(values: &mut [f32]) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in values.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in values.iter_mut() {
        *v /= sum;
    }
}

/// GELU with the error function, as BERT-style models are trained.
pub fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x / std::f32::consts::SQRT_2))
}

/// The error function (Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7).
fn erf(x: f32) -> f32 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let poly = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
    let y = 1.0 - poly * (-x * x).exp();
    y.copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_is_close() {
        assert!((erf(0.5) - 0.520_499_9).abs() < 1e-6);
        assert!((erf(-1.0) + 0.842_700_8).abs() < 1e-6);
        assert!(erf(0.0).abs() < 1e-6);
    }
}
