//! Reading the tensors of a `model.safetensors` by name, checked for type and shape.
//! [`Weights::prefix`] scopes names the way the modules nest (`encoder.layer.0` then
//! `attention.self.query`), candle's `VarBuilder::pp`; a checkpoint whose names all start with
//! its model type (`bert.embeddings…`, as some exports write them) is read through that prefix.
//! A matrix may be stored as int8 with one f32 scale per row (the shipped MiniLM): a dense
//! layer keeps it int8 (its products apply the scales), any other tensor is dequantised to
//! f32 at load.

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};

use super::ops::{LayerNorm, Linear};
use super::ContextualError;

/// The tensors of one file under a name prefix.
pub struct Weights<'a> {
    tensors: &'a SafeTensors<'a>,
    prefix: String,
}

impl<'a> Weights<'a> {
    /// The tensors of a file of a `model_type` model; `probe` is a tensor every such file
    /// holds, used to find whether names carry the `{model_type}.` prefix.
    pub fn new(tensors: &'a SafeTensors<'a>, model_type: &str, probe: &str) -> Weights<'a> {
        let prefixed = format!("{model_type}.{probe}");
        let prefix = if tensors.tensor(probe).is_err() && tensors.tensor(&prefixed).is_ok() {
            model_type.to_string()
        } else {
            String::new()
        };
        Weights { tensors, prefix }
    }

    /// The same tensors with `name.` added to every name asked for.
    pub fn prefix(&self, name: &str) -> Weights<'a> {
        Weights {
            tensors: self.tensors,
            prefix: self.full(name),
        }
    }

    fn full(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }

    /// The tensor `name`, checked to be of exactly `shape`.
    fn view(
        &self,
        name: &str,
        shape: &[usize],
    ) -> Result<(String, TensorView<'a>), ContextualError> {
        let name = self.full(name);
        let view = self
            .tensors
            .tensor(&name)
            .map_err(|_| ContextualError::Weights(format!("no tensor {name}")))?;
        if view.shape() != shape {
            return Err(ContextualError::Weights(format!(
                "{name} has shape {:?}, expected {shape:?}",
                view.shape()
            )));
        }
        Ok((name, view))
    }

    /// The f32 scale per row of the int8 tensor `name` (full name; `{name}_scale`, as
    /// scripts/quantise_minilm.py writes them).
    fn scales(&self, name: &str, rows: usize) -> Result<Vec<f32>, ContextualError> {
        let scales = self
            .tensors
            .tensor(&format!("{name}_scale"))
            .map_err(|_| ContextualError::Weights(format!("{name} is I8 without {name}_scale")))?;
        if scales.dtype() != Dtype::F32 || scales.shape() != [rows] {
            return Err(ContextualError::Weights(format!(
                "{name}_scale must be F32 of shape [{rows}]"
            )));
        }
        Ok(f32s(scales.data()))
    }

    /// An f32 tensor of exactly `shape` (an int8 one dequantised with its row scales).
    pub fn tensor(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, ContextualError> {
        let (name, view) = self.view(name, shape)?;
        match view.dtype() {
            Dtype::F32 => Ok(f32s(view.data())),
            Dtype::I8 => {
                let rows = shape.first().copied().unwrap_or(1);
                let scales = self.scales(&name, rows)?;
                let width = view.data().len() / rows.max(1);
                Ok(view
                    .data()
                    .chunks(width.max(1))
                    .zip(&scales)
                    .flat_map(|(row, &scale)| row.iter().map(move |&v| v as i8 as f32 * scale))
                    .collect())
            }
            other => Err(unexpected(&name, other)),
        }
    }

    /// A dense layer `name` (`name.weight`, `outputs × inputs`, and `name.bias`). An int8
    /// weight stays int8 (the layer applies its row scales to the sums).
    pub fn linear(
        &self,
        name: &str,
        inputs: usize,
        outputs: usize,
    ) -> Result<Linear, ContextualError> {
        let scope = self.prefix(name);
        let bias = scope.tensor("bias", &[outputs])?;
        let (name, view) = scope.view("weight", &[outputs, inputs])?;
        let layer = match view.dtype() {
            Dtype::F32 => Linear::new(&f32s(view.data()), bias, inputs, outputs),
            Dtype::I8 => {
                let scales = scope.scales(&name, outputs)?;
                let values: Vec<i8> = view.data().iter().map(|&b| b as i8).collect();
                Linear::quantised(&values, scales, bias, inputs, outputs)
            }
            other => return Err(unexpected(&name, other)),
        };
        layer.map_err(|e| ContextualError::Weights(format!("{name}: {e}")))
    }

    /// A layer norm `name` over `width` values.
    pub fn norm(&self, name: &str, width: usize, eps: f32) -> Result<LayerNorm, ContextualError> {
        let scope = self.prefix(name);
        Ok(LayerNorm {
            weight: scope.tensor("weight", &[width])?,
            bias: scope.tensor("bias", &[width])?,
            eps,
        })
    }
}

/// Little-endian f32 values.
fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

fn unexpected(name: &str, dtype: Dtype) -> ContextualError {
    ContextualError::Weights(format!(
        "{name} is {dtype:?}, expected F32 (or I8 with per-row scales)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int8_rows_are_dequantised_with_their_scales_or_kept_by_a_dense_layer() {
        let values: Vec<u8> = [1i8, -2, 127, 0, 5, -127]
            .iter()
            .map(|&v| v as u8)
            .collect();
        let scales: Vec<u8> = [0.5f32, 2.0].iter().flat_map(|s| s.to_le_bytes()).collect();
        let bias: Vec<u8> = [0.25f32, -1.0]
            .iter()
            .flat_map(|s| s.to_le_bytes())
            .collect();
        let bytes = safetensors::serialize(
            [
                (
                    "bert.m.weight",
                    TensorView::new(Dtype::I8, vec![2, 3], &values).unwrap(),
                ),
                (
                    "bert.m.weight_scale",
                    TensorView::new(Dtype::F32, vec![2], &scales).unwrap(),
                ),
                (
                    "bert.m.bias",
                    TensorView::new(Dtype::F32, vec![2], &bias).unwrap(),
                ),
            ],
            None,
        )
        .unwrap();
        let tensors = SafeTensors::deserialize(&bytes).unwrap();
        // Names under `bert.` are found through that prefix.
        let weights = Weights::new(&tensors, "bert", "m.weight");
        assert_eq!(
            weights.prefix("m").tensor("weight", &[2, 3]).unwrap(),
            vec![0.5, -1.0, 63.5, 0.0, 10.0, -254.0]
        );
        assert_eq!(
            weights.tensor("m.weight", &[3, 2]).unwrap_err().to_string(),
            "model.safetensors: bert.m.weight has shape [2, 3], expected [3, 2]"
        );
        // A dense layer keeps the int8 values and applies the scales to its sums.
        let layer = weights.linear("m", 3, 2).unwrap();
        assert_eq!(layer.apply(&[1.0, 2.0, 3.0], 1), vec![189.25, -743.0]);
        assert_eq!(layer.bytes(), 16 * 3 + 4 * 2 + 4 * 2);
    }
}
