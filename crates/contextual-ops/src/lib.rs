//! The arithmetic of summit-bot's sentence transformers (`src/semantic/contextual/`): dense
//! layers over weights packed once at load, layer norm, multi-head attention, softmax and
//! GELU, on plain row-major f32 slices.
//!
//! A crate of its own so that debug builds compile it optimised (`[profile.dev.package.
//! contextual-ops]` in the root `Cargo.toml`): tests answer with the shipped transformer, and
//! an unoptimised forward pass would dominate them.
//!
//! Why the dense product is written here rather than taken from a general sgemm: a question
//! is 10 to 20 tokens, so each layer multiplies a few rows by a large weight matrix.
//! `matrixmultiply::sgemm` copied the weight into its panel layout on every call, 42 MB of
//! f32 per question for all-MiniLM-L6-v2, which was half of a question's CPU time in a
//! profile. Here the weight is packed once at load, in panels of [`PANEL`] outputs, and an
//! int8 weight (the shipped MiniLM) stays int8 in memory, a quarter of the bytes to stream
//! per question, and is converted to f32 in registers: the products are the f32 products of
//! the dequantised weights (the scale, one per output, is applied to the sum).

/// Outputs per packed panel: two AVX registers of f32.
const PANEL: usize = 16;
/// Input rows (tokens) computed together against one panel: twelve accumulator registers.
const ROWS: usize = 6;

/// A dense layer `x · Wᵀ + b`.
pub struct Linear {
    panels: Panels,
    bias: Vec<f32>,
    inputs: usize,
    outputs: usize,
}

/// The weight in panels: panel `p` holds outputs `p·PANEL ..` for every input, `inputs ×
/// PANEL` contiguous values (a last partial panel is padded with zeros).
enum Panels {
    F32(Vec<f32>),
    /// int8 values and one f32 scale per output (the weight is `value × scale`).
    I8 {
        values: Vec<i8>,
        scales: Vec<f32>,
    },
}

impl std::fmt::Debug for Linear {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.panels {
            Panels::F32(_) => "f32",
            Panels::I8 { .. } => "int8",
        };
        f.debug_struct("Linear")
            .field("inputs", &self.inputs)
            .field("outputs", &self.outputs)
            .field("weight", &kind)
            .finish()
    }
}

/// Why a weight cannot make a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError(pub String);

impl std::fmt::Display for ShapeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ShapeError {}

impl Linear {
    /// A layer from an f32 weight, `outputs × inputs` row-major (PyTorch's layout).
    pub fn new(
        weight: &[f32],
        bias: Vec<f32>,
        inputs: usize,
        outputs: usize,
    ) -> Result<Linear, ShapeError> {
        check(weight.len(), bias.len(), inputs, outputs)?;
        Ok(Linear {
            panels: Panels::F32(pack(weight, inputs, outputs)),
            bias,
            inputs,
            outputs,
        })
    }

    /// A layer from an int8 weight, `outputs × inputs` row-major, with one scale per output.
    pub fn quantised(
        values: &[i8],
        scales: Vec<f32>,
        bias: Vec<f32>,
        inputs: usize,
        outputs: usize,
    ) -> Result<Linear, ShapeError> {
        check(values.len(), bias.len(), inputs, outputs)?;
        if scales.len() != outputs {
            return Err(ShapeError(format!(
                "{} scales for {outputs} outputs",
                scales.len()
            )));
        }
        Ok(Linear {
            panels: Panels::I8 {
                values: pack(values, inputs, outputs),
                scales,
            },
            bias,
            inputs,
            outputs,
        })
    }

    /// Values per input row.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Values per output row.
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// `x · Wᵀ + b` for `rows` rows of `inputs` values: `rows × outputs`, row-major.
    pub fn apply(&self, x: &[f32], rows: usize) -> Vec<f32> {
        assert_eq!(x.len(), rows * self.inputs, "input size");
        let mut out = vec![0.0f32; rows * self.outputs];
        match &self.panels {
            Panels::F32(panels) => self.product(x, rows, panels, None, &mut out),
            Panels::I8 { values, scales } => self.product(x, rows, values, Some(scales), &mut out),
        }
        out
    }

