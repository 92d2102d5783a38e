//! Requests and replies of the client protocol in Rust form, with their
//! jute encoding.

use super::codec::{DecodeError, Reader, Writer};
use super::jute::Stat;
use super::opcodes::*;
use bytes::Bytes;

/// One access control entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acl {
    pub perms: i32,
    pub scheme: Vec<u8>,
    pub id: Vec<u8>,
}

pub fn write_acls(w: &mut Writer, acls: &[Acl]) {
    w.int(acls.len() as i32);
    for a in acls {
        w.int(a.perms);
        w.string(&a.scheme);
        w.string(&a.id);
    }
}

pub fn read_acls(r: &mut Reader) -> Result<Vec<Acl>, DecodeError> {
    let n = r.count(12)?;
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let perms = r.int()?;
        let scheme = r.string()?;
        let id = r.string()?;
        v.push(Acl { perms, scheme, id });
    }
    Ok(v)
}

pub fn read_stat(r: &mut Reader) -> Result<Stat, DecodeError> {
    Ok(Stat {
        czxid: r.long()?,
        mzxid: r.long()?,
        ctime: r.long()?,
        mtime: r.long()?,
        version: r.int()?,
        cversion: r.int()?,
        aversion: r.int()?,
        ephemeralOwner: r.long()?,
        dataLength: r.int()?,
        numChildren: r.int()?,
        pzxid: r.long()?,
    })
}

/// The body of a create request (create, create2, container or TTL).
#[derive(Clone, Debug)]
pub struct CreateBody {
    pub opcode: i32,
    pub path: Vec<u8>,
    pub data: Option<Vec<u8>>,
    pub acl: Vec<Acl>,
    pub flags: i32,
    pub ttl: i64,
}

/// The longest TTL a TTL create may ask for (ms), as the reference checks it.
pub const MAX_TTL: i64 = 0xFF_FFFF_FFFF;

/// The opcode the reference sends a create of `mode` with: a container, a
/// TTL create, else create2 (`create2`: the reply carries the Stat) or create.
pub fn create_opcode(mode: i32, create2: bool) -> i32 {
    if mode == super::consts::CREATE_CONTAINER {
        ZOO_CREATE_CONTAINER_OP
    } else if super::consts::is_ttl_mode(mode) {
        ZOO_CREATE_TTL_OP
    } else if create2 {
        ZOO_CREATE2_OP
    } else {
        ZOO_CREATE_OP
    }
}

impl CreateBody {
    /// A create of `mode` at the (checked) server path `path`, with the
    /// reference's TTL rule: a TTL mode needs 0 < ttl <= MAX_TTL, any other
    /// mode a negative ttl; None when it is broken.
    pub fn new(path: Vec<u8>, data: Option<Vec<u8>>, acl: Vec<Acl>, mode: i32, ttl: i64, create2: bool) -> Option<CreateBody> {
        let ttl_ok = if super::consts::is_ttl_mode(mode) { ttl > 0 && ttl <= MAX_TTL } else { ttl < 0 };
        ttl_ok.then(|| CreateBody { opcode: create_opcode(mode, create2), path, data, acl, flags: mode, ttl })
    }

    fn encode(&self, w: &mut Writer) {
        w.string(&self.path);
        w.bytes(self.data.as_deref());
        write_acls(w, &self.acl);
        w.int(self.flags);
        if self.opcode == ZOO_CREATE_TTL_OP {
            w.long(self.ttl);
        }
    }
}

/// One operation of a multi request.
#[derive(Clone, Debug)]
pub enum MultiOp {
    Create(CreateBody),
    Delete { path: Vec<u8>, version: i32 },
    SetData { path: Vec<u8>, data: Option<Vec<u8>>, version: i32 },
    Check { path: Vec<u8>, version: i32 },
}

impl MultiOp {
    pub fn opcode(&self) -> i32 {
        match self {
            MultiOp::Create(c) => c.opcode,
            MultiOp::Delete { .. } => ZOO_DELETE_OP,
            MultiOp::SetData { .. } => ZOO_SETDATA_OP,
            MultiOp::Check { .. } => ZOO_CHECK_OP,
        }
    }
}

