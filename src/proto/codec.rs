//! Jute binary encoding: big-endian integers, length-prefixed buffers,
//! strings and vectors (-1 encodes a null buffer, string or vector).

/// A decoding failure: the frame ended early or held an impossible length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError;

/// Appends jute-encoded values to a byte vector.
pub struct Writer<'a> {
    pub buf: &'a mut Vec<u8>,
}

impl<'a> Writer<'a> {
    pub fn new(buf: &'a mut Vec<u8>) -> Self {
        Writer { buf }
    }
    pub fn int(&mut self, v: i32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    pub fn long(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    pub fn boolean(&mut self, v: bool) {
        self.buf.push(v as u8);
    }
    /// A buffer or string; `None` is encoded as length -1.
    pub fn bytes(&mut self, v: Option<&[u8]>) {
        match v {
            None => self.int(-1),
            Some(b) => {
                self.int(b.len() as i32);
                self.buf.extend_from_slice(b);
            }
        }
    }
    pub fn string(&mut self, v: &[u8]) {
        self.bytes(Some(v));
    }
    pub fn strings<T: AsRef<[u8]>>(&mut self, v: &[T]) {
        self.int(v.len() as i32);
        for s in v {
            self.string(s.as_ref());
        }
    }
}

/// Reads jute-encoded values from a frame.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    /// How many bytes were read so far.
    pub fn pos(&self) -> usize {
        self.pos
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.remaining() < n {
            return Err(DecodeError);
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    pub fn int(&mut self) -> Result<i32, DecodeError> {
        Ok(i32::from_be_bytes(self.take(4)?.try_into().unwrap()))
    }
    pub fn long(&mut self) -> Result<i64, DecodeError> {
        Ok(i64::from_be_bytes(self.take(8)?.try_into().unwrap()))
    }
    pub fn boolean(&mut self) -> Result<bool, DecodeError> {
        Ok(self.take(1)?[0] != 0)
    }
    /// A buffer or string; `None` when the encoded length is negative.
    pub fn bytes(&mut self) -> Result<Option<&'a [u8]>, DecodeError> {
        let len = self.int()?;
        if len < 0 {
            return Ok(None);
        }
        Ok(Some(self.take(len as usize)?))
    }
    /// A string; a null string reads as empty.
    pub fn string(&mut self) -> Result<Vec<u8>, DecodeError> {
        Ok(self.bytes()?.map(|b| b.to_vec()).unwrap_or_default())
    }
    /// A vector length; a null vector reads as empty. The length is checked
    /// against the bytes left so that a hostile count cannot make us allocate.
    pub fn count(&mut self, min_item: usize) -> Result<usize, DecodeError> {
        let n = self.int()?;
        if n < 0 {
            return Ok(0);
        }
        if (n as usize).saturating_mul(min_item) > self.remaining() {
            return Err(DecodeError);
        }
        Ok(n as usize)
    }
    pub fn strings(&mut self) -> Result<Vec<Vec<u8>>, DecodeError> {
        let n = self.count(4)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(self.string()?);
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut b = Vec::new();
        let mut w = Writer::new(&mut b);
        w.int(-5);
        w.long(1 << 40);
        w.boolean(true);
        w.bytes(None);
        w.string(b"/a");
        w.strings(&[b"x".to_vec(), b"yz".to_vec()]);
        let mut r = Reader::new(&b);
        assert_eq!(r.int().unwrap(), -5);
        assert_eq!(r.long().unwrap(), 1 << 40);
        assert!(r.boolean().unwrap());
        assert_eq!(r.bytes().unwrap(), None);
        assert_eq!(r.string().unwrap(), b"/a");
        assert_eq!(r.strings().unwrap(), vec![b"x".to_vec(), b"yz".to_vec()]);
        assert_eq!(r.remaining(), 0);
    }

    #[test]
    fn truncated_and_hostile() {
        assert!(Reader::new(&[0, 0]).int().is_err());
        let mut b = Vec::new();
        Writer::new(&mut b).int(100);
        assert!(Reader::new(&b).bytes().is_err());
        let mut b = Vec::new();
        Writer::new(&mut b).int(i32::MAX);
        assert!(Reader::new(&b).strings().is_err());
    }
}