    fn product<T: Element>(
        &self,
        x: &[f32],
        rows: usize,
        panels: &[T],
        scales: Option<&[f32]>,
        out: &mut [f32],
    ) {
        let (inputs, outputs) = (self.inputs, self.outputs);
        for (p, panel) in panels.chunks_exact(inputs * PANEL).enumerate() {
            let first = p * PANEL;
            let width = PANEL.min(outputs - first);
            // Blocks of equal size rather than full ones and a remainder: 7 rows as 4 + 3, not
            // 6 + 1 (one row keeps only two accumulators busy).
            let blocks = rows.div_ceil(ROWS);
            let mut start = 0;
            for b in 0..blocks {
                let block = rows / blocks + usize::from(b < rows % blocks);
                let mut sums = [[0.0f32; PANEL]; ROWS];
                tile(
                    &x[start * inputs..(start + block) * inputs],
                    block,
                    inputs,
                    panel,
                    &mut sums,
                );
                for (r, row) in sums[..block].iter().enumerate() {
                    let out = &mut out[(start + r) * outputs + first..][..width];
                    let bias = &self.bias[first..first + width];
                    match scales {
                        Some(scales) => {
                            let scales = &scales[first..first + width];
                            for (((o, s), scale), b) in
                                out.iter_mut().zip(row).zip(scales).zip(bias)
                            {
                                *o = s * scale + b;
                            }
                        }
                        None => {
                            for ((o, s), b) in out.iter_mut().zip(row).zip(bias) {
                                *o = s + b;
                            }
                        }
                    }
                }
                start += block;
            }
        }
    }

    /// Values held (weight and bias).
    pub fn len(&self) -> usize {
        self.inputs * self.outputs + self.bias.len()
    }

    /// Whether the layer has no weights.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held (padding of the last panel included).
    pub fn bytes(&self) -> usize {
        let weight = match &self.panels {
            Panels::F32(panels) => 4 * panels.len(),
            Panels::I8 { values, scales } => values.len() + 4 * scales.len(),
        };
        weight + 4 * self.bias.len()
    }
}

fn check(weight: usize, bias: usize, inputs: usize, outputs: usize) -> Result<(), ShapeError> {
    if inputs == 0 || outputs == 0 || weight != inputs * outputs {
        return Err(ShapeError(format!(
            "{weight} weights for {outputs} outputs of {inputs} inputs"
        )));
    }
    if bias != outputs {
        return Err(ShapeError(format!("{bias} biases for {outputs} outputs")));
    }
    Ok(())
}

/// `weight` (`outputs × inputs`, row-major) in panels of [`PANEL`] outputs.
fn pack<T: Copy + Default>(weight: &[T], inputs: usize, outputs: usize) -> Vec<T> {
    let mut packed = vec![T::default(); outputs.div_ceil(PANEL) * inputs * PANEL];
    for (o, row) in weight.chunks_exact(inputs).enumerate() {
        let (p, c) = (o / PANEL, o % PANEL);
        let panel = &mut packed[p * inputs * PANEL..][..inputs * PANEL];
        for (slot, &value) in panel[c..].iter_mut().step_by(PANEL).zip(row) {
            *slot = value;
        }
    }
    packed
}

/// A weight value: f32, or int8 before its scale.
trait Element: Copy + Default {
    fn to_f32(self) -> f32;

    /// Eight values from `p` as f32.
    ///
    /// # Safety
    /// `p` must point to eight readable values, on a CPU with AVX2.
    #[cfg(target_arch = "x86_64")]
    unsafe fn load8(p: *const Self) -> std::arch::x86_64::__m256;
}