/// The result of one operation of a multi request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MultiResult {
    Create { path: Vec<u8>, stat: Option<Stat> },
    SetData(Stat),
    Delete,
    Check,
    Error(i32),
}

/// A client request body.
#[derive(Clone, Debug)]
pub enum Request {
    Create(CreateBody),
    Delete {
        path: Vec<u8>,
        version: i32,
    },
    Exists {
        path: Vec<u8>,
        watch: bool,
    },
    GetData {
        path: Vec<u8>,
        watch: bool,
    },
    SetData {
        path: Vec<u8>,
        data: Option<Vec<u8>>,
        version: i32,
    },
    GetAcl {
        path: Vec<u8>,
    },
    SetAcl {
        path: Vec<u8>,
        acl: Vec<Acl>,
        version: i32,
    },
    GetChildren {
        path: Vec<u8>,
        watch: bool,
    },
    GetChildren2 {
        path: Vec<u8>,
        watch: bool,
    },
    Sync {
        path: Vec<u8>,
    },
    Multi(Vec<MultiOp>),
    Reconfig {
        joining: Option<Vec<u8>>,
        leaving: Option<Vec<u8>>,
        members: Option<Vec<u8>>,
        version: i64,
    },
    RemoveWatches {
        path: Vec<u8>,
        wtype: i32,
        check: bool,
    },
    /// A persistent (mode 0) or persistent-recursive (mode 1) watch (3.6+).
    AddWatch {
        path: Vec<u8>,
        mode: i32,
    },
    /// The ephemerals of the session under a path prefix (3.6+).
    GetEphemerals {
        prefix: Vec<u8>,
    },
    /// The number of nodes below a path (3.6+).
    GetAllChildrenNumber {
        path: Vec<u8>,
    },
    /// The client's authenticated identities (3.7+).
    WhoAmI,
    Close,
}

impl Request {
    pub fn opcode(&self) -> i32 {
        match self {
            Request::Create(c) => c.opcode,
            Request::Delete { .. } => ZOO_DELETE_OP,
            Request::Exists { .. } => ZOO_EXISTS_OP,
            Request::GetData { .. } => ZOO_GETDATA_OP,
            Request::SetData { .. } => ZOO_SETDATA_OP,
            Request::GetAcl { .. } => ZOO_GETACL_OP,
            Request::SetAcl { .. } => ZOO_SETACL_OP,
            Request::GetChildren { .. } => ZOO_GETCHILDREN_OP,
            Request::GetChildren2 { .. } => ZOO_GETCHILDREN2_OP,
            Request::Sync { .. } => ZOO_SYNC_OP,
            Request::Multi(_) => ZOO_MULTI_OP,
            Request::Reconfig { .. } => ZOO_RECONFIG_OP,
            Request::RemoveWatches { check: true, .. } => ZOO_CHECK_WATCHES,
            Request::RemoveWatches { .. } => ZOO_REMOVE_WATCHES,
            Request::AddWatch { .. } => ZOO_ADDWATCH_OP,
            Request::GetEphemerals { .. } => ZOO_GETEPHEMERALS_OP,
            Request::GetAllChildrenNumber { .. } => ZOO_GETALLCHILDRENNUMBER_OP,
            Request::WhoAmI => ZOO_WHOAMI_OP,
            Request::Close => ZOO_CLOSE_OP,
        }
    }

