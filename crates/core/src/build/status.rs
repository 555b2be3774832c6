//! BuildKit's progress, as the engine sends it in `moby.buildkit.trace` messages: a base64
//! `StatusResponse` protobuf. Decoded by hand for the few fields shown, instead of pulling in
//! bollard's `buildkit` feature and its gRPC stack for a build that needs no session.

/// One vertex (a step) as reported; fields absent in an update stay `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vertex {
    pub digest: String,
    pub name: String,
    pub cached: bool,
    /// Unix time in milliseconds.
    pub started: Option<u64>,
    pub completed: Option<u64>,
    pub error: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct VertexLog {
    pub vertex: String,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Status {
    pub vertexes: Vec<Vertex>,
    pub logs: Vec<VertexLog>,
}

/// Decode a `StatusResponse` (vertexes = 1, statuses = 2, logs = 3, warnings = 4).
pub fn decode(bytes: &[u8]) -> Option<Status> {
    let mut status = Status::default();
    for (field, value) in Fields::new(bytes) {
        match (field, value?) {
            (1, Value::Bytes(b)) => status.vertexes.push(vertex(b)?),
            (3, Value::Bytes(b)) => status.logs.push(log(b)?),
            _ => {}
        }
    }
    Some(status)
}

fn vertex(bytes: &[u8]) -> Option<Vertex> {
    let mut v = Vertex::default();
    for (field, value) in Fields::new(bytes) {
        match (field, value?) {
            (1, Value::Bytes(b)) => v.digest = String::from_utf8_lossy(b).into_owned(),
            (3, Value::Bytes(b)) => v.name = String::from_utf8_lossy(b).into_owned(),
            (4, Value::Varint(n)) => v.cached = n != 0,
            (5, Value::Bytes(b)) => v.started = timestamp(b),
            (6, Value::Bytes(b)) => v.completed = timestamp(b),
            (7, Value::Bytes(b)) => v.error = String::from_utf8_lossy(b).into_owned(),
            _ => {}
        }
    }
    Some(v)
}

fn log(bytes: &[u8]) -> Option<VertexLog> {
    let mut l = VertexLog::default();
    for (field, value) in Fields::new(bytes) {
        match (field, value?) {
            (1, Value::Bytes(b)) => l.vertex = String::from_utf8_lossy(b).into_owned(),
            (4, Value::Bytes(b)) => l.data = b.to_vec(),
            _ => {}
        }
    }
    Some(l)
}

/// google.protobuf.Timestamp (seconds = 1, nanos = 2) as Unix milliseconds.
fn timestamp(bytes: &[u8]) -> Option<u64> {
    let (mut secs, mut nanos) = (0u64, 0u64);
    for (field, value) in Fields::new(bytes) {
        match (field, value?) {
            (1, Value::Varint(n)) => secs = n,
            (2, Value::Varint(n)) => nanos = n,
            _ => {}
        }
    }
    secs.checked_mul(1000)?.checked_add(nanos / 1_000_000)
}

enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// The fields of one protobuf message: (number, value); a malformed field yields `None`.
struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    fn new(rest: &'a [u8]) -> Self {
        Fields { rest }
    }

    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.rest.split_first()?;
            self.rest = rest;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.rest.len() < n {
            return None;
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some(head)
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = (u64, Option<Value<'a>>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let Some(key) = self.varint() else {
            self.rest = &[];
            return Some((0, None));
        };
        let value = match key & 7 {
            0 => self.varint().map(Value::Varint),
            1 => self.take(8).map(|_| Value::Fixed),
            2 => self.varint().and_then(|n| self.take(n as usize)).map(Value::Bytes),
            5 => self.take(4).map(|_| Value::Fixed),
            _ => None,
        };
        if value.is_none() {
            self.rest = &[];
        }
        Some((key >> 3, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    #[test]
    fn decodes_an_engine_trace() {
        // Captured from Engine 20.10: a vertex started and completed.
        let raw = "CosBCkdzaGEyNTY6MTI2OTVjMzdlZjc4NzU0ZmQ1N2U1ZjMxYjkwNDhjNDM3MmVmODRjOTk0MTMzYjA1OTY1OTQwNDNmNjk2NzIxNhokW2ludGVybmFsXSBsb2FkIHJlbW90ZSBidWlsZCBjb250ZXh0KgwI0/Od2AYQm4LnmAEyDAjT853YBhC30PSnAQ==";
        let bytes = base64::engine::general_purpose::STANDARD.decode(raw).unwrap();
        let status = decode(&bytes).unwrap();
        let v = &status.vertexes[0];
        assert_eq!(v.name, "[internal] load remote build context");
        assert!(v.digest.starts_with("sha256:12695c37"));
        let (started, completed) = (v.started.unwrap(), v.completed.unwrap());
        assert!(completed >= started && started > 1_700_000_000_000);
    }

    #[test]
    fn garbage_is_refused_not_panicked_on() {
        assert!(decode(&[0x0a, 0xff, 0xff]).is_none());
    }

    /// Seen while writing the `build_progress` fuzz target: a timestamp past u64 milliseconds
    /// overflowed (a panic in debug builds).
    #[test]
    fn a_timestamp_out_of_range_is_left_out() {
        // Vertex { started: Timestamp { seconds: u64::MAX } }.
        let mut seconds = vec![0x08];
        seconds.extend([0xff; 9]);
        seconds.push(0x01);
        let mut vertex = vec![0x2a, seconds.len() as u8];
        vertex.extend(&seconds);
        let mut bytes = vec![0x0a, vertex.len() as u8];
        bytes.extend(&vertex);
        let status = decode(&bytes).unwrap();
        assert_eq!(status.vertexes[0].started, None);
    }
}