impl Element for f32 {
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self
    }

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load8(p: *const f32) -> std::arch::x86_64::__m256 {
        std::arch::x86_64::_mm256_loadu_ps(p)
    }
}

impl Element for i8 {
    #[inline(always)]
    fn to_f32(self) -> f32 {
        f32::from(self)
    }

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load8(p: *const i8) -> std::arch::x86_64::__m256 {
        use std::arch::x86_64::*;
        _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(p.cast())))
    }
}

/// `sums[r][c]` = Σᵢ `x[r][i] · panel[i][c]` for the first `rows` rows of `x`.
fn tile<T: Element>(
    x: &[f32],
    rows: usize,
    inputs: usize,
    panel: &[T],
    sums: &mut [[f32; PANEL]; ROWS],
) {
    assert!(rows <= ROWS && x.len() == rows * inputs && panel.len() == inputs * PANEL);
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has AVX2 and FMA (checked just above, cached by std), and the
        // sizes were checked above.
        unsafe {
            match rows {
                6 => tile_avx2::<T, 6>(x, inputs, panel, sums),
                5 => tile_avx2::<T, 5>(x, inputs, panel, sums),
                4 => tile_avx2::<T, 4>(x, inputs, panel, sums),
                3 => tile_avx2::<T, 3>(x, inputs, panel, sums),
                2 => tile_avx2::<T, 2>(x, inputs, panel, sums),
                _ => tile_avx2::<T, 1>(x, inputs, panel, sums),
            }
        }
        return;
    }
    for (i, weights) in panel.chunks_exact(PANEL).enumerate() {
        let weights: [f32; PANEL] = std::array::from_fn(|c| weights[c].to_f32());
        for (r, row) in sums[..rows].iter_mut().enumerate() {
            let v = x[r * inputs + i];
            for (sum, w) in row.iter_mut().zip(&weights) {
                *sum += v * w;
            }
        }
    }
}

/// [`tile`] for `R` rows with AVX2: `R × 2` accumulator registers, the panel's row of
/// sixteen weights loaded once per input for all `R` rows.
///
/// # Safety
/// The CPU must have AVX2 and FMA; `x` holds `R × inputs` values and `panel` `inputs × PANEL`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn tile_avx2<T: Element, const R: usize>(
    x: &[f32],
    inputs: usize,
    panel: &[T],
    sums: &mut [[f32; PANEL]; ROWS],
) {
    use std::arch::x86_64::*;
    let mut acc = [[_mm256_setzero_ps(); 2]; R];
    let (x, w) = (x.as_ptr(), panel.as_ptr());
    for i in 0..inputs {
        let weights = w.add(i * PANEL);
        let (low, high) = (T::load8(weights), T::load8(weights.add(8)));
        for (r, acc) in acc.iter_mut().enumerate() {
            let v = _mm256_broadcast_ss(&*x.add(r * inputs + i));
            acc[0] = _mm256_fmadd_ps(v, low, acc[0]);
            acc[1] = _mm256_fmadd_ps(v, high, acc[1]);
        }
    }
    for (sums, acc) in sums.iter_mut().zip(&acc) {
        _mm256_storeu_ps(sums.as_mut_ptr(), acc[0]);
        _mm256_storeu_ps(sums.as_mut_ptr().add(8), acc[1]);
    }
}

/// Layer normalisation over the last dimension.
pub struct LayerNorm {
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
    pub eps: f32,
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

    /// Whether the norm has no weights.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Sum of the products, in eight lanes (a loop the compiler vectorises; one running sum
/// would keep it scalar, since float additions may not be reordered).
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [0.0f32; 8];
    for (a, b) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for ((lane, x), y) in lanes.iter_mut().zip(a).zip(b) {
            *lane += x * y;
        }
    }
    let tail = n - n % 8;
    let rest: f32 = a[tail..].iter().zip(&b[tail..]).map(|(x, y)| x * y).sum();
    lanes.iter().sum::<f32>() + rest
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
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        return unsafe { attention_avx2(q, k, v, tokens, hidden, heads, bias) };
    }
    attention_portable(q, k, v, tokens, hidden, heads, bias)
}

