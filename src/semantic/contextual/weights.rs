//! Reading the tensors of a `model.safetensors` by name, checked for type and shape.
//! [`Weights::prefix`] scopes names the way the modules nest (`encoder.layer.0` then
//! `attention.self.query`), candle's `VarBuilder::pp`; a checkpoint whose names all start with
//! its model type (`bert.embeddings…`, as some exports write them) is read through that prefix.
//! A matrix may be stored as int8 with one f32 scale per row (the shipped MiniLM); it is
//! dequantised to f32 at load.

use safetensors::SafeTensors;

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

    /// An f32 tensor of exactly `shape`.
    pub fn tensor(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, ContextualError> {
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
        match view.dtype() {
            safetensors::Dtype::F32 => Ok(view
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect()),
            // int8 with one f32 scale per row in `{name}_scale` (scripts/quantise_minilm.py):
            // dequantised here, once.
            safetensors::Dtype::I8 => {
                let scales = self.tensors.tensor(&format!("{name}_scale")).map_err(|_| {
                    ContextualError::Weights(format!("{name} is I8 without {name}_scale"))
                })?;
                let rows = shape.first().copied().unwrap_or(1);
                if scales.dtype() != safetensors::Dtype::F32 || scales.shape() != [rows] {
                    return Err(ContextualError::Weights(format!(
                        "{name}_scale must be F32 of shape [{rows}]"
                    )));
                }
                let scales: Vec<f32> = scales
                    .data()
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect();
                let width = view.data().len() / rows.max(1);
                Ok(view
                    .data()
                    .chunks(width.max(1))
                    .zip(&scales)
                    .flat_map(|(row, &scale)| row.iter().map(move |&v| v as i8 as f32 * scale))
                    .collect())
            }
            other => Err(ContextualError::Weights(format!(
                "{name} is {other:?}, expected F32 (or I8 with per-row scales)"
            ))),
        }
    }

    /// A dense layer `name` (`name.weight`, `outputs × inputs`, and `name.bias`).
    pub fn linear(
        &self,
        name: &str,
        inputs: usize,
        outputs: usize,
    ) -> Result<Linear, ContextualError> {
        let scope = self.prefix(name);
        Ok(Linear {
            weight: scope.tensor("weight", &[outputs, inputs])?,
            bias: scope.tensor("bias", &[outputs])?,
            inputs,
            outputs,
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use safetensors::tensor::TensorView;
    use safetensors::Dtype;

    #[test]
    fn int8_rows_are_dequantised_with_their_scales() {
        let values: Vec<u8> = [1i8, -2, 127, 0, 5, -127]
            .iter()
            .map(|&v| v as u8)
            .collect();
        let scales: Vec<u8> = [0.5f32, 2.0].iter().flat_map(|s| s.to_le_bytes()).collect();
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
    }
}