    /// What the reply to this request carries.
    pub fn expect(&self) -> Expect {
        match self {
            Request::Create(c) if c.opcode == ZOO_CREATE_OP => Expect::Path,
            Request::Create(_) => Expect::Path2,
            Request::Delete { .. } | Request::RemoveWatches { .. } | Request::AddWatch { .. } | Request::Close => Expect::Void,
            Request::GetEphemerals { .. } => Expect::Children,
            Request::GetAllChildrenNumber { .. } => Expect::Number,
            Request::WhoAmI => Expect::Identities,
            // As the reference (a void completion): the reply\'s Stat is not read.
            Request::SetAcl { .. } => Expect::Void,
            Request::Exists { .. } | Request::SetData { .. } => Expect::Stat,
            Request::GetData { .. } | Request::Reconfig { .. } => Expect::Data,
            Request::GetAcl { .. } => Expect::Acl,
            Request::GetChildren { .. } => Expect::Children,
            Request::GetChildren2 { .. } => Expect::Children2,
            Request::Sync { .. } => Expect::Path,
            Request::Multi(_) => Expect::Multi,
        }
    }

    /// Appends one complete frame (length, header, body) to `out`.
    pub fn encode_frame(&self, xid: i32, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&[0; 4]);
        let mut w = Writer::new(out);
        w.int(xid);
        w.int(self.opcode());
        match self {
            Request::Create(c) => c.encode(&mut w),
            Request::Delete { path, version } => {
                w.string(path);
                w.int(*version);
            }
            Request::Exists { path, watch }
            | Request::GetData { path, watch }
            | Request::GetChildren { path, watch }
            | Request::GetChildren2 { path, watch } => {
                w.string(path);
                w.boolean(*watch);
            }
            Request::SetData { path, data, version } => {
                w.string(path);
                w.bytes(data.as_deref());
                w.int(*version);
            }
            Request::GetAcl { path } | Request::Sync { path } => w.string(path),
            Request::SetAcl { path, acl, version } => {
                w.string(path);
                write_acls(&mut w, acl);
                w.int(*version);
            }
            Request::Multi(ops) => {
                for op in ops {
                    w.int(op.opcode());
                    w.boolean(false);
                    w.int(-1);
                    match op {
                        MultiOp::Create(c) => c.encode(&mut w),
                        MultiOp::Delete { path, version } | MultiOp::Check { path, version } => {
                            w.string(path);
                            w.int(*version);
                        }
                        MultiOp::SetData { path, data, version } => {
                            w.string(path);
                            w.bytes(data.as_deref());
                            w.int(*version);
                        }
                    }
                }
                w.int(-1);
                w.boolean(true);
                w.int(-1);
            }
            Request::Reconfig { joining, leaving, members, version } => {
                w.bytes(joining.as_deref());
                w.bytes(leaving.as_deref());
                w.bytes(members.as_deref());
                w.long(*version);
            }
            Request::RemoveWatches { path, wtype, .. } => {
                w.string(path);
                w.int(*wtype);
            }
            Request::AddWatch { path, mode } => {
                w.string(path);
                w.int(*mode);
            }
            Request::GetEphemerals { prefix } => w.string(prefix),
            Request::GetAllChildrenNumber { path } => w.string(path),
            Request::WhoAmI | Request::Close => {}
        }
        finish_frame(out, start);
    }
}

/// Writes the length prefix of the frame that starts at `start`.
pub fn finish_frame(out: &mut [u8], start: usize) {
    let len = (out.len() - start - 4) as i32;
    out[start..start + 4].copy_from_slice(&len.to_be_bytes());
}

/// A frame with a fixed xid and opcode (ping, auth, set-watches).
pub fn control_frame(xid: i32, opcode: i32, out: &mut Vec<u8>, body: impl FnOnce(&mut Writer)) {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    let mut w = Writer::new(out);
    w.int(xid);
    w.int(opcode);
    body(&mut w);
    finish_frame(out, start);
}

/// The shape of a reply body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Void,
    Stat,
    Data,
    Children,
    Children2,
    Path,
    Path2,
    Acl,
    Multi,
    /// An int (getAllChildrenNumber).
    Number,
    /// (scheme, user) pairs (whoAmI).
    Identities,
}

/// A decoded reply body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Void,
    Stat(Stat),
    /// The value is a slice of the received frame: no copy.
    Data(Option<Bytes>, Stat),
    Children(Vec<Vec<u8>>, Option<Stat>),
    Path(Vec<u8>, Option<Stat>),
    Acl(Vec<Acl>, Stat),
    Multi(Vec<MultiResult>),
    Number(i32),
    Identities(Vec<(Vec<u8>, Vec<u8>)>),
}