/// [`attention`] compiled for AVX2.
///
/// # Safety
/// The CPU must have AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn attention_avx2(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    tokens: usize,
    hidden: usize,
    heads: usize,
    bias: Option<&[f32]>,
) -> Vec<f32> {
    attention_portable(q, k, v, tokens, hidden, heads, bias)
}

#[inline(always)]
fn attention_portable(
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
                *score =
                    dot(qi, kj) * scale + bias.map_or(0.0, |b| b[(h * tokens + i) * tokens + j]);
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

/// `into += other`, element by element.
pub fn add(into: &mut [f32], other: &[f32]) {
    for (a, b) in into.iter_mut().zip(other) {
        *a += b;
    }
}

/// Softmax in place.
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

/// GELU of every value in place (a loop the compiler vectorises: no calls, no branches;
/// eight values at a time where the CPU has AVX2).
pub fn gelu_all(values: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        unsafe { gelu_all_avx2(values) };
        return;
    }
    for v in values {
        *v = gelu(*v);
    }
}

/// [`gelu_all`] compiled for AVX2.
///
/// # Safety
/// The CPU must have AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn gelu_all_avx2(values: &mut [f32]) {
    for v in values {
        *v = gelu(*v);
    }
}

/// GELU with the error function, as BERT-style models are trained.
#[inline(always)]
pub fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x / std::f32::consts::SQRT_2))
}

/// The error function (Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7).
#[inline(always)]
fn erf(x: f32) -> f32 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let poly = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
    let y = 1.0 - poly * exp_negative(-x * x);
    y.copysign(x)
}

