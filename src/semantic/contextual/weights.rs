//! Reading the tensors of a `model.safetensors` by name, checked for type and shape.
//! [`Weights::prefix`] scopes names the way the modules nest (`encoder.layer.0` then
//! `attention.self.query`), candle's `VarBuilder::pp`; a checkpoint whose names all start with
//! its model type (`bert.embeddings…`, as some exports write them) is read through that prefix.

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
            other => Err(ContextualError::Weights(format!(
                "{name} is {other:?}, expected F32"
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