/// Decodes a reply body from a reader over any byte slice (values copied).
pub fn decode_reply(expect: Expect, r: &mut Reader) -> Result<Reply, DecodeError> {
    decode_reply_in(expect, None, r)
}

/// Decodes a reply body; when `frame` is the buffer `r` reads, data values
/// are slices of it instead of copies.
pub fn decode_reply_in(expect: Expect, frame: Option<&Bytes>, r: &mut Reader) -> Result<Reply, DecodeError> {
    Ok(match expect {
        Expect::Void => Reply::Void,
        Expect::Stat => Reply::Stat(read_stat(r)?),
        Expect::Data => {
            let before = r.pos();
            let d = r.bytes()?.map(|b| match frame {
                Some(f) => {
                    let start = before + 4;
                    f.slice(start..start + b.len())
                }
                None => Bytes::copy_from_slice(b),
            });
            Reply::Data(d, read_stat(r)?)
        }
        Expect::Children => Reply::Children(r.strings()?, None),
        Expect::Children2 => {
            let c = r.strings()?;
            Reply::Children(c, Some(read_stat(r)?))
        }
        Expect::Path => Reply::Path(r.string()?, None),
        Expect::Path2 => {
            let p = r.string()?;
            Reply::Path(p, Some(read_stat(r)?))
        }
        Expect::Acl => {
            let a = read_acls(r)?;
            Reply::Acl(a, read_stat(r)?)
        }
        Expect::Number => Reply::Number(r.int()?),
        Expect::Identities => {
            let n = r.count(8)?;
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                let scheme = r.string()?;
                v.push((scheme, r.string()?));
            }
            Reply::Identities(v)
        }
        Expect::Multi => {
            let mut v = Vec::new();
            loop {
                let ty = r.int()?;
                let done = r.boolean()?;
                let _err = r.int()?;
                if done {
                    break;
                }
                v.push(match ty {
                    -1 => MultiResult::Error(r.int()?),
                    ZOO_CREATE_OP => MultiResult::Create { path: r.string()?, stat: None },
                    ZOO_CREATE2_OP | ZOO_CREATE_CONTAINER_OP | ZOO_CREATE_TTL_OP => {
                        let path = r.string()?;
                        MultiResult::Create { path, stat: Some(read_stat(r)?) }
                    }
                    ZOO_SETDATA_OP => MultiResult::SetData(read_stat(r)?),
                    ZOO_DELETE_OP => MultiResult::Delete,
                    ZOO_CHECK_OP => MultiResult::Check,
                    _ => return Err(DecodeError),
                });
            }
            Reply::Multi(v)
        }
    })
}

/// A watch notification (xid -1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatcherEvent {
    pub ty: i32,
    pub state: i32,
    pub path: Vec<u8>,
}

/// The header of every reply: `ReplyHeader { int xid; long zxid; int err }`.
pub struct ReplyHeader {
    pub xid: i32,
    pub zxid: i64,
    pub err: i32,
}

pub fn decode_reply_header(r: &mut Reader) -> Result<ReplyHeader, DecodeError> {
    Ok(ReplyHeader { xid: r.int()?, zxid: r.long()?, err: r.int()? })
}

pub fn decode_event(r: &mut Reader) -> Result<WatcherEvent, DecodeError> {
    Ok(WatcherEvent { ty: r.int()?, state: r.int()?, path: r.string()? })
}

/// The handshake answer.
#[derive(Clone, Debug)]
pub struct ConnectResponse {
    pub timeout: i32,
    pub session_id: i64,
    pub passwd: Vec<u8>,
    pub read_only: bool,
}

pub fn encode_connect(out: &mut Vec<u8>, last_zxid: i64, timeout: i32, session_id: i64, passwd: &[u8; 16], read_only: bool) {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    let mut w = Writer::new(out);
    w.int(0);
    w.long(last_zxid);
    w.int(timeout);
    w.long(session_id);
    w.bytes(Some(passwd));
    w.boolean(read_only);
    finish_frame(out, start);
}