/// `eˣ` for `x ≤ 0` (Cephes' `expf`: relative error about 1e-7; 0 below -87), in arithmetic
/// only, so that [`gelu_all`] vectorises where a call to the C library's `expf` would not.
#[inline(always)]
fn exp_negative(x: f32) -> f32 {
    let x = x.max(-87.0);
    // n = round(x / ln 2), by the float trick that needs no rounding instruction.
    const ROUND: f32 = 12_582_912.0; // 1.5 × 2²³
    let n = (x * std::f32::consts::LOG2_E + ROUND) - ROUND;
    let r = x - n * 0.693_359_4 + n * 2.121_944_4e-4;
    let p = ((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r
        + 1.666_666_5e-1)
        * r
        + 0.5;
    let y = p * r * r + r + 1.0;
    // 2ⁿ from its exponent bits (n is between -126 and 0).
    y * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_is_close() {
        assert!((erf(0.5) - 0.520_499_9).abs() < 1e-6);
        assert!((erf(-1.0) + 0.842_700_8).abs() < 1e-6);
        assert!(erf(0.0).abs() < 1e-6);
        assert!((erf(4.0) - 1.0).abs() < 1e-6);
        assert!((erf(-12.0) + 1.0).abs() < 1e-6);
    }

    #[test]
    fn exp_matches_the_standard_library() {
        for i in 0..=8700 {
            let x = -(i as f32) * 0.01;
            let (got, want) = (exp_negative(x), x.exp());
            assert!(
                (got - want).abs() <= 2e-7 * want + 1e-38,
                "{x}: {got} vs {want}"
            );
        }
        // Below -87 the result is e⁻⁸⁷, about 1.6e-38: zero for every use here.
        assert!((0.0..1e-37).contains(&exp_negative(-200.0)));
    }

    #[test]
    fn gelu_of_a_slice_is_gelu_of_each_value() {
        let mut values: Vec<f32> = (-40..40).map(|i| i as f32 * 0.25).collect();
        let each: Vec<f32> = values.iter().map(|&v| gelu(v)).collect();
        gelu_all(&mut values);
        assert_eq!(values, each);
        assert_eq!(gelu(0.0), 0.0);
        assert!((gelu(1.0) - 0.841_344_7).abs() < 1e-6);
        assert!((gelu(-3.0) + 0.004_049_7).abs() < 1e-6);
    }

    /// The plain product of `x` (`rows × inputs`) and `weight` (`outputs × inputs`), in f64.
    fn reference(x: &[f32], weight: &[f32], bias: &[f32], rows: usize, inputs: usize) -> Vec<f32> {
        let outputs = bias.len();
        let mut out = Vec::new();
        for r in 0..rows {
            for o in 0..outputs {
                let sum: f64 = (0..inputs)
                    .map(|i| f64::from(x[r * inputs + i]) * f64::from(weight[o * inputs + i]))
                    .sum();
                out.push((sum + f64::from(bias[o])) as f32);
            }
        }
        out
    }

    fn values(n: usize, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|i| {
                ((i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed) % 2001) as f32 / 1000.0
                    - 1.0
            })
            .collect()
    }

    #[test]
    fn products_match_the_plain_product_for_every_shape() {
        // Partial panels (outputs not a multiple of 16) and row blocks of every size.
        for (rows, inputs, outputs) in [
            (1, 3, 1),
            (5, 7, 17),
            (7, 9, 33),
            (20, 5, 16),
            (6, 16, 16),
            (13, 40, 37),
            (12, 64, 48),
        ] {
            let x = values(rows * inputs, 1);
            let weight = values(outputs * inputs, 2);
            let bias = values(outputs, 3);
            let layer = Linear::new(&weight, bias.clone(), inputs, outputs).unwrap();
            let got = layer.apply(&x, rows);
            let want = reference(&x, &weight, &bias, rows, inputs);
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                assert!(
                    (g - w).abs() < 1e-5,
                    "{rows}×{inputs}→{outputs}: {g} vs {w}"
                );
            }
        }
    }

    #[test]
    fn an_int8_layer_is_the_product_of_its_dequantised_weight() {
        let (rows, inputs, outputs) = (7, 24, 19);
        let quantised: Vec<i8> = (0..inputs * outputs)
            .map(|i| (i * 37 % 255) as i32 - 127)
            .map(|v| v as i8)
            .collect();
        let scales: Vec<f32> = (0..outputs).map(|o| 0.001 + o as f32 * 1e-4).collect();
        let weight: Vec<f32> = quantised
            .chunks_exact(inputs)
            .zip(&scales)
            .flat_map(|(row, s)| row.iter().map(move |&v| f32::from(v) * s))
            .collect();
        let x = values(rows * inputs, 4);
        let bias = values(outputs, 5);
        let layer = Linear::quantised(&quantised, scales, bias.clone(), inputs, outputs).unwrap();
        let want = reference(&x, &weight, &bias, rows, inputs);
        for (g, w) in layer.apply(&x, rows).iter().zip(&want) {
            assert!((g - w).abs() < 1e-5, "{g} vs {w}");
        }
        assert_eq!(layer.bytes(), 2 * 16 * inputs + 4 * outputs + 4 * outputs);
    }

    #[test]
    fn dot_sums_every_product_whatever_the_length() {
        for n in 0..20 {
            let (a, b) = (values(n, 6), values(n, 7));
            let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot(&a, &b) - plain).abs() < 1e-5, "{n}");
        }
    }

    #[test]
    fn a_weight_of_the_wrong_size_is_refused() {
        assert_eq!(
            Linear::new(&[1.0; 6], vec![0.0; 2], 4, 2)
                .unwrap_err()
                .to_string(),
            "6 weights for 2 outputs of 4 inputs"
        );
        assert_eq!(
            Linear::quantised(&[1; 8], vec![1.0], vec![0.0; 2], 4, 2)
                .unwrap_err()
                .to_string(),
            "1 scales for 2 outputs"
        );
    }
}
