//! `[MASKED]` in place of masked variable values in every log line Berth shows or saves.
//! Output is masked a line at a time, so a value split across two chunks is still caught;
//! a partial line is held back until its end arrives (or the step ends).

/// Masks one stream of bytes.
#[derive(Debug)]
pub struct Masker {
    secrets: Vec<Vec<u8>>,
    pending: Vec<u8>,
}

/// Held back at most this much without a newline before masking what is there.
const MAX_PENDING: usize = 64 * 1024;

impl Masker {
    /// Empty values are ignored; longer secrets are replaced first, so one that contains
    /// another is hidden whole.
    pub fn new(secrets: &[String]) -> Masker {
        let mut secrets: Vec<Vec<u8>> = secrets.iter().filter(|s| !s.is_empty()).map(|s| s.as_bytes().to_vec()).collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Masker { secrets, pending: Vec::new() }
    }

    /// The complete lines of `chunk` (with what was held back before), masked.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        self.pending.extend_from_slice(chunk);
        let cut = match self.pending.iter().rposition(|&b| b == b'\n') {
            Some(i) => i + 1,
            None if self.pending.len() > MAX_PENDING => self.pending.len(),
            None => return Vec::new(),
        };
        let rest = self.pending.split_off(cut);
        let done = std::mem::replace(&mut self.pending, rest);
        mask(&done, &self.secrets)
    }

    /// What is left at the end of the stream, masked.
    pub fn finish(&mut self) -> Vec<u8> {
        mask(&std::mem::take(&mut self.pending), &self.secrets)
    }
}

/// `text` with every secret replaced.
pub fn mask(text: &[u8], secrets: &[Vec<u8>]) -> Vec<u8> {
    let mut out = text.to_vec();
    for secret in secrets {
        out = replace(&out, secret, b"[MASKED]");
    }
    out
}

pub fn mask_str(text: &str, secrets: &[String]) -> String {
    let secrets: Vec<Vec<u8>> = Masker::new(secrets).secrets;
    String::from_utf8_lossy(&mask(text.as_bytes(), &secrets)).into_owned()
}

fn replace(hay: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_split_across_chunks_are_masked() {
        let mut m = Masker::new(&["s3cr3t-value".into(), String::new()]);
        let mut out = m.push(b"token s3cr");
        assert!(out.is_empty());
        out.extend(m.push(b"3t-value ok\nnext s3cr3t-va"));
        out.extend(m.push(b"lue"));
        out.extend(m.finish());
        assert_eq!(String::from_utf8(out).unwrap(), "token [MASKED] ok\nnext [MASKED]");
    }

    #[test]
    fn the_longest_secret_wins() {
        assert_eq!(mask_str("abc abcdef", &["abc".into(), "abcdef".into()]), "[MASKED] [MASKED]");
    }
}