pub fn decode_connect(frame: &[u8]) -> Result<ConnectResponse, DecodeError> {
    let mut r = Reader::new(frame);
    let _proto = r.int()?;
    let timeout = r.int()?;
    let session_id = r.long()?;
    let passwd = r.bytes()?.map(|b| b.to_vec()).unwrap_or_default();
    let read_only = if r.remaining() > 0 { r.boolean()? } else { false };
    Ok(ConnectResponse { timeout, session_id, passwd, read_only })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_modes_pick_the_reference_s_opcode_and_ttl_rule() {
        use crate::proto::consts::{CREATE_CONTAINER, CREATE_PERSISTENT_SEQUENTIAL_WITH_TTL, CREATE_PERSISTENT_WITH_TTL};
        let new = |mode, ttl, create2| CreateBody::new(b"/a".to_vec(), None, Vec::new(), mode, ttl, create2).map(|b| b.opcode);
        // persistent, ephemeral, sequential, ephemeral sequential: no TTL.
        for mode in [0, 1, 2, 3] {
            assert_eq!(new(mode, -1, false), Some(ZOO_CREATE_OP));
            assert_eq!(new(mode, -1, true), Some(ZOO_CREATE2_OP));
            assert_eq!(new(mode, 0, false), None, "a TTL given to mode {mode}");
        }
        assert_eq!(new(CREATE_CONTAINER, -1, true), Some(ZOO_CREATE_CONTAINER_OP));
        // persistent with TTL (5), persistent sequential with TTL (6).
        for mode in [CREATE_PERSISTENT_WITH_TTL, CREATE_PERSISTENT_SEQUENTIAL_WITH_TTL] {
            assert_eq!(new(mode, 1, false), Some(ZOO_CREATE_TTL_OP));
            assert_eq!(new(mode, MAX_TTL, true), Some(ZOO_CREATE_TTL_OP));
            assert_eq!(new(mode, 0, false), None);
            assert_eq!(new(mode, -1, false), None);
            assert_eq!(new(mode, MAX_TTL + 1, false), None);
        }
        assert_eq!(create_opcode(CREATE_PERSISTENT_WITH_TTL, false), ZOO_CREATE_TTL_OP);
    }

    #[test]
    fn multi_reply_decodes() {
        let mut b = Vec::new();
        let mut w = Writer::new(&mut b);
        // create result
        w.int(ZOO_CREATE_OP);
        w.boolean(false);
        w.int(0);
        w.string(b"/x");
        // error result
        w.int(-1);
        w.boolean(false);
        w.int(-101);
        w.int(-101);
        // end
        w.int(-1);
        w.boolean(true);
        w.int(-1);
        let r = decode_reply(Expect::Multi, &mut Reader::new(&b)).unwrap();
        assert_eq!(r, Reply::Multi(vec![MultiResult::Create { path: b"/x".to_vec(), stat: None }, MultiResult::Error(-101)]));
    }

    #[test]
    fn frame_has_length_prefix() {
        let mut out = Vec::new();
        Request::Delete { path: b"/a".to_vec(), version: -1 }.encode_frame(7, &mut out);
        assert_eq!(&out[0..4], &((out.len() - 4) as i32).to_be_bytes());
        let mut r = Reader::new(&out[4..]);
        assert_eq!(r.int().unwrap(), 7);
        assert_eq!(r.int().unwrap(), ZOO_DELETE_OP);
        assert_eq!(r.string().unwrap(), b"/a");
        assert_eq!(r.int().unwrap(), -1);
    }

    #[test]
    fn connect_response_without_readonly_byte() {
        let mut b = Vec::new();
        let mut w = Writer::new(&mut b);
        w.int(0);
        w.int(4000);
        w.long(0x1234);
        w.bytes(Some(&[1u8; 16]));
        let c = decode_connect(&b).unwrap();
        assert_eq!((c.timeout, c.session_id, c.read_only), (4000, 0x1234, false));
    }
}
